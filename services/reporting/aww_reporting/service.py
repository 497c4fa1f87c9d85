"""The Nameko entrypoints of the reporting service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class ReportingService(ServiceBase):
    name = "reporting"

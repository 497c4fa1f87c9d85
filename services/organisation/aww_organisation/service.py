"""The Nameko entrypoints of the organisation service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class OrganisationService(ServiceBase):
    name = "organisation"
    publishes = ("organisation_changed", "access_changed")

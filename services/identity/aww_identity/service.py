"""The Nameko entrypoints of the identity service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class IdentityService(ServiceBase):
    name = "identity"

"""The Nameko entrypoints of the identity service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class IdentityService(ServiceBase):
    name = "identity"
    publishes = (
        "account_registered",
        "account_activated",
        "account_profile_changed",
        "eid_linked",
        "accreditations_changed",
        "account_deactivated",
        "account_anonymised",
    )

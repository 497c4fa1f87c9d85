"""The Nameko entrypoints of the organisation service: thin, they call domain and store.

The class is assembled from one mixin per part (aww_organisation.entrypoints).
"""

from aww_organisation.entrypoints.authorization import AuthorizationEntrypoints
from aww_organisation.entrypoints.branches import BranchEntrypoints
from aww_organisation.entrypoints.identity_events import IdentityEventHandlers
from aww_organisation.entrypoints.mailing import Mailing
from aww_organisation.entrypoints.members import MemberEntrypoints
from aww_organisation.entrypoints.officers import OfficerEntrypoints
from aww_organisation.entrypoints.organisations import OrganisationEntrypoints
from aww_organisation.entrypoints.tools import ToolEntrypoints
from servicekit.calls import ServiceRpc
from servicekit.mail import MailSender
from servicekit.service import ServiceBase


class OrganisationService(
    OrganisationEntrypoints,
    MemberEntrypoints,
    BranchEntrypoints,
    ToolEntrypoints,
    OfficerEntrypoints,
    AuthorizationEntrypoints,
    IdentityEventHandlers,
    Mailing,
    MailSender,
    ServiceBase,
):
    name = "organisation"
    publishes = ("organisation_changed", "access_changed")

    # the session's active organisation lives in identity (set_session_organisation); the deadline
    # is shorter than the gateway's, so a slow identity is named in the answer
    identity = ServiceRpc("identity", timeout=5)

"""The AML officer's area: inbox, decisions with the four-eyes rule, CTIF-CFI reports (goAML file
validated before download), the goAML guide, settings, notifications and timelines — API
operations (api.py) and pages (pages.py) over the aml-workflow service."""

from aww_gateway.areas import Area
from aww_gateway.areas.aml_officer.api import OPERATIONS
from aww_gateway.areas.aml_officer.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem


def _in_organisation(principal) -> bool:
    return bool(principal and principal.get("organisation_id"))


AREA = Area(
    name="aml_officer",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[NavItem("/aml/notifications", N_("Notifications"), order=33, visible=_in_organisation)],
)

"""The AML officer's annual report (year choice, prefilled figures, the officer's parts, finalise,
PDF), the audit log of views and exports, and retention — API operations (api.py) and pages
(pages.py) over the aml-workflow service."""

from aww_gateway.areas import Area
from aww_gateway.areas.aml_annual.api import OPERATIONS
from aww_gateway.areas.aml_annual.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem


def _in_organisation(principal) -> bool:
    return bool(principal and principal.get("organisation_id"))


AREA = Area(
    name="aml_annual",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[NavItem("/aml/annual", N_("Annual report"), order=34, visible=_in_organisation)],
)

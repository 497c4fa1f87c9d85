"""The AML area: contacts, identification, proofs, screening results, vigilance levels, risk
profiles and acceptance documents — API operations (api.py) and pages (pages.py) over the
aml-workflow service."""

from aww_gateway.areas import Area
from aww_gateway.areas.aml.api import OPERATIONS
from aww_gateway.areas.aml.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem


def _in_organisation(principal) -> bool:
    return bool(principal and principal.get("organisation_id"))


AREA = Area(
    name="aml",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[
        NavItem("/aml/contacts", N_("Contacts"), order=30, visible=_in_organisation),
        NavItem("/aml/reviews", N_("Reviews due"), order=31, visible=_in_organisation),
    ],
)

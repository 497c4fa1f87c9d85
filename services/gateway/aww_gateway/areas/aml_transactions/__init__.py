"""The AML transactions area: property transactions with their parties, the paid vigilance
calculation and the employee's decisions — API operations (api.py) and pages (pages.py) over the
aml-workflow service (which pays through the wallet service)."""

from aww_gateway.areas import Area
from aww_gateway.areas.aml_transactions.api import OPERATIONS
from aww_gateway.areas.aml_transactions.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem


def _in_organisation(principal) -> bool:
    return bool(principal and principal.get("organisation_id"))


AREA = Area(
    name="aml_transactions",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[NavItem("/aml/transactions", N_("Transactions"), order=32, visible=_in_organisation)],
)

"""The wallet area: API operations (api.py) and pages (pages.py) over the wallet service."""

from aww_gateway.areas import Area
from aww_gateway.areas.wallet.api import OPERATIONS
from aww_gateway.areas.wallet.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem

AREA = Area(
    name="wallet",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[
        NavItem(
            "/wallet",
            N_("Wallet"),
            order=40,
            visible=lambda principal: bool(principal and principal.get("organisation_id")),
        ),
        NavItem(
            "/wallet/admin",
            N_("Payments"),
            order=91,
            visible=lambda principal: bool(principal and principal.get("platform_admin")),
        ),
    ],
)

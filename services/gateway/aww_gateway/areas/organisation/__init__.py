"""The organisation area: API operations (api.py) and pages (pages.py) over the organisation service."""

from aww_gateway.areas import Area
from aww_gateway.areas.organisation.api import OPERATIONS
from aww_gateway.areas.organisation.pages import ROUTES
from aww_gateway.i18n import N_
from aww_gateway.web import NavItem

AREA = Area(
    name="organisation",
    operations=OPERATIONS,
    web_routes=ROUTES,
    nav=[
        NavItem("/organisations", N_("Organisations"), order=20),
        NavItem(
            "/platform/allow-list",
            N_("Allow-list"),
            order=90,
            visible=lambda principal: bool(principal and principal.get("platform_admin")),
        ),
    ],
)

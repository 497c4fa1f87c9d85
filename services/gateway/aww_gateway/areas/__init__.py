"""Areas of the gateway: one module per part of the platform (platform, identity, organisation,
wallet, aml, …). Each module defines `AREA = Area(...)`; the app discovers them, so adding an
area touches no shared file. An area's templates live in templates/<name>/ and its texts in
locale/<lang>/LC_MESSAGES/<name>.po."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field

from starlette.routing import BaseRoute

from aww_gateway.api import Operation
from aww_gateway.web import NavItem


@dataclass
class Area:
    name: str
    operations: list[Operation] = field(default_factory=list)
    web_routes: list[BaseRoute] = field(default_factory=list)
    nav: list[NavItem] = field(default_factory=list)


def discover() -> list[Area]:
    areas = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        area = getattr(module, "AREA", None)
        if isinstance(area, Area):
            areas.append(area)
    return areas

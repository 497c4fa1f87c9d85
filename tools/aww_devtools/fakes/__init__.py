"""Fakes of outside parties (mail delivery, payment provider, itsme, registers), each speaking the
real protocol over the network. A module here defines `FAKE = Fake(...)`; the stack starts every
fake before the services and passes each service the environment the fake asks for."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Fake:
    name: str
    # argv after the Python interpreter, e.g. ["-m", "aww_devtools.fakes.mail", "--port", "{port}"]
    argv: list[str]
    # environment for the services and the gateway, given this fake's port and the var directory
    service_env: Callable[[int, str], dict[str, str]] = field(default=lambda port, var: {})
    health_path: str | None = None  # HTTP path that answers 200 when the fake is up


def discover() -> list[Fake]:
    fakes = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        fake = getattr(module, "FAKE", None)
        if isinstance(fake, Fake):
            fakes.append(fake)
    return fakes

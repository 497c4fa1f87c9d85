"""Demo data for `make run`, seeded through the real gateway API once the stack is up.

A module here defines `def seed(demo: DemoContext) -> list[str]` returning lines to print (how to
log in as whom). Modules run in the order of their ORDER constant (default 50).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx


@dataclass
class DemoContext:
    base_url: str
    var_dir: Path
    http: httpx.Client
    shared: dict = field(default_factory=dict)  # what one seeder leaves for the next (accounts, ids)


def seeders():
    modules = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "seed"):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def seed_all(base_url: str, var_dir: Path) -> list[str]:
    lines: list[str] = []
    with httpx.Client(base_url=base_url, timeout=30) as http:
        demo = DemoContext(base_url, var_dir, http)
        for module in seeders():
            lines += module.seed(demo)
    return lines

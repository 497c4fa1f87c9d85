"""Filling an organisation in from its enterprise number: an adapter to a company register.

The interface is one call, `lookup(enterprise_number) -> CompanyRecord | None`. The HTTP adapter
speaks a small JSON protocol (GET {base}/enterprises/{number} → 200 record | 404); production
points COMPANY_REGISTER_URL at a gateway to the KBO/BCE public search or a commercial provider
speaking it, development at the fake in tools/aww_devtools/fakes/company_register.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from servicekit.config import env, env_float


@dataclass(frozen=True)
class CompanyRecord:
    enterprise_number: str
    name: str
    legal_form: str | None
    seat: dict
    directors: list[dict] = field(default_factory=list)
    status: str = "active"


class CompanyRegister(Protocol):
    def lookup(self, enterprise_number: str) -> CompanyRecord | None: ...


class RegisterUnavailable(RuntimeError):
    pass


class HttpCompanyRegister:
    def __init__(self, base_url: str, timeout: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def lookup(self, enterprise_number: str) -> CompanyRecord | None:
        url = f"{self.base_url}/enterprises/{enterprise_number}"
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - configured URL
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - configured https URL
                body = json.loads(response.read(1024 * 1024))
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise RegisterUnavailable(f"the company register answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise RegisterUnavailable(f"the company register is not reachable: {type(exc).__name__}") from None
        return CompanyRecord(
            enterprise_number=str(body["enterprise_number"]),
            name=str(body["name"]),
            legal_form=body.get("legal_form"),
            seat=dict(body.get("seat") or {}),
            directors=list(body.get("directors") or []),
            status=str(body.get("status", "active")),
        )


def configured() -> CompanyRegister | None:
    url = env("COMPANY_REGISTER_URL", "")
    return HttpCompanyRegister(url, env_float("COMPANY_REGISTER_TIMEOUT", 5.0)) if url else None

"""A fake accreditation register (BIV agent numbers, SF323 verified employees, CIB members),
served over HTTP the way identity's HttpAccreditationRegister expects:

    GET /persons/<national number>/accreditations → {"accreditations": [{kind, number, valid_until}]}
    PUT /persons/<national number>/accreditations    (development and tests: set a person's entries)

Entries persist in <var>/accreditations.json, so demo people keep them across `make run`s. The
fake also prepares the development eID world: the test PKI under <var>/pki (identity trusts it)
and the shared secret the ingress would add to requests carrying a client certificate.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from aww_devtools import pki
from aww_devtools.fakes import Fake

INGRESS_HEADER = "x-aww-ingress-secret"
PLATFORM_ADMIN_USERNAME = "platform.admin"  # the demo's platform administrator (identity bootstraps it)


def ingress_secret(var: str | Path) -> str:
    path = Path(var) / "ingress-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
    return path.read_text().strip()


def register_url(var: str | Path) -> str | None:
    """Where the running register listens (written by the fake when it starts)."""
    path = Path(var) / "accreditations.url"
    return path.read_text().strip() if path.exists() else None


def development_env(port: int, var: str) -> dict[str, str]:
    return {
        "IDENTITY_ACCREDITATION_REGISTER_URL": f"http://127.0.0.1:{port}",
        "IDENTITY_EID_TRUST_STORE": str(pki.TestPki(Path(var) / "pki").trust_store),
        "IDENTITY_PLATFORM_ADMINS": PLATFORM_ADMIN_USERNAME,
        "EID_INGRESS_SECRET": ingress_secret(var),
        "EID_INGRESS_SECRET_HEADER": INGRESS_HEADER,
        "EID_CLIENT_CERT_HEADER": "ssl-client-cert",
        "EID_TEST_CARDS_DIR": str(pki.TestPki(Path(var) / "pki").cards),
    }


class Register:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.entries: dict[str, list] = json.loads(path.read_text()) if path.exists() else {}

    def get(self, number: str) -> list | None:
        return self.entries.get(number)

    def put(self, number: str, items: list) -> None:
        with self.lock:
            self.entries[number] = items
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.entries, indent=2))
            temporary.replace(self.path)


def app(var: Path) -> Starlette:
    register = Register(var / "accreditations.json")

    async def healthz(request: Request):
        return JSONResponse({"status": "ok"})

    async def get_person(request: Request):
        items = register.get(request.path_params["number"])
        if items is None:
            return JSONResponse({"detail": "unknown person"}, status_code=404)
        return JSONResponse({"accreditations": items})

    async def put_person(request: Request):
        body = await request.json()
        items = body.get("accreditations") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return JSONResponse({"detail": "send {accreditations: [...]}"}, status_code=400)
        register.put(request.path_params["number"], items)
        return JSONResponse({"accreditations": items})

    return Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/persons/{number}/accreditations", get_person, methods=["GET"]),
            Route("/persons/{number}/accreditations", put_person, methods=["PUT"]),
        ]
    )


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="aww_devtools.fakes.accreditations")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--var", default="var")
    args = parser.parse_args()
    var = Path(args.var)
    var.mkdir(parents=True, exist_ok=True)
    pki.ensure(var / "pki")  # before the health check answers: identity starts after it
    (var / "accreditations.url").write_text(f"http://127.0.0.1:{args.port}")
    uvicorn.run(app(var), host="127.0.0.1", port=args.port, log_level="warning")


FAKE = Fake(
    name="accreditations",
    argv=["-m", "aww_devtools.fakes.accreditations", "--port", "{port}", "--var", "{var}"],
    service_env=development_env,
    health_path="/healthz",
)

if __name__ == "__main__":
    main()

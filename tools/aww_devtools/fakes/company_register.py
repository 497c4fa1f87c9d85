"""A fake company register (the KBO/BCE's role), served over HTTP the way aml-workflow's
HttpCompanyRegister expects (aww_aml_workflow/cases/company_register.py):

    GET /enterprises/<enterprise number> → 200 {enterprise_number, name, legal_form, seat, directors, status}
                                          | 404 for a number the register does not know
                                          | 400 for a number with wrong check digits

Every valid enterprise number is "known": name, legal form, seat and directors are generated
from the number itself, so the same number always answers the same fictitious company. Numbers
ending in 99 before the check digits (…99xx) are unknown, to test the 404 path.
"""

from __future__ import annotations

import argparse
import random

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from aww_devtools.fakes import Fake
from belgian_ids import is_valid_enterprise_number

NAMES = ("Immo", "Vastgoed", "Patrimoine", "Residentie", "Bouw", "Habitat", "Domus", "Promo")
SUFFIXES = ("Noord", "Zuid", "Brabant", "Lys", "Meuse", "Kempen", "Ardenne", "Kust")
FORMS = ("srl_bv", "sa_nv", "sc_cv", "srl_bv")
STREETS = (("Grote Markt", "2000", "Antwerpen"), ("Rue Neuve", "1000", "Bruxelles"), ("Veldstraat", "9000", "Gent"),
           ("Boulevard d'Avroy", "4000", "Liège"), ("Bondgenotenlaan", "3000", "Leuven"))  # fmt: skip
FIRST = ("An", "Luc", "Marie", "Koen", "Sophie", "Pierre", "Els", "Youssef")
LAST = ("Peeters", "Janssens", "Dubois", "Lambert", "Maes", "Claes", "Willems", "El Amrani")


def valid(number: str) -> bool:
    return is_valid_enterprise_number(number)


def record(number: str) -> dict:
    rng = random.Random(int(number))
    street, postcode, city = rng.choice(STREETS)
    return {
        "enterprise_number": number,
        "name": f"{rng.choice(NAMES)} {rng.choice(SUFFIXES)}",
        "legal_form": rng.choice(FORMS),
        "seat": {
            "street": street,
            "number": str(rng.randint(1, 200)),
            "postcode": postcode,
            "city": city,
            "country": "BE",
        },
        "directors": [
            {
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "function": "bestuurder",
                "appointed_on": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            }
            for _ in range(rng.randint(1, 3))
        ],
        "status": "active",
    }


async def enterprise(request: Request):
    number = request.path_params["number"]
    if not valid(number):
        return JSONResponse({"error": "invalid enterprise number"}, status_code=400)
    if number[6:8] == "99":
        return JSONResponse({"error": "unknown enterprise number"}, status_code=404)
    return JSONResponse(record(number))


async def healthz(request: Request):
    return JSONResponse({"status": "ok"})


def app() -> Starlette:
    return Starlette(routes=[Route("/enterprises/{number}", enterprise), Route("/healthz", healthz)])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(prog="aww_devtools.fakes.company_register")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app(), host="127.0.0.1", port=args.port, log_level="warning")


FAKE = Fake(
    name="company_register",
    argv=["-m", "aww_devtools.fakes.company_register", "--port", "{port}"],
    service_env=lambda port, var: {"COMPANY_REGISTER_URL": f"http://127.0.0.1:{port}"},
    health_path="/healthz",
)

if __name__ == "__main__":
    main()

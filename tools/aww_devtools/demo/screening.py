"""Screening lists for the demo: the UN consolidated list from ../shared/specs when it is there,
imported the way a platform administrator does it (POST /api/v1/aml/screening/lists), before the
demo contacts are created and screened (aml.py, ORDER 40). Importing the same file again changes
nothing (same checksum), so a later `make run` is quick.
"""

from __future__ import annotations

from pathlib import Path

ORDER = 35

UN_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "sanctions" / "UN_consolidated.xml"


def how_to_import() -> str:
    return (
        "Screening lists: none imported. As a platform administrator, open /aml/screening/lists and upload "
        "the UN consolidated list XML (or POST it as multipart `source=un`, `file=@UN_consolidated.xml` "
        "to /api/v1/aml/screening/lists)."
    )


def seed(demo) -> list[str]:
    admin = demo.shared.get("accounts", {}).get("platform_admin")
    if not UN_FILE.exists() or not admin or not admin.get("token"):
        return [how_to_import()]
    response = demo.http.post(
        "/api/v1/aml/screening/lists",
        headers={"Authorization": f"Bearer {admin['token']}"},
        data={"source": "un"},
        files={"file": (UN_FILE.name, UN_FILE.read_bytes(), "application/xml")},
        timeout=120,
    )
    if response.status_code not in (200, 201):
        return [
            f"Screening lists: the UN list import failed ({response.status_code}): {response.text[:200]}",
            how_to_import(),
        ]
    snapshot = response.json()
    state = "already in force" if snapshot.get("unchanged") else "imported"
    return [
        f"Screening: UN consolidated list of {(snapshot.get('list_date') or '')[:10]} {state} "
        f"({snapshot['entry_count']} entries); lists at {demo.base_url}/aml/screening/lists"
    ]

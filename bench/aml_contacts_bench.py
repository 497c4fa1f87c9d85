"""Issue 6 figure: contact search p95 over 1,000,000 contacts in one office (target ≤ 50 ms).

    .venv/bin/python bench/aml_contacts_bench.py            # AML_BENCH_CONTACTS=1000000 by default

Creates a private database migrated like the service's, fills aml_contacts of one office with
generated persons and organisations (Belgian first and last names with accents, valid-looking
numbers, statuses, levels, employees, dates), builds the indexes of the migration (pg_trgm GIN
on the unaccented, lower-cased search text; name order per office), then times the service's own
search (aww_aml_workflow.cases.handling.search_contacts: SQLAlchemy + PostgreSQL, one page of
25) for partial names, names typed without accents or in capitals, several words, numbers with
and without separators, and filters. Prints p50/p95/p99 per kind of query and over all.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from belgian_ids import make_enterprise_number, make_person_number

sys.path.insert(0, str(Path(__file__).parent))

from aww_aml_workflow.cases import handling
from servicekit import migrations
from servicekit.testing.infra import create_database, drop_database, new_run_id

COUNT = int(os.environ.get("AML_BENCH_CONTACTS", "1000000"))
REPEAT = int(os.environ.get("AML_BENCH_REPEAT", "15"))

_FIRST = (
    "Anne Jan Luc Marie Koen Sophie Pierre Els Youssef Élodie Lotte Bram Noah Léa Lucas Emma Louise Arthur Jules "
    "Olivia Mila Adam Liam Nora Hélène François Geneviève Mathéo Chloé Zoë Inès Aurélie Jérôme Frédéric Véronique "
    "Rémi Fatima Mohamed Ayoub Sara Hanne Wout Pieter Thomas Nathalie Dirk Greet Rik Katrien Wim An Hugo Victor "
    "Julie Camille Maxime Antoine Céline Stéphanie Benoît Ségolène Joëlle Anaïs Björn Søren Łukasz Małgorzata "
    "Jürgen Müge"
)
_LAST = (
    "Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|De Smet|Dubois|Lambert|Dupont|Martin|Simon|"
    "Laurent|Leclercq|Lefèvre|Dumont|Renard|Van den Broeck|Vermeulen|Van Damme|De Clercq|Desmet|Verhoeven|Hermans|"
    "Michiels|Cools|Hendrickx|Aerts|Bogaerts|Pauwels|Lemmens|Smets|Wuyts|Jansen|Van de Velde|El Amrani|Benali|Yılmaz|"
    "Nowak|Kowalski|Müller|Schmitt|Brûlé|Lefèbvre|Hénin|Gérard|Mathieu|Noël|François|Rousseau|Moreau|Fontaine|"
    "Deschamps|Verbruggen|Van Hoof|Vandenberghe|Vanderlinden|D'Hondt|De Backer|Declercq|Vercammen|Cornelis|Baert|"
    "Sterckx"
)
_ORG_WORDS = "Immo Vastgoed Patrimoine Bouw Residentie Habitat Domus Promo Invest Gestion Beheer Régie Construct"
_ORG_TAIL = "NV BV SRL SA CommV VZW ASBL"
FIRST, LAST = _FIRST.split(), _LAST.split("|")
ORG_WORDS, ORG_TAIL = _ORG_WORDS.split(), _ORG_TAIL.split()


def fold(value: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)).lower()


def populate(engine, organisation_id: uuid.UUID, employees: list[uuid.UUID]) -> None:
    """COPY the contacts in, then build the migration's indexes (faster than index upkeep per row)."""
    rng = random.Random(6)
    with engine.begin() as conn:
        conn.execute(
            text(
                "DROP INDEX aml_contacts_search, aml_contacts_by_name, aml_contacts_by_created, aml_contacts_review_due"
            )
        )
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        statuses = ["accepted"] * 7 + ["draft"] * 2 + ["refused"]
        levels = ["standard"] * 6 + ["simplified"] * 2 + ["enhanced"] * 2
        with cursor.copy(
            "COPY aml_contacts (id, organisation_id, kind, current_version, status, level, display_name, number, "
            "search_text, sort_name, employee_id, created_at, updated_at, review_due_on) FROM STDIN"
        ) as copy:
            for index in range(COUNT):
                if index % 10 == 0:
                    kind = "organisation"
                    name = f"{rng.choice(ORG_WORDS)} {rng.choice(LAST)} {rng.choice(ORG_TAIL)}"
                    number = make_enterprise_number(rng.randrange(2_000_000, 19_999_999))
                else:
                    kind = "person"
                    first = rng.choice(FIRST) + (f" {rng.choice(FIRST)}" if rng.random() < 0.3 else "")
                    name = f"{rng.choice(LAST)}, {first}"
                    born = date(1900 + rng.randrange(40, 99), rng.randrange(1, 13), rng.randrange(1, 29))
                    number = make_person_number(born, rng.randrange(1, 998))
                status = rng.choice(statuses)
                level = rng.choice(levels) if status != "draft" else None
                created = (
                    f"20{rng.randrange(18, 26):02d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} 10:00:00+00"
                )
                review = f"20{rng.randrange(25, 30)}-{rng.randrange(1, 13):02d}-15" if status == "accepted" else None
                copy.write_row(
                    (uuid.uuid4(), organisation_id, kind, 1, status, level, name, number, fold(f"{name} {number}"),
                     fold(name), rng.choice(employees), created, created, review)
                )  # fmt: skip
        raw.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("SET maintenance_work_mem = '512MB'"))
        conn.execute(
            text(  # migration c003
                "CREATE INDEX aml_contacts_by_name ON aml_contacts (organisation_id, sort_name, id) "
                "INCLUDE (search_text, kind, status, level, employee_id, created_at, review_due_on)"
            )
        )
        conn.execute(text("CREATE INDEX aml_contacts_by_created ON aml_contacts (organisation_id, created_at)"))
        conn.execute(
            text(
                "CREATE INDEX aml_contacts_review_due ON aml_contacts (organisation_id, review_due_on) "
                "WHERE review_due_on IS NOT NULL"
            )
        )
        conn.execute(text("CREATE INDEX aml_contacts_search ON aml_contacts USING gin (search_text gin_trgm_ops)"))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE aml_contacts"))


QUERIES = {
    "partial last name": [{"query": q} for q in ("peet", "jansse", "vermeul", "lefev", "goossen", "wuyt")],
    "accents/caps ignored": [{"query": q} for q in ("ELODIE", "brule", "lefebvre", "helene", "geneviève", "yilmaz")],
    "several words": [{"query": q} for q in ("van den broeck", "dubois marie", "el amrani fatima", "anne peeters")],
    "number": [{"query": q} for q in ("85.07.30", "0403.019", "1999", "79041210")],
    "short term": [{"query": q} for q in ("an", "de", "jan")],
    "filters only": [
        {"status": "draft"},
        {"level": "enhanced"},
        {"kind": "organisation", "status": "accepted"},
        {"review_due": True},
        {"created_from": "2024-01-01", "created_to": "2024-01-31"},
    ],
    "name + filters": [
        {"query": "maes", "level": "enhanced"},
        {"query": "immo", "kind": "organisation", "status": "accepted"},
        {"query": "sophie", "status": "refused"},
    ],
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> int:
    run = new_run_id()
    name = f"awwbench_{run}_aml_contacts"
    url = create_database(name)
    try:
        migrations.upgrade("aww_aml_workflow", url)
        engine = create_engine(url, pool_size=2)
        organisation_id, employees = uuid.uuid4(), [uuid.uuid4() for _ in range(12)]
        started = time.perf_counter()
        populate(engine, organisation_id, employees)
        print(f"{COUNT:,} contacts in one office loaded and indexed in {time.perf_counter() - started:.0f} s")
        actor = handling.Actor(organisation_id, employees[0], "user", "en")
        all_times: list[float] = []
        print(
            f"{'query kind':<22} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}  rows (first query)"
        )
        with Session(engine) as session:
            for kind, variants in QUERIES.items():
                times = []
                first_rows = None
                for variant in variants:
                    handling.search_contacts(session, actor, limit=25, **variant)  # warm the cache
                    for _ in range(REPEAT):
                        begin = time.perf_counter()
                        found = handling.search_contacts(session, actor, limit=25, **variant)
                        times.append((time.perf_counter() - begin) * 1000)
                        first_rows = len(found["items"]) if first_rows is None else first_rows
                    session.rollback()
                all_times += times
                print(
                    f"{kind:<22} {len(times):>4} {statistics.median(times):>8.2f} {percentile(times, 0.95):>8.2f} "
                    f"{percentile(times, 0.99):>8.2f} {max(times):>8.2f}  {first_rows}"
                )
        p95 = percentile(all_times, 0.95)
        print(
            f"{'all':<22} {len(all_times):>4} {statistics.median(all_times):>8.2f} {p95:>8.2f} "
            f"{percentile(all_times, 0.99):>8.2f} {max(all_times):>8.2f}"
        )
        verdict = "OK" if p95 <= 50 else "MISSED"
        print(f"contact search p95 over {COUNT:,} contacts: {p95:.1f} ms (target ≤ 50 ms): {verdict}")
        engine.dispose()
        return 0 if p95 <= 50 else 1
    finally:
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())

"""goAML report: render (lxml build) + validation against the goAML XSD, per report.

Runs the reporting service's renderer in process (what the service runs in a tpool thread for
`render_document`), on the report shapes the officer produces:
an activity report about one person, an activity report about an organisation with 20 UBOs and
representatives, and a transaction report with 6 parties. Prints the one-off schema load, then
p50/p95 of build, validation, and the whole render (build + validate + mandatory-data check).

    .venv/bin/python bench/goaml_bench.py [iterations]   (GOAML_XSD_PATH, default ../shared/specs/goaml/goAMLSchema.xsd)
"""

from __future__ import annotations

import copy
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "reporting" / "tests"))
os.environ.setdefault("GOAML_XSD_PATH", str(ROOT.parent / "shared" / "specs" / "goaml" / "goAMLSchema.xsd"))

from lxml import etree  # noqa: E402
from test_reporting_goaml import COMPANY, PERSON, activity_data, transaction_data  # noqa: E402

from aww_reporting.documents import goaml_report  # noqa: E402


def big_company() -> dict:
    company = copy.deepcopy(COMPANY) | {"role": "subject"}
    company["ubos"] = [
        {"role": "ubo", "first_names": f"Owner{i}", "last_name": "Test", "birth_date": "1970-01-02",
         "nationalities": ["BE"], "residence_country": "BE", "percent": "26.00"}
        for i in range(20)
    ]  # fmt: skip
    company["data"]["representatives"] = [{"first_names": f"Rep{i}", "last_name": "Test"} for i in range(5)]
    return company


def shapes() -> dict[str, dict]:
    one_person = activity_data()
    one_person["facts"]["parties"] = [copy.deepcopy(PERSON)]
    organisation = activity_data()
    organisation["facts"]["parties"] = [big_company()]
    deal = transaction_data()
    deal["facts"]["parties"] = [copy.deepcopy(PERSON) | {"role": "seller"}, copy.deepcopy(COMPANY)] * 3
    return {"activity, 1 person": one_person, "activity, organisation + 20 UBOs": organisation,
            "transaction, 6 parties": deal}  # fmt: skip


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    started = time.perf_counter()
    schema = goaml_report.schema()
    print(f"goAML XSD load (once per process): {(time.perf_counter() - started) * 1000:.1f} ms")
    print(f"{'report':36} {'bytes':>7} {'build p50/p95 ms':>18} {'validate p50/p95 ms':>21} {'render p50/p95 ms':>19}")
    for name, data in shapes().items():
        builds, checks, renders = [], [], []
        for _ in range(iterations):
            t0 = time.perf_counter()
            content = goaml_report.build(data, "nl")
            t1 = time.perf_counter()
            assert schema.validate(etree.fromstring(content))
            t2 = time.perf_counter()
            goaml_report.render(data, "nl")
            t3 = time.perf_counter()
            builds.append((t1 - t0) * 1000)
            checks.append((t2 - t1) * 1000)
            renders.append((t3 - t2) * 1000)
        print(
            f"{name:36} {len(content):>7} {statistics.median(builds):>8.2f}/{pct(builds, 0.95):<9.2f}"
            f"{statistics.median(checks):>10.2f}/{pct(checks, 0.95):<10.2f}"
            f"{statistics.median(renders):>8.2f}/{pct(renders, 0.95):.2f}"
        )
    print(f"({iterations} iterations each; render = mandatory-data check + build + XSD validation)")


if __name__ == "__main__":
    main()

"""Issue 7 figure: the AML officer's annual report PDF for an office with 10,000 contacts.

    .venv/bin/python bench/aml_annual_bench.py            # AML_BENCH_CONTACTS=10000, AML_BENCH_REPEAT=7

Creates a private database migrated like the service's and fills one office's year with generated
records in bulk SQL: contacts (persons and organisations with two owners each) and their decided
versions (accepted/refused, three vigilance levels, PEP / high-risk-country / sanctions factors),
a screening run per contact with hits and false-positive decisions, a risk profile per accepted
contact (some escalated), drafts left incomplete. Then times, median of the repeats:
  1. the figures: aww_aml_workflow.annual.statistics.compute (the SQL + the Python pass),
  2. the PDF: the reporting renderer (validate + render, as the reporting service runs it),
  3. both together (what finalising costs besides the RPC round trips and the archive write).
"""

from __future__ import annotations

import os
import statistics as stats
import sys
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from aww_aml_workflow.annual import statistics
from aww_reporting.documents import annual_report
from aww_reporting.pdf import _subsets
from servicekit import migrations
from servicekit.testing.infra import create_database, drop_database, new_run_id

COUNT = int(os.environ.get("AML_BENCH_CONTACTS", "10000"))
REPEAT = int(os.environ.get("AML_BENCH_REPEAT", "7"))
YEAR = 2025

SEED = """
INSERT INTO aml_contacts (id, organisation_id, kind, current_version, status, level, display_name, number,
                          search_text, sort_name, employee_id, created_at, updated_at)
SELECT md5('c' || i)::uuid, :o, CASE WHEN i % 10 = 0 THEN 'organisation' ELSE 'person' END, 1,
       CASE WHEN i % 25 = 0 THEN 'refused' WHEN i % 50 = 1 THEN 'draft' ELSE 'accepted' END,
       (ARRAY['simplified', 'standard', 'standard', 'standard', 'enhanced'])[1 + i % 5],
       'Contact ' || i, NULL, 'contact ' || i, 'contact ' || i, :e,
       :t + (i % 360) * interval '1 day', :t + (i % 360) * interval '1 day'
FROM generate_series(1, :n) i;

INSERT INTO aml_assessments (id, organisation_id, contact_id, version_no, subject, level, rules_version, factors,
                             decided_by_rule, higher_weight, lower_weight, facts, assessed_at)
SELECT md5('a' || i)::uuid, :o, md5('c' || i)::uuid, 1, 'contact',
       (ARRAY['simplified', 'standard', 'standard', 'standard', 'enhanced'])[1 + i % 5], '2026.1',
       CASE WHEN i % 5 = 4 THEN (CASE i % 3 WHEN 0 THEN '[{"id": "pep", "effect": "enhanced"}]'
                                         WHEN 1 THEN '[{"id": "eu_high_risk_country", "effect": "enhanced"}]'
                                         ELSE '[{"id": "sanctions_match", "effect": "enhanced"}]' END)::jsonb
            ELSE '[{"id": "residence_eu", "effect": "lower"}]'::jsonb END,
       'weights', 0, 1, '{}'::jsonb, :t + (i % 360) * interval '1 day'
FROM generate_series(1, :n) i WHERE i % 50 <> 1;

INSERT INTO aml_contact_versions (contact_id, version_no, organisation_id, state, data, answers, created_at,
                                  created_by, updated_at, decided_at, decided_by, assessment_id)
SELECT md5('c' || i)::uuid, 1, :o,
       CASE WHEN i % 25 = 0 THEN 'refused' WHEN i % 50 = 1 THEN 'draft' ELSE 'accepted' END,
       CASE WHEN i % 10 = 0 THEN jsonb_build_object('role', 'client', 'name', 'Org ' || i,
            'seat', '{"country": "BE"}'::jsonb,
            'ownership', '{"entities": [{"id": "p", "kind": "person", "first_names": "Jan", "last_name": "Claes"},
                                          {"id": "q", "kind": "person", "first_names": "Eva", "last_name": "Claes"}],
                           "links": [{"holder": "p", "held": "self", "percent": "50"},
                                     {"holder": "q", "held": "self", "percent": "50"}]}'::jsonb)
            ELSE jsonb_build_object('role', (ARRAY['client', 'counterparty'])[1 + i % 2], 'last_name', 'P' || i) END,
       '{}'::jsonb, :t + (i % 360) * interval '1 day', :e, :t + (i % 360) * interval '1 day',
       CASE WHEN i % 50 = 1 THEN NULL ELSE :t + (i % 360) * interval '1 day' + interval '1 hour' END,
       CASE WHEN i % 50 = 1 THEN NULL ELSE :e END,
       CASE WHEN i % 50 = 1 THEN NULL ELSE md5('a' || i)::uuid END
FROM generate_series(1, :n) i;

INSERT INTO screening_runs (id, organisation_id, contact_id, trigger, screened_by, screened_at, threshold,
                            engine_version, list_versions, subjects, hit_count)
SELECT md5('r' || i)::uuid, :o, md5('c' || i)::uuid::text, 'request', :e, :t + (i % 360) * interval '1 day',
       0.82, '1', '[]'::jsonb, '[]'::jsonb, CASE WHEN i % 7 = 0 THEN 1 ELSE 0 END
FROM generate_series(1, :n) i;

INSERT INTO screening_hits (id, run_id, organisation_id, contact_id, subject_id, subject_fingerprint, source,
                            list_kind, snapshot_id, entry_id, entry_hash, entry_summary, query_name, matched_name,
                            score, explanation)
SELECT md5('h' || i)::uuid, md5('r' || i)::uuid, :o, md5('c' || i)::uuid::text, 'contact', 'f', 'un',
       CASE WHEN i % 14 = 0 THEN 'pep' ELSE 'sanctions' END, md5('s')::uuid, 'E' || i, 'x', '{}'::jsonb, 'q', 'm',
       0.9, '{}'::jsonb
FROM generate_series(1, :n) i WHERE i % 7 = 0;

INSERT INTO screening_decisions (id, organisation_id, contact_id, source, entry_id, entry_hash,
                                 subject_fingerprint, hit_id, decision, reason, decided_by, decided_at)
SELECT md5('d' || i)::uuid, :o, md5('c' || i)::uuid::text, 'un', 'E' || i, 'x', 'f', md5('h' || i)::uuid,
       CASE WHEN i % 70 = 0 THEN 'true_match' ELSE 'false_positive' END, 'checked', :e,
       :t + (i % 360) * interval '1 day'
FROM generate_series(1, :n) i WHERE i % 7 = 0;

INSERT INTO aml_risk_profiles (id, organisation_id, contact_id, version_no, state, answers, skipped, level,
                               assessment_id, created_at, created_by, updated_at, decided_at, escalated_at)
SELECT md5('p' || i)::uuid, :o, md5('c' || i)::uuid, 1,
       CASE WHEN i % 5 = 4 THEN 'awaiting_officer' ELSE 'accepted' END, '{}'::jsonb, true,
       (ARRAY['simplified', 'standard', 'standard', 'standard', 'enhanced'])[1 + i % 5], md5('a' || i)::uuid,
       :t + (i % 360) * interval '1 day', :e, :t + (i % 360) * interval '1 day',
       CASE WHEN i % 5 = 4 THEN NULL ELSE :t + (i % 360) * interval '1 day' END,
       CASE WHEN i % 5 = 4 THEN :t + (i % 360) * interval '1 day' END
FROM generate_series(1, :n) i WHERE i % 25 <> 0 AND i % 50 <> 1;
"""


def median_ms(fn) -> tuple[float, object]:
    times, result = [], None
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return stats.median(times), result


def main() -> int:
    name = f"aww_bench_annual_{new_run_id()}"
    url = create_database(name)
    try:
        migrations.upgrade("aww_aml_workflow", url)
        engine = create_engine(url)
        office, employee = uuid.uuid4(), uuid.uuid4()
        with Session(engine) as session:
            started = time.perf_counter()
            for statement in SEED.split(";\n\n"):
                session.execute(text(statement), {"o": office, "e": employee, "n": COUNT,
                                                  "t": datetime(YEAR, 1, 2, 9, tzinfo=UTC)})  # fmt: skip
            session.commit()
            session.execute(text("ANALYZE"))
            print(f"seeded {COUNT} contacts of one office in {time.perf_counter() - started:.1f} s")

            figures_ms, figures = median_ms(lambda: statistics.compute(session, office, YEAR))
            data = {
                "reference": f"annual/{YEAR}",
                "issued_at": "2026-02-01T10:00:00+00:00",
                "year": YEAR,
                "period": {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"},
                "office": {"name": "Immo Bench", "enterprise_number": "0403019261", "biv_number": "512345",
                           "officer_name": "Olga Officer", "senior_responsible": "Marc Dubois"},
                "texts": {key: "A paragraph the officer wrote. " * 40 for key in
                          ("risk_assessment", "procedures", "atypical_transactions", "training", "action_plan")},
                "figures": figures,
                "finalised_by": "Olga Officer",
            }  # fmt: skip

            def pdf():
                _subsets.clear()  # an office's annual report is rendered once: its glyph set is not kept yet
                annual_report.validate(data)
                return annual_report.render(data, "nl")

            pdf_ms, rendered = median_ms(pdf)
            both_ms, _ = median_ms(lambda: (statistics.compute(session, office, YEAR), pdf()))
        engine.dispose()
        contacts = figures["contacts"]
        print(f"figures: identified {contacts['identified']}, accepted {contacts['accepted']}, refused "
              f"{contacts['refused']}, UBOs {contacts['beneficial_owners']}, hits {figures['hits']}")  # fmt: skip
        print(f"annual figures (SQL + Python) for {COUNT} contacts: median {figures_ms:.0f} ms over {REPEAT} runs")
        print(
            f"annual report PDF render (validate + render, nl): median {pdf_ms:.0f} ms, {len(rendered.content)} bytes"
        )
        print(f"figures + PDF: median {both_ms:.0f} ms")
        return 0
    finally:
        drop_database(name)


if __name__ == "__main__":
    sys.exit(main())

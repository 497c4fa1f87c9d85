"""Screening figures (issue 6): latency per contact, bulk re-screen, matching quality.

    .venv/bin/python bench/screening_bench.py            # everything (about 5 minutes on 2 cores)
    .venv/bin/python bench/screening_bench.py --quick    # smaller numbers, for a smoke run
    options: --no-db (skip the PostgreSQL re-screen), --no-nomenklatura

1. Latency: the UN consolidated list (../shared/specs) + a synthetic list of 50,000 entries with
   aliases in one index; office contacts (one person each, and organisations with two UBOs)
   screened one at a time; p50/p99 in ms.
2. Bulk re-screen: 100,000 monitored contacts re-screened through the service's own path
   (screening.monitoring.rescreen_step against PostgreSQL: read, match, write a run per contact);
   plus the engine alone.
3. Quality: labelled pairs built from the UN list (typos, transliterations, swapped order, missing
   parts, initials; near names of other people as negatives): recall and precision at thresholds,
   and nomenklatura's name matcher on the same pairs (in its own virtualenv, var/bench-nomenklatura,
   because it needs SQLAlchemy >= 2.1 while the services pin 2.0).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
UN_FILE = ROOT.parent / "shared" / "specs" / "sanctions" / "UN_consolidated.xml"
NK_PYTHON = ROOT / "var" / "bench-nomenklatura" / "bin" / "python"

from screening_synthetic import fsf_xml, labelled_pairs, office_contact_names, synthetic_list  # noqa: E402

from aww_aml_workflow.screening.domain.matching import (  # noqa: E402
    DEFAULT_THRESHOLD,
    IndexedEntry,
    ScreeningIndex,
    compare_tokens,
)
from aww_aml_workflow.screening.domain.model import ORGANISATION, PERSON, Subject  # noqa: E402
from aww_aml_workflow.screening.domain.normalise import name_tokens  # noqa: E402
from aww_aml_workflow.screening.domain.parsers import parse_un  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(un_entries, synthetic):
    started = time.perf_counter()
    index = ScreeningIndex(
        [IndexedEntry("un", e, e.content_hash()) for e in un_entries]
        + [IndexedEntry("syn", e, e.content_hash()) for e in synthetic]
    )
    return index, time.perf_counter() - started


def latency(index, un_entries, count: int) -> None:
    listed = [n for e in un_entries for n in e.names if n.isascii()]
    names = office_contact_names(count, listed=listed, listed_share=0.05)
    for name in names[:200]:  # warm the caches a running service has
        index.screen(Subject("w", PERSON, [name]))
    timings, hits = [], 0
    for number, name in enumerate(names):
        subject = Subject(f"s{number}", PERSON, [name], birth_year=1970 + number % 40, nationalities=["BE"])
        started = time.perf_counter()
        found = index.screen(subject, DEFAULT_THRESHOLD)
        timings.append((time.perf_counter() - started) * 1000)
        hits += bool(found)
    print(
        f"  person contacts (1 subject), n={count}: p50 {percentile(timings, 50):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms, mean {statistics.fmean(timings):.2f} ms, contacts with hits {hits}"
    )
    timings = []
    for number in range(count // 4):
        subjects = [
            Subject("org", ORGANISATION, [f"{names[number].split()[-1]} Immo BV"], countries=["BE"]),
            Subject("ubo1", PERSON, [names[(number * 7) % count]]),
            Subject("ubo2", PERSON, [names[(number * 13 + 1) % count]]),
        ]
        started = time.perf_counter()
        for subject in subjects:
            index.screen(subject, DEFAULT_THRESHOLD)
        timings.append((time.perf_counter() - started) * 1000)
    print(
        f"  organisation contacts + 2 UBOs, n={len(timings)}: p50 {percentile(timings, 50):.2f} ms, "
        f"p99 {percentile(timings, 99):.2f} ms"
    )


def bulk_engine(index, un_entries, count: int) -> None:
    listed = [n for e in un_entries for n in e.names if n.isascii()]
    names = office_contact_names(count, seed=99, listed=listed)
    started = time.perf_counter()
    for number, name in enumerate(names):
        index.screen(Subject(f"s{number}", PERSON, [name]), DEFAULT_THRESHOLD)
    elapsed = time.perf_counter() - started
    print(f"  engine alone: {count} contacts in {elapsed:.1f} s = {count / elapsed:,.0f} contacts/s")


def bulk_db(un_bytes: bytes, synthetic, un_entries, count: int) -> None:
    from sqlalchemy import create_engine, insert, text
    from sqlalchemy.orm import Session

    from aww_aml_workflow.screening import api, engine, store
    from servicekit import migrations
    from servicekit.testing.infra import create_database, drop_database

    name = f"awwt_bench_screening_{uuid.uuid4().hex[:6]}"
    url = create_database(name)
    try:
        migrations.upgrade("aww_aml_workflow", url)
        db = create_engine(url)
        with Session(db) as session:
            session.info.update(service="aml_workflow", publishes={"screening_new_hits"})
            started = time.perf_counter()
            api.import_list(session, source="un", content=un_bytes, filename="UN_consolidated.xml", imported_by=None)
            session.commit()
            un_time = time.perf_counter() - started
            xml = fsf_xml(synthetic)
            started = time.perf_counter()
            api.import_list(session, source="eu", content=xml, filename="synthetic.xml", imported_by=None)
            session.commit()
            print(
                f"  imports: UN {un_time:.1f} s; synthetic FSF XML of {len(synthetic):,} entries "
                f"({len(xml) / 1e6:.1f} MB) {time.perf_counter() - started:.1f} s"
            )
            listed = [n for e in un_entries for n in e.names if n.isascii()]
            names = office_contact_names(count, seed=5, listed=listed, listed_share=0.01)
            organisation = uuid.uuid4()
            yesterday = datetime.now(UTC) - timedelta(days=1)
            started = time.perf_counter()
            for start in range(0, count, 5000):
                runs, monitored = [], []
                for number in range(start, min(count, start + 5000)):
                    contact = f"contact-{number:06d}"
                    subject = Subject(f"{contact}-v1", PERSON, [names[number]], birth_year=1950 + number % 50)
                    runs.append(
                        {
                            "id": uuid.uuid4(),
                            "organisation_id": organisation,
                            "contact_id": contact,
                            "trigger": "request",
                            "screened_by": organisation,
                            "screened_at": yesterday,
                            "threshold": DEFAULT_THRESHOLD,
                            "engine_version": "seed",
                            "list_versions": [],
                            "subjects": [subject.to_record()],
                            "hit_count": 0,
                        }
                    )
                    monitored.append(
                        {
                            "organisation_id": organisation,
                            "contact_id": contact,
                            "monitored": True,
                            "changed_at": yesterday,
                        }
                    )
                session.execute(insert(store.runs), runs)
                session.execute(insert(store.monitoring), monitored)
            session.execute(text("UPDATE screening_rescreen_jobs SET status = 'done'"))
            session.execute(
                insert(store.rescreen_jobs).values(
                    id=uuid.uuid4(), snapshot_id=uuid.uuid4(), created_at=text("now()"), status="pending"
                )
            )
            session.commit()
            print(f"  seeded {count:,} monitored contacts in {time.perf_counter() - started:.1f} s")
            engine.forget()
            rescreen_all(session, "first pass (every hit is new: an alert and an event each)")
            update = synthetic[:-500] + synthetic_list(500, seed=8)
            update = [
                e.__class__(**{**e.__dict__, "entry_id": f"NEW.{n}"}) if n >= len(synthetic) - 500 else e
                for n, e in enumerate(update)
            ]
            api.import_list(session, source="eu", content=fsf_xml(update), filename="update.xml", imported_by=None)
            session.commit()
            rescreen_all(session, f"after a list update (500 of {len(synthetic):,} entries replaced)")
        db.dispose()
    finally:
        drop_database(name)


def rescreen_all(session, label: str) -> None:
    from aww_aml_workflow.screening.monitoring import rescreen_step

    started = time.perf_counter()
    processed = new_hits = 0
    while True:
        step = rescreen_step(session)
        session.commit()
        if step is None or step["done"]:
            break
        processed += step["processed"]
        new_hits += step["new_hits"]
    elapsed = time.perf_counter() - started
    print(
        f"  re-screen through PostgreSQL, {label}: {processed:,} contacts in {elapsed:.1f} s = "
        f"{processed / elapsed:,.0f} contacts/s (index build included; {new_hits:,} new hits; "
        "target ≤ 120 s for 100,000)"
    )


def quality(un_entries, use_nomenklatura: bool) -> None:
    pairs = labelled_pairs(un_entries)
    started = time.perf_counter()
    ours = []
    for pair in pairs:
        score, _ = compare_tokens(
            name_tokens(pair["query"], pair["kind"]), name_tokens(pair["listed"], pair["kind"]), pair["kind"]
        )
        ours.append(score)
    our_time = time.perf_counter() - started
    positives = sum(p["label"] for p in pairs)
    print(
        f"  labelled pairs from the UN list: {len(pairs)} ({positives} should match, "
        f"{len(pairs) - positives} near names should not)"
    )
    print("  ours (name score alone, no birth date or nationality):")
    report(pairs, ours, [0.70, 0.75, 0.80, 0.85, 0.90])
    by_variant: dict[str, list[int]] = {}
    for pair, score in zip(pairs, ours, strict=True):
        correct = (score >= DEFAULT_THRESHOLD) == bool(pair["label"])
        by_variant.setdefault(pair["variant"], []).append(int(correct))
    print(
        "  correct at the default threshold by variant: "
        + ", ".join(f"{k} {sum(v) / len(v):.1%}" for k, v in sorted(by_variant.items()))
    )
    if not use_nomenklatura:
        return
    if not NK_PYTHON.exists():
        print(
            f"  nomenklatura: not measured ({NK_PYTHON} missing: python3 -m venv var/bench-nomenklatura && "
            "var/bench-nomenklatura/bin/pip install nomenklatura==4.17.4)"
        )
        return
    result = subprocess.run(
        [str(NK_PYTHON), str(ROOT / "bench" / "screening_nomenklatura.py")],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        print("  nomenklatura failed:", result.stderr[-2000:])
        return
    answer = json.loads(result.stdout)
    for found in answer["results"]:
        print(f"  nomenklatura {answer['version']} matcher {found['matcher']!r} on the same pairs:")
        report(pairs, found["scores"], [0.50, 0.60, 0.70, 0.80, 0.90])
        print(
            f"    time: ours {our_time * 1e6 / len(pairs):.0f} µs/pair, {found['matcher']} "
            f"{found['seconds'] * 1e6 / len(pairs):.0f} µs/pair "
            f"(time ratio {found['matcher']}/ours {found['seconds'] / our_time:.2f})"
        )


def report(pairs, scores, thresholds) -> None:
    for threshold in thresholds:
        tp = sum(1 for p, s in zip(pairs, scores, strict=True) if p["label"] and s >= threshold)
        fp = sum(1 for p, s in zip(pairs, scores, strict=True) if not p["label"] and s >= threshold)
        fn = sum(1 for p, s in zip(pairs, scores, strict=True) if p["label"] and s < threshold)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        print(f"    threshold {threshold:.2f}: recall {recall:.1%}, precision {precision:.1%}")


def search_recall(index, un_entries) -> None:
    """End to end: do the variants find their entry through the index (not only pairwise)?"""
    pairs = [p for p in labelled_pairs(un_entries) if p["label"]]
    found = sum(
        1
        for p in pairs
        if any(m.entry.entry_id == p["entry"] for m in index.screen(Subject("q", p["kind"], [p["query"]])))
    )
    print(
        f"  search recall at {DEFAULT_THRESHOLD}: {found}/{len(pairs)} = {found / len(pairs):.1%} "
        "of the variants find their entry "
        "through the candidate index (UN + synthetic)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-db", action="store_true")
    parser.add_argument("--no-nomenklatura", action="store_true")
    args = parser.parse_args()
    synthetic_count, contacts, bulk = (5_000, 500, 5_000) if args.quick else (50_000, 5_000, 100_000)
    un_bytes = UN_FILE.read_bytes()
    un_entries = parse_un(un_bytes).entries
    synthetic = synthetic_list(synthetic_count)
    index, seconds = build(un_entries, synthetic)
    print(
        f"screening index: {len(index):,} entries ({len(un_entries)} UN + {len(synthetic):,} synthetic), "
        f"{index.name_count:,} names, built in {seconds:.1f} s"
    )
    print("1. latency per contact")
    latency(index, un_entries, contacts)
    print("2. bulk re-screen")
    bulk_engine(index, un_entries, min(bulk, 20_000))
    if not args.no_db:
        bulk_db(un_bytes, synthetic, un_entries, bulk)
    print("3. matching quality")
    search_recall(index, un_entries)
    quality(un_entries, not args.no_nomenklatura)


if __name__ == "__main__":
    main()

"""The in-memory index of the lists in force, built once per process and per set of snapshots.

Building it (about a second per 50,000 entries, measured by bench/screening_bench.py) and
matching are CPU work: under eventlet they run in a real thread (eventlet.tpool) so the hub keeps
serving other requests; elsewhere (tests of the domain, benchmarks) they run inline.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import select

from aww_aml_workflow.screening import store
from aww_aml_workflow.screening.domain.matching import IndexedEntry, ScreeningIndex
from aww_aml_workflow.screening.domain.model import ListEntry

log = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()  # green under eventlet: one build at a time per process
_cached: dict[tuple[str, ...], ScreeningIndex] = {}


def offload(fn: Callable[..., T], *args) -> T:
    """Run CPU-heavy pure work off the eventlet hub when the process is green, inline otherwise."""
    try:
        from eventlet import patcher, tpool
    except ImportError:  # pragma: no cover - eventlet is a dependency of the service
        return fn(*args)
    if patcher.is_monkey_patched("thread"):
        return tpool.execute(fn, *args)
    return fn(*args)


def _build(rows: list[tuple[str, dict, str]]) -> ScreeningIndex:
    return ScreeningIndex(
        IndexedEntry(snapshot_id, ListEntry.from_record(record), digest) for snapshot_id, record, digest in rows
    )


def index_for(session, snapshot_ids: list[str]) -> ScreeningIndex:
    key = tuple(sorted(snapshot_ids))
    found = _cached.get(key)
    if found is not None:
        return found
    with _lock:
        found = _cached.get(key)
        if found is not None:
            return found
        started = time.perf_counter()
        rows = [
            (str(row.snapshot_id), row.record, row.content_hash)
            for row in session.execute(
                select(store.entries.c.snapshot_id, store.entries.c.record, store.entries.c.content_hash)
                .where(store.entries.c.snapshot_id.in_(key))
                .order_by(store.entries.c.snapshot_id, store.entries.c.entry_id)
            )
        ]
        index = offload(_build, rows)
        _cached.clear()  # only the lists in force are kept: older indexes would only hold memory
        _cached[key] = index
        log.info(
            "screening index built: %d entries, %d names in %.2f s",
            len(index),
            index.name_count,
            time.perf_counter() - started,
        )
        return index


def forget() -> None:
    """Drop the cached index (tests that rebuild lists use it)."""
    _cached.clear()

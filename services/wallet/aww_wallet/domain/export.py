"""CSV export of wallet operations, safe to open in a spreadsheet (DESIGN.md §7)."""

from __future__ import annotations

import csv
import io

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell) -> str:
    """A cell that a spreadsheet would read as a formula gets a leading apostrophe."""
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def to_csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()

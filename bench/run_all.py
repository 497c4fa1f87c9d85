"""`make bench`: run every benchmark script in bench/ and print their figures.

Each script is standalone (`.venv/bin/python bench/<name>.py`) and starts what it measures on a
private vhost and private databases. BENCH_ONLY=platform,events runs a subset.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
# modules and helpers the scripts use (screening_nomenklatura runs as a subprocess of screening_bench)
SKIP = {
    "run_all.py",
    "common.py",
    "hello_app.py",
    "nameko_roundtrip.py",
    "screening_synthetic.py",
    "screening_nomenklatura.py",
}


def scripts() -> list[Path]:
    found = sorted(p for p in HERE.glob("*.py") if p.name not in SKIP and not p.name.startswith("_"))
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    return [p for p in found if not only or p.stem.replace("_bench", "") in only or p.stem in only]


def main() -> int:
    failures = 0
    for script in scripts():
        print(f"\n##### {script.name}", flush=True)
        started = time.monotonic()
        result = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"##### {script.name}: {'ok' if result.returncode == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s"
        )
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

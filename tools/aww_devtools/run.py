"""`make run`: the whole platform locally, with demo data, until Ctrl-C (also during start-up).

Environment: PORT (8000), AWW_VAR_DIR (var/), AWW_DB_PREFIX (aww_) and AWW_VHOST (aww) to run a
second platform beside the first, WEB_CONCURRENCY (gateway workers, 1).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from aww_devtools.demo import seed_all
from aww_devtools.stack import Stack


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    var_dir = Path(os.environ.get("AWW_VAR_DIR", root / "var"))
    port = int(os.environ.get("PORT", "8000"))
    # one gateway worker, as in the deployment (more pods, not more workers): each worker has its
    # own metrics, so with two a scrape of /metrics would see either one; on 2 cores one worker
    # serves as much as two (bench/platform_bench.py)
    stack = Stack(
        var_dir,
        port=port,
        db_prefix=os.environ.get("AWW_DB_PREFIX", "aww_"),
        vhost=os.environ.get("AWW_VHOST", "aww"),
        gateway_workers=int(os.environ.get("WEB_CONCURRENCY", "1")),
    )
    stopping = False
    starting = True

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if starting:  # give up the start-up at once; what already runs is stopped below
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"starting the platform (logs in {stack.log_dir}) …", flush=True)
    try:
        stack.start()
        lines = seed_all(stack.base_url, var_dir)
        starting = False
    except KeyboardInterrupt:
        starting = False  # a second Ctrl-C must not cut the stop short
        print("\nstopping before the platform was ready …", flush=True)
        stack.stop()
        print("stopped.")
        return 130
    except Exception as exc:
        starting = False
        print(f"\nthe platform did not start: {exc}", file=sys.stderr)
        stack.stop()
        return 1
    print("\n" + "=" * 72)
    print(f"  The platform runs at {stack.base_url}")
    print(f"  API documentation:  {stack.base_url}/api/docs")
    for line in lines:
        print(f"  {line}")
    print(f"  Logs: {stack.log_dir}/   Stop with Ctrl-C.")
    print("=" * 72, flush=True)
    try:
        while not stopping:
            for name, process in stack.processes.items():
                if process.poll() is not None and not getattr(process, "stopped_on_purpose", False):
                    print(
                        f"{name} exited with code {process.returncode}; see {stack.log_dir}/{name}.log", file=sys.stderr
                    )
                    process.stopped_on_purpose = True
            time.sleep(0.5)
    finally:
        print("\nstopping …", flush=True)
        stack.stop()
        print("stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

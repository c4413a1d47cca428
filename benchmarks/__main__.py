"""`make bench`: every benchmark, each reporting against a baseline run in the same invocation.

Usage: python -m benchmarks [NAME ...]   (names: see BENCHMARKS; options: python -m benchmarks.NAME --help)
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHMARKS = (
    "crawl",
    "rules",
    "politeness",
    "daemon",
    "search",
    "startup",
    "store",
    "extraction",
    "hostile",
    "delivery_crash",
    "deliverers",
    "events",
    "amounts",
    "stories",
    "web",
    "roles",
)


def main(argv: list[str]) -> int:
    chosen = argv or list(BENCHMARKS)
    # Each benchmark reads its own options from sys.argv: the names chosen here are not theirs.
    sys.argv = sys.argv[:1]
    failed: list[str] = []
    for name in chosen:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"benchmarks.{name}":
                raise
            print(f"== {name}: not available in this checkout", flush=True)
            continue
        print(f"\n== benchmark: {name}", flush=True)
        started = time.perf_counter()
        status = module.main()
        print(
            f"== {name}: {'ok' if status == 0 else 'FAILED'} in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        if status != 0:
            failed.append(name)
    if failed:
        print(f"benchmarks below target or failing: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What the stories model costs a fresh process: run by ``benchmarks.stories``, texts on stdin.

Imports nothing of newsmon before its first measure, so that every stage
counts the model alone: importing it, loading it, embedding the texts one by
one (as a crawl files articles) and in batches. Prints one JSON line: the load
time and, per stage, RssAnon, RssFile and VmHWM grown since the start, in MB.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy  # noqa: F401  # every newsmon process has it: not the model's cost


def memory() -> dict[str, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return {name: int(fields[name].split()[0]) / 1024 for name in ("RssAnon", "RssFile", "VmHWM")}


def main() -> None:
    texts: list[str] = json.load(sys.stdin)
    start = memory()
    stages: list[tuple[str, dict[str, float]]] = []

    def stage(name: str) -> None:
        now = memory()
        stages.append((name, {field: now[field] - start[field] for field in now}))

    from alerts.stories.embedding import Embedder

    stage("imported")
    started = time.perf_counter()
    embedder = Embedder()
    embedder.embed("warm up")
    load_s = time.perf_counter() - started
    stage("loaded, first text embedded")
    for text in texts:
        embedder.embed(text)
    stage(f"{len(texts)} texts embedded one by one")
    for _ in range(3):
        embedder.embed_many(texts)
    stage("then 3 times in one batch")
    print(json.dumps({"load_s": load_s, "stages": stages}))


if __name__ == "__main__":
    main()

"""The web interface at 100,000 articles: a search page and the same search through the API.

Reuses the search benchmark's corpus (``benchmarks.search.build``, kept in
``/tmp/newsmon-bench-search.db``). The server is ``newsmon serve``'s
application under uvicorn on a loopback port; the client keeps its
connection alive. For each query, in the same loop so that the machine's
load weighs on all three alike, the CPU time of this process (the server's
thread and the client's, so HTTP parsing on both ends counts) for:

- ``search``: :func:`db.search.search` called directly (what the API wraps);
- ``api``: ``GET /api/search?q=…`` (HTTP, routing, JSON);
- ``page``: ``GET /?q=…`` (the same search rendered as the whole HTML page).

Targets: page ≤ 2× api, and api − search ≤ 5 ms, where "search" is the CPU
time the server spent in that same request's search (its ``Server-Timing``
header): the difference is what HTTP, routing, JSON and the client cost.
Medians over ``--repeat`` rounds.

Run: ``python -m benchmarks web [--db PATH] [--repeat 30]``.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn

from benchmarks.search import _corpus_ready, build
from db.search import SearchFilters, search
from newsmon.web.app import create_app
from newsmon.wiring import App

ARTICLES = 100_000
QUERIES = {"rare": "zyxomatic", "mid": "quantenchip", "accented": "comete", "common": "market data"}
PAGE_TARGET = 2.0
API_OVERHEAD_MS = 5.0


def _config(path: Path) -> Path:
    config = path.parent / "bench-web.yaml"
    sources = "".join(
        f"  - {{name: source-{n}, type: feed, url: 'http://s{n}.example/feed'}}\n" for n in range(20)
    )
    config.write_text(f"database: sqlite:///{path}\nsources:\n{sources}", encoding="utf-8")
    return config


def _serve(app: App) -> tuple[uvicorn.Server, threading.Thread, str]:
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP (with
    # proto 0, every keep-alive response waits ~40 ms for a delayed ACK).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(app), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, f"http://127.0.0.1:{sock.getsockname()[1]}"


def _cpu_ms(run: Callable[[], object]) -> float:
    """CPU time of this whole process (server and client threads): what the request costs, which
    the other processes on the machine do not inflate as they inflate wall time."""
    started = time.process_time()
    run()
    return (time.process_time() - started) * 1000


def _search_cpu_ms(response: httpx.Response) -> float:
    """The CPU time the server spent in the search itself, from the response's Server-Timing header."""
    for metric in response.headers["server-timing"].split(","):
        name, _, rest = metric.strip().partition(";")
        if name == "search-cpu":
            return float(rest.split("dur=")[1].split(";")[0])
    raise ValueError("no search-cpu in Server-Timing")


def _measure(app: App, http: httpx.Client, query: str, repeat: int) -> tuple[dict[str, float], float, float]:
    """p50s of the three, the API's overhead over its own search, and page ÷ API (medians per round)."""
    timings: dict[str, list[float]] = {"search": [], "api": [], "page": []}
    overheads: list[float] = []
    answers: list[httpx.Response] = []

    def call(path: str) -> None:
        answers.append(http.get(path, params={"q": query}).raise_for_status())

    runs: dict[str, Callable[[], object]] = {
        "search": lambda: search(app.database, query, SearchFilters(), app.config.topics),
        "api": lambda: call("/api/search"),
        "page": lambda: call("/"),
    }
    for run in runs.values():
        run()  # warm caches
    for _ in range(repeat):
        for kind, run in runs.items():
            timings[kind].append(_cpu_ms(run))
        # The same request's own search, timed by the server: what the API adds is the rest.
        overheads.append(timings["api"][-1] - _search_cpu_ms(answers[-2]))
    p50 = {kind: statistics.median(values) for kind, values in timings.items()}
    ratio = statistics.median(p / a for p, a in zip(timings["page"], timings["api"], strict=True))
    return p50, statistics.median(overheads), ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=Path(tempfile.gettempdir()) / "newsmon-bench-search.db")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    path: Path = args.db
    if not _corpus_ready(path, ARTICLES):
        print(f"building {ARTICLES:,} articles in {path} (kept for the next run)…", flush=True)
        build(path, ARTICLES)
    app = App.open(_config(path))
    server, thread, base = _serve(app)
    failed = False
    print(
        f"\n{'query':<9} {'search p50':>11} {'api p50':>9} {'page p50':>9} {'api-search':>11} {'page/api':>9}"
    )
    with httpx.Client(base_url=base, timeout=60) as http:
        for name, query in QUERIES.items():
            p50, overhead, ratio = _measure(app, http, query, args.repeat)
            ok = overhead <= API_OVERHEAD_MS and ratio <= PAGE_TARGET
            failed |= not ok
            print(
                f"{name:<9} {p50['search']:>8.2f} ms {p50['api']:>6.2f} ms {p50['page']:>6.2f} ms"
                f" {overhead:>8.2f} ms {ratio:>8.2f}×{'' if ok else '  BELOW TARGET'}"
            )
    print(
        f"targets: api - its own search ≤ {API_OVERHEAD_MS} ms, page ≤ {PAGE_TARGET}× api"
        " (CPU time of server + client, medians)"
    )
    server.should_exit = True
    thread.join(timeout=10)
    app.database.dispose()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

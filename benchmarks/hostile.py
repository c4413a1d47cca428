"""Hostile crawl benchmark: one `newsmon crawl` over 282 broken, slow and hostile sources.

The sources: 239 files of ``../shared/corpora`` (real feeds written by
others, plus invalid ones; their entries link to hosts on the internet,
which do not resolve here) served by a local server over 7 loopback
addresses, and 43 hostile ones — a hung server (3 sources), a gzip bomb, a
feed without Content-Length, 10 hosts that do not resolve, 3 refused
connections, 10 feeds held back 5 s, 10 feeds whose 20 article links do not
resolve, 5 feeds whose article pages never answer.

The crawl is the real command, ``newsmon crawl`` on a generated config with
the default crawl settings (20 s timeout, robots.txt, 0.5 s per host),
started in a subprocess whose name resolver is a fixed mapping (nothing
queries real DNS: a name not in the mapping does not resolve) and which may
connect to 127.0.0.0/8 only. Measures its wall time and exit status.
**Target: ≤ 120 s, exit 0.**

    python -m benchmarks.hostile
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import closing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
TARGET_SECONDS = 120
GIVE_UP_SECONDS = 600
FEEDPARSER_SAMPLE = 200
HOSTS = 8  # the last one serves the feeds whose pages hang: that host looks down to the crawler


def corpus_files() -> list[Path]:
    """Every miniflux and gofeed file, and an even sample of feedparser's test cases."""
    files = sorted(p for p in (CORPORA / "miniflux-encodings").rglob("*") if p.is_file())
    files += sorted(p for p in (CORPORA / "gofeed-json").rglob("*") if p.is_file())
    cases = sorted(p for p in (CORPORA / "feedparser").rglob("*") if p.suffix in (".xml", ".json", ".rdf"))
    step = max(1, len(cases) // FEEDPARSER_SAMPLE)
    return files + cases[::step][:FEEDPARSER_SAMPLE]


def sources(bases: list[str], hung: str) -> list[tuple[str, str]]:
    """(name, url) of every source; loopback addresses are reached through names of the mapping."""
    names = [f"http://site{i}.bench:{base.rsplit(':', 1)[1]}" for i, base in enumerate(bases)]
    web, stall = names[:-1], names[-1]
    chosen: list[tuple[str, str]] = []
    for n, file in enumerate(corpus_files()):
        chosen.append((f"corpus{n}", f"{web[n % len(web)]}/c/{file.relative_to(CORPORA)}"))
    chosen += [(f"hung{n}", f"http://hung.bench:{hung.rsplit(':', 1)[1]}/feed{n}.xml") for n in range(3)]
    chosen += [("bomb", f"{web[0]}/bomb"), ("unsized", f"{web[1]}/chunked.xml")]
    chosen += [(f"nxdomain{n}", f"http://nowhere{n}.invalid/feed.xml") for n in range(10)]
    chosen += [(f"refused{n}", f"http://refused.bench:{_closed_port()}/feed.xml") for n in range(3)]
    chosen += [(f"slow{n}", f"{web[n % len(web)]}/slow/{n}.xml") for n in range(10)]
    chosen += [(f"deadlinks{n}", f"{web[n % len(web)]}/dead/{n}.xml") for n in range(10)]
    chosen += [(f"hanging{n}", f"{stall}/hang/{n}.xml") for n in range(5)]
    return chosen


def mapping(bases: list[str], hung: str) -> dict[str, str]:
    names = {f"site{i}.bench": base.split("//")[1].rsplit(":", 1)[0] for i, base in enumerate(bases)}
    return {**names, "hung.bench": hung.split("//")[1].rsplit(":", 1)[0], "refused.bench": "127.0.0.1"}


def _closed_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(workdir: Path, chosen: list[tuple[str, str]]) -> Path:
    lines = [f"database: sqlite:///{workdir / 'hostile.db'}", "sources:"]
    lines += [f"  - {{name: {name}, type: feed, url: {json.dumps(url)}, every: 1h}}" for name, url in chosen]
    config = workdir / "config.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


# ------------------------------------------------------------ the crawling subprocess


def crawl_with_mapping(config: str, names: dict[str, str]) -> None:
    """`newsmon crawl` with a fixed name mapping for DNS and connections to loopback only."""
    from ipaddress import ip_address

    from crawler.reactor import install_asyncio_reactor

    install_asyncio_reactor()
    from twisted.internet import reactor
    from twisted.internet.address import IPv4Address

    from newsmon.cli import main as newsmon

    class MappedResolver:
        def resolveHostName(  # noqa: N802 - Twisted's interface
            self,
            receiver: Any,
            hostName: str,  # noqa: N803
            portNumber: int = 0,  # noqa: N803
            *args: Any,
            **kwargs: Any,
        ) -> Any:
            receiver.resolutionBegan(None)
            try:
                address: str | None = str(ip_address(hostName.strip("[]")))
            except ValueError:
                address = names.get(hostName.lower())
            if address is not None and ":" not in address:
                receiver.addressResolved(IPv4Address("TCP", address, portNumber))
            receiver.resolutionComplete()
            return receiver

    connect_tcp = reactor.connectTCP  # type: ignore[attr-defined]

    def loopback_only(host: str, port: int, factory: Any, *args: Any, **kwargs: Any) -> Any:
        if not ip_address(host).is_loopback:
            raise ConnectionRefusedError(f"benchmark guard: no connection to {host}:{port}")
        return connect_tcp(host, port, factory, *args, **kwargs)

    reactor.installNameResolver(MappedResolver())  # type: ignore[attr-defined]
    reactor.connectTCP = loopback_only  # type: ignore[attr-defined]
    sys.argv = ["newsmon", "crawl", "--config", config]
    newsmon()


# ------------------------------------------------------------ the measure


def states(database: Path) -> Counter[str]:
    with closing(sqlite3.connect(database)) as connection:
        try:
            return Counter(status for (status,) in connection.execute("SELECT status FROM sources"))
        except sqlite3.OperationalError:  # the crawl never got as far as creating the schema
            return Counter()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--crawl", nargs=2, metavar=("CONFIG", "MAPPING"), help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.crawl:
        crawl_with_mapping(args.crawl[0], json.loads(args.crawl[1]))
        return 0
    if not CORPORA.is_dir():
        print(f"no corpora at {CORPORA}: this benchmark needs ../shared/corpora")
        return 1
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks._hostile_server", "--root", str(CORPORA), "--hosts", str(HOSTS)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        served = json.loads(server.stdout.readline())
        chosen = sources(served["bases"], served["hung"])
        with tempfile.TemporaryDirectory() as workdir:
            config = write_config(Path(workdir), chosen)
            names = json.dumps(mapping(served["bases"], served["hung"]))
            started = time.perf_counter()
            try:
                crawl = subprocess.run(
                    [sys.executable, "-m", "benchmarks.hostile", "--crawl", str(config), names],
                    cwd=workdir,
                    env={**os.environ, "PYTHONPATH": str(ROOT)},
                    capture_output=True,
                    text=True,
                    timeout=GIVE_UP_SECONDS,
                    check=False,
                )
            except subprocess.TimeoutExpired:
                print(f"newsmon crawl: did not finish in {GIVE_UP_SECONDS} s (target <= {TARGET_SECONDS} s)")
                return 1
            elapsed = time.perf_counter() - started
            by_state = states(Path(workdir) / "hostile.db")
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    summary = crawl.stderr.strip().splitlines()
    print(f"sources: {len(chosen)} ({len(chosen) - 43} corpus files, 43 hostile)")
    print(f"newsmon crawl: exit {crawl.returncode} in {elapsed:.1f} s (target <= {TARGET_SECONDS} s, exit 0)")
    print(f"source states: {dict(sorted(by_state.items()))}")
    print(f"last lines: {' | '.join(line.strip() for line in summary[-1:])}")
    ok = crawl.returncode == 0 and elapsed <= TARGET_SECONDS and sum(by_state.values()) == len(chosen)
    if not ok:
        print(crawl.stderr[-3000:])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

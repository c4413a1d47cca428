"""Crawl benchmark: the full path (fetch, parse, extract, store) next to `scrapy bench`.

Serves FEEDS feeds × ENTRIES entries with real-looking article pages from a
multi-threaded server in a subprocess (so it does not eat the crawler's
core), spread over HOSTS loopback addresses (127.0.0.2, 127.0.0.3, …) so
that per-host concurrency and robots.txt work as on the web. Crawls them all
with ``CrawlService`` into a temporary SQLite file, then runs ``scrapy bench``
(outside the project, with Scrapy's defaults) in the same invocation and
prints both rates and their ratio. Target: ≥ 0.5× `scrapy bench`.

    python -m benchmarks.crawl [--feeds 200] [--entries 20] [--hosts 8]
"""

from __future__ import annotations

import argparse
import http.server
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TARGET_RATIO = 0.5
ROOT = Path(__file__).resolve().parents[1]

_PROSE = """
the council said on tuesday that its plan for the harbour would create new jobs in the region while
critics warned that costs had doubled since the project was first announced two years ago and that
residents had not been consulted about the noise traffic and the loss of green space along the river
engineers expect the first phase to open next spring after a series of safety tests the minister added
that funding from the national budget was secured and that private investors had shown strong interest
in the second phase which includes housing offices a school and a new tram line to the city centre
"""
WORDS = tuple(_PROSE.split())
BOILERPLATE = ("Accept all cookies", "Subscribe to our newsletter", "All rights reserved", "Most read")


# ------------------------------------------------------------------ the site


def _paragraph(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(45, 90))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def article_page(base: str, feed: int, entry: int) -> bytes:
    rng = random.Random(feed * 1000 + entry)
    title = f"Harbour plan {feed}-{entry}: " + " ".join(rng.choice(WORDS) for _ in range(7))
    body = "\n".join(f"<p>{_paragraph(rng)}</p>" for _ in range(rng.randint(6, 10)))
    links = (f'<li><a href="/a/{feed}/{(entry + k) % 20}.html">Related story {k}</a></li>' for k in range(5))
    related = "".join(links)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Harbour Times</title>
<meta name="description" content="{_paragraph(rng)[:150]}">
<meta property="og:title" content="{title}"><meta name="author" content="Reporter {feed % 37}">
<meta property="article:published_time" content="2024-03-{1 + entry % 28:02d}T08:{entry % 60:02d}:00+00:00">
<link rel="canonical" href="{base}/a/{feed}/{entry}.html"><link rel="stylesheet" href="/site.css">
<script>window.analytics = {{"page": "article", "id": {feed * 100 + entry}}};</script></head>
<body><div class="cookies"><p>We use cookies. <button>Accept all cookies</button></p></div>
<header><a href="/">The Harbour Times</a><nav><a href="/news">News</a> <a href="/business">Business</a>
<a href="/sport">Sport</a> <a href="/culture">Culture</a> <a href="/subscribe">Subscribe</a></nav></header>
<main><article><h1>{title}</h1><p class="byline">By Reporter {feed % 37} · 2024-03-{1 + entry % 28:02d}</p>
{body}
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share by email</a></div></article>
<aside class="newsletter"><h3>Newsletter</h3>
<p>Subscribe to our newsletter for the morning briefing.</p></aside>
<section class="related"><h2>Most read</h2><ul>{related}</ul></section></main>
<footer><p>© 2024 The Harbour Times. All rights reserved.</p><p><a href="/privacy">Privacy</a></p></footer>
</body></html>""".encode()


def feed_document(base: str, feed: int, entries: int) -> bytes:
    items = []
    for entry in range(entries):
        rng = random.Random(feed * 1000 + entry)
        title = f"Harbour plan {feed}-{entry}: " + " ".join(rng.choice(WORDS) for _ in range(7))
        items.append(
            f"<item><title>{title}</title>"
            f"<link>{base}/a/{feed}/{entry}.html?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">bench-{feed}-{entry}</guid>'
            f"<pubDate>Fri, {1 + entry % 28:02d} Mar 2024 08:{entry % 60:02d}:00 +0000</pubDate>"
            f"<description>{_paragraph(rng)[:200]}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed {feed}</title>'
        f"<link>{base}/</link><language>en</language>{''.join(items)}</channel></rss>"
    ).encode()


def serve(hosts: int, entries: int) -> None:
    """The server subprocess: one threaded HTTP server per loopback address; prints their bases as JSON."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            path = self.path.split("?")[0]
            status, ctype, body = 404, "text/plain", b"not found"
            if path == "/robots.txt":
                status, ctype, body = 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
            elif m := re.fullmatch(r"/feeds/(\d+)\.xml", path):
                status, ctype = 200, "application/rss+xml; charset=utf-8"
                body = feed_document(base, int(m.group(1)), entries)
            elif m := re.fullmatch(r"/a/(\d+)/(\d+)\.html", path):
                status, ctype = 200, "text/html; charset=utf-8"
                body = article_page(base, int(m.group(1)), int(m.group(2)))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    bases = []
    for index in range(hosts):
        server = http.server.ThreadingHTTPServer((f"127.0.0.{2 + index}", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        bases.append(f"http://127.0.0.{2 + index}:{server.server_address[1]}")
    print(json.dumps(bases), flush=True)
    sys.stdin.read()  # until the parent closes our stdin


# ------------------------------------------------------------- the measures


def crawl_rate(bases: list[str], feeds: int, workdir: Path) -> dict[str, float]:
    from crawler.context import CrawlContext, CrawlSource
    from crawler.reactor import run
    from crawler.runner import CrawlService
    from db.engine import Database
    from db.migrate import upgrade

    database = Database(f"sqlite:///{workdir / 'bench.db'}")
    upgrade(database)
    sources = tuple(
        CrawlSource(f"feed{i}", "feed", f"{bases[i % len(bases)]}/feeds/{i}.xml") for i in range(feeds)
    )
    context = CrawlContext(database=database, sources=sources, settings={"LOG_LEVEL": "WARNING"})
    service = CrawlService()

    async def crawl() -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        reports = await service.crawl(context)
        return time.perf_counter() - started, reports

    elapsed, reports = run(crawl)
    stored = sum(r.new_articles for r in reports.values())
    failed = [r.error for r in reports.values() if r.outcome != "ok"]
    with database.read() as session:
        from sqlalchemy import select

        from db.models import Article

        sample = session.scalars(select(Article.text).limit(50)).all()
    database.dispose()
    if failed:
        print(f"  {len(failed)} feeds failed, first: {failed[0]}")
    leaks = [b for b in BOILERPLATE if any(b in text for text in sample)]
    if leaks:
        print(f"  boilerplate in stored text: {leaks}")
    return {"elapsed": elapsed, "stored": stored, "rate": stored / elapsed if elapsed else 0.0}


def scrapy_bench_rate() -> float:
    """`scrapy bench` pages/s, from its closing stats; run outside the project (Scrapy's defaults)."""
    scrapy = Path(sys.executable).with_name("scrapy")
    with tempfile.TemporaryDirectory() as elsewhere:
        done = subprocess.run(
            [str(scrapy), "bench", "-s", "LOG_LEVEL=INFO"],
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    log = done.stdout + done.stderr
    responses = re.search(r"'downloader/response_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not responses or not elapsed:
        raise RuntimeError(f"cannot read scrapy bench's stats:\n{log[-2000:]}")
    return int(responses.group(1)) / float(elapsed.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.serve:
        serve(args.hosts, args.entries)
        return 0

    serve_args = ["--hosts", str(args.hosts), "--entries", str(args.entries)]
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.crawl", "--serve", *serve_args],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        bases = json.loads(server.stdout.readline())
        with tempfile.TemporaryDirectory() as workdir:
            ours = crawl_rate(bases, args.feeds, Path(workdir))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)
    theirs = scrapy_bench_rate()
    ratio = ours["rate"] / theirs if theirs else 0.0
    print(
        f"newsmon crawl: {args.feeds} feeds x {args.entries} entries over {args.hosts} hosts, "
        f"{ours['stored']:.0f} articles fetched, extracted and stored in {ours['elapsed']:.1f} s: "
        f"{ours['rate']:.1f} pages/s"
    )
    print(f"scrapy bench:  {theirs:.1f} pages/s")
    print(f"ratio:         {ratio:.2f}x scrapy bench (target >= {TARGET_RATIO}x)")
    expected = args.feeds * args.entries
    return 0 if ratio >= TARGET_RATIO and ours["stored"] == expected else 1


if __name__ == "__main__":
    sys.exit(main())

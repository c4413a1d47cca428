"""Storing articles as the crawl does, against raw sqlite3 executemany: rows/s and their ratio.

``newsmon``: assessed articles (about 5 KB of text, a canonical URL and a
GUID key, a URL variant for some, event facts for a fifth, the alert of a
rule with two channels for a tenth) go through the crawl's own
``crawler.pipelines.StorePipeline``: its batches (``BATCH_ARTICLES`` or
``BATCH_SECONDS``, and a source's last article), ``db.store.store_articles``
with its key look-up, Core inserts, alerts and deliveries, one ``BEGIN
IMMEDIATE`` transaction a batch, and each article acknowledged after its
commit. ``raw``: ``sqlite3`` ``executemany`` of the same rows (articles
with ids assigned in advance, keys, alerts, deliveries), 1,000 articles a
commit. Both write a fresh file of the project's schema (the migrations: the
same FTS5 index and triggers) in the same folder, with the same pragmas (WAL,
synchronous NORMAL). ``--repeat`` rounds alternate the two; each side's
median CPU time (user + sys: SQLite works in the process, and other
processes on the machine do not inflate it as they would wall time) gives
its rows/s. Target: newsmon ≥ 0.8× raw. A second, stricter baseline is
printed beside: raw inserting the article rows only.

Run: ``python -m benchmarks store [--articles 2000] [--repeat 3] [--dir PATH]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from alerts.rules import Match
from benchmarks.search import WORDS
from crawler.context import CrawlContext, CrawlSource
from crawler.feedtypes import FeedEntry
from crawler.items import ArticleItem
from crawler.outcomes import CrawlLedger
from crawler.pipelines import StorePipeline
from db.engine import Database
from db.facts import ArticleFacts
from db.migrate import upgrade
from db.store import Assessment, SourceSpec, guid_key, sync_sources, url_key

TARGET = 0.8
RAW_BATCH = 1000
SOURCES = 20
SEED = 12
FACTS = ArticleFacts(
    events=({"type": "investment", "actors": ["Microsoft", "OpenAI"], "amount": None, "sentence": "..."},),
    event_types=("investment",),
    orgs=("Microsoft", "OpenAI"),
    amounts=({"value": 1e10, "currency": "USD", "usd": 1e10, "text": "$10bn"},),
    amount_usd=1e10,
)
MATCH = Match("ai-investment", ("mail", "slack"), ("invest",))


def corpus(count: int) -> list[ArticleItem]:
    """Assessed articles as the store pipeline receives them, sources in turn as a crawl mixes them."""
    rng = random.Random(SEED)
    weights = [1 / (rank + 1) for rank in range(len(WORDS))]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for n in range(count):
        words = rng.choices(WORDS, weights, k=1050)  # about 5 KB
        source = f"source-{n % SOURCES}"
        url = f"https://s{n % SOURCES}.example/2026/{n}/story"
        text = " ".join(words[12:])
        keys = [url_key(url), guid_key(source, f"{n}")]
        if n % 3 == 0:
            keys.append(url_key(f"{url}?amp=1"))
        item = ArticleItem(
            source=source,
            entry=FeedEntry(title="", link=url, guid=f"{n}", published=None, updated=None, summary=""),
            page_url=url,
            title=" ".join(words[:12]).capitalize(),
            text=text,
            summary=text[:200],
            authors=("A. Writer",),
            published=start + timedelta(minutes=n),
            url=url,
            keys=tuple(keys),
            language="en",
            lead=text[:300],
        )
        item.assessment = Assessment(
            facts=FACTS if n % 5 == 0 else ArticleFacts(), matches=(MATCH,) if n % 10 == 0 else ()
        )
        items.append(item)
    return items


def template(path: Path) -> Path:
    """A migrated file with the sources, copied for each run: migrating takes longer than a run."""
    database = Database(f"sqlite:///{path}")
    upgrade(database)
    sync_sources(
        database, [SourceSpec(f"source-{n}", "feed", f"http://s{n}.example/feed") for n in range(SOURCES)]
    )
    database.dispose()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE")  # one file to copy, the WAL folded in
    return path


def fresh_database(path: Path, empty: Path) -> Database:
    shutil.copyfile(empty, path)
    return Database(f"sqlite:///{path}")


def through_pipeline(path: Path, empty: Path, items: list[ArticleItem]) -> float:
    """CPU seconds to store ``items`` through the crawl's StorePipeline into a copy of ``empty``."""
    database = fresh_database(path, empty)
    ledger = CrawlLedger((f"source-{n}", f"http://s{n}.example/feed") for n in range(SOURCES))
    for n in range(SOURCES):
        ledger.feed_done(f"source-{n}", "ok", followed=sum(1 for i in items if i.source == f"source-{n}"))
    sources = tuple(CrawlSource(f"source-{n}", "feed", f"http://s{n}.example/feed") for n in range(SOURCES))
    spider = SimpleNamespace(context=CrawlContext(database=database, sources=sources), ledger=ledger)
    pipeline = StorePipeline(SimpleNamespace(spider=spider))  # type: ignore[arg-type]

    async def store_all() -> list[Any]:
        return await asyncio.gather(*(pipeline.process_item(item) for item in items))

    cpu = time.process_time()
    stored = asyncio.run(store_all())
    cpu = time.process_time() - cpu
    database.dispose()
    if len(stored) != len(items) or sum(r.new_articles for r in ledger.reports.values()) != len(items):
        raise RuntimeError("the pipeline did not store every article")
    return cpu


def raw_executemany(
    path: Path, empty: Path, items: list[ArticleItem], *, articles_only: bool = False
) -> float:
    """CPU seconds for sqlite3 executemany of the same rows into a copy of ``empty``, RAW_BATCH a commit."""
    shutil.copyfile(empty, path)
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    source_ids = dict(connection.execute("SELECT name, id FROM sources").fetchall())
    cpu = time.process_time()
    for first in range(0, len(items), RAW_BATCH):
        batch = items[first : first + RAW_BATCH]
        connection.execute("BEGIN IMMEDIATE")
        _raw_batch(connection, first + 1, batch, source_ids, articles_only)
        connection.execute("COMMIT")
    cpu = time.process_time() - cpu
    connection.close()
    return cpu


def _raw_batch(
    connection: sqlite3.Connection,
    first_id: int,
    batch: list[ArticleItem],
    source_ids: dict[str, int],
    articles_only: bool,
) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    rows, keys, alerts = [], [], []
    for article_id, item in enumerate(batch, first_id):
        assert item.assessment is not None and item.published is not None
        facts = item.assessment.facts
        rows.append(
            (
                article_id,
                source_ids[item.source],
                item.url,
                item.entry.guid,
                item.title,
                json.dumps(list(item.authors)),
                item.published.strftime("%Y-%m-%d %H:%M:%S.%f"),
                now,
                item.language,
                item.summary,
                item.lead,
                item.text,
                "page",
                json.dumps([dict(e) for e in facts.events]),
                json.dumps(list(facts.event_types)),
                json.dumps(list(facts.orgs)),
                json.dumps([dict(a) for a in facts.amounts]),
                facts.amount_usd,
            )
        )
        keys += [(key, article_id) for key in item.keys]
        alerts += [(article_id, match) for match in item.assessment.matches]
    connection.executemany(
        "INSERT INTO articles (id, source_id, url, guid, title, authors, published, fetched, language,"
        " summary, lead, text, text_from, events, event_types, orgs, amounts, amount_usd)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    if articles_only:
        return
    connection.executemany("INSERT INTO article_keys (key, article_id) VALUES (?, ?)", keys)
    alert_rows = [(article_id, m.rule, json.dumps(list(m.terms)), now) for article_id, m in alerts]
    connection.executemany(
        "INSERT INTO alerts (article_id, rule, matched, created) VALUES (?, ?, ?, ?)", alert_rows
    )
    connection.executemany(
        "INSERT INTO deliveries (alert_id, channel, status, created, next_attempt, attempts)"
        " SELECT id, ?, 'pending', ?, ?, 0 FROM alerts WHERE article_id = ? AND rule = ?",
        [(channel, now, now, article_id, m.rule) for article_id, m in alerts for channel in m.channels],
    )


def median_rate(runs: list[float], count: int) -> float:
    return count / statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where the files are written (a temp folder)")
    args = parser.parse_args([] if argv is None else argv)
    items = corpus(args.articles)
    size = statistics.mean(len(i.text) + len(i.summary) + len(i.lead) + len(i.title) for i in items)
    print(
        f"{args.articles} articles of {size / 1000:.1f} KB from {SOURCES} sources, 2-3 keys, facts for"
        f" 1 in 5, a 2-channel alert for 1 in 10; {args.repeat} rounds alternating, CPU time"
    )
    runs: dict[str, list[float]] = {"newsmon": [], "raw": [], "raw, articles only": []}
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        empty = template(Path(folder) / "empty.db")
        sides: dict[str, Callable[[Path], float]] = {
            "newsmon": lambda path: through_pipeline(path, empty, items),
            "raw": lambda path: raw_executemany(path, empty, items),
            "raw, articles only": lambda path: raw_executemany(path, empty, items, articles_only=True),
        }
        for round_ in range(args.repeat):
            order = list(sides) if round_ % 2 == 0 else list(reversed(sides))
            for name in order:
                path = Path(folder) / f"{round_}-{name.replace(' ', '').replace(',', '-')}.db"
                runs[name].append(sides[name](path))
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
    rates = {name: median_rate(cpu, args.articles) for name, cpu in runs.items()}
    for name, rate in rates.items():
        spread = ", ".join(f"{args.articles / cpu:.0f}" for cpu in runs[name])
        print(f"  {name:<20} {rate:>7.0f} rows/s  (rounds: {spread})")
    ratio = rates["newsmon"] / rates["raw"]
    strict = rates["newsmon"] / rates["raw, articles only"]
    ok = ratio >= TARGET
    print(
        f"{'PASS' if ok else 'MISS'}  newsmon / raw executemany ({RAW_BATCH} a commit): {ratio:.2f}x"
        f" (target >= {TARGET}x); against raw articles only: {strict:.2f}x"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

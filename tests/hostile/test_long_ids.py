"""An entry id of 100 kB is stored, once, on SQLite and PostgreSQL (whose index refuses 8 kB rows)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from crawler.feeds import parse_feed
from crawler.feedtypes import GUID_MAX
from crawler.runner import CrawlService
from tests.crawler.helpers import articles, context
from tests.databases import Databases
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
RSS = {"Content-Type": "application/rss+xml"}


def feed(*guids: str) -> str:
    items = "".join(
        f'<item><title>Entry {n}</title><guid isPermaLink="false">{guid}</guid>'
        f"<description>What happened {n}</description></item>"
        for n, guid in enumerate(guids)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def test_a_huge_entry_id_is_stored_once(databases: Databases, run_on_reactor: Run) -> None:
    database = databases.open()
    huge = secrets.token_urlsafe(75_000)  # random: PostgreSQL cannot compress it under its limit
    service = CrawlService()
    with TestServer({"/f.xml": Reply(body=feed(huge, "short-id"), headers=RSS)}) as server:
        first = run_on_reactor(service.crawl(context(database, ("s", server.url("/f.xml")))))
        server.set("/f.xml", body=feed(huge, "short-id", "other-id"), headers=RSS)
        again = run_on_reactor(service.crawl(context(database, ("s", server.url("/f.xml")))))
    assert (first["s"].new_articles, first["s"].problems) == (2, [])
    assert (again["s"].new_articles, again["s"].problems) == (1, [])
    assert sorted(a.title for a in articles(database)) == ["Entry 0", "Entry 1", "Entry 2"]


def test_ids_up_to_the_bound_are_kept_as_written() -> None:
    kept, hashed = "k" * GUID_MAX, "h" * (GUID_MAX + 1)
    entries = parse_feed(feed(kept, hashed).encode(), "https://news.example.org/f.xml", RSS).entries
    assert entries[0].guid == kept
    assert (
        entries[1].guid is not None and entries[1].guid.startswith("sha256:") and len(entries[1].guid) == 71
    )

"""Unchanged feeds (304) cost no per-source database work: the validators of every source of a
crawl are read in one query, and each source still sends its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import context, fetch_log
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]
FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>{0}</title></channel></rss>'


def test_a_crawl_reads_the_validators_of_all_its_sources_at_once(
    database: Database, run_on_reactor: Run
) -> None:
    names = [f"feed{n}" for n in range(6)]
    reads: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().startswith("SELECT") and "sources.etag" in statement:
            reads.append(statement)

    with TestServer() as server:
        for n, name in enumerate(names):
            headers = {"Content-Type": "application/rss+xml", "ETag": f'"v{n}"'}
            server.set(f"/{name}.xml", Reply(body=FEED.format(name), headers=headers, conditional=True))
        ctx = context(database, *((name, server.url(f"/{name}.xml")) for name in names))
        service = CrawlService()
        run_on_reactor(service.crawl(ctx))
        event.listen(database.engine, "before_cursor_execute", count)
        reports = run_on_reactor(service.crawl(ctx))
        polls = {h.path: h.headers.get("if-none-match") for h in server.hits if h.path.endswith(".xml")}

    assert {name: r.outcome for name, r in reports.items()} == dict.fromkeys(names, "not_modified")
    assert polls == {f"/{name}.xml": f'"v{n}"' for n, name in enumerate(names)}
    assert len(reads) == 1
    assert [log.outcome for log in fetch_log(database, "feed3")] == ["ok", "not_modified"]

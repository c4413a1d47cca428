"""``/metrics``: the database's state in Prometheus text format, read afresh on each scrape.

Counts come from the database, not from this process, so every process
serving the same database reports the same numbers, and a restart loses none.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from db.engine import Database
from db.models import utcnow
from db.web import metrics_snapshot

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class DatabaseCollector:
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        snapshot = metrics_snapshot(self.database)
        yield GaugeMetricFamily("newsmon_articles", "Articles stored.", value=snapshot.articles)
        crawls = CounterMetricFamily(
            "newsmon_crawls",
            "Fetches of each source in the fetch log, by outcome (ok, not_modified, unchanged, error).",
            labels=["source", "outcome"],
        )
        failures = CounterMetricFamily(
            "newsmon_crawl_failures", "Failed fetches of each source in the fetch log.", labels=["source"]
        )
        failed: dict[str, int] = {}
        for (source, outcome), count in sorted(snapshot.crawls.items()):
            crawls.add_metric([source, outcome], count)
            failed[source] = failed.get(source, 0) + (count if outcome == "error" else 0)
        for source, count in sorted(failed.items()):
            failures.add_metric([source], count)
        yield crawls
        yield failures
        deliveries = GaugeMetricFamily(
            "newsmon_deliveries", "Alert deliveries by channel and status.", labels=["channel", "status"]
        )
        for (channel, status), count in sorted(snapshot.deliveries.items()):
            deliveries.add_metric([channel, status], count)
        yield deliveries
        yield GaugeMetricFamily(
            "newsmon_outbox_depth", "Deliveries waiting to be sent (pending).", value=snapshot.outbox_depth
        )
        now = utcnow()
        ages = GaugeMetricFamily(
            "newsmon_last_crawl_age_seconds", "Seconds since each source was last fetched.", labels=["source"]
        )
        for source, moment in sorted(snapshot.last_crawl.items()):
            ages.add_metric([source], max((now - moment).total_seconds(), 0.0))
        yield ages


def exposition(database: Database) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(database))
    return generate_latest(registry)

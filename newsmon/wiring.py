"""Service wiring: from a loaded config to the database, rules, notifiers and crawl context.

The only place that knows all of ``db``, ``crawler`` and ``alerts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from alerts.rules import ArticleText, RuleSet, RuleSpec
from db import outbox
from db.engine import Database
from db.migrate import upgrade
from db.queries import StoredArticle
from db.store import NewArticle, OnStored, SourceSpec, sync_sources
from newsmon.config import Config, load_config

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from alerts.notifiers.base import Notifier
    from crawler.context import CrawlContext


@dataclass
class App:
    """A loaded configuration and the database it names, ready to use."""

    config: Config
    database: Database = field(repr=False)

    @classmethod
    def open(cls, config_path: str | Path) -> App:
        config = load_config(config_path)
        database = Database(config.database)
        upgrade(database)
        sync_sources(database, (SourceSpec(s.name, s.type, s.url) for s in config.sources))
        return cls(config, database)

    @cached_property
    def ruleset(self) -> RuleSet:
        return compile_rules(self.config)

    def on_stored(self) -> OnStored:
        return alert_hook(self.ruleset)

    def notifiers(self) -> dict[str, Notifier]:
        from newsmon.channels import build_notifiers

        return build_notifiers(self.config)

    def scrapy_settings(self) -> dict[str, Any]:
        return scrapy_overrides(self.config)

    def crawl_context(self, progress: Any = None) -> CrawlContext:
        from zoneinfo import ZoneInfo

        from crawler.context import CrawlContext, CrawlSource

        return CrawlContext(
            database=self.database,
            sources=tuple(
                CrawlSource(
                    name=s.name,
                    type=s.type,
                    url=s.url,
                    language=s.language,
                    options=s.options,
                    timezone=ZoneInfo(s.timezone),
                )
                for s in self.config.sources
                if s.enabled
            ),
            on_stored=self.on_stored(),
            settings=self.scrapy_settings(),
            on_progress=progress,
        )


def compile_rules(config: Config) -> RuleSet:
    from alerts.errors import RuleError
    from newsmon.errors import ConfigError

    specs = [RuleSpec(name=r.name, query=r.query, channels=tuple(r.channels)) for r in config.rules]
    try:
        return RuleSet.compile(specs, dict(config.topics))
    except RuleError as exc:
        raise ConfigError(f"{config.path}: {exc}") from exc


def article_text(article: NewArticle | StoredArticle) -> ArticleText:
    return ArticleText(
        title=article.title,
        summary=article.summary,
        text=article.text,
        lead=article.lead,
        source=article.source,
        language=article.language,
    )


def alert_hook(ruleset: RuleSet) -> OnStored:
    """Match each new article inside the transaction that stores it: the outbox."""

    def on_stored(session: Session, article_id: int, article: NewArticle) -> None:
        matches = ruleset.match(article_text(article))
        if matches:
            outbox.raise_alerts(session, article_id, matches)

    return on_stored


def user_agent(agent: str, contact: str | None) -> str:
    """An honest User-Agent: who we are, and where a site's operator can reach the person running us."""
    return f"{agent} (contact: {contact})" if contact else agent


def scrapy_overrides(config: Config) -> dict[str, Any]:
    crawl = config.crawl
    overrides: dict[str, Any] = {
        "USER_AGENT": user_agent(crawl.user_agent, crawl.contact),
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "DOWNLOAD_TIMEOUT": crawl.download_timeout.total_seconds(),
        "DOWNLOAD_MAXSIZE": crawl.max_body,
    }
    if crawl.concurrent_requests:
        overrides["CONCURRENT_REQUESTS"] = crawl.concurrent_requests
    if crawl.per_host_concurrency:
        overrides["CONCURRENT_REQUESTS_PER_DOMAIN"] = crawl.per_host_concurrency
    if crawl.download_delay is not None:
        overrides["DOWNLOAD_DELAY"] = crawl.download_delay.total_seconds()
    if crawl.autothrottle is not None:
        overrides["AUTOTHROTTLE_ENABLED"] = crawl.autothrottle
        # Scrapy's 5 s start delay makes every first request to a host, and each retry, crawl slowly.
        start = crawl.download_delay.total_seconds() if crawl.download_delay is not None else 0.5
        overrides["AUTOTHROTTLE_START_DELAY"] = max(start, 0.25)
        overrides["AUTOTHROTTLE_MAX_DELAY"] = 30.0
        if crawl.per_host_concurrency:
            overrides["AUTOTHROTTLE_TARGET_CONCURRENCY"] = float(crawl.per_host_concurrency)
    return overrides


def check(config_path: str | Path) -> str:
    """Everything `check-config` validates; returns a one-line summary."""
    config = load_config(config_path)
    compile_rules(config)
    from newsmon.channels import build_notifiers

    build_notifiers(config)
    return (
        f"{len(config.sources)} sources, {len(config.topics)} topics, {len(config.rules)} rules, "
        f"{len(config.channels)} channels"
    )


def crawl_context_from_environment(settings: Settings) -> CrawlContext:
    """For `scrapy crawl feed -a source=NAME`: the context from $NEWSMON_CONFIG or ./config.yaml."""
    import os

    app = App.open(os.environ.get("NEWSMON_CONFIG", "config.yaml"))
    return app.crawl_context()

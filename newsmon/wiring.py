"""Service wiring: from a loaded config to the database, rules, notifiers and crawl context.

The only place that knows all of ``db``, ``crawler`` and ``alerts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from db.engine import Database
from db.locks import serialized
from db.migrate import upgrade
from db.sources import SourceSpec, sync_sources
from db.textfold import tokens
from newsmon.config import Config, load_config

if TYPE_CHECKING:
    from scrapy.settings import Settings

    from alerts.events.detect import EventDetector
    from alerts.events.orgs import OrgIndex
    from alerts.notifiers.base import Notifier
    from alerts.rules import ArticleText, OrgAliases, RuleSet
    from alerts.stories.filing import StoryFiler
    from crawler.context import CrawlContext
    from db.queries import StoredArticle
    from db.store import Assess, Assessment, NewArticle


@dataclass
class App:
    """A loaded configuration and the database it names, ready to use."""

    config: Config
    database: Database = field(repr=False)

    @classmethod
    def open(cls, config_path: str | Path) -> App:
        config = load_config(config_path)
        database = Database(config.database)
        # Roles start together on one database: one at a time creates the schema and adds the sources.
        with serialized(database, "startup"):
            upgrade(database)
            sync_sources(database, (SourceSpec(s.name, s.type, s.url) for s in config.sources))
        return cls(config, database)

    @cached_property
    def orgs(self) -> OrgIndex:
        """The shipped organisations and the config's ``orgs:``, built once per process."""
        return org_index(self.config)

    @cached_property
    def org_aliases(self) -> OrgAliases:
        return org_aliases(self.orgs)

    @cached_property
    def ruleset(self) -> RuleSet:
        """Every configured rule, ``enabled: false`` ones included: a backtest may try them."""
        return compile_rules(self.config, self.org_aliases)

    @cached_property
    def alerting_rules(self) -> RuleSet:
        """The rules that raise alerts: those not ``enabled: false``."""
        if all(rule.enabled for rule in self.config.rules):
            return self.ruleset
        return compile_rules(self.config, self.org_aliases, include_disabled=False)

    @cached_property
    def detector(self) -> EventDetector:
        from alerts.events.detect import EventDetector

        return EventDetector(self.orgs)

    @cached_property
    def stories(self) -> StoryFiler:
        from alerts.stories.filing import StoryFiler

        return StoryFiler()

    def assess(self) -> Assess:
        return assessor(self.detector, self.alerting_rules, self.stories)

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
            assess=self.assess(),
            settings=self.scrapy_settings(),
            on_progress=progress,
        )


def compile_rules(
    config: Config, aliases: OrgAliases | None = None, *, include_disabled: bool = True
) -> RuleSet:
    from alerts.errors import RuleError
    from alerts.rules import RuleSet, RuleSpec
    from newsmon.errors import ConfigError

    specs = [
        RuleSpec(name=r.name, query=r.query, channels=tuple(r.channels), policy=r.policy(config.timezone))
        for r in config.rules
        if include_disabled or r.enabled
    ]
    try:
        return RuleSet.compile(specs, dict(config.topics), org_aliases=aliases)
    except RuleError as exc:
        raise ConfigError(f"{config.path}: {exc}") from exc


def org_index(config: Config) -> OrgIndex:
    from alerts.events.orgs import OrgIndex

    return OrgIndex({name: org.aliases for name, org in config.orgs.items()})


def org_aliases(orgs: OrgIndex) -> OrgAliases:
    """Every alias's folded words -> its organisation's, for ``org:`` in rules and search."""
    return {tuple(tokens(alias.text)): tuple(tokens(alias.org)) for alias in orgs.aliases}


def article_text(article: NewArticle | StoredArticle) -> ArticleText:
    from alerts.events.facts import with_facts
    from alerts.rules import ArticleText

    text = ArticleText(
        title=article.title,
        summary=article.summary,
        text=article.text,
        lead=article.lead,
        source=article.source,
        language=article.language,
    )
    return with_facts(text, article.facts)


def assessor(detector: EventDetector, ruleset: RuleSet, stories: StoryFiler | None = None) -> Assess:
    """Event detection, then the rules over the article's words and those facts, then (with
    ``stories``) the embedding its story is filed by in the store's transaction."""
    from dataclasses import replace

    from alerts.events.facts import article_facts
    from db.store import Assessment

    def assess(article: NewArticle) -> Assessment:
        analysis = detector.analyse(article.title, article.text, article.language, article.summary)
        facts = article_facts(analysis)
        text = replace(article_text(replace(article, facts=facts)), text_words=analysis.text_words)
        matches = ruleset.match(text)
        story = stories.prepare(article, analysis) if stories is not None else None
        return Assessment(facts, tuple(matches), story)

    return assess


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
    compile_rules(config, org_aliases(org_index(config)))
    from newsmon.channels import build_notifiers

    build_notifiers(config)
    summary = (
        f"{len(config.sources)} sources, {len(config.topics)} topics, {len(config.rules)} rules, "
        f"{len(config.channels)} channels"
    )
    if config.queue:
        from db.urls import shown_url

        summary += f"; crawl jobs through Redis at {shown_url(config.queue)}"
    return summary


def crawl_context_from_environment(settings: Settings) -> CrawlContext:
    """For `scrapy crawl feed -a source=NAME`: the context from $NEWSMON_CONFIG or ./config.yaml."""
    import os

    app = App.open(os.environ.get("NEWSMON_CONFIG", "config.yaml"))
    return app.crawl_context()

"""The typed, frozen configuration. Nothing downstream reads raw YAML.

Defaults and decisions worth knowing:

* ``database`` defaults to ``sqlite:///data/newsmon.db``. A relative SQLite
  path is resolved against the directory of the config file (when the
  config has a ``path``), so ``newsmon`` finds the same database whatever
  directory it is started from; ``make run`` at the repo root therefore
  uses ``./data/newsmon.db``.
* A source polls ``every: 15m`` unless it gives ``every`` or ``cron`` (not
  both). Its ``jitter`` defaults to 10% of ``every``, at most 5 minutes, and
  to 0 for a cron schedule (a cron time is meant to be kept).
* A rule without ``channels`` is delivered to the console channels when the
  config has any (a local set-up shows alerts before mail is wired), else
  to every channel. ``channels: []`` records alerts without delivering them.
* A source's ``type`` defaults to ``feed``. Its type-specific keys, and
  every key of a channel but ``name`` and ``type``, are the plug-in's own
  options model, listed in ``crawler.spiders.SPIDERS`` and
  ``alerts.notifiers.NOTIFIERS``: the tagged unions of sources and channels
  are built from those registries, and their defaults are documented there
  (an email channel's ``tls``, say, in ``alerts.notifiers.options``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, Union

from pydantic import BaseModel, Field, ValidationInfo, create_model, field_validator, model_validator
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from alerts.notifiers import NOTIFIERS
from crawler.spiders import SPIDERS
from db.options import Options, Plugin
from db.policy import IMMEDIATE_WORD, DeliveryPolicy, parse_deliver, parse_quiet_hours
from db.textfold import word_string
from db.urls import shown_url
from newsmon.config.checks import cross_check
from newsmon.config.fields import (
    ByteSize,
    Cron,
    Deliver,
    Duration,
    Language,
    Name,
    NonEmptyStr,
    PositiveDuration,
    QuietHoursText,
    Secret,
    SourceUrl,
    TimeZone,
    problem,
)
from newsmon.errors import UnknownNameError

DEFAULT_DATABASE = "sqlite:///data/newsmon.db"
DEFAULT_EVERY = timedelta(minutes=15)
MAX_DEFAULT_JITTER = timedelta(minutes=5)
MAX_DOWNLOAD_TIMEOUT = timedelta(seconds=30)
DEFAULT_USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"
DATABASE_BACKENDS = ("sqlite", "postgresql")
QUEUE_SCHEMES = ("redis", "rediss")
DEFAULT_SOURCE_TYPE = "feed"

SECTIONS = frozenset(
    {"sources", "topics", "rules", "orgs", "delivery", "channels", "crawl", "health", "retention", "web"}
)

#: Passed as validation context by the loader, which runs the cross-section checks itself.
SKIP_CROSS_CHECK = "newsmon.skip_cross_check"


Frozen = Options  # frozen, and unknown keys are errors


# ------------------------------------------------------------------ sources


class SourceConfig(Frozen):
    """What every source has. Exactly one of ``every`` and ``cron`` is set after validation.

    The concrete model of a source adds its type's options (``SourceTypes``);
    ``options`` gives them as the model its spider takes.
    """

    name: Name
    type: str
    url: SourceUrl
    every: PositiveDuration | None = None
    cron: Cron | None = None
    jitter: Duration = timedelta(0)
    language: Language | None = None
    enabled: bool = True
    timezone: TimeZone = "UTC"  # for the source's dates written without an offset

    @model_validator(mode="after")
    def _schedule(self) -> SourceConfig:
        if self.every is not None and self.cron is not None:
            raise problem("give either `every` or `cron`, not both", key="cron")
        if self.every is None and self.cron is None:
            # Frozen models allow no assignment; this is still construction time.
            object.__setattr__(self, "every", DEFAULT_EVERY)
        if "jitter" not in self.model_fields_set and self.every is not None:
            object.__setattr__(self, "jitter", min(self.every / 10, MAX_DEFAULT_JITTER))
        if self.every is not None and self.jitter >= self.every:
            raise problem("jitter must be shorter than `every`", key="jitter")
        return self

    @property
    def options(self) -> Options:
        """This source's type-specific keys, as its type's options model (crawler.spiders.options)."""
        return _options_of(self, SPIDERS[self.type])


# -------------------------------------------------------------------- rules


class RuleConfig(Frozen):
    """A named query; its matches are alerts delivered to ``channels`` as ``deliver`` says.

    ``deliver``, ``quiet_hours``, ``max_per_hour`` and ``baseline`` are the
    rule's delivery policy (db.policy), its times read in the config's ``timezone``.
    """

    name: Name
    query: NonEmptyStr
    channels: tuple[Name, ...] = ()
    enabled: bool = True
    deliver: Deliver = IMMEDIATE_WORD
    quiet_hours: QuietHoursText | None = None
    max_per_hour: int | None = Field(default=None, ge=1)
    baseline: bool = False

    @model_validator(mode="after")
    def _cap_needs_immediate(self) -> RuleConfig:
        if self.max_per_hour is not None and self.deliver != IMMEDIATE_WORD:
            raise problem(
                f"max_per_hour limits the alerts sent at once, and this rule sends none at once"
                f" (deliver: {self.deliver}); remove one of them",
                key="max_per_hour",
            )
        return self

    def policy(self, zone: str = "UTC") -> DeliveryPolicy:
        """The rule's delivery policy, its times in ``zone`` (the config's ``timezone``)."""
        from zoneinfo import ZoneInfo

        return DeliveryPolicy(
            digest=parse_deliver(self.deliver),
            quiet_hours=parse_quiet_hours(self.quiet_hours) if self.quiet_hours else None,
            max_per_hour=self.max_per_hour,
            baseline=self.baseline,
            zone=ZoneInfo(zone),
        )


# ----------------------------------------------------------------- channels


class ChannelConfig(Frozen):
    """What every channel has; the concrete model adds its notifier's options (``ChannelTypes``)."""

    name: Name
    type: str

    @property
    def options(self) -> Options:
        """Every key but ``name`` and ``type``, as the notifier's options model (alerts.notifiers.options)."""
        return _options_of(self, NOTIFIERS[self.type])


def _options_of(config: BaseModel, plugin: Plugin[Any]) -> Options:
    # The values were validated by the same declarations: the options model's own fields.
    model = plugin.options
    values = {name: getattr(config, name) for name in model.model_fields}
    return model.model_construct(config.model_fields_set & values.keys(), **values)


def tagged_union(base: type[Frozen], registry: dict[str, Plugin[Any]]) -> Any:
    """One model per registered type — ``base``'s keys, the type's options, ``type`` as the tag."""
    members = tuple(_member(base, type_, plugin.options) for type_, plugin in registry.items())
    return Annotated[Union[members], Field(discriminator="type")]  # noqa: UP007


def _member(base: type[Frozen], type_: str, options: type[Options]) -> type[BaseModel]:
    tag: Any = Literal[type_]
    # Listed first among the bases, the options model's fields come after name, type, … in messages.
    return create_model(
        f"{type_.title()}{base.__name__}", __base__=(options, base), __module__=__name__, type=(tag, ...)
    )


if TYPE_CHECKING:
    SourceTypes: TypeAlias = SourceConfig
    ChannelTypes: TypeAlias = ChannelConfig
else:
    SourceTypes = tagged_union(SourceConfig, SPIDERS)
    ChannelTypes = tagged_union(ChannelConfig, NOTIFIERS)


# ------------------------------------------------------- delivery and crawl


class DeliveryConfig(Frozen):
    """Retries of failed deliveries: ``retry_min`` doubling up to ``retry_max``, for ``give_up_after``."""

    retry_min: PositiveDuration = timedelta(seconds=30)
    retry_max: PositiveDuration = timedelta(minutes=15)
    give_up_after: PositiveDuration = timedelta(days=2)
    slack_rate: Duration = timedelta(seconds=1)

    @model_validator(mode="after")
    def _ordered(self) -> DeliveryConfig:
        if self.retry_max < self.retry_min:
            raise problem("retry_max must not be shorter than retry_min", key="retry_max")
        return self


class CrawlConfig(Frozen):
    """How politely and how hard the crawler fetches."""

    user_agent: NonEmptyStr = DEFAULT_USER_AGENT
    contact: str | None = None
    download_timeout: PositiveDuration = timedelta(seconds=20)
    concurrent_requests: int = Field(default=16, ge=1, le=256)
    per_host_concurrency: int = Field(default=2, ge=1, le=32)
    download_delay: Duration = timedelta(seconds=0.5)
    max_body: ByteSize = Field(default=10 * 1024 * 1024, ge=1)
    autothrottle: bool = True
    obey_robots: bool = True
    # `run --role crawler`: how many sources one worker crawls at once.
    parallel_sources: int = Field(default=8, ge=1, le=256)

    @field_validator("download_timeout")
    @classmethod
    def _bounded_timeout(cls, value: timedelta) -> timedelta:
        # A slow host must not hold a download slot that other sources need.
        if value > MAX_DOWNLOAD_TIMEOUT:
            raise problem("must be at most 30s")
        return value


# --------------------------------------------------------------- organisations


class OrgConfig(Frozen):
    """An organisation of the watch list: its canonical name is its key, ``aliases`` its other names."""

    aliases: tuple[NonEmptyStr, ...] = ()


def _orgs_without_aliases(value: Any) -> Any:
    # `Mistral AI:` with nothing after it is an organisation known by its canonical name alone.
    if isinstance(value, Mapping):
        return {name: {} if org is None else org for name, org in value.items()}
    return value


def check_org_aliases(orgs: Mapping[str, OrgConfig]) -> Mapping[str, OrgConfig]:
    """Every name must have a letter or digit and stand for one organisation (compared folded),
    in the watch list and in the shipped list it adds to."""
    if not orgs:
        return orgs
    from alerts.events.orgs import OrgIndex

    shipped = OrgIndex()
    owners: dict[str, str] = {}
    for name, org in orgs.items():
        for alias in (name, *org.aliases):
            folded = word_string(alias)
            if not folded:
                raise problem(f"{alias!r} has no letter or digit: it cannot be matched", key=name)
            owner = owners.setdefault(folded, name)
            if owner != name:
                raise problem(
                    f"{alias!r} is also a name of {owner!r}: an alias stands for one organisation",
                    key=name,
                )
            listed = shipped.canonical(alias)
            if listed is not None and listed != name:
                raise problem(
                    f"{alias!r} is a name of {listed!r} in the shipped list: an alias stands for one "
                    f"organisation (add names to it under `{listed}:`)",
                    key=name,
                )
    return orgs


class HealthConfig(Frozen):
    """When a source counts as stale, and where to say so.

    A source is stale when no new article came for ``stale_factor`` times its
    usual cadence (never less than its poll interval); failing sources back
    off up to ``max_backoff``.
    """

    channel: Name | None = None
    stale_factor: float = Field(default=3.0, gt=1)
    max_backoff: PositiveDuration = timedelta(hours=6)


class RetentionConfig(Frozen):
    """How long stored things are kept; ``0`` keeps them forever.

    ``newsmon prune`` applies it, and the daemon once a day. An article's age
    counts from when it was fetched, not published: an old article that a
    feed still lists must not be pruned and then stored (and alerted) again.
    """

    articles: Duration = timedelta(days=365)
    fetch_log: Duration = timedelta(days=30)


# ---------------------------------------------------------------------- web

MIN_WEB_TOKEN = 16


class WebConfig(Frozen):
    """`newsmon serve`: where it listens, and the token every page and API call then needs.

    Without a token it serves loopback only. An empty token (``${NEWSMON_WEB_TOKEN:-}``
    with the variable unset) means none.
    """

    host: NonEmptyStr = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    token: Secret | None = None

    @field_validator("token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: Secret | None) -> Secret | None:
        if value is not None and len(value.get_secret_value()) < MIN_WEB_TOKEN:
            raise problem(
                f"must be at least {MIN_WEB_TOKEN} characters (e.g. the output of `openssl rand -hex 32`)"
            )
        return value


# ------------------------------------------------------------------- config


def check_database(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError:
        raise problem("not a database URL (use sqlite:///data/newsmon.db or postgresql://host/db)") from None
    backend = url.get_backend_name()
    if backend not in DATABASE_BACKENDS:
        raise problem(f"unsupported database {backend!r} (use sqlite:/// or postgresql://)")
    return value


def check_queue(value: str) -> str:
    """A Redis URL (``redis://[:password@]host[:port][/db]``, or ``rediss://`` for TLS)."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise problem("not a Redis URL (use redis://host:6379/0, or rediss:// for TLS)") from None
    if url.drivername not in QUEUE_SCHEMES:
        raise problem(f"unsupported queue {url.drivername!r} (use redis://host:6379/0, or rediss:// for TLS)")
    if not url.host:
        raise problem("the Redis URL names no host (use redis://host:6379/0)")
    if url.database and not url.database.isdigit():
        raise problem("the Redis database is a number (redis://host:6379/0)")
    return value


def _resolve_database(value: object, base: Path) -> object:
    """A relative SQLite path, resolved against the config file's directory."""
    if not isinstance(value, str):
        return value
    try:
        url = make_url(value)
    except ArgumentError:
        return value
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return value
    if database.startswith("file:") or Path(database).is_absolute():
        return value
    return url.set(database=str(base / database)).render_as_string(hide_password=False)


def _channel_field(channel: Any, key: str) -> Any:
    return channel.get(key) if isinstance(channel, Mapping) else getattr(channel, key, None)


def default_rule_channels(channels: Any) -> tuple[str, ...]:
    """Where a rule without ``channels`` delivers: the console channels if any, else all."""
    items = list(channels) if isinstance(channels, list | tuple) else []
    names = [(_channel_field(c, "name"), _channel_field(c, "type")) for c in items]
    console = tuple(n for n, t in names if isinstance(n, str) and t == "console")
    return console or tuple(n for n, _ in names if isinstance(n, str))


class Config(Frozen):
    """The whole configuration. ``path`` is the file it was read from (absolute), if any."""

    path: Path | None = None
    database: str = DEFAULT_DATABASE
    # The crawl job queue of the split roles: Redis (a URL) or, when None, the database's crawl_jobs.
    queue: str | None = None
    # Where the rules' digest, quiet-hour and max_per_hour times are read (an IANA name).
    timezone: TimeZone = "UTC"
    sources: tuple[SourceTypes, ...] = ()
    topics: Mapping[Name, NonEmptyStr] = Field(default_factory=dict)
    rules: tuple[RuleConfig, ...] = ()
    # The watch list, merged with the shipped one (alerts/events/data/orgs.yaml).
    orgs: Mapping[NonEmptyStr, OrgConfig] = Field(default_factory=dict)
    delivery: DeliveryConfig = DeliveryConfig()
    channels: tuple[ChannelTypes, ...] = ()
    crawl: CrawlConfig = CrawlConfig()
    health: HealthConfig = HealthConfig()
    retention: RetentionConfig = RetentionConfig()
    web: WebConfig = WebConfig()
    # How `newsmon` writes its log unless --log-format or $NEWSMON_LOG_FORMAT says otherwise.
    log_format: Literal["text", "json"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _fill_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        # `sources:` with every entry commented out is an empty section, not an error.
        data = {k: v for k, v in data.items() if v is not None or k not in SECTIONS}
        path = data.get("path")
        if isinstance(path, str | Path):
            data["database"] = _resolve_database(data.get("database", DEFAULT_DATABASE), Path(path).parent)
        sources = data.get("sources")
        if isinstance(sources, list | tuple):
            data["sources"] = [_with_type(source) for source in sources]
        rules = data.get("rules")
        if isinstance(rules, list | tuple):
            default = default_rule_channels(data.get("channels"))
            data["rules"] = [_with_channels(rule, default) for rule in rules]
        return data

    @field_validator("database")
    @classmethod
    def _valid_database(cls, value: str) -> str:
        return check_database(value)

    @field_validator("queue")
    @classmethod
    def _valid_queue(cls, value: str | None) -> str | None:
        return None if value is None else check_queue(value)

    @field_validator("orgs", mode="before")
    @classmethod
    def _org_defaults(cls, value: Any) -> Any:
        return _orgs_without_aliases(value)

    @field_validator("orgs")
    @classmethod
    def _one_org_per_alias(cls, value: Mapping[str, OrgConfig]) -> Mapping[str, OrgConfig]:
        return check_org_aliases(value)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Config:
        if info.context and info.context.get(SKIP_CROSS_CHECK):
            return self
        issues = cross_check(
            {
                "sources": [{"name": s.name} for s in self.sources],
                "rules": [{"name": r.name, "channels": list(r.channels)} for r in self.rules],
                "channels": [{"name": c.name} for c in self.channels],
                "health": {"channel": self.health.channel},
            }
        )
        if issues:
            raise ValueError("; ".join(f"{'.'.join(map(str, p))}: {m}" for p, m in issues))
        return self

    def __repr_args__(self) -> Any:
        # A PostgreSQL URL may carry a password (often from ${VAR}); repr must not show it.
        for key, value in super().__repr_args__():
            if key in ("database", "queue") and isinstance(value, str):
                value = shown_url(value)
            yield key, value

    def source(self, name: str) -> SourceConfig:
        for source in self.sources:
            if source.name == name:
                return source
        raise UnknownNameError("source", name, (s.name for s in self.sources))

    def rule(self, name: str) -> RuleConfig:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise UnknownNameError("rule", name, (r.name for r in self.rules))

    def channel(self, name: str) -> ChannelConfig:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise UnknownNameError("channel", name, (c.name for c in self.channels))


def _with_channels(rule: Any, default: tuple[str, ...]) -> Any:
    if isinstance(rule, Mapping):
        if rule.get("channels") is None:
            return {**rule, "channels": list(default)}
        return rule
    if isinstance(rule, RuleConfig) and "channels" not in rule.model_fields_set:
        return rule.model_copy(update={"channels": default})
    return rule


def _with_type(source: Any) -> Any:
    if isinstance(source, Mapping) and source.get("type") is None:
        return {**source, "type": DEFAULT_SOURCE_TYPE}
    return source

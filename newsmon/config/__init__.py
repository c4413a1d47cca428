"""Configuration: ``config.yaml`` parsed once into frozen, typed objects.

    from newsmon.config import load_config
    config = load_config("config.yaml")        # raises ConfigError naming file:line:key
    config.source("arsfr").every               # a timedelta

The schema and its defaults are documented in :mod:`newsmon.config.models`;
``${VAR}`` forms in :mod:`newsmon.config.environ`.
"""

from __future__ import annotations

from crawler.selectors import selector_kind
from newsmon.config.fields import Secret
from newsmon.config.loader import default_config_path, load_config
from newsmon.config.models import (
    DEFAULT_DATABASE,
    AppriseChannel,
    ChannelConfig,
    Config,
    ConsoleChannel,
    CrawlConfig,
    DeliveryConfig,
    EmailChannel,
    HealthConfig,
    RetentionConfig,
    RuleConfig,
    SelectorsConfig,
    SlackChannel,
    SourceConfig,
    SourceType,
    TlsMode,
    WebhookChannel,
)
from newsmon.errors import ConfigError, ConfigIssue

__all__ = [
    "DEFAULT_DATABASE",
    "AppriseChannel",
    "ChannelConfig",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "ConsoleChannel",
    "CrawlConfig",
    "DeliveryConfig",
    "EmailChannel",
    "HealthConfig",
    "RetentionConfig",
    "RuleConfig",
    "Secret",
    "SelectorsConfig",
    "SlackChannel",
    "SourceConfig",
    "SourceType",
    "TlsMode",
    "WebhookChannel",
    "default_config_path",
    "load_config",
    "selector_kind",
]

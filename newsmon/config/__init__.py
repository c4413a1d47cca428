"""Configuration: ``config.yaml`` parsed once into frozen, typed objects.

    from newsmon.config import load_config
    config = load_config("config.yaml")        # raises ConfigError naming file:line:key
    config.source("arsfr").every               # a timedelta

The schema and its defaults are documented in :mod:`newsmon.config.models`;
``${VAR}`` forms in :mod:`newsmon.config.environ`.
"""

from __future__ import annotations

from crawler.spiders.options import selector_kind
from newsmon.config.fields import Secret
from newsmon.config.loader import default_config_path, load_config
from newsmon.config.models import (
    DEFAULT_DATABASE,
    ChannelConfig,
    Config,
    CrawlConfig,
    DeliveryConfig,
    HealthConfig,
    RetentionConfig,
    RuleConfig,
    SourceConfig,
)
from newsmon.errors import ConfigError, ConfigIssue

__all__ = [
    "DEFAULT_DATABASE",
    "ChannelConfig",
    "Config",
    "ConfigError",
    "ConfigIssue",
    "CrawlConfig",
    "DeliveryConfig",
    "HealthConfig",
    "RetentionConfig",
    "RuleConfig",
    "Secret",
    "SourceConfig",
    "default_config_path",
    "load_config",
    "selector_kind",
]

"""From typed channel config to notifiers: secrets are unwrapped here and nowhere else."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from alerts.delivery_errors import ChannelConfigError
from alerts.notifiers import Notifier, build_notifier
from newsmon.config import Config
from newsmon.errors import ConfigError


def _plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _options(channel: Any) -> dict[str, Any]:
    options = {key: _plain(value) for key, value in dict(channel).items() if key not in ("name", "type")}
    if "timeout" in options:
        options["timeout"] = options["timeout"].total_seconds()
    return {key: value for key, value in options.items() if value is not None}


def build_notifiers(config: Config) -> dict[str, Notifier]:
    notifiers: dict[str, Notifier] = {}
    for channel in config.channels:
        try:
            notifiers[channel.name] = build_notifier(channel.type, channel.name, _options(channel))
        except ChannelConfigError as exc:
            raise ConfigError(f"{config.path}: channels: {exc}") from None
    return notifiers

"""From typed channel config to notifiers: each built from its validated options model."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alerts.notifiers import build_notifier
from newsmon.config import Config

if TYPE_CHECKING:
    from alerts.notifiers.base import Notifier


def build_notifiers(config: Config) -> dict[str, Notifier]:
    return {
        channel.name: build_notifier(channel.type, channel.name, channel.options)
        for channel in config.channels
    }

"""Notifiers: one class per channel type, behind the Notifier interface (see base.py).

``NOTIFIERS`` is the explicit registry from a channel's ``type`` in
config.yaml to its class; ``build_notifier`` turns a channel's options into
a notifier, or a ChannelConfigError naming the channel.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alerts.delivery_errors import ChannelConfigError
from alerts.notifiers.apprise_urls import AppriseNotifier
from alerts.notifiers.base import Notifier
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.slack import SlackNotifier
from alerts.notifiers.webhook import WebhookNotifier

NOTIFIERS: dict[str, type[Notifier]] = {
    "email": EmailNotifier,
    "slack": SlackNotifier,
    "webhook": WebhookNotifier,
    "console": ConsoleNotifier,
    "apprise": AppriseNotifier,
}


def build_notifier(type_: str, name: str, options: Mapping[str, Any]) -> Notifier:
    """The notifier for a channel ``name`` of type ``type_`` with keyword ``options``."""
    cls = NOTIFIERS.get(type_)
    if cls is None:
        raise ChannelConfigError(name, f"unknown type {type_!r} (one of {', '.join(sorted(NOTIFIERS))})")
    try:
        return cls(name, **options)
    except TypeError as exc:
        # An unknown or missing option; the message names the option, never its value.
        raise ChannelConfigError(name, f"bad options for type {type_!r}: {exc}") from None


__all__ = ["NOTIFIERS", "Notifier", "build_notifier"]

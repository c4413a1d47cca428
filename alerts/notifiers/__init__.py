"""Notifiers: one class per channel type, behind the Notifier interface (see base.py).

``NOTIFIERS`` is the explicit registry from a channel's ``type`` in
config.yaml to its options model (options.py) and its class. The config
builds its ``channels:`` schema from it; ``build_notifier`` makes the
notifier of a validated channel. A new channel type is a module with its
class, its options model and one line here. Importing this package loads
the options only; a notifier's module (and its transport: httpx,
aiosmtplib) is imported when a channel of its type is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from alerts.delivery_errors import ChannelConfigError
from alerts.notifiers.options import (
    AppriseOptions,
    ConsoleOptions,
    EmailOptions,
    SlackOptions,
    WebhookOptions,
)
from db.options import Options, Plugin

if TYPE_CHECKING:
    from alerts.notifiers.base import Notifier

#: A notifier class: built from the channel's name and its options model.
NotifierClass: TypeAlias = Callable[[str, Any], "Notifier"]

NOTIFIERS: dict[str, Plugin[NotifierClass]] = {
    "email": Plugin(EmailOptions, "alerts.notifiers.email_smtp:EmailNotifier"),
    "slack": Plugin(SlackOptions, "alerts.notifiers.slack:SlackNotifier"),
    "webhook": Plugin(WebhookOptions, "alerts.notifiers.webhook:WebhookNotifier"),
    "console": Plugin(ConsoleOptions, "alerts.notifiers.console:ConsoleNotifier"),
    "apprise": Plugin(AppriseOptions, "alerts.notifiers.apprise_urls:AppriseNotifier"),
}


def build_notifier(type_: str, name: str, options: Options) -> Notifier:
    """The notifier for a channel ``name`` of type ``type_``, from its validated options."""
    plugin = NOTIFIERS.get(type_)
    if plugin is None:
        raise ChannelConfigError(name, f"unknown type {type_!r} (one of {', '.join(sorted(NOTIFIERS))})")
    if not isinstance(options, plugin.options):
        raise TypeError(f"channel {name!r}: {type_} channels take {plugin.options.__name__}")
    return plugin.load()(name, options)


__all__ = ["NOTIFIERS", "NotifierClass", "build_notifier"]

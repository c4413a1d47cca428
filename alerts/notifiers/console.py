"""Alerts printed on standard output: what ``make run`` shows out of the box."""

from __future__ import annotations

import sys
from typing import TextIO

from alerts.delivery_errors import TransientDeliveryError
from alerts.message import AlertMessage
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import ConsoleOptions


class ConsoleNotifier(Notifier):
    type = "console"

    def __init__(self, name: str, options: ConsoleOptions, *, stream: TextIO | None = None) -> None:
        super().__init__(name)
        # Resolved at send time by default, so a redirected sys.stdout is honoured.
        self._stream = stream

    async def send(self, message: AlertMessage) -> None:
        self._write(console_text(message))

    async def send_text(self, title: str, text: str) -> None:
        self._write(f"[newsmon] {title}\n        {text}\n")

    def _write(self, text: str) -> None:
        stream = self._stream or sys.stdout
        try:
            stream.write(text)
            stream.flush()
        except (OSError, ValueError) as exc:  # closed or broken stdout
            raise TransientDeliveryError(f"cannot write to the console: {exc}") from None


def console_text(message: AlertMessage) -> str:
    terms = ", ".join(message.terms)
    lines = [
        f"[alert] {message.rule}: {message.title}",
        f"        {message.url}",
        f"        {message.source} · {message.date_label} · matched {terms}",
    ]
    return "\n".join(lines) + "\n"

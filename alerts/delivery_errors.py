"""Errors of alert delivery.

    DeliveryError
    ├── TransientDeliveryError   the channel may accept later: retry with backoff
    │                            (connection error, timeout, SMTP 4xx, HTTP 5xx/429)
    └── PermanentDeliveryError   retrying cannot help: record the delivery as failed
                                 (SMTP 5xx, HTTP 4xx other than 429)
    ChannelConfigError           a channel's options are invalid (names the channel)

Messages never carry a secret (webhook URL, password, header value): they
are stored in the database and shown by ``newsmon alerts``.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A notifier could not deliver a message."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TransientDeliveryError(DeliveryError):
    """Worth retrying; ``retry_after`` (seconds) is the least wait the server asked for."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentDeliveryError(DeliveryError):
    """Retrying the same message to the same channel cannot succeed."""


class ChannelConfigError(ValueError):
    """A channel is configured wrongly; the message says which channel and what to fix."""

    def __init__(self, channel: str, message: str) -> None:
        self.channel = channel
        self.message = message
        super().__init__(f"channel {channel!r}: {message}")

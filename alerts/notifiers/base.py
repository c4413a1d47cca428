"""The one interface every channel implements, and the secret hygiene they share.

A notifier is built from its channel's name and its options model
(options.py), validated by then; it formats an AlertMessage its own way in
``send`` and reports the outcome: returning means the server accepted the message;
TransientDeliveryError means try again later; PermanentDeliveryError means
give up.

Secrets (webhook URLs, passwords, header values) arrive as plain strings.
They never appear in a repr, an error or a log line: notifiers pass every
text they did not write themselves through ``redact``, and the secrets are
also scrubbed from the log records of the HTTP/SMTP/Apprise libraries (httpx
logs each request's full URL at INFO level).
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from typing import ClassVar
from urllib.parse import urlsplit

from alerts.delivery_errors import ChannelConfigError
from alerts.message import AlertMessage

REDACTED = "[redacted]"
# httpx logs "HTTP Request: POST <full url>"; Apprise logs its service URLs. (httpcore logs hosts only.)
_LIBRARY_LOGGERS = ("httpx", "apprise")


class Notifier(ABC):
    """A configured channel: ``name`` is the channel's name in config.yaml."""

    type: ClassVar[str]

    def __init__(self, name: str) -> None:
        if not name:
            raise ChannelConfigError("?", "a channel needs a name")
        self.name = name
        self._secrets: list[str] = []

    @property
    def rate_key(self) -> str | None:
        """Sends sharing a key are spaced out by the deliverer (one Slack message per second per URL)."""
        return None

    @abstractmethod
    async def send(self, message: AlertMessage) -> None:
        """Deliver one alert; return only once the server accepted it."""

    @abstractmethod
    async def send_text(self, title: str, text: str) -> None:
        """Deliver a plain notice (a source turned failing, say); same outcomes as ``send``."""

    async def aclose(self) -> None:
        """Release connections; the notifier is not used afterwards."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    def config_error(self, message: str) -> ChannelConfigError:
        return ChannelConfigError(self.name, message)

    def keep_secret(self, secret: str | None) -> None:
        """Never show ``secret`` (nor, for a URL, its path and query) in errors or logs."""
        for variant in _secret_variants(secret):
            if variant not in self._secrets:
                self._secrets.append(variant)
            _SECRETS.add(variant)
        self._secrets.sort(key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text


def _secret_variants(secret: str | None) -> list[str]:
    if not secret:
        return []
    variants = [secret]
    if "://" in secret:
        parts = urlsplit(secret)
        path_query = parts.path + (f"?{parts.query}" if parts.query else "")
        # A bare "/" or a short path is no secret and would blank unrelated text.
        variants += [v for v in (path_query, parts.path, parts.query, parts.password or "") if len(v) > 3]
    return variants


class _SecretRegistry:
    """Every secret any notifier holds, scrubbed from the records of third-party loggers."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._installed = False

    def add(self, secret: str) -> None:
        with self._lock:
            self._secrets.add(secret)
            if not self._installed:
                for name in _LIBRARY_LOGGERS:
                    logging.getLogger(name).addFilter(_RedactingFilter(self))
                self._installed = True

    def scrub(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text


class _RedactingFilter(logging.Filter):
    def __init__(self, registry: _SecretRegistry) -> None:
        super().__init__()
        self._registry = registry

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self._registry.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_SECRETS = _SecretRegistry()

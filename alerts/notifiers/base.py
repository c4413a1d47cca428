"""The one interface every channel implements, and the secret hygiene they share.

A notifier is built from its channel's name and its options model
(options.py), validated by then; it formats an AlertMessage its own way in
``send`` (a DigestMessage in ``send_digest``) and reports the outcome:
returning means the server accepted the message; TransientDeliveryError
means try again later; PermanentDeliveryError means give up.

Secrets (webhook URLs, passwords, header values) arrive as plain strings.
They never appear in a repr, an error or a log line: notifiers pass every
text they did not write themselves through ``redact``, and the secrets are
also scrubbed from the log records of the HTTP/SMTP/Apprise libraries (httpx
logs each request's full URL at INFO level). Servers echo what they were sent
in the form they were sent it, so each secret is also redacted URL-quoted and
in base64 — alone (AUTH LOGIN), and inside a longer blob such as AUTH PLAIN's
``\0user\0password`` at any of base64's three alignments.
"""

from __future__ import annotations

import base64
import logging
import threading
from abc import ABC, abstractmethod
from typing import ClassVar
from urllib.parse import quote, quote_plus, urlsplit

from alerts.delivery_errors import ChannelConfigError
from alerts.digest import DigestMessage, digest_text
from alerts.message import AlertMessage

REDACTED = "[redacted]"
DIGEST_TEXT_ITEMS = 100  # a plain-text digest's items; the rest are counted
# httpx logs "HTTP Request: POST <full url>"; Apprise logs its service URLs. (httpcore logs hosts only.)
_LIBRARY_LOGGERS = ("httpx", "apprise", "aiosmtplib")


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

    async def send_digest(self, digest: DigestMessage) -> None:
        """Deliver one message listing a digest's items; same outcomes as ``send``.

        This plain-text form suits channels without markup; email, Slack and
        webhooks format their own.
        """
        await self.send_text(f"Digest of {digest.headline}", digest_text(digest, DIGEST_TEXT_ITEMS))

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
    """Every form in which ``secret`` (or, for a URL, its secret parts) may come back from a server."""
    if not secret:
        return []
    parts = [secret]
    if "://" in secret:
        url = urlsplit(secret)
        path_query = url.path + (f"?{url.query}" if url.query else "")
        # A bare "/" or a short path is no secret and would blank unrelated text.
        parts += [v for v in (path_query, url.path, url.query, url.password or "") if len(v) > 3]
    variants = [secret]
    for part in parts:
        variants += [part, quote(part), quote(part, safe=""), quote_plus(part)]
        variants += [v for v in _base64_forms(part.encode()) if len(v) > 3]
    return list(dict.fromkeys(variants))


def _base64_forms(secret: bytes) -> list[str]:
    """``secret`` in base64 on its own, and the characters it alone decides inside any longer blob.

    Inside a blob the secret starts 0, 1 or 2 bytes into a 3-byte group; for
    each alignment only the characters made of the secret's bits alone are
    fixed, whatever surrounds it: those are redacted.
    """
    forms = []
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        forms.append(encode(secret).decode())
        for offset in range(3):
            encoded = encode(bytes(offset) + secret).decode()
            first = -(-offset * 8 // 6)  # the first character holding no bit of the padding
            last = (offset + len(secret)) * 8 // 6  # past the last character holding only secret bits
            forms.append(encoded[first:last])
    return forms


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

"""What each channel type takes in config.yaml: one frozen options model per notifier.

The config validates a channel against its model (with file, line and key
on every error) and the notifier's constructor receives it: nothing is
checked twice, and no default is declared twice. This module imports no
transport (httpx, aiosmtplib, Apprise) so that reading the config stays cheap.

Secrets (a password, a webhook URL, header values, Apprise URLs) are
``SecretStr``: masked in ``repr`` and never quoted in an error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import timedelta
from email.utils import parseaddr
from typing import Annotated, Literal, TypeAlias

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from db.options import (
    NonEmptySecret,
    Options,
    PositiveDuration,
    Secret,
    SecretUrl,
    one_or_many,
    problem,
)

MAX_TIMEOUT = timedelta(seconds=30)


def _bounded(value: timedelta) -> timedelta:
    # A delivery holds its channel's worker, and a stopping daemon waits for it.
    if value > MAX_TIMEOUT:
        raise problem("must be at most 30s")
    return value


#: How long one send may take in all.
Timeout = Annotated[PositiveDuration, AfterValidator(_bounded)]


def _check_email(value: str) -> str:
    address = value.strip()
    local, _, domain = parseaddr(address)[1].rpartition("@")
    # A bare address: it is also the SMTP envelope, and it goes into headers.
    if not local or not domain or address != f"{local}@{domain}" or not address.isprintable():
        raise problem(f"bad email address {value!r} (use name@example.org)")
    return address


EmailAddress = Annotated[str, AfterValidator(_check_email)]
EmailList = Annotated[tuple[EmailAddress, ...], BeforeValidator(one_or_many)]


def _check_host(value: str) -> str:
    if not value or any(c.isspace() or not c.isprintable() for c in value):
        raise problem("must be a host name or address")
    return value


HostName = Annotated[str, AfterValidator(_check_host)]

TlsMode: TypeAlias = Literal["starttls", "tls", "none"]


class EmailOptions(Options):
    """SMTP: ``tls`` is ``tls`` (implicit TLS), ``starttls`` (required) or ``none`` (plain text).

    Without ``tls``, the safe choice for the server: port 465 → ``tls``, a
    loopback host (nothing crosses the network) → ``none``, anything else →
    ``starttls``. Plain text to another host happens only when said, so a
    password never travels unencrypted because a server forgot STARTTLS.
    """

    host: HostName
    port: int = Field(default=587, ge=1, le=65535)
    sender: EmailAddress
    to: EmailList = Field(min_length=1)
    username: str | None = None
    password: Secret | None = None
    tls: TlsMode = "starttls"
    timeout: Timeout = timedelta(seconds=20)

    @model_validator(mode="after")
    def _tls_and_login(self) -> EmailOptions:
        if "tls" not in self.model_fields_set:
            # Frozen models allow no assignment; this is still construction time.
            object.__setattr__(self, "tls", default_tls(self.host, self.port))
        if self.password is not None and not self.username:
            raise problem("a password needs a `username`", key="username")
        if self.username and self.password is None:
            raise problem("a `username` needs a `password`", key="password")
        return self


def default_tls(host: str, port: int) -> TlsMode:
    if port == 465:
        return "tls"
    return "none" if _loopback(host) else "starttls"


def _loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SlackOptions(Options):
    """A Slack incoming webhook: its URL is the credential."""

    webhook_url: SecretUrl
    timeout: Timeout = timedelta(seconds=10)


def _check_headers(headers: Mapping[str, Secret]) -> Mapping[str, Secret]:
    for key, value in headers.items():
        text = key + value.get_secret_value()
        if not key or ":" in key or any(c in text for c in "\r\n\0"):
            # The name is shown, never the value: it is often a token.
            raise problem(f"header {key!r} is not a valid HTTP header")
    return headers


class WebhookOptions(Options):
    """A JSON POST to ``url``; the URL and header values often carry tokens, so both are secrets."""

    url: SecretUrl
    headers: Annotated[Mapping[str, Secret], AfterValidator(_check_headers)] = Field(default_factory=dict)
    timeout: Timeout = timedelta(seconds=10)


class ConsoleOptions(Options):
    """Alerts printed to standard output: what ``make run`` shows before mail is set up."""


class AppriseOptions(Options):
    """Any service Apprise knows (``tgram://…``, ``discord://…``), each URL checked by Apprise itself.

    Apprise cannot say why a send failed, so a failure is retried at most
    ``max_attempts`` times in all.
    """

    urls: Annotated[tuple[NonEmptySecret, ...], BeforeValidator(one_or_many)] = Field(min_length=1)
    timeout: Timeout = timedelta(seconds=20)
    max_attempts: int = Field(default=5, ge=1)

    @model_validator(mode="after")
    def _known_to_apprise(self) -> AppriseOptions:
        # Imported here: Apprise loads its plugins (~0.2 s), paid only by configs that use it.
        from alerts.notifiers.apprise_urls import apprise_rejects

        for number, url in enumerate(self.urls, 1):
            if apprise_rejects(url.get_secret_value()):
                scheme = url.get_secret_value().partition("://")[0] or "?"
                # The URL itself may hold a token: name it by position and scheme only.
                raise problem(f"URL #{number} ({scheme}://…) is not a valid Apprise URL", key="urls")
        return self

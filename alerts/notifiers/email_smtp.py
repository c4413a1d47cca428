"""Email over SMTP (aiosmtplib): one multipart/alternative message per alert.

Subject ``[newsmon] <rule>: <title>``; text/plain and text/html bodies with
the canonical link, source, date, rule and the snippet with the matched
terms marked. Headers are built with ``policy=SMTP``, which refuses CR/LF in
header values; titles are reduced to one line before that (controls, U+2028
and U+2029, bidi overrides become spaces), so a title cannot add headers.

Server answers map to outcomes as RFC 5321 intends: 4xx (421 on connect,
451…) transient, 5xx permanent; connection failures and timeouts transient.
A message accepted for some recipients counts as sent: retrying would
duplicate it for the others.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

import aiosmtplib

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.message import AlertMessage, one_line
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import EmailOptions
from db.models import utcnow

log = logging.getLogger(__name__)

SUBJECT_LIMIT = 200


class EmailNotifier(Notifier):
    """SMTP delivery; ``tls`` and every other option as EmailOptions says."""

    type = "email"

    def __init__(self, name: str, options: EmailOptions) -> None:
        super().__init__(name)
        password = options.password.get_secret_value() if options.password else None
        self.keep_secret(password)
        self.host, self.port, self.sender, self.to = options.host, options.port, options.sender, options.to
        self.username, self._password, self.tls = options.username, password, options.tls
        self.timeout = options.timeout.total_seconds()

    async def send(self, message: AlertMessage) -> None:
        await self._deliver(build_email(message, sender=self.sender, to=self.to))

    async def send_text(self, title: str, text: str) -> None:
        email = _envelope(f"[newsmon] {title}", sender=self.sender, to=self.to)
        email.set_content(text if text.endswith("\n") else text + "\n")
        await self._deliver(email)

    async def _deliver(self, email: EmailMessage) -> None:
        try:
            # aiosmtplib bounds each command; this bounds the whole conversation.
            async with asyncio.timeout(self.timeout):
                refused, _ = await self._send(email)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            reason = "; ".join(f"{r.recipient}: {r.code} {self.redact(r.message)}" for r in exc.recipients)
            if any(400 <= code < 500 for code in codes):
                raise TransientDeliveryError(f"SMTP recipients refused: {reason}") from None
            raise PermanentDeliveryError(f"SMTP recipients refused: {reason}") from None
        except aiosmtplib.SMTPResponseException as exc:
            reason = f"SMTP {exc.code} {self.redact(' '.join(exc.message.split()))}"
            if 400 <= exc.code < 500:
                raise TransientDeliveryError(reason) from None
            raise PermanentDeliveryError(reason) from None
        except (TimeoutError, aiosmtplib.SMTPTimeoutError):
            raise TransientDeliveryError(f"SMTP server {self.host}:{self.port} timed out") from None
        except (OSError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError) as exc:
            detail = self.redact(str(exc)) or type(exc).__name__
            raise TransientDeliveryError(
                f"SMTP connection to {self.host}:{self.port} failed: {detail}"
            ) from None
        except aiosmtplib.SMTPException as exc:
            # SMTPNotSupported and friends: the server cannot do what the config asks (STARTTLS, AUTH).
            raise PermanentDeliveryError(f"SMTP: {self.redact(str(exc))}") from None
        if refused:
            log.warning("channel %s: some recipients refused the alert: %s", self.name, ", ".join(refused))

    async def _send(self, email: EmailMessage) -> tuple[dict[str, aiosmtplib.SMTPResponse], str]:
        return await aiosmtplib.send(
            email,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self._password,
            use_tls=self.tls == "tls",
            start_tls={"auto": None, "starttls": True, "tls": False, "none": False}[self.tls],
            timeout=self.timeout,
        )


def build_email(message: AlertMessage, *, sender: str, to: Sequence[str]) -> EmailMessage:
    email = _envelope(f"[newsmon] {message.rule}: {message.title}", sender=sender, to=to)
    email["X-Newsmon-Rule"] = one_line(message.rule)
    email.set_content(text_body(message))
    email.add_alternative(html_body(message), subtype="html")
    return email


def _envelope(subject: str, *, sender: str, to: Sequence[str]) -> EmailMessage:
    """A message with its headers set; the subject reduced to one line, so it cannot add headers."""
    email = EmailMessage(policy=SMTP)
    subject = one_line(subject)
    email["Subject"] = subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"
    email["From"] = sender
    email["To"] = ", ".join(to)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = make_msgid("newsmon", domain=sender.rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    return email


def text_body(message: AlertMessage) -> str:
    lines = [
        message.title,
        message.url,
        "",
        f"Source: {message.source} · {message.date_label}",
        f"Rule: {message.rule} — matched {', '.join(message.terms) or '(no terms)'}",
    ]
    if message.snippet:
        lines += ["", message.snippet_as(lambda hit: f"*{hit}*")]
    lines += ["", "-- ", "newsmon"]
    return "\n".join(lines) + "\n"


def html_body(message: AlertMessage) -> str:
    e = html.escape
    terms = ", ".join(f"<strong>{e(t)}</strong>" for t in message.terms) or "(no terms)"
    snippet = message.snippet_as(lambda hit: f"<strong>{hit}</strong>", e)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<h2 style="margin:0 0 .4em"><a href="{e(message.url)}">{e(message.title)}</a></h2>'
        f'<p style="color:#555;margin:0 0 1em">{e(message.source)} · {e(message.date_label)}</p>'
        f"<p>Rule <strong>{e(message.rule)}</strong> matched {terms}.</p>"
        + (f'<blockquote style="margin:0;color:#333">{snippet}</blockquote>' if snippet else "")
        + f'<p><a href="{e(message.url)}">{e(message.url)}</a></p>'
        "</body></html>\n"
    )

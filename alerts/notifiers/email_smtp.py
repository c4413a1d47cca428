"""Email over SMTP (aiosmtplib): one multipart/alternative message per alert, or per digest.

Subject ``[newsmon] <rule>: <title>``; text/plain and text/html bodies with
the canonical link, source, date, rule, the events the article reports (type,
who and whom, amount, the sentence) and the snippet with the matched terms
marked. A digest is one such message too: the list as text, and an HTML
table (story, outlets, amount, date). Everything from the article is
HTML-escaped in the HTML part.

Header values that come from content (the title, the rule) are reduced to
one line (controls, U+2028/U+2029/U+0085, bidi overrides become spaces) and
then written as RFC 2047 encoded words by newsmon itself, never parsed by
the email package: it would decode an encoded word in the title and, on
Python before 3.11.10 and 3.12.5, write a decoded CR LF through
(CVE-2024-6923). The rendered bytes are parsed back before sending and must
carry exactly the headers newsmon set, with the values it set; those bytes
are what is sent, to the configured recipients only.

Server answers map to outcomes as RFC 5321 intends: 4xx (421 on connect,
451…) transient, 5xx permanent; connection failures and timeouts transient.
A message accepted for some recipients counts as sent: retrying would
duplicate it for the others. The send counts as done the moment the server
accepts the message data: QUIT follows in the background, so a slow or lost
goodbye never makes a sent alert look unsent (and sent again). Each delivery
has one Message-ID, the same on every attempt, so a rare re-send after a
crash is recognisable as the same message.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid

import aiosmtplib

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.digest import DigestMessage, digest_text, more_line
from alerts.message import AlertMessage, one_line
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import EmailOptions
from db.models import utcnow

log = logging.getLogger(__name__)

SUBJECT_LIMIT = 200
QUIT_TIMEOUT = 5.0
MAX_DIGEST_ITEMS = 500  # rows of a digest mail; the rest are counted (`newsmon alerts` lists them all)


class EmailNotifier(Notifier):
    """SMTP delivery; ``tls`` and every other option as EmailOptions says."""

    type = "email"

    def __init__(self, name: str, options: EmailOptions) -> None:
        super().__init__(name)
        password = options.password.get_secret_value() if options.password else None
        self.keep_secret(password)
        if password is not None:
            # AUTH PLAIN sends this whole blob in base64, and a server may quote it back.
            self.keep_secret(f"\0{options.username}\0{password}")
        self.host, self.port, self.sender, self.to = options.host, options.port, options.sender, options.to
        self.username, self._password, self.tls = options.username, password, options.tls
        self.timeout = options.timeout.total_seconds()
        self._quitting: set[asyncio.Task[None]] = set()

    async def send(self, message: AlertMessage) -> None:
        await self._deliver(build_email(message, sender=self.sender, to=self.to))

    async def send_digest(self, digest: DigestMessage) -> None:
        await self._deliver(build_digest_email(digest, sender=self.sender, to=self.to))

    async def aclose(self) -> None:
        await asyncio.gather(*self._quitting, return_exceptions=True)

    async def send_text(self, title: str, text: str) -> None:
        email = _envelope(f"[newsmon] {title}", sender=self.sender, to=self.to)
        email.set_content(text if text.endswith("\n") else text + "\n")
        await self._deliver(email)

    async def _deliver(self, email: EmailMessage) -> None:
        try:
            data = render(email)
        except UnsafeMessageError as exc:
            raise PermanentDeliveryError(str(exc)) from None
        client = self._client()
        try:
            refused = await self._transmit(client, data)
        except BaseException:
            client.close()
            raise
        self._quit_later(client)
        if refused:
            log.warning("channel %s: some recipients refused the alert: %s", self.name, ", ".join(refused))

    async def _transmit(self, client: aiosmtplib.SMTP, data: bytes) -> dict[str, aiosmtplib.SMTPResponse]:
        """Connect, log in, send ``data``; return the refused recipients once the server has the message."""
        try:
            # aiosmtplib bounds each command; this bounds the whole conversation.
            async with asyncio.timeout(self.timeout):
                await client.connect()
                # Sender and recipients are the configured ones, never read from the message's headers.
                refused, _ = await client.sendmail(self.sender, self.to, data)
                return refused
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

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self._password,
            use_tls=self.tls == "tls",
            start_tls={"starttls": True, "tls": False, "none": False}[self.tls],
            timeout=self.timeout,
        )

    def _quit_later(self, client: aiosmtplib.SMTP) -> None:
        """Say goodbye after the caller has recorded the send: the message is the server's already."""
        task = asyncio.create_task(_quit(client), name=f"newsmon-smtp-quit-{self.name}")
        self._quitting.add(task)
        task.add_done_callback(self._quitting.discard)


async def _quit(client: aiosmtplib.SMTP) -> None:
    try:
        async with asyncio.timeout(QUIT_TIMEOUT):
            await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        pass  # the server accepted the message before; a lost goodbye changes nothing
    finally:
        client.close()


class UnsafeMessageError(ValueError):
    """The rendered message does not carry exactly the headers newsmon set: it is not sent."""


def build_email(message: AlertMessage, *, sender: str, to: Sequence[str]) -> EmailMessage:
    message_id = f"<{message.delivery_key}@{_domain(sender)}>"
    email = _envelope(
        f"[newsmon] {message.rule}: {message.title}", sender=sender, to=to, message_id=message_id
    )
    set_literal_header(email, "X-Newsmon-Rule", message.rule)
    email.set_content(text_body(message))
    email.add_alternative(html_body(message), subtype="html")
    return email


def build_digest_email(digest: DigestMessage, *, sender: str, to: Sequence[str]) -> EmailMessage:
    """One mail for the whole digest: a text list and an HTML table, at most MAX_DIGEST_ITEMS rows."""
    message_id = f"<{digest.delivery_key}@{_domain(sender)}>"
    email = _envelope(f"[newsmon] Digest of {digest.headline}", sender=sender, to=to, message_id=message_id)
    set_literal_header(email, "X-Newsmon-Rule", digest.rule)
    email.set_content(digest_text(digest, MAX_DIGEST_ITEMS))
    email.add_alternative(digest_html(digest), subtype="html")
    return email


def digest_html(digest: DigestMessage) -> str:
    e = html.escape
    shown = digest.items[:MAX_DIGEST_ITEMS]
    cell = 'style="padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"'
    rows = "".join(
        f'<tr><td {cell}><a href="{e(item.url)}">{e(item.title)}</a></td>'
        f"<td {cell}>{e(', '.join(item.outlets))}</td><td {cell}>{e(item.amount or '')}</td>"
        f"<td {cell}>{e(item.date_label)}</td><td {cell}>{item.alerts}</td></tr>"
        for item in shown
    )
    head = "".join(
        f"<th {cell}>{name}</th>" for name in ("Story", "Outlets", "Amount", "Published", "Articles")
    )
    more = len(digest.items) - len(shown)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        f'<h2 style="margin:0 0 .6em">Digest of {e(digest.headline)}</h2>'
        f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        + (f"<p>{e(more_line(digest, more))}</p>" if more else "")
        + "</body></html>\n"
    )


def _envelope(subject: str, *, sender: str, to: Sequence[str], message_id: str | None = None) -> EmailMessage:
    """A message with its headers set; the subject is content, so it is set as a literal."""
    email = EmailMessage(policy=SMTP)
    subject = one_line(subject)
    set_literal_header(
        email, "Subject", subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…"
    )
    email["From"] = sender
    email["To"] = ", ".join(to)
    email["Date"] = format_datetime(utcnow())
    email["Message-ID"] = message_id or make_msgid("newsmon", domain=_domain(sender))
    email["Auto-Submitted"] = "auto-generated"
    return email


def set_literal_header(email: EmailMessage, name: str, text: str) -> None:
    """Add header ``name`` so that every reader decodes it to exactly ``one_line(text)``.

    The whole value is encoded as UTF-8 encoded words folded to short lines and
    stored raw, so the email package neither decodes nor refolds it; an encoded
    word inside ``text`` is encoded again and reads back as the literal text.
    """
    email.set_raw(name, Header(one_line(text), "utf-8", header_name=name).encode(linesep="\n"))


def render(email: EmailMessage) -> bytes:
    """The message's bytes as sent, parsed back to check they carry exactly the headers newsmon set."""
    data = email.as_bytes()
    parsed = BytesParser(policy=default).parsebytes(data)
    expected = [(name.lower(), _read(email, name)) for name in email]
    found = [(name.lower(), _read(parsed, name)) for name in parsed]
    if found != expected:
        unexpected = sorted({name for name, _ in found} - {name for name, _ in expected})
        detail = f"headers newsmon did not set: {', '.join(unexpected)}" if unexpected else "altered headers"
        raise UnsafeMessageError(f"the alert's text would change the mail's headers ({detail}); not sent")
    return data


def _read(email: EmailMessage, name: str) -> str:
    # Folding may differ between the object and its bytes; the words may not.
    return " ".join(str(email[name]).split())


def text_body(message: AlertMessage) -> str:
    lines = [
        message.title,
        message.url,
        "",
        f"Source: {message.source} · {message.date_label}",
        f"Rule: {message.rule} — matched {', '.join(message.terms) or '(no terms)'}",
    ]
    for event in message.events:
        lines += ["", f"{event.label}: {event.summary}".rstrip(": "), f"  “{event.sentence}”"]
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
        + _events_html(message)
        + (f'<blockquote style="margin:0;color:#333">{snippet}</blockquote>' if snippet else "")
        + f'<p><a href="{e(message.url)}">{e(message.url)}</a></p>'
        "</body></html>\n"
    )


def _events_html(message: AlertMessage) -> str:
    e = html.escape
    items = "".join(
        f"<li><strong>{e(event.label)}</strong>{': ' + e(event.summary) if event.summary else ''}"
        f'<br><q style="color:#333">{e(event.sentence)}</q></li>'
        for event in message.events
    )
    return f'<ul style="padding-left:1.2em">{items}</ul>' if items else ""


def _domain(address: str) -> str:
    return address.rpartition("@")[2]

"""The email notifier against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import email
import email.policy
import time
from email.message import EmailMessage

import pytest
from pydantic import ValidationError

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.message import AlertMessage, one_line
from alerts.notifiers.email_smtp import EmailNotifier, UnsafeMessageError, build_email, render
from alerts.notifiers.options import EmailOptions

from .outbox_helpers import SEED_TITLE, message
from .smtp_server import free_port, smtp_server
from .webhook_server import silent_server


def notifier(port: int, **options: object) -> EmailNotifier:
    settings: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "sender": "newsmon@example.org",
        "to": ["analyst@example.org"],
        "tls": "none",
        "timeout": "5s",
        **options,
    }
    return EmailNotifier("mail", EmailOptions.model_validate(settings))


def send(port: int, msg: AlertMessage | None = None, **options: object) -> None:
    asyncio.run(notifier(port, **options).send(msg or message()))


def test_a_multipart_alert_with_title_link_source_date_rule_and_why() -> None:
    with smtp_server() as (server, port):
        send(port)
    (mail,) = server.messages
    assert " ".join(str(mail["Subject"]).split()) == f"[newsmon] ai-deals: {SEED_TITLE}"
    assert mail["To"] == "analyst@example.org" and mail["From"] == "newsmon@example.org"
    assert mail["Message-ID"] and mail["Date"]
    assert server.envelopes == [("newsmon@example.org", ["analyst@example.org"])]
    assert mail.get_content_type() == "multipart/alternative"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    for body in (text, markup):
        assert "https://example.org/fr/microsoft-investit-openai.html" in body
        assert "arsfr" in body and "2026-01-23 19:05 UTC" in body and "ai-deals" in body
    assert "*investissement*" in text and "*OpenAI*" in text
    assert "<strong>investissement</strong>" in markup
    assert '<a href="https://example.org/fr/microsoft-investit-openai.html">' in markup


def test_html_is_escaped() -> None:
    with smtp_server() as (server, port):
        send(port, message(title="<script>alert(1)</script> & co"))
    html = server.messages[0].get_body(("html",))
    assert html is not None
    assert "<script>" not in html.get_content() and "&lt;script&gt;" in html.get_content()


@pytest.mark.parametrize("separator", ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b"])
def test_a_title_cannot_inject_headers(separator: str) -> None:
    title = f"Breaking{separator}Bcc: victim@example.org{separator}X-Evil: yes"
    with smtp_server() as (server, port):
        send(port, message(title=title, rule=f"r{separator}X-Rule-Evil: 1"))
    (mail,) = server.messages
    assert mail["Bcc"] is None and mail["X-Evil"] is None and mail["X-Rule-Evil"] is None
    assert server.envelopes[0][1] == ["analyst@example.org"]
    subject = str(mail["Subject"])
    assert "Bcc: victim@example.org X-Evil: yes" in " ".join(subject.split())
    assert separator not in subject


# Every way a title has been seen to smuggle a line break into a header. Encoded words are decoded by
# Python's email package when a header is set, and written through on 3.11 < 3.11.10 (CVE-2024-6923).
INJECTIONS = {
    "crlf": "Breaking\r\nBcc: x@example.com",
    "html-entities-decoded": "Breaking\x0d\x0aBcc: x@example.com",
    "u2028": "Breaking\u2028Bcc: x@example.com",
    "u2029": "Breaking\u2029Bcc: x@example.com",
    "u0085": "Breaking\x85Bcc: x@example.com",
    "ew-q": "=?utf-8?q?=0D=0ABcc:_x@example.com?=",
    "ew-q-body": "=?utf-8?q?=0D=0A=0D=0AYour_account_is_locked,_log_in_at_evil.example?=",
    "ew-b": "=?utf-8?b?" + base64.b64encode(b"\r\nBcc: x@example.com").decode() + "?=",
    "ew-B-latin1": "=?ISO-8859-1?B?" + base64.b64encode(b"\r\nBcc: x@example.com").decode() + "?=",
    "ew-in-text": "OpenAI raises =?utf-8?Q?=0D=0ABcc:_x@example.com?= billions",
}
HEADERS_SET = [
    "subject",
    "from",
    "to",
    "date",
    "message-id",
    "auto-submitted",
    "x-newsmon-rule",
    "mime-version",
    "content-type",
]


def parsed(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


@pytest.mark.parametrize("title", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_the_rendered_bytes_carry_exactly_the_headers_newsmon_set(title: str) -> None:
    built = build_email(message(title=title, rule=title), sender="n@example.org", to=["a@example.org"])
    mail = parsed(render(built))
    assert [name.lower() for name in mail] == HEADERS_SET
    # Read back as the literal text: an encoded word in a title is text, never decoded into a header.
    assert str(mail["Subject"]) == f"[newsmon] {one_line(title)}: {one_line(title)}"
    assert str(mail["X-Newsmon-Rule"]) == one_line(title)
    plain = mail.get_body(("plain",))
    assert (
        plain is not None and "https://example.org/fr/microsoft-investit-openai.html" in plain.get_content()
    )


@pytest.mark.parametrize("title", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_a_title_cannot_add_headers_or_recipients_over_smtp(title: str) -> None:
    with smtp_server() as (server, port):
        send(port, message(title=title))
    (raw,) = server.raw
    mail = parsed(raw)
    assert [name.lower() for name in mail] == HEADERS_SET
    assert str(mail["Subject"]) == f"[newsmon] ai-deals: {one_line(title)}"
    assert server.envelopes == [("newsmon@example.org", ["analyst@example.org"])]


def test_a_message_whose_bytes_carry_other_headers_is_refused() -> None:
    # Whatever the cause (a library bug like CVE-2024-6923), such bytes are never sent.
    built = build_email(message(), sender="n@example.org", to=["a@example.org"])
    built.set_raw("Comments", "fine\nBcc: x@example.com")
    with pytest.raises(UnsafeMessageError, match="headers newsmon did not set: bcc"):
        render(built)


def test_bidi_overrides_and_controls_are_dropped_from_the_subject() -> None:
    with smtp_server() as (server, port):
        send(port, message(title="Invoice\u202egnp.exe\x00\x07 done 👨‍👩‍👧"))
    assert (
        " ".join(str(server.messages[0]["Subject"]).split())
        == "[newsmon] ai-deals: Invoice gnp.exe done 👨‍👩‍👧"
    )


def test_421_on_connect_is_transient() -> None:
    with smtp_server(refuse_connections=True) as (_, port), pytest.raises(TransientDeliveryError) as err:
        send(port)
    assert "421" in err.value.reason


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_451_is_transient(stage: str) -> None:
    with smtp_server() as (server, port):
        setattr(server, f"{stage}_reply", "451 4.7.1 Greylisted, try again later")
        with pytest.raises(TransientDeliveryError) as err:
            send(port)
    assert "451" in err.value.reason and server.messages == []


@pytest.mark.parametrize("stage", ["rcpt", "data"])
def test_550_is_permanent(stage: str) -> None:
    with smtp_server() as (server, port):
        setattr(server, f"{stage}_reply", "550 5.1.1 No such user")
        with pytest.raises(PermanentDeliveryError) as err:
            send(port)
    assert "550" in err.value.reason


def test_connection_refused_is_transient() -> None:
    with pytest.raises(TransientDeliveryError) as err:
        send(free_port())
    assert "127.0.0.1" in err.value.reason


def test_a_server_that_never_greets_times_out_transiently() -> None:
    with silent_server() as port, pytest.raises(TransientDeliveryError):
        send(port, timeout="0.5s")


def test_the_password_never_shows() -> None:
    password = "hunter2-very-secret"
    with smtp_server() as (_, port), pytest.raises(PermanentDeliveryError) as err:
        # The test server offers no AUTH: a configuration problem, not worth retrying.
        send(port, username="newsmon", password=password)
    assert password not in err.value.reason
    assert password not in repr(notifier(1, username="u", password=password))


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"tls": "ssl"}, "Input should be 'starttls', 'tls' or 'none'"),
        ({"to": []}, "at least 1 item"),
        ({"to": ["not-an-address"]}, "bad email address 'not-an-address'"),
        ({"sender": "a@b.org\r\nBcc: x@y.org"}, "bad email address"),
        ({"sender": "Newsmon <a@b.org>"}, "bad email address"),
        ({"timeout": "60s"}, "at most 30s"),
        ({"port": 0}, "greater than or equal to 1"),
        ({"username": "u"}, "a `username` needs a `password`"),
        ({"password": "hunter2"}, "a password needs a `username`"),
        ({"host": "smtp example.org"}, "must be a host name or address"),
    ],
)
def test_bad_options_are_refused_by_the_options_model(options: dict[str, object], complaint: str) -> None:
    # The same model validates config.yaml, where each of these errors gets its file, line and key.
    with pytest.raises(ValidationError) as err:
        notifier(**{"port": 25, **options})
    assert complaint in str(err.value) and "hunter2" not in str(err.value)


def test_a_plain_notice() -> None:
    with smtp_server() as (server, port):
        asyncio.run(
            notifier(port).send_text("source arsfr is failing\r\nBcc: x@y.org", "after 3 failures: HTTP 503")
        )
    (mail,) = server.messages
    assert mail["Bcc"] is None
    assert " ".join(str(mail["Subject"]).split()) == "[newsmon] source arsfr is failing Bcc: x@y.org"
    assert mail.get_content().strip() == "after 3 failures: HTTP 503"


def test_a_message_accepted_for_some_recipients_counts_as_sent(caplog: pytest.LogCaptureFixture) -> None:
    with smtp_server() as (server, port):
        server.refuse["gone@example.org"] = "550 5.1.1 No such user"
        send(port, to=["analyst@example.org", "gone@example.org"])
    assert server.envelopes == [("newsmon@example.org", ["analyst@example.org"])]
    assert "some recipients refused the alert: gone@example.org" in caplog.text


def test_the_send_is_done_once_the_server_has_the_message_however_slow_the_quit() -> None:
    with smtp_server() as (server, port):
        server.quit_delay = 5

        async def scenario() -> float:
            mail = notifier(port, timeout="1s")
            started = time.monotonic()
            await mail.send(message())
            elapsed = time.monotonic() - started
            await mail.aclose()  # the goodbye, in the background meanwhile
            return elapsed

        elapsed = asyncio.run(scenario())
    assert elapsed < 1 and len(server.messages) == 1


def test_every_attempt_of_a_delivery_has_the_same_message_id_and_no_other_delivery_has_it() -> None:
    with smtp_server() as (server, port):
        send(port, message(delivery_id=41))
        send(port, message(delivery_id=41))
        send(port, message(delivery_id=42))
    first, again, other = (str(m["Message-ID"]) for m in server.messages)
    assert first == again != other
    assert first.startswith("<newsmon-41-") and first.endswith("@example.org>")

"""Secrets stay out of errors, the database, ``newsmon alerts`` and logs, in every form a server may echo."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from alerts.delivery import Deliverer, DeliveryReport
from alerts.delivery_errors import PermanentDeliveryError
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions, WebhookOptions
from alerts.notifiers.webhook import WebhookNotifier
from db import outbox
from tests.databases import Databases

from .outbox_helpers import Match, message, new_database, store
from .smtp_server import EchoingAuth, smtp_server
from .webhook_server import Reply, webhook_server

PASSWORD = "hunter2-very-secret"
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{4,}")


def reveals(text: str, secret: str) -> bool:
    """Whether ``secret`` can be read from ``text``: plainly, URL-quoted, or from any base64 run in it."""
    if any(form in text for form in (secret, quote(secret, safe=""), quote_plus(secret))):
        return True
    for run in _BASE64_RUN.findall(text):
        for start in range(4):
            chunk = run[start:]
            chunk = chunk[: len(chunk) // 4 * 4]
            for decode in (base64.b64decode, base64.urlsafe_b64decode):
                try:
                    if secret.encode() in decode(chunk):
                        return True
                except ValueError:
                    continue
    return False


@pytest.mark.parametrize("offset", range(6))
def test_a_secret_inside_a_longer_base64_blob_is_redacted_at_every_alignment(offset: int) -> None:
    notifier = EmailNotifier(
        "mail", EmailOptions(host="h", sender="a@b.org", to=["c@d.org"], username="u", password=PASSWORD)
    )
    blob = base64.b64encode(b"x" * offset + PASSWORD.encode() + b"tail").decode()
    for encoded in (blob, blob.replace("+", "-").replace("/", "_")):
        assert reveals(encoded, PASSWORD)
        redacted = notifier.redact(f"535 rejected {encoded} (see logs)")
        assert not reveals(redacted, PASSWORD) and "[redacted]" in redacted


def test_url_quoted_and_base64_forms_of_a_webhook_url_are_redacted() -> None:
    url = "https://hooks.example.org/services/T000/B000/SECRET+x/TOKEN?key=a b"
    notifier = WebhookNotifier("hook", WebhookOptions(url=url))
    for form in (quote(url, safe=""), quote_plus(url), base64.b64encode(url.encode()).decode()):
        redacted = notifier.redact(f"no service at {form}")
        assert "[redacted]" in redacted and not reveals(redacted, "SECRET+x/TOKEN")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_auth_blob_never_leaks_the_password(
    databases: Databases, tmp_path: Path, mechanism: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    database = new_database(databases)
    store(database, [Match("ai-deals", ("mail",))], now=datetime.now(UTC))
    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    options = {"auth_require_tls": False, "auth_exclude_mechanism": [other]}
    with smtp_server(handler=EchoingAuth(), **options) as (_, port):
        notifier = EmailNotifier(
            "mail",
            EmailOptions(
                host="127.0.0.1",
                port=port,
                sender="n@example.org",
                to=["a@example.org"],
                username="newsmon",
                password=PASSWORD,
                tls="none",
            ),
        )
        with pytest.raises(PermanentDeliveryError) as direct:
            asyncio.run(notifier.send(message()))
        report = asyncio.run(Deliverer(database, {"mail": notifier}).deliver_due())
    assert "535" in str(direct.value) and "[redacted]" in str(direct.value)
    assert not reveals(str(direct.value), PASSWORD)
    assert report == DeliveryReport(failed=1)
    (row,) = outbox.list_deliveries(database)
    assert row.last_error is not None and "535" in row.last_error
    assert not reveals(row.last_error, PASSWORD)
    assert not reveals(caplog.text, PASSWORD)

    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: {database.url}\n"
        "sources:\n  - {name: arsfr, type: feed, url: 'http://127.0.0.1/feed.xml', every: 1h}\n"
    )
    shown = subprocess.run(
        [sys.executable, "-m", "newsmon.cli", "alerts", "--config", str(config), "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "535" in json.loads(shown.stdout)[0]["last_error"]
    assert not reveals(shown.stdout + shown.stderr, PASSWORD)


def test_a_receiver_echoing_the_url_quoted_or_in_base64_never_leaks_it() -> None:
    with webhook_server() as server:
        url = server.url()
        notifier = WebhookNotifier("hook", WebhookOptions(url=url))
        for echoed in (quote(url, safe=""), quote_plus(url), base64.b64encode(url.encode()).decode()):
            server.then(Reply(404, f"no such hook: {echoed}".encode()))
            with pytest.raises(PermanentDeliveryError) as err:
                asyncio.run(notifier.send(message()))
            assert "404" in str(err.value) and not reveals(str(err.value), "SECRETxTOKEN")

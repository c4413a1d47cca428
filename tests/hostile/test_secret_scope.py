"""Only secrets are hidden: a port, a host or a name read from the environment leaves log lines alone.

The config knows which values are secrets: fields typed Secret (passwords, tokens, webhook URLs,
header values) and the user info, path, query and fragment of any URL. Each log record is
formatted once, also when it carries no secret.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from db.redact import SECRETS
from newsmon import logs
from newsmon.config import load_config
from newsmon.config.environ import EnvValue
from newsmon.config.secrecy import is_secret
from tests.hostile.test_source_secrets import shown

CONFIG = """\
database: "sqlite:///{db}"
sources:
  - {{name: wire, type: feed, url: "https://${{FEED_HOST}}:${{FEED_PORT}}/feed.xml?token=${{FEED_TOKEN}}"}}
  - {{name: private, type: feed, url: "https://${{FEED_USER}}:${{FEED_PASSWORD}}@example.org/${{FEED_PATH}}"}}
channels:
  - name: mail
    type: email
    host: ${{SMTP_HOST}}
    port: ${{SMTP_PORT}}
    sender: ${{SENDER}}
    to: [analyst@example.org]
    username: ${{SMTP_USER}}
    password: ${{SMTP_PASSWORD}}
  - {{name: team, type: slack, webhook_url: "${{SLACK_URL}}"}}
  - name: hook
    type: webhook
    url: https://example.org/hook
    headers: {{Authorization: "Bearer ${{HOOK_TOKEN}}"}}
"""
SETTINGS = {
    "FEED_HOST": "feeds.example.org",
    "FEED_PORT": "8443",
    "SMTP_HOST": "smtp.example.org",
    "SMTP_PORT": "2525",
    "SENDER": "newsmon@example.org",
    "SMTP_USER": "newsmon-bot",
}
SECRET_VALUES = {
    "FEED_TOKEN": "feed-T0ken-1",
    "FEED_USER": "feed-login-2",  # a URL's user info is a credential, as its password is
    "FEED_PASSWORD": "feed-Pass-3",
    "FEED_PATH": "k3y-in-path-4",
    "SMTP_PASSWORD": "smtp-Pass-5",
    "SLACK_URL": "https://hooks.slack.com/services/T0/B0/slack-Secret-6",
    "HOOK_TOKEN": "hook-Secret-7",
}


@pytest.fixture(autouse=True)
def fresh_secrets(restore_logging: None) -> Iterator[None]:
    SECRETS.clear()
    yield
    SECRETS.clear()


def _log_lines(tmp_path: Path) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(db=tmp_path / "n.db"), encoding="utf-8")
    load_config(path, environ={**SETTINGS, **SECRET_VALUES})
    out = io.StringIO()
    logs.configure("debug", Console(file=out, width=400))
    log = logging.getLogger("newsmon.test")
    log.info("stored 2525 articles in 8443 ms from feeds.example.org, smtp.example.org")
    log.info("mail from newsmon@example.org as newsmon-bot")
    for value in SECRET_VALUES.values():
        log.warning("leak %s", value)
    return out.getvalue()


def test_settings_from_the_environment_stay_readable_in_logs(tmp_path: Path) -> None:
    text = _log_lines(tmp_path)
    assert "stored 2525 articles in 8443 ms from feeds.example.org, smtp.example.org" in text
    assert "mail from newsmon@example.org as newsmon-bot" in text


def test_secrets_from_the_environment_never_show_in_logs(tmp_path: Path) -> None:
    text = _log_lines(tmp_path)
    assert text.count("leak …") == len(SECRET_VALUES)
    assert not shown(text, *SECRET_VALUES.values()), text


def test_stored_urls_keep_their_host_and_hide_their_credentials(tmp_path: Path) -> None:
    _log_lines(tmp_path)
    url = "https://feeds.example.org:8443/feed.xml?token=feed-T0ken-1"
    assert SECRETS.hide(url) == "https://feeds.example.org:8443/feed.xml?token=…"
    assert SECRETS.hide("https://feed-login-2:feed-Pass-3@example.org/") == "https://…:…@example.org/"


def _found(text: str, value: str, path: tuple[str | int, ...] = ("sources", 0, "url")) -> EnvValue:
    return EnvValue(path, value, text, text.index(value))


DATA = {"sources": [{"name": "s", "type": "feed", "url": ""}], "database": "", "web": {}}


@pytest.mark.parametrize(
    ("text", "value", "secret"),
    [
        ("https://example.org/feed?token=abcdef", "abcdef", True),
        ("https://example.org/feed#abcdef", "abcdef", True),
        ("https://example.org/abcdef/feed", "abcdef", True),
        ("https://bob:abcdef@example.org/", "abcdef", True),
        ("https://abcdef@example.org/", "abcdef", True),
        ("https://bob:x@example.org/", "https://bob", True),  # reaches into the user info
        ("https://abcdef.org/feed", "abcdef.org", False),
        ("https://example.org:8443/feed", "8443", False),
        ("https://bob:x@abcdef.org/", "abcdef.org", False),
        ("https://example.org/feed", "https://example.org", False),
        ("https://example.org/feed", "https://example.org/feed", True),  # the whole URL, path included
    ],
)
def test_a_value_in_a_url_is_secret_where_credentials_live(text: str, value: str, secret: bool) -> None:
    assert is_secret(_found(text, value), DATA) is secret


def test_keys_the_config_knows_decide_the_rest() -> None:
    data = {**DATA, "channels": [{"name": "m", "type": "email", "port": "", "password": ""}]}
    assert not is_secret(_found("2525", "2525", ("channels", 0, "port")), data)
    assert is_secret(_found("2525", "2525", ("channels", 0, "password")), data)
    assert is_secret(_found("a-token-long", "a-token-long", ("web", "token")), data)
    assert is_secret(_found("postgresql://u:pw12@db/n", "pw12", ("database",)), data)
    assert not is_secret(_found("postgresql://u:pw12@dbhost/n", "dbhost", ("database",)), data)
    assert is_secret(_found("anything", "anything", ("nowhere", 3)), data)  # unknown to the schema


class _Counted:
    """An argument that counts how often the record's message is formatted."""

    def __init__(self) -> None:
        self.formatted = 0

    def __str__(self) -> str:
        self.formatted += 1
        return "value"


@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "secret"])
def test_a_record_is_formatted_once(secret: bool) -> None:
    SECRETS.add(["value"] if secret else ["unrelated-secret"])
    out = io.StringIO()
    logs.configure("debug", Console(file=out, width=400))
    # newsmon's handler alone: pytest's capture handlers on the root logger format records too.
    log = logging.getLogger("newsmon.test.once")
    log.propagate = False
    log.handlers = [h for h in logging.getLogger().handlers if isinstance(h, logs.ConsoleHandler)]
    argument = _Counted()
    try:
        log.info("a %s here", argument)
    finally:
        log.handlers, log.propagate = [], True
    assert argument.formatted == 1
    assert ("a … here" if secret else "a value here") in out.getvalue()

"""A value read from the environment never shows in a config error, in any encoding."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from newsmon.config import load_config
from newsmon.errors import ConfigError

SECRET = "p@ss w0rd/Secr3t+x"

FORMS = {
    "plain": SECRET,
    "repr": repr(SECRET),
    "percent": quote(SECRET),
    "percent-all": quote(SECRET, safe=""),
    "form": quote_plus(SECRET),
    "base64": base64.b64encode(SECRET.encode()).decode(),
    "part": "Secr3t",
}

CHANNEL = """channels:
  - name: mail
    type: email
    host: 127.0.0.1
    port: 25
    sender: a@example.org
    to: [b@example.org]
"""

CONFIGS = {
    "sender": CHANNEL.replace("a@example.org", '"${SECRET}"'),
    "recipient": CHANNEL.replace("[b@example.org]", "['${SECRET}']"),
    "source-url": "sources:\n  - {name: s, type: feed, url: 'htp://u:${SECRET}@example.org/f'}\n",
    "source-name": "sources:\n  - {name: 'x${SECRET}', type: feed, url: 'http://example.org/f'}\n",
    "webhook": "channels:\n  - {name: w, type: webhook, url: 'ftp://${SECRET}@example.org/'}\n",
    "database": "database: 'nosuchdb://u:${SECRET}@127.0.0.1/db'\n",
}


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_config_errors_never_show_an_environment_value(tmp_path: Path, case: str) -> None:
    text = CONFIGS[case]
    if not text.startswith("database:"):
        text = f"database: sqlite:///{tmp_path / 'n.db'}\n" + text
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"SECRET": SECRET})
    message = str(caught.value)
    assert "config.yaml:" in message  # the place is still named
    shown = {form for form, value in FORMS.items() if value in message}
    assert not shown, message


def test_a_short_environment_value_leaves_the_message_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(f"database: sqlite:///{tmp_path / 'n.db'}\nretention: {{articles: '${{DAYS}}'}}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={"DAYS": "10x"})
    assert "not shown" not in str(caught.value)

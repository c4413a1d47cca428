"""The `web:` section: defaults, an unset token, a token kept secret, unknown keys refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import ConfigError, load_config

TOKEN = "0123456789abcdef-secret"


def write(tmp_path: Path, web: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"database: sqlite:///{tmp_path / 'n.db'}\nsources: []\n{web}", encoding="utf-8")
    return path


def test_defaults_listen_on_loopback_without_a_token(tmp_path: Path) -> None:
    web = load_config(write(tmp_path, ""), environ={}).web
    assert (web.host, web.port, web.token) == ("127.0.0.1", 8080, None)


def test_an_unset_variable_with_an_empty_default_means_no_token(tmp_path: Path) -> None:
    config = write(tmp_path, "web:\n  token: ${NEWSMON_WEB_TOKEN:-}\n")
    assert load_config(config, environ={}).web.token is None


def test_the_token_is_read_from_the_environment_and_never_shown(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "web:\n  token: ${NEWSMON_WEB_TOKEN}\n"), environ={"NEWSMON_WEB_TOKEN": TOKEN}
    )
    assert config.web.token is not None and config.web.token.get_secret_value() == TOKEN
    assert TOKEN not in repr(config) and TOKEN not in str(config.web)


def test_a_short_token_names_the_key_and_hides_the_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, "web:\n  token: ${T}\n"), environ={"T": "tiny-secret"})
    assert "config.yaml:4:10: web.token: must be at least 16 characters" in str(error.value)
    assert "tiny-secret" not in str(error.value)


def test_unknown_keys_and_bad_ports_are_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"web\.bind"):
        load_config(write(tmp_path, "web:\n  bind: 0.0.0.0\n"), environ={})
    with pytest.raises(ConfigError, match=r"web\.port"):
        load_config(write(tmp_path, "web:\n  port: 70000\n"), environ={})

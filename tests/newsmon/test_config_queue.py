"""`queue:` takes a Redis URL for the crawl jobs of the split roles; its password is never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.config import load_config
from newsmon.errors import ConfigError

PASSWORD = "s3cret-Redis-pw"
HEAD = "database: sqlite:///news.db\nsources:\n  - {name: a, url: 'https://example.org/'}\n"


def write(tmp_path: Path, queue: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"{HEAD}queue: {queue}\n", encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ=environ or {})
    return str(caught.value)


def test_no_queue_is_the_database() -> None:
    assert load_config(Path("config.yaml"), environ={}).queue is None


@pytest.mark.parametrize(
    "url", ["redis://127.0.0.1:6379/0", "rediss://cache.example.org:6380", "redis://r/2"]
)
def test_redis_urls_are_accepted(tmp_path: Path, url: str) -> None:
    assert load_config(write(tmp_path, url), environ={}).queue == url


def test_the_password_comes_from_the_environment_and_is_never_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0")
    config = load_config(path, environ={"REDIS_PASSWORD": PASSWORD})
    assert config.queue == f"redis://:{PASSWORD}@127.0.0.1:6379/0"
    assert PASSWORD not in repr(config) and "redis://:***@127.0.0.1:6379/0" in repr(config)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"amqp://guest:{PASSWORD}@127.0.0.1/", "unsupported queue 'amqp' (use redis://host:6379/0"),
        (f"{PASSWORD}", "not a Redis URL"),
        (f"redis://:{PASSWORD}@/0", "the Redis URL names no host"),
        (f"redis://:{PASSWORD}@127.0.0.1:6379/jobs", "the Redis database is a number"),
    ],
)
def test_a_bad_queue_names_file_and_line_never_the_url(tmp_path: Path, url: str, expected: str) -> None:
    message = error_of(write(tmp_path, url))
    assert f"{tmp_path / 'config.yaml'}:4:" in message and "queue" in message, message
    assert expected in message, message
    assert PASSWORD not in message


def test_check_config_says_where_crawl_jobs_go_without_the_password(tmp_path: Path) -> None:
    path = write(tmp_path, f"redis://:{PASSWORD}@127.0.0.1:6379/0")
    result = CliRunner().invoke(cli, ["check-config", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "crawl jobs through Redis at redis://:***@127.0.0.1:6379/0" in result.output
    assert PASSWORD not in result.output


def test_newsmon_queue_overrides_the_file_and_its_error_names_the_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "redis://127.0.0.1:6379/0")
    url = f"redis://:{PASSWORD}@redis:6379/1"
    assert load_config(path, environ={"NEWSMON_QUEUE": url}).queue == url
    message = error_of(path, environ={"NEWSMON_QUEUE": f"http://:{PASSWORD}@redis/"})
    assert "$NEWSMON_QUEUE" in message and "unsupported queue 'http'" in message, message
    assert PASSWORD not in message

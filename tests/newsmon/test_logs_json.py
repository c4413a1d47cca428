"""Structured logs: `--log-format json`, $NEWSMON_LOG_FORMAT or `log_format: json` — one JSON object a
line, with the source and URL when a line is about one, and the same redaction as the text format."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from alerts.notifiers.options import SlackOptions
from alerts.notifiers.slack import SlackNotifier
from newsmon import logs
from tests.newsmon.stored import Project

HOOK = "https://hooks.slack.com/services/T000/B000/json-log-secret-token"


@pytest.fixture(autouse=True)
def restore_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(logs, "_format", logs._FormatChoice())
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name in logs.FOLDED_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


def json_lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def configured_json() -> io.StringIO:
    out = io.StringIO()
    logs.configure("info", Console(file=out, width=80))
    logs.use_format("json")
    return out


def test_one_object_a_line_with_source_url_and_traceback() -> None:
    out = configured_json()
    where = {"source": "arsfr", "url": "https://example.org/feed.xml"}
    logging.getLogger("crawler.runner").info(
        "source %s: %s\nforged\u2028line", "arsfr", "ok" * 80, extra=where
    )
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("newsmon.daemon").exception("crawl of arsfr failed")
    first, second = json_lines(out)
    assert first["level"] == "info" and first["logger"] == "crawler.runner"
    assert first["message"] == "source arsfr: " + "ok" * 80 + "\nforged\u2028line"  # escaped: one line
    assert (first["source"], first["url"]) == ("arsfr", "https://example.org/feed.xml")
    assert str(first["time"]).endswith("+00:00")
    assert "source" not in second and "ValueError: boom" in str(second["error"])


def test_secrets_are_redacted_as_in_the_text_format() -> None:
    SlackNotifier("slack", SlackOptions(webhook_url=HOOK))  # registers its secret, as at start-up
    out = configured_json()
    logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', HOOK)
    (line,) = json_lines(out)
    assert "json-log-secret-token" not in out.getvalue() and "[redacted]" in str(line["message"])


def formatter() -> logging.Formatter | None:
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logs.ConsoleHandler)]
    return handlers[-1].formatter


def project(folder: Path, extra: str = "") -> Project:
    folder.mkdir()
    return Project.create(folder, extra)


def test_the_option_the_environment_and_the_config_choose_the_format(tmp_path: Path) -> None:
    plain = project(tmp_path / "plain")
    assert plain.run("sources", "--log-format", "json").exit_code == 0
    assert isinstance(formatter(), logs.JsonFormatter)
    assert plain.run("sources", "--log-format", "text").exit_code == 0
    assert not isinstance(formatter(), logs.JsonFormatter)

    configured = project(tmp_path / "configured", "log_format: json\n")
    logs._format = logs._FormatChoice()  # a new process
    assert configured.run("sources").exit_code == 0
    assert isinstance(formatter(), logs.JsonFormatter)
    # The user's option or environment wins over the file.
    assert configured.run("sources", env={"NEWSMON_LOG_FORMAT": "text"}).exit_code == 0
    assert not isinstance(formatter(), logs.JsonFormatter)


def test_bad_formats_name_their_place(tmp_path: Path) -> None:
    bad_env = project(tmp_path / "env").run("sources", env={"NEWSMON_LOG_FORMAT": "xml"})
    assert bad_env.exit_code == 2 and "NEWSMON_LOG_FORMAT" in bad_env.stderr
    bad_file = project(tmp_path / "file", "log_format: xml\n").run("sources")
    assert bad_file.exit_code == 2 and "config.yaml" in bad_file.stderr and "log_format" in bad_file.stderr

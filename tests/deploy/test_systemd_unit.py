"""deploy/newsmon.service: its commands are real newsmon commands, and it is hardened as promised."""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from alerts.delivery import MAX_STOP_GRACE
from newsmon import logs
from newsmon.cli import cli
from newsmon.config.models import MAX_DOWNLOAD_TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "newsmon.service"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def parse_unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """systemd's syntax: sections, Key=Value lines, repeated keys allowed, # and ; comments."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, equals, value = line.partition("=")
        assert current is not None and equals, f"{path}:{number}: not Key=Value in a section: {raw!r}"
        current.append((key.strip(), value.strip()))
    return sections


SERVICE = parse_unit(UNIT)["Service"]


def values(key: str) -> list[str]:
    return [v for k, v in SERVICE if k == key]


def one(key: str) -> str:
    found = values(key)
    assert len(found) == 1, f"{key}: {found}"
    return found[0]


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    for name in logs.FOLDED_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)


COMMANDS = [(key, value) for key, value in SERVICE if key.startswith("Exec")]


@pytest.mark.parametrize(("key", "command"), COMMANDS, ids=[k for k, _ in COMMANDS])
def test_each_command_is_a_verb_with_options_the_cli_has(key: str, command: str) -> None:
    argv = shlex.split(command.lstrip("-@:+!"))
    assert argv[0].startswith("/") and argv[0].endswith("/bin/newsmon"), "systemd needs an absolute path"
    with click.Context(cli, info_name="newsmon") as parent:
        verb = cli.get_command(parent, argv[1])
        assert verb is not None, f"{key}: no verb {argv[1]!r}"
        # Parses exactly as `newsmon` would: an unknown option or a bad choice raises UsageError.
        context = verb.make_context(argv[1], argv[2:], parent=parent)
    assert context.params.get("config_path", "").startswith("/etc/newsmon/")


def test_run_is_the_service() -> None:
    assert shlex.split(one("ExecStart"))[1] == "run"
    assert "ExecReload" not in dict(SERVICE), "the daemon has no reload; a reload command would lie"


def test_dedicated_user_and_hardening() -> None:
    assert one("User") not in ("", "root", "0") and one("Group")
    assert one("ProtectSystem") == "strict"
    assert one("NoNewPrivileges") == one("PrivateTmp") == "yes"
    assert one("ReadWritePaths") == one("WorkingDirectory") == "/var/lib/newsmon"
    assert one("EnvironmentFile").startswith("/etc/newsmon/")
    assert one("Restart") == "on-failure"
    assert "2" in one("RestartPreventExitStatus").split()  # bad config, second daemon


def test_the_database_the_readme_configures_is_writable_under_the_unit() -> None:
    databases = re.findall(r"database: sqlite:///(/\S+)", README)
    assert databases, "the README's service section names the database path"
    for database in databases:
        assert Path(database).parent == Path(one("ReadWritePaths"))


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|min)?", value)
    assert match, value
    return float(match.group(1)) * (60 if match.group(2) == "min" else 1)


def test_the_stop_timeout_outlasts_a_graceful_stop() -> None:
    # SIGTERM lets in-flight downloads finish, then the deliveries in progress; SIGKILL must not cut them.
    graceful = MAX_DOWNLOAD_TIMEOUT.total_seconds() + MAX_STOP_GRACE
    assert graceful < seconds(one("TimeoutStopSec")) <= graceful + 30
    assert one("KillSignal") == "SIGTERM"

"""Every command has help text and appears in the README (sqlite-utils' test_docs habit)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from newsmon.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        found.append((path, command))
        if isinstance(command, click.Group):
            found.extend(_commands(command, f"{path} "))
    return found


COMMANDS = _commands(cli)


def test_the_contract_verbs_exist() -> None:
    names = {path for path, _ in COMMANDS}
    assert {
        "run",
        "crawl",
        "search",
        "show",
        "export",
        "alerts",
        "sources",
        "rules test",
        "check-config",
        "stories",
    } <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[p for p, _ in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(path: str, command: click.Command) -> None:
    assert command.help and command.help.strip(), f"`newsmon {path}` has no help text"
    result = CliRunner().invoke(cli, [*path.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert f"newsmon {path}" in README, f"`newsmon {path}` is not in README.md"


ACTIONS = [(p, c) for p, c in COMMANDS if not isinstance(c, click.Group) or c.invoke_without_command]


@pytest.mark.parametrize(("path", "command"), ACTIONS, ids=[p for p, _ in ACTIONS])
def test_every_command_takes_config_after_the_verb(path: str, command: click.Command) -> None:
    assert any("--config" in p.opts for p in command.params), f"`newsmon {path}` lacks --config"

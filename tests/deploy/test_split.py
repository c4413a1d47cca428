"""deploy/compose.yaml and the systemd units per role: every command is a real newsmon command with
options the CLI has, every role is there, secrets come from the environment."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
from ruamel.yaml import YAML

from alerts.delivery import MAX_STOP_GRACE
from newsmon.cli import cli
from newsmon.config.models import MAX_DOWNLOAD_TIMEOUT
from tests.deploy.test_systemd_unit import parse_unit, restore_logging, seconds

__all__ = ["restore_logging"]  # the fixture, autouse here too: parsing options configures logging

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ROLE_UNITS = sorted(DEPLOY.glob("newsmon-*.service"))
COMPOSE: dict[str, Any] = YAML(typ="safe").load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
SERVICES: dict[str, Any] = COMPOSE["services"]
NEWSMON_SERVICES = {name: s for name, s in SERVICES.items() if s.get("image", "").startswith("newsmon")}


def parse(argv: list[str]) -> click.Context:
    """Parses exactly as `newsmon` would: an unknown verb, option or choice raises."""
    with click.Context(cli, info_name="newsmon") as parent:
        verb = cli.get_command(parent, argv[0])
        assert verb is not None, f"no verb {argv[0]!r}"
        return verb.make_context(argv[0], argv[1:], parent=parent)


def role_of(argv: list[str]) -> str:
    return "web" if argv[0] == "serve" else str(parse(argv).params["role"])


def test_every_role_has_a_unit_and_a_compose_service() -> None:
    unit_roles = {role_of(shlex.split(cmd)[1:]) for cmd in (exec_start(u) for u in ROLE_UNITS)}
    service_roles = {role_of(list(s["command"])) for s in NEWSMON_SERVICES.values()}
    assert unit_roles == service_roles == {"scheduler", "crawler", "deliverer", "web"}


def exec_start(unit: Path) -> str:
    (command,) = [v for k, v in parse_unit(unit)["Service"] if k == "ExecStart"]
    return command


@pytest.mark.parametrize("unit", ROLE_UNITS, ids=[u.name for u in ROLE_UNITS])
def test_each_unit_runs_real_commands_safely(unit: Path) -> None:
    sections = parse_unit(unit)
    service = dict(sections["Service"])
    for key, command in sections["Service"]:
        if key.startswith("Exec"):
            argv = shlex.split(command.lstrip("-@:+!"))
            assert argv[0] == "/opt/newsmon/.venv/bin/newsmon", "systemd needs an absolute path"
            assert parse(argv[1:]).params["config_path"] == "/etc/newsmon/config.yaml"
    assert service["User"] not in ("", "root", "0") and service["EnvironmentFile"].startswith("/etc/newsmon/")
    assert service["ProtectSystem"] == "strict" and service["NoNewPrivileges"] == "yes"
    assert service["Restart"] == "on-failure" and "2" in service["RestartPreventExitStatus"].split()
    assert dict(sections["Install"])["WantedBy"] == "newsmon.target"
    assert dict(sections["Unit"])["PartOf"] == "newsmon.target"
    # SIGTERM lets downloads, then sends in progress, finish: SIGKILL must not cut them.
    graceful = MAX_DOWNLOAD_TIMEOUT.total_seconds() + MAX_STOP_GRACE
    if "serve" not in service["ExecStart"]:
        assert graceful < seconds(service["TimeoutStopSec"]) <= graceful + 30


def test_the_target_starts_the_singletons_and_excludes_the_single_process_unit() -> None:
    unit = dict(parse_unit(DEPLOY / "newsmon.target")["Unit"])
    assert set(unit["Wants"].split()) == {"newsmon-scheduler.service", "newsmon-web.service"}
    assert unit["Conflicts"] == "newsmon.service"


def test_compose_names_every_service_with_two_crawlers() -> None:
    assert set(SERVICES) == {"postgres", "redis", "scheduler", "crawler", "deliverer", "web"}
    assert SERVICES["crawler"]["deploy"]["replicas"] == 2
    assert SERVICES["postgres"]["image"].startswith("postgres:15")


@pytest.mark.parametrize("name", sorted(NEWSMON_SERVICES))
def test_compose_commands_parse_and_wait_for_healthy_servers(name: str) -> None:
    service = NEWSMON_SERVICES[name]
    parse(list(service["command"]))
    healthy = {"condition": "service_healthy"}
    assert service["depends_on"] == {"postgres": healthy, "redis": healthy}
    assert service["environment"]["NEWSMON_DATABASE"].startswith("postgresql+psycopg://")
    assert service["environment"]["NEWSMON_QUEUE"].startswith("redis://:${REDIS_PASSWORD:?")
    assert service["environment"]["NEWSMON_LOG_FORMAT"] == "json"


def test_servers_have_healthchecks() -> None:
    for name in ("postgres", "redis", "web"):
        assert SERVICES[name]["healthcheck"]["test"][0] == "CMD", name


def test_secrets_come_from_the_environment_only() -> None:
    text = (DEPLOY / "compose.yaml").read_text(encoding="utf-8")
    for name, service in SERVICES.items():
        for key, value in dict(service.get("environment", {})).items():
            if re.search(r"PASSWORD|TOKEN|WEBHOOK|DATABASE|QUEUE|AUTH", key):
                assert "${" in str(value), f"{name}.{key} must come from the environment"
    # Compose refuses to start without them.
    assert "${POSTGRES_PASSWORD:?" in text and "${REDIS_PASSWORD:?" in text
    assert "REDIS_PASSWORD" not in " ".join(SERVICES["redis"]["healthcheck"]["test"])  # REDISCLI_AUTH instead


def test_the_redis_queue_is_persistent_never_evicts_and_its_url_is_valid_config() -> None:
    from newsmon.config.models import check_queue

    server = " ".join(SERVICES["redis"]["command"])
    assert "--appendonly yes" in server and "--maxmemory-policy noeviction" in server
    assert "redis:/data" in SERVICES["redis"]["volumes"]
    url = NEWSMON_SERVICES["crawler"]["environment"]["NEWSMON_QUEUE"]
    assert check_queue(url.replace("${REDIS_PASSWORD:?set REDIS_PASSWORD}", "pw")) and "@redis:6379/" in url

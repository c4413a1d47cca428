"""`newsmon run --role`: the split roles share their work through PostgreSQL only."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli


@pytest.mark.parametrize("role", ["scheduler", "crawler", "deliverer"])
def test_split_roles_need_postgresql(tmp_path: Path, role: str) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"database: sqlite:///{tmp_path}/n.db\nsources: []\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", "--role", role, "--config", str(config)])
    assert result.exit_code == 2
    assert f"--role {role} needs a PostgreSQL database" in result.output
    assert str(config) in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("role", "said"), [("all", "the whole daemon (--role all) crawls in this process")])
def test_the_whole_daemon_says_it_has_no_use_for_the_redis_queue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, role: str, said: str
) -> None:
    import newsmon.roles
    from newsmon.wiring import App

    config = tmp_path / "config.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path}/n.db\nqueue: redis://127.0.0.1:1/0\nsources: []\n", encoding="utf-8"
    )
    ran: list[str] = []
    monkeypatch.setattr(newsmon.roles, "_runner", lambda name: lambda app: ran.append(name) or 0)
    app = App.open(config)
    with caplog.at_level("INFO", logger="newsmon.daemon"):
        assert newsmon.roles.run_role(app, role) == 0
    app.database.dispose()
    assert ran == [role] and said in caplog.text

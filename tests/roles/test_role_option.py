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

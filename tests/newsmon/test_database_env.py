"""$NEWSMON_DATABASE overrides the config's `database:`: one config file serves a staging server, the
CI's throwaway PostgreSQL or a compose deployment, with the password kept out of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import load_config
from newsmon.errors import ConfigError

CONFIG = "database: sqlite:///from-the-file.db\nsources: []\n"


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    assert load_config(path, {}).database == f"sqlite:///{tmp_path}/from-the-file.db"
    url = "postgresql+psycopg://newsmon:pw@db.example/newsmon"
    assert load_config(path, {"NEWSMON_DATABASE": url}).database == url
    assert load_config(path, {"NEWSMON_DATABASE": ""}).database.endswith("from-the-file.db")  # unset


def test_a_bad_value_names_the_variable_never_its_value(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG, encoding="utf-8")
    with pytest.raises(ConfigError) as bad:
        load_config(path, {"NEWSMON_DATABASE": "mysql://root:s3cret-pw@db/newsmon"})
    message = str(bad.value)
    assert "$NEWSMON_DATABASE" in message and "unsupported database" in message
    assert "s3cret-pw" not in message and "from-the-file" not in message

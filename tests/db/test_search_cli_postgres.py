"""``newsmon search`` end to end with ``database:`` pointing at PostgreSQL: the command a user runs,
in its own process, on a config naming the server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.db.conftest import needs_postgres
from tests.newsmon.stored import CONFIG, Project

pytestmark = needs_postgres
NEWSMON = [sys.executable, "-m", "newsmon.cli"]


def newsmon(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [*NEWSMON, *args, "--config", str(config)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_newsmon_search_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG.format(db="x", extra="").replace("sqlite:///x", postgres_url), encoding="utf-8")
    assert newsmon(config, "check-config").returncode == 0
    project = Project(tmp_path, config)
    project.store("L’Œuvre d’OpenAI", text="Une comète et un investissement.", language="fr")
    project.store("Microsoft invests", source="blog", text="OpenAI gets more money.", language="en")
    project.store("Weather", text="Rain.", language="en")

    result = newsmon(config, "search", "oeuvre OR investiss*", "--format", "json")
    assert result.returncode == 0, result.stderr
    [hit] = json.loads(result.stdout)
    assert (hit["title"], hit["source"], hit["language"]) == ("L’Œuvre d’OpenAI", "wire", "fr")
    assert "<mark>Œuvre</mark>" in hit["snippet"] and hit["score"] > 0

    result = newsmon(config, "search", "openai", "--source", "blog", "--since", "1d", "--format", "json")
    assert [h["title"] for h in json.loads(result.stdout)] == ["Microsoft invests"]

    result = newsmon(config, "search", "source:blog")
    assert result.returncode == 0 and "Microsoft invests" in result.stdout and "Weather" not in result.stdout

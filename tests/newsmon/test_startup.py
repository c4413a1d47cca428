"""The reading verbs start light: no crawler, no extractor, no language model, no event detector, no ORM.

Each verb runs in a fresh interpreter on a real project (config file, SQLite
file with articles, alerts and facts); the modules it loaded are read from
``sys.modules`` once it is done.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.newsmon.stored import Project

# What a reading verb has no use for: the crawl (Scrapy, Twisted and the crawler beyond the source
# options the config validates), article extraction, language identification, story embeddings,
# event detection and the amount grammar (a stored amount is shown without it), Alembic once the
# database is at the latest revision, and the ORM with the models (the reads are SQL on Core
# connections, db.queries): each of these imports costs more than a verb's work.
HEAVY = (
    "scrapy", "twisted", "trafilatura", "py3langid", "alerts.stories", "alerts.events.detect",
    "alerts.events.amount_grammar", "alembic", "sqlalchemy.orm", "db.models", "db.store", "db.outbox",
)  # fmt: skip
CRAWLER_FOR_CONFIG = {"crawler", "crawler.spiders", "crawler.spiders.options"}

PROBE = """
import json, sys
from newsmon.cli import cli
try:
    cli.main(sys.argv[2:], prog_name="newsmon")
except SystemExit as exc:
    code = exc.code
with open(sys.argv[1], "w") as out:
    json.dump({"exit": code, "modules": sorted(sys.modules)}, out)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = Project.create(tmp_path_factory.mktemp("startup"))
    project.store(
        "OpenAI invests $10 billion in Nordwerk", text="OpenAI invests $10 billion in the robot maker."
    )
    return project


def loaded_by(project: Project, tmp_path: Path, *args: str) -> list[str]:
    report = tmp_path / "modules.json"
    argv = [sys.executable, "-c", PROBE, str(report), *args, "--config", str(project.config)]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["exit"] in (0, None), completed.stderr
    assert completed.stdout.strip(), "the verb printed nothing: it did not do its work"
    modules: list[str] = result["modules"]
    return modules


@pytest.mark.parametrize(
    "args",
    [
        ("search", "openai", "--format", "json"),
        ("search", "org:openai AND invest*"),
        ("show", "1"),
        ("show", "1", "--format", "json"),
        ("alerts",),
        ("alerts", "--rule", "ai-money", "--since", "7d", "--format", "csv"),
        ("sources",),
        ("sources", "--format", "json"),
    ],
)
def test_a_reading_verb_loads_nothing_heavy(project: Project, tmp_path: Path, args: tuple[str, ...]) -> None:
    modules = loaded_by(project, tmp_path, *args)
    heavy = [m for m in modules if m in HEAVY or m.startswith(tuple(f"{h}." for h in HEAVY))]
    crawler = [m for m in modules if m.split(".")[0] == "crawler" and m not in CRAWLER_FOR_CONFIG]
    assert heavy + crawler == []


GC_PROBE = """
import gc, sys
from newsmon import cli
sys.argv = ["newsmon", *sys.argv[1:]]
try:
    cli.main()
except SystemExit:
    pass
print(gc.isenabled(), gc.get_freeze_count() > 0)
"""


@pytest.mark.parametrize("args", [("sources", "--format", "json"), ("prune", "--dry-run")])
def test_the_collector_is_back_once_the_app_is_open(project: Project, args: tuple[str, ...]) -> None:
    """Start-up runs without the cyclic collector; a verb's work (the daemon's, a long export) with it."""
    argv = [sys.executable, "-c", GC_PROBE, *args, "--config", str(project.config)]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert completed.stdout.splitlines()[-1] == "True True", completed.stderr

"""CLI start-up: each reading verb as a whole process against bare Python importing sqlite3 and SQLAlchemy.

The bundled ``config.yaml`` (its sources, topics, rules and channels; only
``database:`` changed) over a SQLite file holding a screenful of articles
(what is measured is starting, not printing a long table), stored through
the crawl's own assessment so that they carry facts and alerts. Each verb
(``search``, ``show``, ``alerts``, ``sources``) and the baseline
``python -c "import sqlite3, sqlalchemy"`` run in turn, ``--repeat``
rounds, so that all see the same load on the machine. Reported: the median
CPU time (user + system) and wall time of each, and their ratios to the
baseline's (target ≤ 2.5× for both); the exit status is 1 when one is above.

Every command runs with its bytecode cached, as an installed program does:
``$PYTHONDONTWRITEBYTECODE`` (set on some machines) would otherwise have
newsmon's own modules compiled from source on every run while SQLAlchemy's
come precompiled from its wheel. The cache is a temporary
``$PYTHONPYCACHEPREFIX``, written by one unmeasured round first.

Run: ``python -m benchmarks startup``, or ``python -m benchmarks.startup [--repeat 7] [--articles 20]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from db.store import NewArticle, store_article, url_key
from newsmon.wiring import App

TARGET = 2.5
BUNDLED_CONFIG = Path(__file__).resolve().parent.parent / "config.yaml"
BARE = ("python -c 'import sqlite3, sqlalchemy'", [sys.executable, "-c", "import sqlite3, sqlalchemy"])
TITLES = (
    "OpenAI raises $6.6 billion from Microsoft and Nvidia",
    "Mistral AI lève 600 millions d'euros",
    "Nvidia übernimmt Run:ai für 700 Millionen Dollar",
    "Anthropic y Google firman una alianza en la nube",
)


@dataclass(frozen=True)
class Timing:
    cpu_s: float
    wall_s: float


def project(root: Path, articles: int) -> Path:
    """The bundled configuration over a new database in ``root``, with ``articles`` stored."""
    text = BUNDLED_CONFIG.read_text(encoding="utf-8")
    config = root / "config.yaml"
    config.write_text(
        re.sub(r"(?m)^database: .*$", f"database: sqlite:///{root / 'newsmon.db'}", text), encoding="utf-8"
    )
    app = App.open(config)
    assess = app.assess()
    source = app.config.sources[0].name
    for n in range(articles):
        url = f"https://news.example/{n}"
        title = f"{TITLES[n % len(TITLES)]} ({n})"
        article = NewArticle(source=source, url=url, title=title, keys=(url_key(url),), text=title * 20)
        assessment = assess(article)
        store_article(app.database, replace(article, facts=assessment.facts), matches=assessment.matches)
    app.database.dispose()
    return config


def with_bytecode(pycache: Path) -> dict[str, str]:
    """The environment of a run whose modules' bytecode is cached in ``pycache``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(pycache)}


def run(argv: list[str], env: dict[str, str]) -> Timing:
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {errors.decode(errors='replace')}")
    return Timing(usage.ru_utime + usage.ru_stime, time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--articles", type=int, default=20)
    args = parser.parse_args()
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    with tempfile.TemporaryDirectory(prefix="newsmon-startup-") as tmp:
        config = str(project(Path(tmp), args.articles))
        commands = dict(
            [
                BARE,
                ("newsmon search openai", [newsmon, "search", "openai", "--config", config]),
                ("newsmon show 1", [newsmon, "show", "1", "--config", config]),
                ("newsmon alerts", [newsmon, "alerts", "--config", config]),
                ("newsmon sources", [newsmon, "sources", "--config", config]),
            ]
        )
        env = with_bytecode(Path(tmp) / "pycache")
        for argv in commands.values():
            run(argv, env)  # writes the bytecode cache
        timings: dict[str, list[Timing]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, argv in commands.items():
                timings[name].append(run(argv, env))
    bare_cpu, bare_wall = _medians(timings.pop(BARE[0]))
    print(f"\n{'command':<40} {'CPU p50':>9} {'ratio':>6} {'wall p50':>9} {'ratio':>6}  target ≤ {TARGET}×")
    print(f"{BARE[0]:<40} {bare_cpu * 1000:>6.0f} ms {'':>6} {bare_wall * 1000:>6.0f} ms")
    failed = False
    for name, runs in timings.items():
        cpu, wall = _medians(runs)
        ok = cpu / bare_cpu <= TARGET and wall / bare_wall <= TARGET
        failed |= not ok
        print(
            f"{name:<40} {cpu * 1000:>6.0f} ms {cpu / bare_cpu:>5.2f}× {wall * 1000:>6.0f} ms "
            f"{wall / bare_wall:>5.2f}×{'' if ok else '  ABOVE TARGET'}"
        )
    return 1 if failed else 0


def _medians(runs: list[Timing]) -> tuple[float, float]:
    return statistics.median(r.cpu_s for r in runs), statistics.median(r.wall_s for r in runs)


if __name__ == "__main__":
    sys.exit(main())

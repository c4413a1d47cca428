"""Run the harness in a subprocess and read what it saw."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


class CrawlResult:
    def __init__(self, data: dict[str, Any], log: str) -> None:
        self.data = data
        self.log = log
        self.stats: dict[str, Any] = data["stats"]
        self.by_id: dict[str, dict[str, Any]] = {}
        for result in data["results"]:
            self.by_id.setdefault(result["id"], result)

    def __getitem__(self, request_id: str) -> dict[str, Any]:
        return self.by_id[request_id]

    def stat(self, key: str) -> int:
        return int(self.stats.get(key, 0))


def run_crawl(spec: dict[str, Any], tmp_path: Path, timeout: float = 90) -> CrawlResult:
    spec_path = tmp_path / "spec.json"
    out_path = tmp_path / "out.json"
    spec_path.write_text(json.dumps(spec))
    # No proxy from the environment may take the requests elsewhere.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower() and k != "PYTHONTRACEMALLOC"}
    env["PYTHONPATH"] = str(ROOT)
    completed = subprocess.run(
        [sys.executable, "-m", "tests.crawler.policy.harness", str(spec_path), str(out_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    log = completed.stdout + completed.stderr
    assert completed.returncode == 0, log
    assert out_path.exists(), log
    return CrawlResult(json.loads(out_path.read_text()), log)

"""`newsmon serve` as a user starts it: a process that answers, then stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.web.conftest import write_config


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    process = subprocess.Popen(
        [newsmon, "serve", "--config", str(write_config(tmp_path)), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz")
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "newsmon serve did not answer within 30 s"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert "newsmon" in httpx.get(f"http://127.0.0.1:{port}/sources").text
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert f"serving on http://127.0.0.1:{port}/" in out

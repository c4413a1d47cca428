"""`newsmon serve` as a user starts it: a process that answers, then stops cleanly on SIGTERM."""

from __future__ import annotations

import os
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


def test_uvicorn_logs_through_newsmons_handler_without_secrets(tmp_path: Path) -> None:
    port = free_port()
    newsmon = str(Path(sys.executable).with_name("newsmon"))
    config = write_config(tmp_path)
    token = "w3b-T0ken-secret-value"
    config.write_text(config.read_text() + "web: {token: '${WEB_TOKEN}'}\n", encoding="utf-8")
    process = subprocess.Popen(
        [newsmon, "serve", "--config", str(config), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "WEB_TOKEN": token},
    )
    try:
        deadline = time.monotonic() + 30
        while not _answers(port):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "newsmon serve did not answer within 30 s"
            time.sleep(0.1)
        with socket.create_connection(("127.0.0.1", port)) as raw:  # uvicorn warns of a bad request
            raw.sendall(f"GET /?token={token} HTTP/1.1 {token}\r\n\r\n".encode())
            raw.recv(1024)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert " WARNING uvicorn.error: Invalid HTTP request received." in err, err
    assert token not in err, err


def _answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz")
    except httpx.TransportError:
        return False
    return True

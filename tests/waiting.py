"""Waiting in tests for what another thread or process does: for the event itself, never for a time.

    wait_for(lambda: site.count("/feed.xml") >= 2, "the daemon to poll twice", process=daemon)

On a loaded machine (CI: two cores for the whole suite) a child process may
take tens of seconds to start, so a test waits until the thing it needs has
happened; the ceiling only bounds a test whose event never comes, far above
what the event takes under load. A child that exits while the test waits
for it fails the wait at once, with its exit code.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any

CEILING = 90.0


def wait_for(
    holds: Callable[[], object],
    what: str,
    seconds: float = CEILING,
    *,
    process: subprocess.Popen[Any] | None = None,
) -> None:
    """Return once ``holds()`` is true; fail after ``seconds`` or when ``process`` has exited."""
    deadline = time.monotonic() + seconds
    while not holds():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited with {process.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.05)

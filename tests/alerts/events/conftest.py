from __future__ import annotations

import pytest

from alerts.events.detect import EventDetector


@pytest.fixture(scope="module")
def detector() -> EventDetector:
    return EventDetector()

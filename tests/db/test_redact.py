"""The database stores and shows a source's URL and errors with the config's secrets hidden."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from db.queries import read, source_states
from db.redact import SECRETS
from db.store import FetchResult, SourceSpec, record_fetch, sync_sources
from tests.databases import Databases

TOKEN = "s3cr3t-T0ken_q"
URL = f"http://127.0.0.1/feed.xml?token={TOKEN}"


@pytest.fixture(autouse=True)
def registered() -> Iterator[None]:
    SECRETS.clear()
    SECRETS.add([TOKEN])
    yield
    SECRETS.clear()


def test_url_errors_and_fetch_log_are_stored_hidden(databases: Databases) -> None:
    """On SQLite, then on PostgreSQL."""
    database = databases.open()
    sync_sources(database, [SourceSpec("wire", "feed", URL)])
    record_fetch(database, "wire", FetchResult(outcome="error", error=f"HTTP 404 from {URL}"))
    state = source_states(database)["wire"]
    assert (state.url, state.last_error) == (
        "http://127.0.0.1/feed.xml?token=…",
        "HTTP 404 from " + state.url,
    )
    stored = read(database, "url, last_error FROM sources") + read(database, "error FROM fetch_log")
    assert TOKEN not in repr(stored)

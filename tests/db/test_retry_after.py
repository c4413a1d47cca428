"""One Retry-After parser for the crawler and the notifiers (db/retry_after.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from alerts.delivery_errors import TransientDeliveryError
from alerts.notifiers._http import check_status
from crawler.policy import retry_after as crawler_retry_after
from db.retry_after import parse_retry_after

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("Fri, 02 Jan 2026 03:05:05 GMT", 60.0),  # IMF-fixdate
        ("Friday, 02-Jan-26 03:05:05 GMT", 60.0),  # RFC 850
        ("Fri Jan  2 03:05:05 2026", 60.0),  # asctime: no zone, GMT by definition
        ("Fri, 02 Jan 2026 03:05:05 -0000", 60.0),
        ("Fri, 02 Jan 2026 03:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("-5", None),
        ("nan", None),
        ("inf", None),
        ("1e9", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds


def test_the_crawler_and_the_notifiers_read_retry_after_alike() -> None:
    request = httpx.Request("POST", "https://hooks.example.org/x")
    for value, seconds in (("1.5", 1.5), ("-5", None), ("nan", None)):
        response = httpx.Response(429, headers={"Retry-After": value}, request=request)
        with pytest.raises(TransientDeliveryError) as caught:
            check_status(response, str)
        assert caught.value.retry_after == seconds
        # The name the crawler's middleware calls.
        assert crawler_retry_after.parse_retry_after(value) == seconds

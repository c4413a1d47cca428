"""``Retry-After`` (RFC 9110 §10.2.3) as seconds to wait: for the crawler and the notifiers alike.

The header is a number of seconds or an HTTP date. Servers also send
fractions (``1.5``), which are read as such; a negative, non-finite or
exponent form is not a wait. An HTTP date without a zone (the asctime form,
or ``-0000``) is GMT, as HTTP dates always are; a date in the past means no
wait.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

_SECONDS = re.compile(r"\d+(?:\.\d+)?")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``now`` for a ``Retry-After`` value; None when it is not one."""
    if not value:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())

"""Article pages that failed transiently: asked again on later polls, then stored from the feed.

A page that times out, does not resolve, or answers 5xx/429 is not lost: it
is kept in ``pending_pages`` with the feed entry it came from and asked for
again on later polls — even while the feed's bytes stay the same — once its
back-off has passed: ``NEWSMON_PAGE_RETRY_MIN`` seconds (default 10 min),
doubled per failure up to ``NEWSMON_PAGE_RETRY_MAX`` (default 6 h). After
``NEWSMON_PAGE_RETRY_FOR`` seconds of failures (default 48 h) the article
is stored from the feed's own title and summary, marked ``text_from:
feed``, as a page that is gone for good (most 4xx) is at once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from scrapy.settings import BaseSettings

from crawler.feedtypes import FeedEntry

_DATES = ("published", "updated")


@dataclass(frozen=True)
class RetryPolicy:
    first: timedelta = timedelta(minutes=10)
    cap: timedelta = timedelta(hours=6)
    give_up_after: timedelta = timedelta(hours=48)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> RetryPolicy:
        default = cls()
        return cls(
            first=_seconds(settings, "NEWSMON_PAGE_RETRY_MIN", default.first),
            cap=_seconds(settings, "NEWSMON_PAGE_RETRY_MAX", default.cap),
            give_up_after=_seconds(settings, "NEWSMON_PAGE_RETRY_FOR", default.give_up_after),
        )

    def delay(self, attempts: int) -> timedelta:
        """How long after its ``attempts``-th failure a page waits before it is asked again."""
        # The exponent is bounded: a huge attempts count must not overflow timedelta.
        delay: timedelta = self.first * (2 ** min(max(attempts - 1, 0), 32))
        return min(delay, self.cap)

    def given_up(self, first_failed: datetime, now: datetime) -> bool:
        return now - first_failed >= self.give_up_after


def pack_entry(entry: FeedEntry, language_hint: str | None) -> dict[str, Any]:
    """The entry as JSON, to rebuild it when the page is asked again (the feed may have dropped it)."""
    fields = dataclasses.asdict(entry)
    for name in _DATES:
        if fields.get(name) is not None:
            fields[name] = fields[name].isoformat()
    return {"entry": fields, "language_hint": language_hint}


def unpack_entry(packed: dict[str, Any]) -> tuple[FeedEntry, str | None]:
    known = {f.name for f in dataclasses.fields(FeedEntry)}
    fields = {name: value for name, value in packed.get("entry", {}).items() if name in known}
    for name in _DATES:
        if fields.get(name) is not None:
            fields[name] = datetime.fromisoformat(fields[name])
    if "authors" in fields:
        fields["authors"] = tuple(fields["authors"])
    return FeedEntry(**fields), packed.get("language_hint")


def _seconds(settings: BaseSettings, name: str, default: timedelta) -> timedelta:
    return timedelta(seconds=settings.getfloat(name, default.total_seconds()))

"""What happened to each source during one crawl, and how it is recorded.

The spider fills in the feed's outcome, the pipelines and signal handlers
count the pages. A source is finished when its document has answered and
each page it asked for is done: ``on_finished`` is then called, and the
report becomes one ``db.store.record_fetch`` row (crawler.extensions), so
a crawl killed midway has recorded every source that finished before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from crawler.context import ProgressEvent
from db.models import utcnow
from db.store import FetchResult

OUTCOMES = ("ok", "not_modified", "unchanged", "error", "skipped")
MAX_PROBLEMS = 20


@dataclass
class SourceReport:
    """One source's crawl. ``outcome`` is None until the feed has answered."""

    source: str
    url: str
    outcome: str | None = None  # ok | not_modified | unchanged | error | skipped
    http_status: int | None = None
    entries: int = 0
    followed: int = 0  # article pages requested, from the document
    retried: int = 0  # article pages requested again after an earlier crawl's failure
    done: int = 0  # article pages finished, stored or not
    page_failures: int = 0  # article pages that could not be fetched
    page_error: str | None = None  # why the first of them failed
    new_articles: int = 0
    pages_extracted: int = 0  # article pages given to the extractor
    extraction_failures: int = 0  # of those, pages it found no text in
    error: str | None = None  # why the source failed (outcome "error" or "skipped")
    problems: list[str] = field(default_factory=list)  # what went wrong without failing the source
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    started: datetime = field(default_factory=utcnow)
    recorded: bool = False  # written to the fetch log (crawler.extensions)

    def fetch_result(self) -> FetchResult:
        outcome = self.outcome or "error"
        error = self.error
        if outcome != "error" and self.problems:
            # The source is fine; its fetch log row still tells what went wrong with some pages.
            error = "; ".join(self.problems[:5]) + (
                f" (+{len(self.problems) - 5} more)" if len(self.problems) > 5 else ""
            )
        return FetchResult(
            outcome=outcome,
            http_status=self.http_status,
            entries=self.entries,
            new_articles=self.new_articles,
            pages_extracted=self.pages_extracted,
            extraction_failures=self.extraction_failures,
            pages_requested=self.followed + self.retried,
            page_failures=self.page_failures,
            page_error=self.page_error,
            error=error,
            etag=self.etag,
            last_modified=self.last_modified,
            body_hash=self.body_hash,
            started=self.started,
        )


class CrawlLedger:
    """The reports of one crawl, keyed by source name."""

    def __init__(
        self, sources: Iterable[tuple[str, str]], on_progress: Callable[[ProgressEvent], None] | None = None
    ) -> None:
        self.reports: dict[str, SourceReport] = {name: SourceReport(name, url) for name, url in sources}
        self._on_progress = on_progress
        # Told when a source's document and pages are done: the fetch recorder (crawler.extensions), then
        # a long-lived spider, whose slot the source frees (crawler.jobspider).
        self.on_finished: Callable[[str], None] | None = None
        self.on_slot_free: Callable[[str], None] | None = None
        self._finished: set[str] = set()
        self.answered = 0  # sources whose document has answered (an outcome)
        self.on_answered: Callable[[], None] | None = None

    def begin(self, source: str, url: str) -> None:
        """A new crawl of ``source`` in a long-lived spider (crawler/jobspider.py): a report of its own."""
        self.reports[source] = SourceReport(source, url)
        self._finished.discard(source)

    def end(self, source: str) -> SourceReport:
        """That crawl is recorded: its report leaves the ledger."""
        self._finished.discard(source)
        return self.reports.pop(source)

    def unfinished(self) -> int:
        """Sources whose crawl goes on (their document or some page not done yet)."""
        return len(self.reports) - len(self._finished)  # every finished source has its report

    def __getitem__(self, source: str) -> SourceReport:
        return self.reports[source]

    def feed_done(self, source: str, outcome: str, *, error: str | None = None, **values: object) -> None:
        report = self.reports[source]
        first_answer = report.outcome is None
        report.outcome = outcome
        report.error = error
        for name, value in values.items():
            setattr(report, name, value)
        self._emit(
            ProgressEvent(source, "feed", entries=report.entries, pending=report.followed, error=error)
        )
        if first_answer:
            self.answered += 1
            if self.on_answered is not None:
                self.on_answered()
        self._maybe_finished(report)

    def page_done(
        self, source: str, *, stored: bool, url: str | None = None, problem: str | None = None
    ) -> None:
        report = self.reports.get(source)
        if report is None:
            return
        report.done += 1
        report.new_articles += int(stored)
        if problem:
            self.problem(source, problem)
        self._emit(ProgressEvent(source, "article", stored=int(stored), url=url, error=problem))
        self._maybe_finished(report)

    def retrying(self, source: str, pages: int) -> None:
        """``pages`` failed pages of an earlier crawl are asked again in this one."""
        self.reports[source].retried += pages

    def page_failed(self, source: str, problem: str) -> None:
        """An article page could not be fetched (its ``page_done`` follows, as for every page)."""
        report = self.reports.get(source)
        if report is not None:
            report.page_failures += 1
            report.page_error = report.page_error or problem

    def page_extracted(self, source: str, *, ok: bool) -> None:
        report = self.reports.get(source)
        if report is not None:
            report.pages_extracted += 1
            report.extraction_failures += int(not ok)

    def problem(self, source: str, message: str) -> None:
        report = self.reports.get(source)
        if report is not None and len(report.problems) < MAX_PROBLEMS:
            report.problems.append(message)

    def finish(self, source: str) -> None:
        report = self.reports[source]
        self._emit(
            ProgressEvent(
                source,
                "done",
                entries=report.entries,
                stored=report.new_articles,
                outcome=report.outcome,
                error=report.error,
            )
        )

    def _maybe_finished(self, report: SourceReport) -> None:
        pages = report.followed + report.retried
        if report.outcome is None or report.done < pages or report.source in self._finished:
            return
        self._finished.add(report.source)
        if self.on_finished is not None:
            self.on_finished(report.source)
        if self.on_slot_free is not None:
            self.on_slot_free(report.source)

    def _emit(self, event: ProgressEvent) -> None:
        if self._on_progress is not None:
            self._on_progress(event)

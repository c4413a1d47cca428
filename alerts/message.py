"""An alert as a channel-neutral message: what every notifier formats.

The events are the article's news as event detection stored them (type,
who and whom, amount, sentence), each field one safe line, for every channel
to explain what happened before it quotes the article.

The snippet is a short window of the article around the first matched terms,
split into fragments so each channel marks the hits in its own markup (bold
in HTML and Slack, ``*term*`` in plain text). Terms are found the way rules
match them — folded by ``db.textfold`` ('comete' finds 'comète', 'oeuvre'
finds 'œuvre') — at word boundaries, ``invest*`` as a prefix, phrases and
hyphenated words as their words in sequence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from alerts.events.facts import describe_amount
from db.textfold import fold, fold_with_origin

if TYPE_CHECKING:
    from db.outbox import DeliveryJob

SNIPPET_CHARS = 320
CONTEXT_BEFORE = 90
MAX_EVENTS = 3  # an article's news is one to three events; more would bury the snippet
SENTENCE_CHARS = 300
# The investor or buyer comes first when the wording says so; a partnership has no direction.
_DIRECTED = frozenset({"investment", "acquisition"})

_KEPT_FORMAT_CHARS = {"\u200c", "\u200d"}  # ZWNJ/ZWJ shape scripts and emoji sequences
_FIELD = re.compile(r"^(?:title|lead|source|lang):", re.IGNORECASE)


@dataclass(frozen=True)
class Fragment:
    text: str
    hit: bool = False


@dataclass(frozen=True)
class EventNote:
    """One event the article reports as its news, every field one safe line."""

    type: str  # investment | acquisition | partnership
    actors: tuple[str, ...]
    amount: str | None  # as format_amount shows it: "$10B (10 milliards de dollars)"
    sentence: str

    @property
    def label(self) -> str:
        return self.type.capitalize()

    @property
    def parties(self) -> str:
        """Who and whom: "Microsoft → OpenAI" (investor or buyer first), "Apple, OpenAI"."""
        if self.type in _DIRECTED and len(self.actors) > 1:
            return f"{self.actors[0]} → {', '.join(self.actors[1:])}"
        return ", ".join(self.actors)

    @property
    def summary(self) -> str:
        """ "Microsoft → OpenAI · $10B (10 milliards de dollars)", without the type."""
        return " · ".join(part for part in (self.parties, self.amount) if part)


def event_notes(events: Iterable[Mapping[str, Any]], limit: int | None = MAX_EVENTS) -> tuple[EventNote, ...]:
    """The stored events as notes, at most ``limit``; an event told again (same type and actors) is
    left out, its first telling — the headline's, the lead's — kept."""
    notes: dict[tuple[str, tuple[str, ...]], EventNote] = {}
    for event in events:
        note = EventNote(
            type=one_line(str(event.get("type", ""))),
            actors=tuple(one_line(str(actor)) for actor in event.get("actors") or ()),
            amount=describe_amount(event.get("amount")),
            sentence=_shorten(one_line(str(event.get("sentence", ""))), SENTENCE_CHARS),
        )
        notes.setdefault((note.type, note.actors), note)
    return tuple(notes.values())[:limit]


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut) + "…"


@dataclass(frozen=True)
class AlertMessage:
    delivery_id: int
    alert_id: int
    channel: str
    attempts: int  # earlier attempts of this delivery
    rule: str
    terms: tuple[str, ...]
    article_id: int
    title: str  # one line: no control, line-separator or bidi characters
    url: str
    source: str
    published: datetime | None
    language: str | None
    summary: str
    snippet: tuple[Fragment, ...]
    events: tuple[EventNote, ...] = ()

    @property
    def date_label(self) -> str:
        return self.published.strftime("%Y-%m-%d %H:%M UTC") if self.published else "date unknown"

    def snippet_as(self, mark: Callable[[str], str], escape: Callable[[str], str] = str) -> str:
        """The snippet with hits passed through ``mark`` and every piece through ``escape`` first."""
        return "".join(mark(escape(f.text)) if f.hit else escape(f.text) for f in self.snippet)

    @property
    def snippet_text(self) -> str:
        return self.snippet_as(str)

    @property
    def delivery_key(self) -> str:
        """The same for every attempt of this delivery and different for any other, so a re-send
        after a crash is recognisable: the mail's Message-ID, the posts' Idempotency-Key."""
        identity = (self.delivery_id, self.alert_id, self.channel, self.article_id, self.rule, self.url)
        digest = hashlib.sha256("\0".join(map(str, identity)).encode()).hexdigest()[:20]
        return f"newsmon-{self.delivery_id}-{digest}"


def message_from_job(job: DeliveryJob) -> AlertMessage:
    return AlertMessage(
        delivery_id=job.delivery_id,
        alert_id=job.alert_id,
        channel=job.channel,
        attempts=job.attempts,
        rule=job.rule,
        terms=job.terms,
        article_id=job.article_id,
        title=one_line(job.title) or job.url,
        url=job.url,
        source=job.source,
        published=job.published,
        language=job.language,
        summary=job.summary,
        snippet=build_snippet((job.text, job.lead, job.summary, job.title), job.terms),
        events=event_notes(job.events),
    )


def one_line(text: str) -> str:
    """``text`` as one safe line: controls, line/paragraph separators and bidi overrides become spaces."""
    return " ".join(_blank_unsafe(text).split())


def _blank_unsafe(text: str) -> str:
    return "".join(" " if _unsafe(ch) else ch for ch in text)


def _unsafe(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category in ("Cc", "Zl", "Zp"):
        return True
    # Format characters include bidi overrides (spoofing); emoji need ZWJ and tag characters.
    return category == "Cf" and ch not in _KEPT_FORMAT_CHARS and not "\U000e0020" <= ch <= "\U000e007f"


# ------------------------------------------------------------------ snippet


def build_snippet(
    texts: Sequence[str], terms: Sequence[str], width: int = SNIPPET_CHARS
) -> tuple[Fragment, ...]:
    """A window of the first text where a term occurs, around its first occurrence, hits marked."""
    pattern = terms_pattern(terms)
    for text in texts:
        spans = find_terms(text, pattern) if pattern else []
        if spans:
            return _window(text, spans, width)
    fallback = next((t for t in texts if t.strip()), "")
    return _window(fallback, [], width) if fallback else ()


def terms_pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    """One regex over folded text for all terms, longest first so phrases win over their words."""
    alternatives = []
    for term in sorted({fold(_FIELD.sub("", t.strip()).strip('"')) for t in terms}, key=len, reverse=True):
        prefix = term.endswith("*")
        words = [re.findall(r"\w+", word) for word in term.rstrip("*").split()]
        words = [parts for parts in words if parts]
        if not words:
            continue
        body = r"\W+".join(r"\W*".join(map(re.escape, parts)) for parts in words)
        tail = r"\w*" if prefix else r"(?!\w)"
        alternatives.append(rf"(?<!\w){body}{tail}")
    return re.compile("|".join(alternatives)) if alternatives else None


def find_terms(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` (original indices) where the folded text matches ``pattern``."""
    folded, origin = fold_with_origin(text)
    matches = (m for m in pattern.finditer(folded) if m.end() > m.start())
    return [(origin[m.start()], origin[m.end() - 1] + 1) for m in matches]


def _window(text: str, spans: list[tuple[int, int]], width: int) -> tuple[Fragment, ...]:
    first_start, first_end = spans[0] if spans else (0, 0)
    start = max(0, first_start - CONTEXT_BEFORE)
    if start > 0:
        # Start on a word: skip the partial word the cut landed in.
        space = text.find(" ", start, first_start)
        start = space + 1 if space != -1 else start
    end = min(len(text), max(start + width, first_end))
    if end < len(text):
        space = text.rfind(" ", first_end, end)
        end = space if space != -1 else end
    fragments: list[Fragment] = [Fragment("… ")] if start > 0 else []
    cursor = start
    for s, e in spans:
        if s < cursor or e > end:
            continue
        if s > cursor:
            fragments.append(Fragment(_squash(text[cursor:s])))
        fragments.append(Fragment(_squash(text[s:e]), hit=True))
        cursor = e
    if cursor < end:
        fragments.append(Fragment(_squash(text[cursor:end])))
    if end < len(text):
        fragments.append(Fragment("…"))
    return tuple(f for f in fragments if f.text)


def _squash(text: str) -> str:
    """Runs of white space (newlines included) as one space, keeping a leading or trailing one."""
    return re.sub(r"\s+", " ", _blank_unsafe(text))

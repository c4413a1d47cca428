"""Slack incoming webhooks (after Miniflux's integration/slack).

The payload has a fallback ``text`` (rule and linked title) and ``blocks``:
the linked title, a context line (source · date · rule · matched terms), the
events the article reports (type, who and whom, amount, the sentence quoted)
and the snippet with the matched terms in bold. Everything stays inside Slack's
limits — 3,000 characters per text object, 50 blocks, 40,000 for the
message's text — counted in UTF-16 code units (the stricter count) and cut
between whole characters, never inside an emoji sequence, an ``&amp;``-style
escape or a ``<url|label>`` link: a label is shortened, a link is kept whole
or left out. A link too long for a block (a 4,000-character URL) stays in the
message's text, and the title block says so.

A digest is one message: a title block, then its items (linked title,
outlets, amount) packed whole into sections within the same limits; the
items that do not fit in 50 blocks are counted in the last one ("…and 153
more"), and a link too long for an item is left out of it.

Slack refuses a whole message for one block it dislikes (HTTP 400
``invalid_blocks``), which would lose the alert for good: such a refusal gets
one more try with the text alone.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from alerts.digest import DigestItem, DigestMessage, more_line
from alerts.message import AlertMessage, EventNote, Fragment
from alerts.notifiers._http import IDEMPOTENCY_HEADER, check_status, post, post_json
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import SlackOptions

log = logging.getLogger(__name__)

TEXT_LIMIT = 3000  # a text object in a block
FALLBACK_LIMIT = 40_000  # the message's top-level text: Slack cuts what is longer
TITLE_LIMIT = 150
FIELD_LIMIT = 200  # the source's and the rule's names in the context line
MAX_BLOCKS = 50
DIGEST_LINK_LIMIT = 2400  # a digest item's link, so that its line with the details fits a block
ELLIPSIS = "…"


class SlackNotifier(Notifier):
    type = "slack"

    def __init__(self, name: str, options: SlackOptions) -> None:
        super().__init__(name)
        self._url = options.webhook_url.get_secret_value()
        self.keep_secret(self._url)
        self.timeout = options.timeout.total_seconds()

    @property
    def rate_key(self) -> str:
        # Slack allows one message per second per webhook; the key must not be the secret itself.
        return "slack:" + hashlib.sha256(self._url.encode()).hexdigest()[:16]

    async def send(self, message: AlertMessage) -> None:
        key = message.delivery_key
        response = await self._post(slack_payload(message), key)
        if blocks_refused(response):
            log.warning(
                "channel %s: Slack refused the alert's blocks (%s); sending it as text",
                self.name,
                self.redact(" ".join(response.text.split()))[:200],
            )
            # Another request, so another key: a receiver replaying the refusal for the first would lose it.
            response = await self._post(text_payload(message), f"{key}-text")
        check_status(response, self.redact)

    async def send_digest(self, digest: DigestMessage) -> None:
        key = digest.delivery_key
        response = await self._post(digest_payload(digest), key)
        if blocks_refused(response):
            log.warning(
                "channel %s: Slack refused the digest's blocks (%s); sending it as text",
                self.name,
                self.redact(" ".join(response.text.split()))[:200],
            )
            response = await self._post(
                {"text": digest_fallback(digest), "unfurl_links": False}, f"{key}-text"
            )
        check_status(response, self.redact)

    async def _post(self, payload: dict[str, Any], key: str) -> httpx.Response:
        headers = {IDEMPOTENCY_HEADER: key}
        return await post(self._url, payload, time_limit=self.timeout, redact=self.redact, headers=headers)

    async def send_text(self, title: str, text: str) -> None:
        payload = {"text": fit_mrkdwn(f"*{escape(title)}*\n{escape(text)}", TEXT_LIMIT)}
        await post_json(self._url, payload, time_limit=self.timeout, redact=self.redact)


def slack_payload(message: AlertMessage) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        _section(_title_mrkdwn(message)),
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context_mrkdwn(message)}]},
    ]
    if message.events:
        blocks.append(_section(events_mrkdwn(message.events)))
    if message.snippet:
        blocks.append(_section(snippet_mrkdwn(message.snippet, TEXT_LIMIT)))
    return {**text_payload(message), "blocks": blocks[:MAX_BLOCKS]}


def text_payload(message: AlertMessage) -> dict[str, Any]:
    """The message without blocks: what Slack cannot refuse for a block's sake."""
    return {"text": fallback_text(message), "unfurl_links": False}


def fallback_text(message: AlertMessage) -> str:
    """``[rule] <url|title>``, the link whole or, past Slack's limit, left out."""
    prefix = f"[{escape(truncate(message.rule, FIELD_LIMIT))}] "
    label = truncate(message.title, TITLE_LIMIT)
    link = mrkdwn_link(message.url, label)
    if units(prefix + link) <= FALLBACK_LIMIT:
        return prefix + link
    return f"{prefix}{escape(label)} (link too long for Slack: {len(message.url):,} characters)"


def _title_mrkdwn(message: AlertMessage) -> str:
    label = truncate(message.title, TITLE_LIMIT)
    link = f"*{mrkdwn_link(message.url, label)}*"
    if units(link) <= TEXT_LIMIT:
        return link
    return (
        f"*{escape(label)}*\n_The link ({len(message.url):,} characters) is too long for a Slack block: "
        f"it is in this message's notification text, and in `newsmon show {message.article_id}`._"
    )


def context_mrkdwn(message: AlertMessage) -> str:
    parts = (
        escape(truncate(message.source, FIELD_LIMIT)),
        escape(message.date_label),
        f"rule *{escape(truncate(message.rule, FIELD_LIMIT))}*",
        "matched: " + ", ".join(escape(t) for t in message.terms),
    )
    # Only the matched terms, last, can still run long: a cut there leaves the bold rule whole.
    return fit_mrkdwn(" · ".join(parts), TEXT_LIMIT)


def events_mrkdwn(events: Sequence[EventNote]) -> str:
    """One line per event and its sentence quoted; a share of the block each, so all of them show."""
    share = TEXT_LIMIT // len(events) - 1
    return "\n".join(fit_mrkdwn(_event_mrkdwn(event), share) for event in events)


def _event_mrkdwn(event: EventNote) -> str:
    head = f"*{escape(event.label)}*" + (f": {escape(event.summary)}" if event.summary else "")
    return f"{head}\n>{escape(event.sentence)}"


def digest_payload(digest: DigestMessage) -> dict[str, Any]:
    """A title block, then the items packed into sections of at most TEXT_LIMIT, MAX_BLOCKS blocks
    in all: items that do not fit are counted in a last block."""
    title = _section(f"*Digest of {escape(truncate(digest.headline, TEXT_LIMIT - 20))}*")
    lines = [digest_line(item) for item in digest.items]
    sections, shown = pack_lines(lines, TEXT_LIMIT, MAX_BLOCKS - 2)
    blocks = [title, *(_section(text) for text in sections)]
    if shown < len(lines):
        more = escape(more_line(digest, len(lines) - shown))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": digest_fallback(digest), "blocks": blocks, "unfurl_links": False}


def digest_line(item: DigestItem) -> str:
    """``• *<url|title>*`` and the outlets, amount and count below; a link too long is left out."""
    label = truncate(item.title, TITLE_LIMIT)
    link = mrkdwn_link(item.url, label)
    if units(link) > DIGEST_LINK_LIMIT:
        link = f"{escape(label)} (link too long for Slack: `newsmon show {item.article_id}`)"
    details = escape(truncate(item.details, 2 * FIELD_LIMIT))
    return f"• *{link}*" + (f"\n      {details}" if details else "")


def digest_fallback(digest: DigestMessage) -> str:
    """The digest as the message's text: its headline and as many items as Slack's limit takes."""
    sections, shown = pack_lines(
        [f"Digest of {escape(digest.headline)}", *(digest_line(item) for item in digest.items)],
        FALLBACK_LIMIT - 200,  # room for the count of what is left out
        1,
    )
    hidden = len(digest.items) - max(shown - 1, 0)
    more = f"\n{escape(more_line(digest, hidden))}" if hidden else ""
    return fit_mrkdwn((sections[0] if sections else "") + more, FALLBACK_LIMIT)


def pack_lines(lines: Sequence[str], limit: int, max_sections: int) -> tuple[list[str], int]:
    """Whole lines joined into at most ``max_sections`` texts of at most ``limit`` units each;
    return them and how many lines they hold (a line longer than ``limit`` ends the packing)."""
    sections: list[str] = []
    current: list[str] = []
    used = shown = 0
    for line in lines:
        size = units(line) + (1 if current else 0)
        if used + size > limit:
            if current:
                sections.append("\n".join(current))
                current, used = [], 0
                size = units(line)
            if len(sections) == max_sections or size > limit:
                return sections, shown
        current.append(line)
        used += size
        shown += 1
    if current:
        sections.append("\n".join(current))
    return sections, shown


def blocks_refused(response: httpx.Response) -> bool:
    """Slack's answer to a message whose blocks it will not take (``invalid_blocks``, ``…_format``)."""
    return response.status_code == 400 and "block" in response.text.lower()


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def escape(text: str) -> str:
    """Slack's three control characters; nothing else may be entity-encoded."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_link(url: str, label: str) -> str:
    # Inside <url|label> the URL must not contain the delimiters themselves.
    safe_url = quote(url, safe=":/?#[]@!$&'()*+,;=%~-._")
    return f"<{safe_url}|{escape(label)}>"


def units(text: str) -> int:
    """Length in UTF-16 code units: what Slack's limits count at worst."""
    return len(text.encode("utf-16-le")) // 2


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units with an ellipsis, between whole characters and emoji."""
    if units(text) <= limit:
        return text
    budget = limit - units(ELLIPSIS)
    cut, used = 0, 0
    while cut < len(text) and used + units(text[cut]) <= budget:
        used += units(text[cut])
        cut += 1
    cut = _grapheme_start(text, cut)
    return text[:cut].rstrip() + ELLIPSIS


def _grapheme_start(text: str, index: int) -> int:
    """Move ``index`` back to the start of the grapheme cluster it falls in (a good approximation)."""
    while 0 < index < len(text) and (_extends(text[index]) or text[index - 1] == "\u200d"):
        index -= 1
    # Flags are pairs of regional indicators: never keep half of one.
    run = 0
    while index - run > 0 and _regional(text[index - run - 1]):
        run += 1
    if run % 2 == 1 and index < len(text) and _regional(text[index]):
        index -= 1
    return index


def _extends(ch: str) -> bool:
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or ch == "\u200d"
        or "\ufe00" <= ch <= "\ufe0f"
        or "\U0001f3fb" <= ch <= "\U0001f3ff"
        or "\U000e0020" <= ch <= "\U000e007f"
    )


def _regional(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def fit_mrkdwn(text: str, limit: int) -> str:
    """Cut already-escaped mrkdwn to ``limit`` without splitting an entity like ``&amp;``."""
    if units(text) <= limit:
        return text
    cut = truncate(text, limit)[: -len(ELLIPSIS)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + ELLIPSIS


def snippet_mrkdwn(fragments: Sequence[Fragment], limit: int) -> str:
    """The snippet, hits in bold, cut in the raw text so escapes and bold markers stay whole."""
    budget = limit
    while True:
        text = _render(_cut_fragments(fragments, budget), lambda hit: f"*{hit}*")
        if units(text) <= limit or budget <= 0:
            return text if units(text) <= limit else ""
        budget -= units(text) - limit


def _render(fragments: Sequence[Fragment], bold: Callable[[str], str]) -> str:
    return "".join(bold(escape(f.text)) if f.hit else escape(f.text) for f in fragments)


def _cut_fragments(fragments: Sequence[Fragment], budget: int) -> list[Fragment]:
    kept: list[Fragment] = []
    used = 0
    for fragment in fragments:
        size = units(fragment.text)
        if used + size <= budget:
            kept.append(fragment)
            used += size
            continue
        rest = budget - used
        if rest > units(ELLIPSIS):
            kept.append(Fragment(truncate(fragment.text, rest)[: -len(ELLIPSIS)], fragment.hit))
        kept.append(Fragment(ELLIPSIS))
        break
    return [f for f in kept if f.text]

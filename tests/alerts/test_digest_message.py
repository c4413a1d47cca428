"""A digest as each channel renders it: grouped by story, escaped, and inside each channel's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from alerts.digest import DigestMessage, digest_items, message_from_digest
from alerts.notifiers.email_smtp import build_digest_email, render
from alerts.notifiers.slack import FALLBACK_LIMIT, MAX_BLOCKS, TEXT_LIMIT, digest_payload, units
from alerts.notifiers.webhook import digest_webhook_payload
from db.digests import DigestEntry, DigestJob

from .webhook_server import slack_refusal

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
BILLIONS = {"value": 10.0, "currency": "USD", "usd": 1e10, "text": "$10 billion"}
MILLIONS = {"value": 400.0, "currency": "EUR", "usd": 4.3e8, "text": "400 millions d'euros"}


def entry(n: int, **changes: object) -> DigestEntry:
    values: dict[str, object] = {
        "delivery_id": n,
        "alert_id": n,
        "raised": T0 + timedelta(minutes=n),
        "terms": ("OpenAI",),
        "article_id": 100 + n,
        "title": f"Article {n}",
        "url": f"https://example.org/{n}",
        "source": f"outlet{n}",
        "published": T0,
        "amounts": (),
    }
    return DigestEntry(**{**values, **changes})  # type: ignore[arg-type]


def job(entries: list[DigestEntry], rule: str = "ai-investment") -> DigestJob:
    return DigestJob(7, rule, "slack", T0 + timedelta(hours=1), 0, T0, None, tuple(entries))


def test_articles_of_one_story_are_one_item_with_the_storys_outlets_and_amount() -> None:
    story = {
        "story_id": 3,
        "story_title": "Microsoft invests $10B in OpenAI",
        "story_outlets": ("lesechos", "reuters", "handelsblatt"),
        "story_amount": BILLIONS,
    }
    entries = [entry(1, **story), entry(2, amounts=(MILLIONS, BILLIONS)), entry(3, **story)]
    first, second = digest_items(entries)
    assert (first.title, first.url, first.alerts, first.story_id) == (
        "Microsoft invests $10B in OpenAI",
        "https://example.org/1",
        2,
        3,
    )
    assert (
        first.details.startswith("lesechos, reuters, handelsblatt · $10B") and "2 articles" in first.details
    )
    assert (second.outlets, second.alerts) == (("outlet2",), 1) and second.amount and "$10B" in second.amount
    message = message_from_digest(job(entries))
    assert message.headline == "ai-investment: 3 alerts in 2 stories, 2026-12-03 09:01–09:03 UTC"


HOSTILE = 'Deal <script>alert(1)</script> & "quotes"\r\nBcc: victim@example.org'


def test_the_email_escapes_what_came_from_the_web_and_keeps_its_headers() -> None:
    message = message_from_digest(job([entry(1, title=HOSTILE, url='https://e.org/?a=1&b="x"')]))
    email = build_digest_email(message, sender="newsmon@example.org", to=["a@example.org"])
    render(email)  # refuses any header newsmon did not set
    assert all("victim" not in str(value) for value in email.values())
    text = email.get_body(("plain",))
    assert text is not None and '• Deal <script>alert(1)</script> & "quotes" Bcc: victim@example.org\n' in (
        text.get_content()
    )
    html = email.get_body(("html",))
    assert html is not None
    content = html.get_content()
    assert "<script>" not in content and "&lt;script&gt;" in content
    assert 'href="https://e.org/?a=1&amp;b=&quot;x&quot;"' in content
    assert email["Message-ID"].startswith("<newsmon-digest-7-")


@pytest.mark.parametrize("url_length", [40, 2000, 4000])
def test_a_slack_digest_of_200_items_stays_inside_slacks_limits(url_length: int) -> None:
    entries = [
        entry(n, title="Ünïcödé 🇫🇷 title " * 20, url="https://example.org/" + "a" * url_length + str(n))
        for n in range(200)
    ]
    payload = digest_payload(message_from_digest(job(entries)))
    assert slack_refusal(payload) is None
    assert len(payload["blocks"]) <= MAX_BLOCKS
    assert units(payload["text"]) <= FALLBACK_LIMIT
    texts = [block["text"]["text"] for block in payload["blocks"] if "text" in block]
    assert all(units(text) <= TEXT_LIMIT for text in texts)
    shown = sum(text.count("\n• ") + text.startswith("• ") for text in texts)
    last = payload["blocks"][-1]
    more = (
        re.fullmatch(r"…and (\d+) more: newsmon alerts --rule ai-investment", last["elements"][0]["text"])
        if last["type"] == "context"
        else None
    )
    hidden = int(more.group(1)) if more else 0
    assert shown + hidden == 200 and shown >= MAX_BLOCKS - 2
    assert hidden == (0 if url_length != 2000 else 200 - shown)
    # A link is whole or left out, never cut: every one that opens closes, with its label.
    links = [line for text in texts for line in text.splitlines() if "<" in line]
    assert all(line.count("<") == line.count(">") == line.count("|") == 1 for line in links)
    assert len(links) == (shown if url_length != 4000 else 0)


def test_the_webhook_gets_every_item() -> None:
    message: DigestMessage = message_from_digest(job([entry(n) for n in range(3)]))
    payload = digest_webhook_payload(message)
    assert payload["event"] == "newsmon.digest" and payload["delivery_key"] == message.delivery_key
    assert [item["url"] for item in payload["items"]] == [f"https://example.org/{n}" for n in range(3)]

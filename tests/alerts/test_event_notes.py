"""Alerts explain the event: type, who and whom, amount and sentence, escaped and bounded per channel."""

from __future__ import annotations

import json
from typing import Any

from alerts.events.amounts import find_amounts
from alerts.events.facts import amount_dict
from alerts.message import MAX_EVENTS, event_notes
from alerts.notifiers.email_smtp import html_body, text_body
from alerts.notifiers.slack import TEXT_LIMIT, slack_payload, units

from .outbox_helpers import message
from .webhook_server import slack_refusal

SENTENCE = "Microsoft investit 10 milliards de dollars dans OpenAI et étend leur partenariat."


def stored_event(kind: str, actors: list[str], sentence: str = SENTENCE, amount: str = "") -> dict[str, Any]:
    [found] = find_amounts(amount, "fr") if amount else [None]
    return {
        "type": kind,
        "actors": actors,
        "amount": amount_dict(found) if found else None,
        "sentence": sentence,
    }


INVESTMENT = stored_event("investment", ["Microsoft", "OpenAI"], amount="10 milliards de dollars")
PARTNERSHIP = stored_event("partnership", ["Microsoft", "OpenAI"])


def test_a_note_says_who_invested_in_whom_for_how_much() -> None:
    investment, partnership = event_notes([INVESTMENT, PARTNERSHIP])
    assert investment.label == "Investment"
    assert investment.summary == "Microsoft → OpenAI · $10B (10 milliards de dollars)"
    assert investment.sentence == SENTENCE
    assert partnership.summary == "Microsoft, OpenAI"  # a partnership has no direction


def test_notes_leave_out_repeats_and_stop_at_the_limit() -> None:
    events = [
        INVESTMENT,
        INVESTMENT,
        *(stored_event("acquisition", [f"Buyer {n}", "Target"]) for n in range(5)),
    ]
    notes = event_notes(events)
    assert len(notes) == MAX_EVENTS and notes[0].sentence == SENTENCE  # the first telling
    assert [note.type for note in notes] == ["investment", "acquisition", "acquisition"]
    assert len({note.summary for note in notes}) == MAX_EVENTS
    assert len(event_notes(events, limit=None)) == 6


def test_a_hostile_sentence_becomes_one_bounded_line() -> None:
    hostile = stored_event("partnership", ["Evil\u202eCorp\r\nBcc: x@example.org"], "a\r\nb\u2028c " * 500)
    [note] = event_notes([hostile])
    assert "\n" not in note.sentence and "\u2028" not in note.sentence and len(note.sentence) <= 300
    assert note.actors == ("Evil Corp Bcc: x@example.org",)


def test_the_email_explains_the_event_in_text_and_escaped_html() -> None:
    script = stored_event("investment", ["<script>alert(1)</script>", "O'Brien & Co"], "<b>x</b> & <i>y</i>")
    msg = message(events=event_notes([INVESTMENT, script]))
    text = text_body(msg)
    assert "Investment: Microsoft → OpenAI · $10B (10 milliards de dollars)" in text
    assert f"  “{SENTENCE}”" in text
    html = html_body(msg)
    assert "Microsoft → OpenAI · $10B (10 milliards de dollars)" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt; &amp; &lt;i&gt;y&lt;/i&gt;" in html


def test_slack_explains_the_event_escaped_and_within_limits() -> None:
    hostile = stored_event(
        "acquisition", ["<!channel>", "A&B"], "<https://evil.example|click> " + "😀 & < > " * 2000
    )
    msg = message(events=event_notes([INVESTMENT, hostile, PARTNERSHIP]))
    payload = slack_payload(msg)
    assert slack_refusal(payload) is None
    [events] = [
        b["text"]["text"] for b in payload["blocks"] if "Investment" in b.get("text", {}).get("text", "")
    ]
    assert units(events) <= TEXT_LIMIT
    assert "*Investment*: Microsoft → OpenAI · $10B (10 milliards de dollars)\n>Microsoft investit" in events
    assert "*Partnership*: Microsoft, OpenAI" in events  # the long one before it leaves room for it
    assert "<!channel>" not in events and "&lt;!channel&gt; → A&amp;B" in events
    assert "<https://evil" not in json.dumps(payload, ensure_ascii=False)


def test_an_article_without_events_keeps_its_former_message() -> None:
    msg = message()
    assert "Investment" not in text_body(msg) and "<ul" not in html_body(msg)
    assert len(slack_payload(msg)["blocks"]) == 3

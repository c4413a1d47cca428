"""The Slack notifier against a local webhook receiver, and its payload within Slack's limits."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.message import AlertMessage, build_snippet
from alerts.notifiers.options import SlackOptions
from alerts.notifiers.slack import (
    ELLIPSIS,
    SlackNotifier,
    fit_mrkdwn,
    slack_payload,
    snippet_mrkdwn,
    truncate,
    units,
)

from .outbox_helpers import message
from .smtp_server import free_port
from .webhook_server import Reply, WebhookServer, silent_server, slack_judge, slack_refusal, webhook_server

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one emoji, seven code points, eleven UTF-16 units


def send(url: str, timeout: float = 5.0, msg: AlertMessage | None = None) -> None:
    options = SlackOptions(webhook_url=url, timeout=timedelta(seconds=timeout))
    asyncio.run(SlackNotifier("slack", options).send(msg or message()))


def failure(server: WebhookServer, reply: Reply) -> TransientDeliveryError | PermanentDeliveryError:
    server.then(reply)
    try:
        send(server.url())
    except (TransientDeliveryError, PermanentDeliveryError) as exc:
        return exc
    raise AssertionError("the send did not fail")


def test_a_200_ok_delivers_text_and_blocks_with_the_canonical_link() -> None:
    with webhook_server() as server:
        send(server.url())
    (post,) = server.posts
    payload = post.json()
    assert post.path == "/services/T000/B000/SECRETxTOKEN"
    assert post.headers["Content-Type"] == "application/json"
    url = "https://example.org/fr/microsoft-investit-openai.html"
    assert payload["text"].startswith(f"[ai-deals] <{url}|Microsoft investit")
    title, context, snippet = payload["blocks"]
    assert title["text"]["text"].startswith(f"*<{url}|")
    assert context["type"] == "context"
    assert "arsfr" in context["elements"][0]["text"] and "*ai-deals*" in context["elements"][0]["text"]
    assert "*investissement*" in snippet["text"]["text"] and "*OpenAI*" in snippet["text"]["text"]


def test_5xx_is_transient() -> None:
    with webhook_server() as server:
        err = failure(server, Reply(500, b"internal error"))
    assert isinstance(err, TransientDeliveryError) and err.reason.startswith("HTTP 500")


def test_429_is_transient_with_retry_after() -> None:
    with webhook_server() as server:
        err = failure(server, Reply(429, b"rate_limited", {"Retry-After": "7"}))
    assert isinstance(err, TransientDeliveryError) and err.retry_after == 7


@pytest.mark.parametrize(
    ("status", "body"),
    [(400, b"invalid_payload"), (403, b"invalid_token"), (404, b"no_service"), (410, b"channel_is_archived")],
)
def test_other_4xx_are_permanent(status: int, body: bytes) -> None:
    with webhook_server() as server:
        err = failure(server, Reply(status, body))
    assert isinstance(err, PermanentDeliveryError)
    assert err.reason == f"HTTP {status}: {body.decode()}"


def test_a_server_that_never_answers_times_out_transiently() -> None:
    with silent_server() as port, pytest.raises(TransientDeliveryError) as err:
        send(f"http://127.0.0.1:{port}/services/T/B/SECRET", timeout=0.5)
    assert "0.5 s" in err.value.reason


def test_connection_refused_is_transient() -> None:
    with pytest.raises(TransientDeliveryError) as err:
        send(f"http://127.0.0.1:{free_port()}/services/T/B/SECRET")
    assert "SECRET" not in err.value.reason


def test_the_webhook_url_never_shows_in_errors_reprs_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_server() as server:
        url = server.url()
        # A receiver echoing the request URL in its error body.
        err = failure(
            server, Reply(404, f"no service at {url} (path /services/T000/B000/SECRETxTOKEN)".encode())
        )
        send(url)
    assert "SECRETxTOKEN" not in err.reason and "[redacted]" in err.reason
    assert "SECRETxTOKEN" not in repr(SlackNotifier("slack", SlackOptions(webhook_url=url)))
    assert "HTTP Request: POST" in caplog.text  # httpx did log the request…
    assert "SECRETxTOKEN" not in caplog.text  # …without the secret


def test_a_webhook_url_must_be_http() -> None:
    with pytest.raises(ValidationError, match="not an absolute URL") as err:
        SlackOptions(webhook_url="hooks.slack.com/services/T/B/SECRET")
    assert "SECRET" not in str(err.value)


# ------------------------------------------------------------------ limits


def all_texts(payload: dict[str, Any]) -> list[str]:
    texts = [payload["text"]]
    for block in payload["blocks"]:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element["text"] for element in block.get("elements", [])]
    return texts


def test_a_long_article_and_an_emoji_at_the_title_cut_stay_within_limits() -> None:
    title = "A" * 140 + FAMILY + " and the rest of a very long headline"
    text = " ".join(["OpenAI & <Microsoft> investissement"] * 300)  # 10,800 characters, hits everywhere
    assert len(text) > 10_000
    snippet = build_snippet([text], ["OpenAI", "investissement"], width=10_000)
    payload = slack_payload(message(title=title, snippet=snippet, terms=("OpenAI", "investissement")))
    assert len(payload["blocks"]) <= 50
    for value in all_texts(payload):
        assert units(value) <= 3000
        value.encode("utf-8")  # whole characters only: no lone surrogate
    title_block = payload["blocks"][0]["text"]["text"]
    label = title_block.split("|", 1)[1].removesuffix(">*")
    assert units(label) <= 150 and label.endswith(ELLIPSIS)
    # The family emoji is kept whole or dropped whole, never split at a joiner.
    assert label == "A" * 140 + ELLIPSIS
    snippet_text = payload["blocks"][2]["text"]["text"]
    assert "&amp;" in snippet_text and "&lt;Microsoft&gt;" in snippet_text
    assert snippet_text.count("*") % 2 == 0 and not snippet_text.rstrip(ELLIPSIS).endswith("&amp")
    json.dumps(payload, ensure_ascii=False).encode("utf-8")


def test_truncate_keeps_whole_emoji_and_flags() -> None:
    assert truncate("ab" + FAMILY, 10) == "ab" + ELLIPSIS
    assert truncate("ab" + FAMILY + "cd", 14) == "ab" + FAMILY + ELLIPSIS
    assert truncate("x🇫🇷🇩🇪", 4) == "x" + ELLIPSIS  # half a flag is never kept
    assert truncate("x🇫🇷🇩🇪", 6) == "x🇫🇷" + ELLIPSIS
    assert truncate("cafe\u0301s", 5) == "caf" + ELLIPSIS  # the accent stays with its letter
    assert truncate("👍🏽👍🏽", 3) == ELLIPSIS


def test_fit_mrkdwn_never_splits_an_escape() -> None:
    text = "a" * 8 + "&amp;" + "b" * 10
    for limit in range(2, len(text)):
        fitted = fit_mrkdwn(text, limit)
        assert units(fitted) <= limit
        body = fitted.removesuffix(ELLIPSIS)
        assert "&" not in body or "&amp;" in body


@given(st.text(), st.integers(min_value=1, max_value=40))
def test_truncate_is_a_bounded_prefix(text: str, limit: int) -> None:
    cut = truncate(text, limit)
    assert units(cut) <= limit
    if cut != text:
        assert cut.endswith(ELLIPSIS) and text.startswith(cut.removesuffix(ELLIPSIS).rstrip())


@given(st.lists(st.tuples(st.text(min_size=1), st.booleans()), max_size=30), st.integers(10, 200))
def test_snippet_mrkdwn_is_bounded_and_balanced(parts: list[tuple[str, bool]], limit: int) -> None:
    from alerts.message import Fragment

    fragments = [Fragment(text.replace("*", ""), hit) for text, hit in parts]
    rendered = snippet_mrkdwn(fragments, limit)
    assert units(rendered) <= limit
    assert rendered.count("*") % 2 == 0


def test_a_plain_notice_is_escaped_mrkdwn() -> None:
    with webhook_server() as server:
        notifier = SlackNotifier("slack", SlackOptions(webhook_url=server.url()))
        asyncio.run(notifier.send_text("source <arsfr> is failing", "HTTP 503 & more"))
    assert server.posts[0].json() == {"text": "*source &lt;arsfr&gt; is failing*\nHTTP 503 &amp; more"}


# ------------------------------------------------------- Slack's own refusals

LONG_URL = "https://example.org/news/" + "a-very-long-article-slug-" * 160  # 4,024 characters
_LINK = re.compile(r"<([^<>|]*)\|[^<>]*>")


def links(text: str) -> list[str]:
    """The URLs of the whole ``<url|label>`` links in ``text``; a ``<`` left open means a cut link."""
    assert text.count("<") == text.count(">") == len(_LINK.findall(text)), text[:300]
    return _LINK.findall(text)


def test_a_4000_character_link_is_delivered_whole_and_every_field_fits() -> None:
    assert len(LONG_URL) > 4000
    with webhook_server() as server:
        server.judge = slack_judge
        send(server.url(), msg=message(url=LONG_URL))
    (post,) = server.posts
    assert post.status == 200
    payload = post.json()
    assert links(payload["text"]) == [LONG_URL]
    title = payload["blocks"][0]["text"]["text"]
    assert links(title) == [] and "Microsoft investit" in title and "too long" in title
    assert "newsmon show 7" in title


def test_blocks_slack_refuses_get_one_retry_as_text() -> None:
    with webhook_server() as server:
        server.then(Reply(400, b"invalid_blocks"))
        send(server.url())
    first, second = server.posts
    assert (first.status, second.status) == (400, 200)
    assert "blocks" in first.json() and "blocks" not in second.json()
    assert links(second.json()["text"]) == ["https://example.org/fr/microsoft-investit-openai.html"]


def test_a_second_refusal_is_permanent_and_other_400s_are_not_retried() -> None:
    with webhook_server() as server:
        server.then(Reply(400, b"invalid_blocks"), Reply(400, b"invalid_blocks"))
        with pytest.raises(PermanentDeliveryError) as err:
            send(server.url())
        assert err.value.reason == "HTTP 400: invalid_blocks" and len(server.posts) == 2
        server.then(Reply(400, b"invalid_payload"))
        with pytest.raises(PermanentDeliveryError):
            send(server.url())
        assert len(server.posts) == 3


HOSTILE = st.sampled_from(["a", "é", "&", "<", ">", "|", "*", "_", " ", FAMILY, "🇫🇷", "\u0301"])


def long_text(minimum: int = 0) -> st.SearchStrategy[str]:
    return st.builds(
        lambda parts, n: "".join(parts) * n,
        st.lists(HOSTILE, min_size=1, max_size=8),
        st.integers(max(minimum, 0), 1500),
    )


@settings(deadline=None)  # long texts, a loaded machine
@given(long_text(), long_text(1), long_text(1), long_text(1), st.lists(long_text(1), max_size=5))
def test_every_payload_is_one_slack_takes_with_its_links_whole(
    title: str, slug: str, rule: str, source: str, terms: list[str]
) -> None:
    url = "https://example.org/" + slug.replace(" ", "-")
    payload = slack_payload(message(title=title, url=url, rule=rule, source=source, terms=tuple(terms)))
    assert slack_refusal(payload) is None
    assert units(payload["text"]) <= 40_000
    for text in all_texts(payload):
        links(text)

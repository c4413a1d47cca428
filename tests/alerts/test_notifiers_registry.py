"""The type registry, the console notifier and the Apprise notifier (against a local receiver)."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from alerts.delivery_errors import ChannelConfigError, PermanentDeliveryError, TransientDeliveryError
from alerts.notifiers import NOTIFIERS, build_notifier
from alerts.notifiers.apprise_urls import AppriseNotifier
from alerts.notifiers.console import ConsoleNotifier
from alerts.notifiers.options import AppriseOptions, ConsoleOptions, SlackOptions
from alerts.notifiers.slack import SlackNotifier

from .outbox_helpers import SEED_TITLE, message
from .webhook_server import Reply, webhook_server


def test_the_registry_maps_every_type_to_its_options_and_class() -> None:
    assert set(NOTIFIERS) == {"email", "slack", "webhook", "console", "apprise"}
    assert all(plugin.load().type == type_ for type_, plugin in NOTIFIERS.items())  # type: ignore[attr-defined]
    options = SlackOptions(webhook_url="https://hooks.slack.com/services/T/B/XyZsecret")
    slack = build_notifier("slack", "team", options)
    assert isinstance(slack, SlackNotifier) and slack.name == "team"
    assert slack.timeout == 10.0  # the default is declared once, in the options model


def test_unknown_types_and_options_are_errors_without_the_secrets() -> None:
    with pytest.raises(ChannelConfigError, match="channel 'x': unknown type 'pager'"):
        build_notifier("pager", "x", ConsoleOptions())
    with pytest.raises(TypeError, match="slack channels take SlackOptions"):
        build_notifier("slack", "team", ConsoleOptions())
    with pytest.raises(ValidationError) as err:
        SlackOptions(webhook_url="https://h/s/secret-value", colour="red")  # type: ignore[call-arg]
    assert "colour" in str(err.value) and "secret-value" not in str(err.value)


def test_console_prints_a_compact_alert(capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(ConsoleNotifier("console", ConsoleOptions()).send(message()))
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"[alert] ai-deals: {SEED_TITLE}"
    assert "https://example.org/fr/microsoft-investit-openai.html" in out and "arsfr" in out


def test_apprise_delivers_through_its_json_plugin() -> None:
    with webhook_server() as server:
        notifier = AppriseNotifier(
            "apprise", AppriseOptions(urls=[f"json://127.0.0.1:{server.port}/notify"], timeout="10s")
        )
        asyncio.run(notifier.send(message()))
    (post,) = server.posts
    assert post.path == "/notify"
    assert SEED_TITLE in post.json()["title"]


def test_apprise_failures_are_transient_until_max_attempts() -> None:
    url = "json://127.0.0.1:{port}/notify?token=t0psecret"
    with webhook_server() as server:
        notifier = AppriseNotifier(
            "apprise", AppriseOptions(urls=[url.format(port=server.port)], max_attempts=3)
        )
        server.then(Reply(500), Reply(500))
        with pytest.raises(TransientDeliveryError) as transient:
            asyncio.run(notifier.send(message(attempts=0)))
        with pytest.raises(PermanentDeliveryError) as permanent:
            asyncio.run(notifier.send(message(attempts=2)))
    assert "#1 (json)" in transient.value.reason and "t0psecret" not in transient.value.reason
    assert "giving up after 3 attempts" in permanent.value.reason


def test_apprise_retries_only_the_services_that_failed() -> None:
    with webhook_server() as good, webhook_server() as bad:
        urls = [f"json://127.0.0.1:{good.port}/a", f"json://127.0.0.1:{bad.port}/b"]
        notifier = AppriseNotifier("apprise", AppriseOptions(urls=urls))
        bad.then(Reply(503))

        async def twice() -> None:
            with pytest.raises(TransientDeliveryError):
                await notifier.send(message())
            await notifier.send(message(attempts=1))

        asyncio.run(twice())
    assert (len(good.posts), len(bad.posts)) == (1, 2)


def test_an_invalid_apprise_url_is_refused_by_the_options_without_the_url() -> None:
    with pytest.raises(ValidationError) as err:
        AppriseOptions(urls=["nosuchscheme://user:pa55word@host"])
    assert "URL #1 (nosuchscheme://…)" in str(err.value) and "pa55word" not in str(err.value)


def test_plain_notices_on_the_console_and_through_apprise(capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(ConsoleNotifier("console", ConsoleOptions()).send_text("source arsfr is failing", "HTTP 503"))
    assert capsys.readouterr().out == "[newsmon] source arsfr is failing\n        HTTP 503\n"
    with webhook_server() as server:
        notifier = AppriseNotifier("apprise", AppriseOptions(urls=[f"json://127.0.0.1:{server.port}/notify"]))
        asyncio.run(notifier.send_text("source arsfr is failing", "HTTP 503"))
        server.then(Reply(500))
        with pytest.raises(TransientDeliveryError):
            asyncio.run(notifier.send_text("again", "HTTP 503"))
    assert server.posts[0].json()["title"] == "source arsfr is failing"

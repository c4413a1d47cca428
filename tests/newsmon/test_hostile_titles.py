"""Hostile titles from a real crawl, in the feed and in the page, to the mail a real SMTP server gets."""

from __future__ import annotations

import base64
import email
import email.policy
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any

from sqlalchemy.orm import Session

from alerts.delivery import Deliverer, DeliveryReport
from alerts.message import one_line
from alerts.notifiers.email_smtp import EmailNotifier
from alerts.notifiers.options import EmailOptions
from crawler.pipelines import TITLE_LIMIT
from crawler.runner import CrawlService
from db import outbox
from db.engine import Database
from db.store import NewArticle
from tests.alerts.outbox_helpers import Match
from tests.alerts.smtp_server import smtp_server
from tests.alerts.test_notifiers_email import HEADERS_SET
from tests.crawler.helpers import articles, context
from tests.servers import Reply, TestServer

Run = Callable[[Any], Any]

# As they are written in XML and HTML: character references are decoded by the parsers on the way.
TITLES = [
    "Breaking\r\nBcc: x@example.com",
    "Breaking&#13;&#10;Bcc: x@example.com",
    "Breaking\u2028Bcc: x@example.com",
    "Breaking\u2029Bcc: x@example.com",
    "Breaking\x85Bcc: x@example.com",
    "Breaking =?utf-8?q?=0D=0ABcc:_x@example.com?=",
    "Breaking =?utf-8?q?=0D=0A=0D=0AYour_account_is_locked?=",
    "Breaking =?utf-8?b?" + base64.b64encode(b"\r\nBcc: x@example.com").decode() + "?=",
]
PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body><article><h1>{title}</h1>
<p>OpenAI and Microsoft announced on Monday a new investment of several billion dollars in the
laboratory, extending a partnership that began in 2019 and that both companies describe as central.</p>
<p>The agreement gives Microsoft exclusive rights to parts of the technology, according to people
familiar with the matter, while the laboratory keeps control of its research agenda.</p>
</article></body></html>"""


def feed(base: str, prefix: str, titled: bool) -> str:
    items = "".join(
        f"<item>{f'<title>{title}</title>' if titled else ''}<link>{base}/{prefix}/{n}.html</link>"
        f"<guid>{prefix}-{n}</guid><pubDate>Mon, 11 Mar 2024 16:20:00 +0100</pubDate></item>"
        for n, title in enumerate(TITLES)
    )
    channel = f"<channel><title>t</title>{items}</channel>"
    return f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'


def site(server: TestServer) -> None:
    rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
    html = {"Content-Type": "text/html; charset=utf-8"}
    server.set("/from-feed.xml", Reply(body=feed(server.base_url, "f", titled=True), headers=rss))
    server.set("/from-page.xml", Reply(body=feed(server.base_url, "p", titled=False), headers=rss))
    for n, title in enumerate(TITLES):
        server.set(f"/f/{n}.html", Reply(body=PAGE.format(title=""), headers=html))
        server.set(f"/p/{n}.html", Reply(body=PAGE.format(title=title), headers=html))


def alert_everything(session: Session, article_id: int, _article: NewArticle) -> None:
    outbox.raise_alerts(session, article_id, [Match("ai-deals", ("mail",))])


def test_titles_from_feeds_and_pages_never_add_mail_headers(database: Database, run_on_reactor: Run) -> None:
    with TestServer() as server:
        site(server)
        ctx = context(
            database,
            ("from-feed", server.url("/from-feed.xml")),
            ("from-page", server.url("/from-page.xml")),
            on_stored=alert_everything,
        )
        run_on_reactor(CrawlService().crawl(ctx))
    stored = {a.id: a for a in articles(database)}
    assert len(stored) == 2 * len(TITLES)
    # The hostile text did reach the stored titles, from both places.
    assert sum("=?utf-8?" in a.title for a in stored.values()) == 6

    with smtp_server() as (smtp, port):
        notifier = EmailNotifier(
            "mail",
            EmailOptions(
                host="127.0.0.1", port=port, sender="n@example.org", to=["a@example.org"], tls="none"
            ),
        )
        report = run_on_reactor(Deliverer(database, {"mail": notifier}, batch_size=50).deliver_due())
    assert report == DeliveryReport(sent=len(stored))
    assert all(envelope == ("n@example.org", ["a@example.org"]) for envelope in smtp.envelopes)
    subjects = []
    for raw in smtp.raw:
        mail = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        assert [name.lower() for name in mail] == HEADERS_SET, raw[:400]
        subjects.append(str(mail["Subject"]))
    assert sorted(subjects) == sorted(f"[newsmon] ai-deals: {one_line(a.title)}" for a in stored.values())


def test_a_huge_title_is_cut_before_anything_reads_it(database: Database, run_on_reactor: Run) -> None:
    huge = "OpenAI " + "very " * 60_000 + "long"
    with TestServer() as server:
        rss = {"Content-Type": "application/rss+xml; charset=utf-8"}
        html = {"Content-Type": "text/html; charset=utf-8"}
        items = (
            f"<item><title>{huge}</title><link>{server.base_url}/f/0.html</link><guid>f-0</guid></item>"
            f"<item><link>{server.base_url}/p/0.html</link><guid>p-0</guid></item>"
        )
        channel = f"<channel><title>t</title>{items}</channel>"
        body = f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0">{channel}</rss>'
        server.set("/feed.xml", Reply(body=body, headers=rss))
        server.set("/f/0.html", Reply(body=PAGE.format(title=""), headers=html))
        server.set("/p/0.html", Reply(body=PAGE.format(title=huge), headers=html))
        run_on_reactor(CrawlService().crawl(context(database, ("wire", server.url("/feed.xml")))))
    titles = [a.title for a in articles(database)]
    assert len(titles) == 2
    assert all(title.startswith("OpenAI very") and title.endswith("…") for title in titles)
    assert all(len(title) <= TITLE_LIMIT for title in titles)

"""One alert per (rule, story), through real crawls: the seed story told by an English, a French and a
German outlet (the German one a crawl later) is one story and one ai-investment alert; a distractor the
same week (Microsoft investing in another company) alerts on its own. Bundled rules, real SMTP and Slack."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from db.engine import Database
from db.stories import list_stories
from tests.newsmon.peers import Mailbox, Site, SlackHook, smtp_server
from tests.newsmon.test_bundled_rules import as_json, bundled_config, newsmon

STORY_SITE = Path(__file__).parent / "story_site"
OUTLETS = {"wire": "en", "arsfr": "fr", "tagesblatt": "de"}
SEED_TITLES = {
    "Microsoft pours billions more into ChatGPT creator OpenAI",
    "Microsoft investit des milliards de dollars dans OpenAI et étend leur partenariat",
    "Milliarden für ChatGPT: Microsoft steigt noch tiefer bei OpenAI ein",
}
DISTRACTOR = "Microsoft takes a stake in Builder.ai, the AI start-up that builds apps"
NOTHING_YET = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tagesblatt Digital</title><link>{{BASE}}/de/</link>
<description>Nachrichten aus der Digitalwirtschaft</description></channel></rss>
"""


@dataclass
class Crawled:
    workdir: Path
    slack: SlackHook
    mailbox: Mailbox
    first: list[dict[str, Any]]  # `newsmon alerts` after the first crawl
    sent_first: tuple[int, int]  # mails and Slack posts after the first crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """A crawl of the English and French outlets; then the German outlet publishes, and a second crawl."""
    workdir = tmp_path_factory.mktemp("stories")
    root = workdir / "site"
    shutil.copytree(STORY_SITE, root)
    german_feed = root / "de" / "feed.xml"
    german = german_feed.read_bytes()
    german_feed.write_text(NOTHING_YET, encoding="utf-8")
    site, slack = Site(root), SlackHook()
    with smtp_server() as (mailbox, port):
        config = bundled_config(workdir, site, port)
        config["sources"] = [
            {"name": name, "type": "feed", "url": f"{site.base}/{lang}/feed.xml", "every": "1h"}
            for name, lang in OUTLETS.items()
        ]
        stream = io.StringIO()
        YAML().dump(config, stream)
        (workdir / "config.yaml").write_text(stream.getvalue(), encoding="utf-8")
        crawl = newsmon(workdir, slack, "crawl")
        assert crawl.returncode == 0, crawl.stderr
        first = as_json(workdir, slack, "alerts")
        sent_first = (len(mailbox.messages), len(slack.posts))
        german_feed.write_bytes(german)
        crawl = newsmon(workdir, slack, "crawl")
        assert crawl.returncode == 0, crawl.stderr
        yield Crawled(workdir, slack, mailbox, first, sent_first)
    site.close()
    slack.close()


def stories(crawled: Crawled) -> list[dict[str, Any]]:
    database = Database(f"sqlite:///{crawled.workdir}/newsmon.db")
    try:
        return list_stories(database)
    finally:
        database.dispose()


def alerted(deliveries: list[dict[str, Any]], rule: str) -> dict[int, str]:
    """The alerts of ``rule``, once per alert (a delivery per channel): story id -> title."""
    titles: dict[int, str] = {}
    for delivery in deliveries:
        if delivery["rule"] == rule and delivery["channel"] == "mail":
            assert delivery["story_id"] not in titles, f"{rule} alerted twice on story {delivery['story_id']}"
            titles[delivery["story_id"]] = delivery["title"]
    return titles


def story_of(crawled: Crawled, titles: set[str]) -> dict[str, Any]:
    [story] = [story for story in stories(crawled) if story["title"] in titles]
    return story


def test_three_outlets_in_three_languages_are_one_story(crawled: Crawled) -> None:
    seed = story_of(crawled, SEED_TITLES)
    assert sorted(seed["outlets"]) == sorted(OUTLETS)
    assert sorted(seed["languages"]) == ["de", "en", "fr"]
    assert seed["articles"] == 3 and len(seed["article_ids"]) == 3
    assert {"Microsoft", "OpenAI"} <= set(seed["orgs"]) and "investment" in seed["events"]
    assert story_of(crawled, {DISTRACTOR})["outlets"] == ["wire"]


def test_the_story_alerts_once_per_rule_and_the_distractor_on_its_own(crawled: Crawled) -> None:
    deliveries = as_json(crawled.workdir, crawled.slack, "alerts")
    seed, distractor = story_of(crawled, SEED_TITLES), story_of(crawled, {DISTRACTOR})
    investment = alerted(deliveries, "ai-investment")
    assert set(investment) == {seed["id"], distractor["id"]}
    assert investment[seed["id"]] in SEED_TITLES and investment[distractor["id"]] == DISTRACTOR
    # Every article of the story matches the rule: the story, not the matching, kept it to one alert.
    matching = as_json(crawled.workdir, crawled.slack, "rules", "test", "ai-investment")
    assert {row["article_id"] for row in matching} == {*seed["article_ids"], *distractor["article_ids"]}
    for rule in {d["rule"] for d in deliveries}:
        assert set(alerted(deliveries, rule)) <= {seed["id"], distractor["id"]}


def test_the_later_outlet_joins_the_story_without_a_new_alert(crawled: Crawled) -> None:
    deliveries = as_json(crawled.workdir, crawled.slack, "alerts")
    assert deliveries == crawled.first  # the German article raised nothing, and nothing changed
    assert (len(crawled.mailbox.messages), len(crawled.slack.posts)) == crawled.sent_first
    subjects = Counter(
        "ai-investment" if "ai-investment" in str(mail["Subject"]) else "other"
        for mail in crawled.mailbox.messages
    )
    assert subjects["ai-investment"] == 2
    assert {d["status"] for d in deliveries} == {"sent"}

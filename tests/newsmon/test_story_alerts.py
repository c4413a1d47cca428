"""One alert per (rule, story), through real crawls: the seed story told by an English, a French and a
German outlet (the German one a crawl later) is one story and one ai-investment alert; a distractor the
same week (Microsoft investing in another company) alerts on its own. Bundled rules, real SMTP and Slack."""

from __future__ import annotations

import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from db.engine import Database
from db.outbox import list_deliveries
from db.stories import list_stories
from newsmon.cli import STORY_FIELDS
from tests.newsmon.peers import Mailbox, Site, SlackHook, smtp_server
from tests.newsmon.test_bundled_rules import SEED_SITE, as_json, bundled_config, newsmon

# The module's fixture runs two crawls that each load the embedding model: on a machine shared by
# several test runs that alone has taken more than the default 120 s.
pytestmark = pytest.mark.timeout(360)
STORY_SITE = Path(__file__).parent / "story_site"
# The French outlet's article is the seed article itself, served from the seed site's copy.
SEED_PAGE = Path("fr/2023/01/microsoft-investit-openai.html")
STORY_KEYS = {
    "id", "title", "first_seen", "last_seen", "articles", "article_ids",
    "outlets", "languages", "orgs", "events", "amount",
}  # fmt: skip
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
    first: list[dict[str, Any]]  # the alerts' deliveries after the first crawl
    sent_first: tuple[int, int]  # mails and Slack posts after the first crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """A crawl of the English and French outlets; then the German outlet publishes, and a second crawl."""
    workdir = tmp_path_factory.mktemp("stories")
    root = workdir / "site"
    shutil.copytree(STORY_SITE, root)
    (root / SEED_PAGE).parent.mkdir(parents=True)
    shutil.copyfile(SEED_SITE / SEED_PAGE, root / SEED_PAGE)
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
        first = deliveries(workdir)
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


def deliveries(workdir: Path) -> list[dict[str, Any]]:
    """What `newsmon alerts --format json` prints, read in-process."""
    database = Database(f"sqlite:///{workdir}/newsmon.db")
    try:
        return [row.as_dict() for row in list_deliveries(database)]
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


def test_newsmon_stories_lists_them_newest_first_in_the_contract_shape(crawled: Crawled) -> None:
    listed = as_json(crawled.workdir, crawled.slack, "stories")
    assert listed == stories(crawled)
    assert all(set(story) == STORY_KEYS for story in listed)
    assert listed[0]["title"] == DISTRACTOR  # seen last (25 January)
    assert as_json(crawled.workdir, crawled.slack, "stories", "--since", "1d") == []  # all from 2023
    partnership = as_json(crawled.workdir, crawled.slack, "stories", "--rule", "ai-partnership")
    assert [story["title"] for story in partnership] == [story_of(crawled, SEED_TITLES)["title"]]
    assert as_json(crawled.workdir, crawled.slack, "stories", "--rule", "ai-acquisition") == []
    unknown = newsmon(crawled.workdir, crawled.slack, "stories", "--rule", "nope")
    assert unknown.returncode == 2 and "ai-investment" in unknown.stderr


def test_newsmon_stories_as_a_table_and_as_csv(crawled: Crawled, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # a wide terminal: cells unfolded
    table = newsmon(crawled.workdir, crawled.slack, "stories")
    assert table.returncode == 0, table.stderr
    assert "wire, arsfr, tagesblatt" in table.stdout and "en, fr, de" in table.stdout
    empty = newsmon(crawled.workdir, crawled.slack, "stories", "--since", "1d", "--format", "csv")
    assert empty.stdout.splitlines() == [",".join(STORY_FIELDS)]


def test_show_names_the_story_and_its_other_articles(crawled: Crawled) -> None:
    seed = story_of(crawled, SEED_TITLES)
    first, *others = seed["article_ids"]
    shown = as_json(crawled.workdir, crawled.slack, "show", str(first))
    assert shown["story_id"] == seed["id"]
    assert [article["id"] for article in shown["story_articles"]] == others
    assert {article["source"] for article in shown["story_articles"]} == set(OUTLETS) - {shown["source"]}
    table = " ".join(newsmon(crawled.workdir, crawled.slack, "show", str(first)).stdout.split())
    assert f"Story {seed['id']}, also reported by:" in table
    for article in shown["story_articles"]:
        assert f"{article['source']} ({article['language']}) {article['title']}" in table
    exported = newsmon(crawled.workdir, crawled.slack, "export").stdout.splitlines()
    assert {json.loads(line)["id"]: json.loads(line)["story_id"] for line in exported}[first] == seed["id"]
    alone = as_json(
        crawled.workdir, crawled.slack, "show", str(story_of(crawled, {DISTRACTOR})["article_ids"][0])
    )
    assert alone["story_articles"] == []


def test_every_alert_row_names_its_story(crawled: Crawled, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    deliveries = as_json(crawled.workdir, crawled.slack, "alerts")
    seed = story_of(crawled, SEED_TITLES)
    assert {d["story_id"] for d in deliveries} == {seed["id"], story_of(crawled, {DISTRACTOR})["id"]}
    table = newsmon(crawled.workdir, crawled.slack, "alerts").stdout.splitlines()
    assert "story_id" in table[2]  # title, border, header
    assert any(f"│ {seed['id']} " in line and "ai-investment" in line for line in table)

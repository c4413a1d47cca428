"""What a user does on each page, in a real browser: Debian's chromium driven by Playwright.

The browser is launched off the network (every host name but 127.0.0.1
fails to resolve) and the server runs on a free loopback port. Each test
takes a screenshot of the page it used: into docs/screenshots when
``NEWSMON_SCREENSHOTS`` names that folder (how the README's are made),
else into the test's temporary folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from db import digests, outbox
from db.outbox import list_deliveries
from db.policy import HOURLY, DeliveryPolicy
from newsmon.web.pages import when
from tests.web.conftest import TOKEN, LiveServer, Site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
PHONE = {"width": 375, "height": 740}
HOURLY_DIGEST = DeliveryPolicy(digest=HOURLY)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-liberation (.ci/run does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    # A Content-Security-Policy violation (an inline style or script of ours) is a console error;
    # so is a missing file (the favicon a browser asks for by itself). A 401 is the login form's answer.
    opened.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and "status of 401" not in message.text
            else None
        ),
    )
    yield opened
    context.close()
    assert not problems


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NEWSMON_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(page: Page, folder: Path, name: str) -> None:
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000


def test_search_as_you_type_then_open_an_article(
    page: Page, server: LiveServer, site: Site, shots: Path
) -> None:
    page.goto(server.base + "/")
    page.get_by_role("searchbox").fill("OpenAI")  # no Enter: the results follow the typing
    expect(page).to_have_url(server.base + "/?q=OpenAI")  # empty filters stay out of the URL
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator(".hit mark").first).to_have_text("OpenAI")
    page.get_by_text("Filters").click()
    page.get_by_label("Language").fill("fr")
    expect(page.locator(".hit")).to_have_count(1)
    expect(page).to_have_url(server.base + "/?q=OpenAI&lang=fr")
    page.get_by_label("Language").fill("")
    expect(page.locator(".hit")).to_have_count(2)
    snap(page, shots, "search")
    page.get_by_role("link", name="Microsoft to invest $10 billion in OpenAI").click()
    expect(page).to_have_url(f"{server.base}/articles/{site.ids['openai']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Microsoft to invest $10 billion in OpenAI")
    expect(page.locator("table")).to_contain_text("HTTP 404 from the webhook")
    expect(page.get_by_role("link", name="Microsoft investit 10 milliards dans OpenAI")).to_be_visible()
    snap(page, shots, "article")
    page.go_back()
    expect(page.get_by_role("searchbox")).to_have_value("OpenAI")


def test_retry_a_failed_delivery(page: Page, server: LiveServer, site: Site, shots: Path) -> None:
    delivery = site.ids["failed_delivery"]
    page.goto(server.base + "/alerts")
    row = page.locator(f"#delivery-{delivery}")
    expect(row).to_contain_text("failed")
    snap(page, shots, "alerts")
    row.get_by_role("button", name="Retry now").click()
    expect(page.locator(f"#delivery-{delivery}")).to_contain_text("pending")
    assert next(r for r in list_deliveries(site.app.database) if r.id == delivery).status == "pending"


@dataclass(frozen=True)
class Held:
    rule: str
    channels: tuple[str, ...] = ("mail",)
    terms: tuple[str, ...] = ()
    policy: DeliveryPolicy = HOURLY_DIGEST


def hold(site: Site, rule: str, now: datetime) -> int:
    """A delivery of ``rule`` held for the hour's digest; its id."""
    database = site.app.database
    with database.write() as session:
        raised = outbox.raise_alerts(session, site.ids["weather"], [Held(rule)], now=now)  # type: ignore[list-item]
    assert len(raised) == 1
    return next(r.id for r in outbox.list_deliveries(database) if r.rule == rule and r.held)


def test_held_deliveries_say_when_and_in_which_digest_they_go_out(
    page: Page, server: LiveServer, site: Site, shots: Path
) -> None:
    now = datetime.now(UTC)
    due = HOURLY_DIGEST.hold_until(now)
    assert due is not None
    in_digest = hold(site, "ai-deals", now)
    assert digests.make_due_digests(site.app.database, due, ["mail"]) == 1
    waiting = hold(site, "partnerships", now)
    digest_id = next(r.digest_id for r in outbox.list_deliveries(site.app.database) if r.id == in_digest)
    page.goto(server.base + "/alerts")
    waiting_row, digest_row = page.locator(f"#delivery-{waiting}"), page.locator(f"#delivery-{in_digest}")
    expect(waiting_row).to_contain_text("pending held for a digest")
    expect(waiting_row.locator("td[data-label=Due]")).to_have_text(when(due))
    expect(digest_row).to_contain_text(f"held for digest {digest_id}")
    expect(digest_row.locator("td[data-label=Due]")).to_have_text(when(due))
    sent = page.locator(f"#delivery-{site.ids['sent_delivery']}")
    expect(sent.locator("td[data-label=Due]")).to_have_text("")  # sent: nothing more is due
    expect(sent).not_to_contain_text("held")
    snap(page, shots, "alerts-held")
    page.goto(f"{server.base}/articles/{site.ids['weather']}")
    expect(page.locator("table")).to_contain_text(f"held for digest {digest_id}")


def test_backtest_a_rule(page: Page, server: LiveServer, site: Site, shots: Path) -> None:
    page.goto(server.base + "/rules")
    expect(page.locator("table.rules svg.chart").first).to_be_visible()
    page.get_by_label("Rule").select_option("partnerships")
    page.get_by_label("Since").fill("7d")
    page.get_by_role("button", name="Test").click()
    results = page.locator("#backtest")
    expect(results).to_contain_text("2 matches for partnerships since 7d")
    expect(results.get_by_role("link", name="Microsoft to invest $10 billion in OpenAI")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/rules\?rule=partnerships&since=7d"))
    snap(page, shots, "rules")


def test_stories_and_sources(page: Page, server: LiveServer, shots: Path) -> None:
    page.goto(server.base + "/stories")
    story = page.locator(".story").first
    expect(story).to_contain_text("Microsoft invests in OpenAI")
    expect(story.locator("svg.timeline circle")).to_have_count(2)
    snap(page, shots, "stories")
    page.goto(server.base + "/sources")
    expect(page.locator("table.sources tbody tr")).to_have_count(2)
    expect(page.locator("table.sources")).to_contain_text("connection refused")
    expect(page.locator("table.sources svg.chart").first).to_be_visible()
    snap(page, shots, "sources")


def test_a_hostile_article_runs_nothing(page: Page, server: LiveServer, site: Site) -> None:
    for path in (
        f"/articles/{site.ids['xss']}",
        "/?q=partnership",
        "/?q=script",
        "/alerts",
        "/rules?rule=partnerships",
    ):
        page.goto(server.base + path)
        assert page.evaluate("window.__xss") is None, path
        assert page.locator("img").count() == 0
    page.goto(f"{server.base}/articles/{site.ids['xss']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("<script>window.__xss = 1</script>")
    expect(page.locator("a[href^='javascript:']")).to_have_count(0)


def test_login_with_the_token(page: Page, token_server: LiveServer, shots: Path) -> None:
    page.goto(token_server.base + "/?q=OpenAI")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Token").fill("not the token")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("That token is not right.")
    snap(page, shots, "login")
    page.get_by_label("Token").fill(TOKEN)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(token_server.base + "/?q=OpenAI")
    expect(page.locator(".hit")).to_have_count(2)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(token_server.base + "/login")
    page.goto(token_server.base + "/alerts")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Falerts"))


def test_every_page_fits_a_phone(browser: Browser, server: LiveServer, site: Site, shots: Path) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = context.new_page()
    for name, path in [
        ("search", "/?q=OpenAI"),
        ("article", f"/articles/{site.ids['openai']}"),
        ("stories", "/stories"),
        ("alerts", "/alerts"),
        ("sources", "/sources"),
        ("rules", "/rules?rule=partnerships"),
    ]:
        phone.goto(server.base + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width}px wide on a {PHONE['width']}px screen"
        if name in ("search", "alerts"):
            snap(phone, shots, f"phone-{name}")
    context.close()

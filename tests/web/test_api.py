"""The JSON API over a real server: one test per endpoint, and per error."""

from __future__ import annotations

from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from db.engine import Database
from db.outbox import list_deliveries
from newsmon.web.app import create_app
from newsmon.wiring import App
from tests.web.conftest import LiveServer, Site

SEARCH_KEYS = {"id", "title", "url", "source", "published", "language", "snippet", "score"}


def test_search_returns_the_cli_shape_best_first(client: httpx.Client, site: Site) -> None:
    response = client.get("/api/search", params={"q": "OpenAI"})
    assert response.headers["server-timing"].startswith("search;dur=")  # the search's own time
    hits = response.json()
    assert {h["id"] for h in hits} == {site.ids["openai"], site.ids["openai_fr"]}
    assert all(set(h) == SEARCH_KEYS for h in hits)
    assert "<mark>OpenAI</mark>" in hits[0]["snippet"]
    assert hits[0]["published"].endswith("+00:00")


def test_search_filters_by_source_language_and_since(client: httpx.Client, site: Site) -> None:
    assert [h["id"] for h in client.get("/api/search?q=OpenAI&lang=fr").json()] == [site.ids["openai_fr"]]
    assert [h["id"] for h in client.get("/api/search?q=OpenAI&source=wire").json()] == [site.ids["openai"]]
    assert client.get("/api/search?q=weather&since=1d").json() == []
    assert len(client.get("/api/search?q=weather&since=2d").json()) == 1
    assert len(client.get("/api/search?q=OpenAI&limit=1").json()) == 1


def test_search_finds_an_organisation_by_any_of_its_names(client: httpx.Client, site: Site) -> None:
    # As `newsmon search` does: MSFT is one of Microsoft's names in the shipped list.
    hits = client.get("/api/search", params={"q": "org:MSFT"}).json()
    assert {h["id"] for h in hits} == {site.ids["openai"], site.ids["openai_fr"]}


def test_search_without_a_query_lists_the_last_stored(client: httpx.Client, site: Site) -> None:
    hits = client.get("/api/search").json()
    assert [h["id"] for h in hits] == [site.ids[k] for k in ("xss", "weather", "openai_fr", "openai")]
    assert [h["id"] for h in client.get("/api/search?source=blog&limit=1").json()] == [site.ids["weather"]]


def test_a_bad_query_is_a_400_with_detail(client: httpx.Client) -> None:
    response = client.get("/api/search", params={"q": '"unbalanced OR ('})
    assert response.status_code == 400
    assert "bad query" in response.json()["detail"]


def test_a_bad_duration_is_a_400_naming_since(client: httpx.Client) -> None:
    response = client.get("/api/search", params={"q": "OpenAI", "since": "yesterday"})
    assert response.status_code == 400
    assert response.json()["detail"].startswith("since: bad duration 'yesterday'")


def test_a_bad_event_is_a_400(client: httpx.Client) -> None:
    response = client.get("/api/search", params={"event": "merger"})
    assert response.status_code == 400
    assert "merger" in response.json()["detail"]


def test_a_limit_out_of_range_or_not_a_number_is_a_422(client: httpx.Client) -> None:
    for limit in ("0", "100000", "many"):
        response = client.get("/api/search", params={"q": "OpenAI", "limit": limit})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]


def test_article_is_the_show_object_with_facts(client: httpx.Client, site: Site) -> None:
    body = client.get(f"/api/articles/{site.ids['openai']}").json()
    assert body["title"] == "Microsoft to invest $10 billion in OpenAI"
    assert body["text"].startswith("Microsoft will invest")
    assert body["story_id"] == site.ids["story"]
    assert {"authors", "summary", "fetched", "orgs", "events", "amounts"} <= set(body)


def test_unknown_article_is_a_404_and_a_non_number_a_422(client: httpx.Client) -> None:
    assert client.get("/api/articles/999999").status_code == 404
    assert client.get("/api/articles/999999").json() == {"detail": "no article with id 999999"}
    assert client.get("/api/articles/abc").status_code == 422


def test_stories_in_the_cli_shape(client: httpx.Client, site: Site) -> None:
    (story,) = client.get("/api/stories").json()
    assert story["article_ids"] == [site.ids["openai"], site.ids["openai_fr"]]
    assert story["outlets"] == ["wire", "blog"] and story["languages"] == ["en", "fr"]
    assert story["amount"]["usd"] == 1e10
    assert client.get(f"/api/stories/{story['id']}").json() == story


def test_unknown_story_is_a_404_and_a_bad_since_a_400(client: httpx.Client) -> None:
    assert client.get("/api/stories/424242").status_code == 404
    assert client.get("/api/stories?since=soon").status_code == 400


def test_alerts_one_row_per_delivery(client: httpx.Client, site: Site) -> None:
    rows = client.get("/api/alerts").json()
    assert len(rows) == len(list_deliveries(site.app.database))
    failed = next(r for r in rows if r["id"] == site.ids["failed_delivery"])
    assert failed["status"] == "failed" and failed["last_error"].startswith("HTTP 404")
    assert {r["rule"] for r in client.get("/api/alerts?rule=partnerships").json()} == {"partnerships"}


def test_alerts_of_an_unknown_rule_or_a_bad_since_is_a_400(client: httpx.Client) -> None:
    response = client.get("/api/alerts?rule=nope")
    assert response.status_code == 400 and response.json() == {"detail": "rule: no rule named 'nope'"}
    assert client.get("/api/alerts?since=forever").status_code == 400


def test_retry_makes_a_failed_delivery_pending_and_due(client: httpx.Client, site: Site) -> None:
    delivery = site.ids["failed_delivery"]
    page = client.get("/alerts").text
    csrf = page.split('name="csrf" value="')[1].split('"')[0]
    response = client.post(f"/api/alerts/{delivery}/retry", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200
    row = next(r for r in list_deliveries(site.app.database) if r.id == delivery)
    assert row.status == "pending"


def test_retry_errors(client: httpx.Client, site: Site) -> None:
    csrf = client.get("/alerts").text.split('name="csrf" value="')[1].split('"')[0]
    headers = {"X-CSRF-Token": csrf}
    assert client.post(f"/api/alerts/{site.ids['failed_delivery']}/retry").status_code == 403
    assert client.post("/api/alerts/987654/retry", headers=headers).status_code == 404
    assert client.post(f"/api/alerts/{site.ids['sent_delivery']}/retry", headers=headers).status_code == 409


def test_sources_in_the_cli_shape(client: httpx.Client) -> None:
    rows = {r["name"]: r for r in client.get("/api/sources").json()}
    assert rows["wire"]["status"] == "ok" and rows["wire"]["articles"] == 2
    assert rows["blog"]["status"] == "failing" and rows["blog"]["last_error"] == "connection refused"


def test_openapi_lists_every_endpoint(client: httpx.Client) -> None:
    schema = client.get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {
        "/api/search",
        "/api/articles/{article_id}",
        "/api/stories",
        "/api/alerts",
        "/api/sources",
    } <= paths
    assert "/" not in paths  # pages are not API


def test_the_documented_alert_row_is_the_one_served(client: httpx.Client) -> None:
    documented = client.get("/api/openapi.json").json()["components"]["schemas"]["Delivery"]
    served = client.get("/api/alerts").json()[0]
    assert list(documented["properties"]) == list(served)
    assert documented["properties"]["due"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_healthz(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.head("/healthz").status_code == 200  # uptime checkers often probe with HEAD


def test_metrics_parse_as_prometheus_text(client: httpx.Client, site: Site) -> None:
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }
    assert samples[("newsmon_articles", ())] == 4
    assert samples[("newsmon_crawls_total", (("outcome", "ok"), ("source", "wire")))] == 1
    assert samples[("newsmon_crawl_failures_total", (("source", "blog"),))] == 1
    assert samples[("newsmon_deliveries", (("channel", "slack"), ("status", "failed")))] == 1
    pending = sum(1 for r in list_deliveries(site.app.database) if r.status == "pending")
    assert samples[("newsmon_outbox_depth", ())] == pending > 0
    assert 0 <= samples[("newsmon_last_crawl_age_seconds", (("source", "wire"),))] < 60


def test_healthz_is_503_while_the_database_does_not_answer(site: Site, tmp_path: Path) -> None:
    garbage = tmp_path / "not-a-database.db"
    garbage.write_bytes(b"this is not an SQLite file" * 100)
    broken = App(site.app.config, Database(f"sqlite:///{garbage}"))
    with LiveServer(create_app(broken)) as live, httpx.Client(base_url=live.base) as http:
        response = http.get("/healthz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}

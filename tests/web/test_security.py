"""Who gets in, what the browser may run, where static files come from (over a real server)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from db.outbox import list_deliveries
from newsmon.cli import cli
from newsmon.errors import ConfigError
from newsmon.web.app import STATIC
from newsmon.web.serve import listen_address
from newsmon.wiring import App
from tests.web.conftest import TOKEN, LiveServer, Site, write_config
from tests.web.inert import assert_inert

# htmx.org 2.0.11 from the npm registry (`npm pack htmx.org@2`, dist/htmx.min.js).
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"
PAGES = ("/", "/?q=partnership", "/stories", "/alerts", "/sources", "/rules", "/rules?rule=partnerships")


def test_vendored_htmx_is_the_published_file() -> None:
    assert hashlib.sha256((STATIC / "htmx.min.js").read_bytes()).hexdigest() == HTMX_SHA256


def test_pages_reference_no_other_origin(client: httpx.Client) -> None:
    for path in PAGES:
        page = client.get(path).text
        assert "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]


def test_every_answer_carries_the_security_headers(client: httpx.Client) -> None:
    for path in (*PAGES, "/api/search?q=x", "/static/app.css", "/nowhere", "/api/articles/0"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'self'"), path
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_stored_markup_is_shown_as_text_on_every_page(client: httpx.Client, site: Site) -> None:
    article = client.get(f"/articles/{site.ids['xss']}").text
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in article
    assert 'href="javascript:' not in article
    for path in (*PAGES, f"/articles/{site.ids['xss']}", "/?q=script", "/?q=markup"):
        assert_inert(client.get(path).text)


@pytest.mark.parametrize(
    "path",
    ["/static/..%2fapp.py", "/static/%2e%2e/app.py", "/static/..%2f..%2fweb%2fapp.py", "/static/../app.py"],
)
def test_no_path_traversal_out_of_static(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "create_app" not in response.text


def test_a_foreign_host_name_is_refused_without_a_token(client: httpx.Client) -> None:
    # A page whose DNS name was rebound to 127.0.0.1 must not read the data.
    response = client.get("/api/search?q=OpenAI", headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert client.get("/", headers={"Host": "localhost:8080"}).status_code == 200


def test_with_a_token_every_page_and_call_needs_it(token_server: LiveServer) -> None:
    with httpx.Client(base_url=token_server.base) as http:
        for path in ("/api/search?q=OpenAI", "/api/sources", "/healthz", "/metrics", "/api/openapi.json"):
            response = http.get(path)
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
            assert (
                http.get(path, headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
            )
            assert http.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
        for path in ("/", "/alerts", "/articles/1"):
            response = http.get(path)
            assert response.status_code == 303
            assert response.headers["location"].startswith("/login?next=")
        assert http.get("/static/app.css").status_code == 200


def test_login_sets_a_secure_session_cookie_that_is_not_the_token(token_server: LiveServer) -> None:
    with httpx.Client(base_url=token_server.base) as http:
        wrong = http.post("/login", data={"token": "nope", "next": "/alerts"})
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
        response = http.post("/login", data={"token": TOKEN, "next": "/alerts"})
        assert response.status_code == 303 and response.headers["location"] == "/alerts"
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=strict" in cookie
        assert TOKEN not in cookie
        session = cookie.split(";")[0].split("=", 1)[1]
        page = http.get("/alerts", headers={"Cookie": f"newsmon_session={session}"})
        assert page.status_code == 200 and TOKEN not in page.text


def test_login_sends_back_to_this_server_only(token_server: LiveServer) -> None:
    with httpx.Client(base_url=token_server.base) as http:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
            response = http.post("/login", data={"token": TOKEN, "next": target})
            assert response.headers["location"] == "/"


def test_a_post_without_its_csrf_token_or_from_another_origin_is_refused(
    client: httpx.Client, site: Site
) -> None:
    delivery = site.ids["failed_delivery"]
    assert client.post(f"/alerts/{delivery}/retry").status_code == 403
    csrf = client.get("/alerts").text.split('name="csrf" value="')[1].split('"')[0]
    foreign = client.post(
        f"/alerts/{delivery}/retry", data={"csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403
    assert next(r for r in list_deliveries(site.app.database) if r.id == delivery).status == "failed"
    assert client.post(f"/alerts/{delivery}/retry", data={"csrf": csrf}).status_code == 303
    assert next(r for r in list_deliveries(site.app.database) if r.id == delivery).status == "pending"


def test_serve_refuses_another_host_without_a_token(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    result = CliRunner().invoke(cli, ["serve", "--config", str(config), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0: set web.token" in result.output


def test_serve_may_listen_elsewhere_with_a_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_TEST_TOKEN", TOKEN)
    app = App.open(write_config(tmp_path, "web:\n  token: ${WEB_TEST_TOKEN}\n  port: 9000\n"))
    assert listen_address(app, "0.0.0.0", None) == ("0.0.0.0", 9000)
    assert listen_address(app, None, 8181) == ("127.0.0.1", 8181)


def test_a_short_web_token_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_TEST_TOKEN", "short")
    with pytest.raises(ConfigError, match=r"web\.token.*at least 16 characters"):
        App.open(write_config(tmp_path, "web:\n  token: ${WEB_TEST_TOKEN}\n"))


def test_other_verbs_do_not_import_the_web_stack() -> None:
    code = (
        "import sys; from newsmon.cli import cli; print('fastapi' in sys.modules or 'uvicorn' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"

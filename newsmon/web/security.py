"""Who may use the web interface, and what a browser may do with what it shows.

- Without ``web.token`` the server listens on loopback only (``newsmon
  serve`` refuses another address) and answers only requests naming a
  loopback host: a web page whose DNS name is rebound to 127.0.0.1 gets a
  400, not the data.
- With a token, every page and API call needs it: ``Authorization: Bearer
  TOKEN``, or the session cookie the login form sets (``Secure; HttpOnly;
  SameSite=Strict``). The cookie holds an HMAC of the token, never the token.
- A POST from a browser (cookie or loopback, not bearer) carries a CSRF token
  bound to its session, and an ``Origin`` naming this server when it has one.
- Every response forbids scripts, styles and frames from anywhere but this
  server (``Content-Security-Policy: default-src 'self'``): stored text is
  escaped by the templates, and even a slip could not run.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "newsmon_session"
SESSION_MAX_AGE = 30 * 86400
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Reachable without the token: the login form and what it needs to render.
PUBLIC_PREFIXES = ("/login", "/static/")
MACHINE_PREFIXES = ("/api/", "/healthz", "/metrics")

SECURITY_HEADERS = (
    (
        "content-security-policy",
        "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    # Article links lead to other sites: they must not learn what was searched. (Not no-referrer:
    # then browsers send "Origin: null" on the app's own form posts.)
    ("referrer-policy", "same-origin"),
)


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def safe_next(target: str | None) -> str:
    """Where the login form may send the user back to: a path on this server, nothing else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@dataclass
class Access:
    """The server's access rules: its token (if any) and its CSRF secret."""

    token: str | None
    csrf_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    @property
    def session_value(self) -> str:
        assert self.token is not None
        return hmac.new(self.token.encode(), b"newsmon web session", hashlib.sha256).hexdigest()

    def token_matches(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def by_bearer(self, connection: HTTPConnection) -> bool:
        scheme, _, value = connection.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and self.token_matches(value.strip())

    def by_cookie(self, connection: HTTPConnection) -> bool:
        value = connection.cookies.get(SESSION_COOKIE, "")
        return self.token is not None and hmac.compare_digest(value.encode(), self.session_value.encode())

    def allowed(self, connection: HTTPConnection) -> bool:
        return self.token is None or self.by_bearer(connection) or self.by_cookie(connection)

    def csrf_token(self, connection: HTTPConnection) -> str:
        session = connection.cookies.get(SESSION_COOKIE, "") if self.token else "loopback"
        return hmac.new(self.csrf_key, session.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, connection: HTTPConnection, given: str | None) -> bool:
        """Whether a POST is the user's own: bearer calls are; browsers must show the token."""
        if self.token is not None and self.by_bearer(connection):
            return True
        origin = connection.headers.get("origin")
        if origin and origin != "null" and urlsplit(origin).netloc != connection.headers.get("host"):
            return False
        return bool(given) and hmac.compare_digest(str(given).encode(), self.csrf_token(connection).encode())

    def refusal(self, connection: HTTPConnection) -> Response | None:
        """The answer to a request that may not go through, or None."""
        path = connection.url.path
        machine = path.startswith(MACHINE_PREFIXES)
        if self.token is None and not is_loopback(_host_name(connection.headers.get("host", ""))):
            detail = "unknown host: without web.token this server answers loopback names only"
            return JSONResponse({"detail": detail}, 400) if machine else PlainTextResponse(detail, 400)
        if path.startswith(PUBLIC_PREFIXES) or self.allowed(connection):
            return None
        if machine:
            return JSONResponse(
                {"detail": "a token is needed: Authorization: Bearer TOKEN"},
                401,
                headers={"www-authenticate": "Bearer"},
            )
        here = path + (f"?{connection.url.query}" if connection.url.query else "")
        return RedirectResponse(f"/login?next={quote(here, safe='')}", 303)


def _host_name(host: str) -> str:
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """ASGI middleware: refuses what ``Access`` refuses, adds the security headers to every answer."""

    def __init__(self, app: ASGIApp, access: Access) -> None:
        self.app = app
        self.access = access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS:
                    headers[name] = value
                if not scope["path"].startswith("/static/"):
                    headers["cache-control"] = "no-store"
            await send(message)

        refusal = self.access.refusal(HTTPConnection(scope))
        if refusal is not None:
            await refusal(scope, receive, send_secured)
            return
        await self.app(scope, receive, send_secured)

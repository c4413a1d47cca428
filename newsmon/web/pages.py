"""The server-rendered pages. Each renders whole; htmx swaps the part it needs (``hx-select``).

Rendering whole keeps one template per page and every URL a page a user can
reload, bookmark or open without JavaScript.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from db import stories as story_db
from db import web as db
from db.claims import FAILED, PENDING, SENT
from db.errors import QueryError
from db.search import SNIPPET_END, SNIPPET_START
from newsmon.backtest import backtest
from newsmon.web import charts
from newsmon.web.api import SearchRequest, article_dict, configured_sources, run_search
from newsmon.web.app import STATIC, AccessDep, AppDep
from newsmon.web.params import EVENTS, BadParameterError, since_cutoff
from newsmon.web.security import CSRF_FIELD, SESSION_COOKIE, SESSION_MAX_AGE, safe_next

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=STATIC.parent / "templates")
CHART_DAYS = 30
ALERTS_SHOWN = 200
BACKTEST_SHOWN = 200
DELIVERY_STATUSES = (PENDING, SENT, FAILED)


def snippet_html(snippet: str) -> Markup:
    """A search snippet, escaped, with only the index's own highlight marks left as markup."""
    escaped = str(escape(snippet))
    return Markup(
        escaped.replace(str(escape(SNIPPET_START)), "<mark>").replace(str(escape(SNIPPET_END)), "</mark>")
    )


def web_link(url: str | None) -> str | None:
    """An address a link may point to: http(s) only, never ``javascript:`` or ``data:``."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def when(value: str | datetime | None) -> str:
    if value is None:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


templates.env.filters["snippet"] = snippet_html
templates.env.filters["when"] = when
templates.env.globals["web_link"] = web_link


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    access = request.app.state.access
    context |= {
        "csrf": access.csrf_token(request),
        "csrf_field": CSRF_FIELD,
        "token_set": access.token is not None,
    }
    return templates.TemplateResponse(request, name, context, status_code=status)


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request,
    app: AppDep,
    q: str = "",
    since: str = "",
    source: str = "",
    lang: str = "",
    event: str = "",
    org: str = "",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> HTMLResponse:
    form = SearchRequest(q, since, source, lang, event, org, limit)
    result = None
    error = None
    try:
        result = run_search(app, form)
    except (QueryError, BadParameterError) as exc:
        error = f"bad query: {exc}" if isinstance(exc, QueryError) else str(exc)
    page = render(
        request,
        "search.html",
        400 if error else 200,
        form=form,
        hits=result.hits if result else [],
        error=error,
        sources=[s.name for s in app.config.sources],
        events=EVENTS,
    )
    if result is not None:
        page.headers["server-timing"] = result.server_timing
    return page


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, app: AppDep, article_id: int) -> HTMLResponse:
    article = article_dict(app, article_id)
    if article is None:
        return render(
            request, "error.html", 404, title="Not found", message=f"No article with id {article_id}."
        )
    story = story_db.get_story(app.database, article["story_id"]) if article["story_id"] else None
    siblings = story_db.story_articles(app.database, story["id"]) if story else []
    return render(
        request,
        "article.html",
        article=article,
        deliveries=[d.as_dict() for d in db.article_deliveries(app.database, article_id)],
        story=story,
        siblings=[h.headline_dict() for h in siblings if h.id != article_id],
    )


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, app: AppDep, since: str = "7d") -> HTMLResponse:
    try:
        stories = story_db.list_stories(app.database, since_cutoff(since))
    except BadParameterError as exc:
        return render(request, "stories.html", 400, stories=[], since=since, error=str(exc))
    for story in stories:
        members = story_db.story_articles(app.database, story["id"])
        story["timeline"] = charts.timeline(
            [(m.published, f"{when(m.published)} {m.source}: {m.title}") for m in members if m.published]
        )
        story["members"] = [m.headline_dict() for m in members]
    return render(
        request,
        "stories.html",
        stories=stories,
        since=since,
        error=None,
    )


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, app: AppDep, rule: str = "", status: str = "") -> HTMLResponse:
    wanted = status if status in DELIVERY_STATUSES else None
    rows = [r.as_dict() for r in db.recent_deliveries(app.database, ALERTS_SHOWN, rule or None, wanted)]
    return render(
        request,
        "alerts.html",
        rows=rows,
        rule=rule,
        rules=app.ruleset.names,
        status_filter=wanted or "",
        statuses=DELIVERY_STATUSES,
        shown=ALERTS_SHOWN,
    )


@router.post("/alerts/{delivery_id}/retry")
def retry_page(
    request: Request,
    app: AppDep,
    access: AccessDep,
    delivery_id: int,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not access.csrf_ok(request, csrf or request.headers.get("x-csrf-token")):
        return render(
            request, "error.html", 403, title="Refused", message="This form has expired: reload the page."
        )
    if not db.delivery_exists(app.database, delivery_id):
        return render(
            request, "error.html", 404, title="Not found", message=f"No delivery with id {delivery_id}."
        )
    db.retry_now(app.database, delivery_id)
    return RedirectResponse(f"/alerts#delivery-{delivery_id}", 303)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, app: AppDep) -> HTMLResponse:
    today = datetime.now(UTC).date()
    daily = db.articles_per_day(app.database, CHART_DAYS)
    rows = [
        {**source, "chart": charts.daily_bars(daily.get(source["name"], []), CHART_DAYS, today)}
        for source in configured_sources(app)
    ]
    return render(request, "sources.html", rows=rows, days=CHART_DAYS)


@router.get("/rules", response_class=HTMLResponse)
def rules_page(request: Request, app: AppDep, rule: str = "", since: str = "30d") -> HTMLResponse:
    today = datetime.now(UTC).date()
    daily = db.alerts_per_day(app.database, CHART_DAYS)
    totals = db.alert_totals(app.database)
    rules = [
        {
            "name": r.name,
            "query": r.query,
            "channels": list(r.channels),
            "total": totals.get(r.name, 0),
            "chart": charts.daily_bars(daily.get(r.name, []), CHART_DAYS, today, unit="alerts"),
        }
        for r in app.config.rules
    ]
    result, error, status = None, None, 200
    if rule:
        try:
            if rule not in app.ruleset.names:
                raise BadParameterError(f"no rule named {rule!r}")
            found = backtest(app, rule, since_cutoff(since))
            result = [m.as_dict() for m in itertools.islice(found, BACKTEST_SHOWN + 1)]
        except BadParameterError as exc:
            error, status = str(exc), 400
    return render(
        request,
        "rules.html",
        status,
        rules=rules,
        rule=rule,
        since=since,
        result=result,
        error=error,
        shown=BACKTEST_SHOWN,
        days=CHART_DAYS,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return render(request, "login.html", next=safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    access: AccessDep,
    token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if access.token is None:
        return RedirectResponse(safe_next(next), 303)
    if not access.token_matches(token):
        return render(request, "login.html", 401, next=safe_next(next), error="That token is not right.")
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        access.session_value,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        secure=True,
        samesite="strict",
    )
    return response


@router.post("/logout")
def logout(request: Request, access: AccessDep, csrf: Annotated[str, Form()] = "") -> Response:
    if not access.csrf_ok(request, csrf):
        return render(
            request, "error.html", 403, title="Refused", message="This form has expired: reload the page."
        )
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, secure=True, samesite="strict")
    return response

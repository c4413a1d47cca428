"""The JSON API under ``/api/``, plus ``/healthz`` and ``/metrics``: the command line's shapes over HTTP.

A bad parameter answers 400 (or FastAPI's 422 for a wrong type) with a JSON
``detail``; an unknown id answers 404.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from db import stories
from db import web as db
from db.outbox import list_deliveries
from db.queries import get_article, source_states
from db.search import SearchFilters, search
from newsmon.web import schemas
from newsmon.web.app import AccessDep, AppDep
from newsmon.web.metrics import CONTENT_TYPE, exposition
from newsmon.web.params import EVENTS, BadParameterError, compose_query, since_cutoff
from newsmon.wiring import App

router = APIRouter()
MAX_LIMIT = 1000


@dataclass(frozen=True)
class SearchRequest:
    """A search as the page and the API take it (the CLI's options, plus event and organisation)."""

    q: str = ""
    since: str | None = None
    source: str | None = None
    lang: str | None = None
    event: str | None = None
    org: str | None = None
    limit: int = 20

    @property
    def query(self) -> str:
        return compose_query(self.q, self.event, self.org)

    def filters(self) -> SearchFilters:
        return SearchFilters(
            since=since_cutoff(self.since),
            source=self.source or None,
            language=self.lang or None,
            limit=self.limit,
        )


@dataclass(frozen=True)
class SearchResult:
    hits: list[dict[str, Any]]
    wall_ms: float  # the search itself, without HTTP, routing or rendering
    cpu_ms: float

    @property
    def server_timing(self) -> str:
        """A ``Server-Timing`` header: browsers' developer tools show it; benchmarks.web reads it."""
        return f'search;dur={self.wall_ms:.3f};desc="search", search-cpu;dur={self.cpu_ms:.3f}'


def run_search(app: App, request: SearchRequest) -> SearchResult:
    """Hits best first; with nothing to search for, the newest articles under the filters."""
    filters = request.filters()
    wall, cpu = time.perf_counter(), time.thread_time()
    if not request.query:
        hits = [
            {**h.headline_dict(), "snippet": "", "score": 0.0}
            for h in db.latest_articles(app.database, filters)
        ]
    else:
        found = search(app.database, request.query, filters, app.config.topics, lambda: app.org_aliases)
        hits = [hit.as_dict() for hit in found]
    return SearchResult(hits, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000)


def article_dict(app: App, article_id: int) -> dict[str, Any] | None:
    """``newsmon show``'s object: with what event detection found and the article's story."""
    article = get_article(app.database, article_id)
    return article.as_dict() if article is not None else None


def configured_sources(app: App) -> list[dict[str, Any]]:
    states = source_states(app.database)
    return [states[s.name].as_dict() for s in app.config.sources if s.name in states]


def _json(data: Any) -> JSONResponse:
    return JSONResponse(data)


@router.get("/api/search", responses=schemas.listed(schemas.SearchHit), tags=["api"])
def api_search(
    app: AppDep,
    q: Annotated[str, Query(description="A query in the rule language; empty lists the newest.")] = "",
    since: Annotated[str | None, Query(description="A duration: 7d, 12h.")] = None,
    source: str | None = None,
    lang: Annotated[str | None, Query(description="ISO 639-1 code.")] = None,
    event: Annotated[str | None, Query(description=f"One of {', '.join(EVENTS)}.")] = None,
    org: Annotated[str | None, Query(description="An organisation of the watch list.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 20,
) -> JSONResponse:
    """Full-text search over stored articles, best first (``newsmon search``)."""
    result = run_search(app, SearchRequest(q, since, source, lang, event, org, limit))
    return JSONResponse(result.hits, headers={"server-timing": result.server_timing})


@router.get("/api/articles/{article_id}", responses=schemas.one(schemas.Article), tags=["api"])
def api_article(app: AppDep, article_id: int) -> JSONResponse:
    """One stored article with its full text (``newsmon show``)."""
    article = article_dict(app, article_id)
    if article is None:
        raise HTTPException(404, f"no article with id {article_id}")
    return _json(article)


@router.get("/api/stories", responses=schemas.listed(schemas.Story), tags=["api"])
def api_stories(
    app: AppDep, since: str | None = None, limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50
) -> JSONResponse:
    """Stories, newest first (``newsmon stories``)."""
    return _json(stories.list_stories(app.database, since_cutoff(since), limit=limit))


@router.get("/api/stories/{story_id}", responses=schemas.one(schemas.Story), tags=["api"])
def api_story(app: AppDep, story_id: int) -> JSONResponse:
    story = stories.get_story(app.database, story_id)
    if story is None:
        raise HTTPException(404, f"no story with id {story_id}")
    return _json(story)


@router.get("/api/alerts", responses=schemas.listed(schemas.Delivery), tags=["api"])
def api_alerts(app: AppDep, since: str | None = None, rule: str | None = None) -> JSONResponse:
    """Alerts raised, one row per delivery, oldest first (``newsmon alerts``)."""
    if rule is not None and rule not in app.ruleset.names:
        raise BadParameterError(f"rule: no rule named {rule!r}")
    return _json([row.as_dict() for row in list_deliveries(app.database, since_cutoff(since), rule)])


@router.post("/api/alerts/{delivery_id}/retry", tags=["api"], responses={404: {"model": schemas.Problem}})
def api_retry(app: AppDep, access: AccessDep, request: Request, delivery_id: int) -> JSONResponse:
    """Make a pending or failed delivery due now; the daemon sends it on its next pass."""
    if not access.csrf_ok(request, request.headers.get("x-csrf-token")):
        raise HTTPException(403, "a browser's POST needs its CSRF token (X-CSRF-Token)")
    if not db.delivery_exists(app.database, delivery_id):
        raise HTTPException(404, f"no delivery with id {delivery_id}")
    if not db.retry_now(app.database, delivery_id):
        raise HTTPException(409, f"delivery {delivery_id} was sent already")
    return _json({"id": delivery_id, "status": "pending"})


@router.get("/api/sources", responses=schemas.listed(schemas.SourceState), tags=["api"])
def api_sources(app: AppDep) -> JSONResponse:
    """Each configured source's health (``newsmon sources``)."""
    return _json(configured_sources(app))


@router.get("/healthz", tags=["operations"])
def healthz(app: AppDep) -> JSONResponse:
    """200 with ``{"status": "ok"}`` while the database answers, else 503."""
    try:
        ok = db.database_answers(app.database)
    except SQLAlchemyError:
        ok = False
    return JSONResponse({"status": "ok"} if ok else {"status": "unavailable"}, 200 if ok else 503)


# Uptime checkers often probe with HEAD; one operation in the schema is enough.
router.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)


@router.get("/metrics", tags=["operations"], response_class=Response)
def metrics(app: AppDep) -> Response:
    """Prometheus text: articles, crawls and failures per source, deliveries, outbox depth, crawl age."""
    return Response(exposition(app.database), media_type=CONTENT_TYPE)

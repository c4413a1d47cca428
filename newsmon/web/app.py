"""The web application: pages and JSON API over one loaded ``App``, behind ``Guard``.

Handlers are plain ``def`` functions: FastAPI runs them in its thread pool,
so a database read never blocks the event loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from db.errors import DatabaseError, QueryError
from newsmon.web.params import BadParameterError
from newsmon.web.security import Access, Guard
from newsmon.wiring import App

HERE = Path(__file__).parent
STATIC = HERE / "static"


def create_app(app: App, token: str | None = None) -> FastAPI:
    """The ASGI application serving ``app``; ``token`` (else ``web.token``) guards every page and call."""
    from newsmon.web import api, pages

    if token is None and app.config.web.token is not None:
        token = app.config.web.token.get_secret_value()
    web = FastAPI(
        title="newsmon",
        summary="Stored articles, stories, alerts and sources, in the shapes of the newsmon command line.",
        openapi_url="/api/openapi.json",
        # The interactive docs load their script from a CDN, which the CSP forbids: the schema suffices.
        docs_url=None,
        redoc_url=None,
    )
    web.state.newsmon = app
    web.state.access = Access(token)
    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    web.include_router(api.router)
    web.include_router(pages.router)
    web.add_exception_handler(QueryError, _bad_query)
    web.add_exception_handler(BadParameterError, _bad_parameter)
    web.add_exception_handler(DatabaseError, _database_error)
    web.add_middleware(Guard, access=web.state.access)
    return web


def current_app(request: Request) -> App:
    app: App = request.app.state.newsmon
    return app


def current_access(request: Request) -> Access:
    access: Access = request.app.state.access
    return access


AppDep = Annotated[App, Depends(current_app)]
AccessDep = Annotated[Access, Depends(current_access)]


async def _bad_query(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": f"bad query: {exc}"}, 400)


async def _bad_parameter(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, 400)


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"detail": str(exc)}, 503)

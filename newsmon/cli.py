"""The `newsmon` command line. Every verb takes --config after the verb."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

import click
from rich.markup import escape

from db.errors import DatabaseError, QueryError
from newsmon.output import FORMATS, emit, write_csv, write_jsonl

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONFIG = 2
DEFAULT_CONFIG = "config.yaml"


def config_option(func: F) -> F:
    return click.option(
        "--config",
        "config_path",
        default=lambda: os.environ.get("NEWSMON_CONFIG", DEFAULT_CONFIG),
        show_default="./config.yaml or $NEWSMON_CONFIG",
        type=click.Path(dir_okay=False),
        help="The configuration file.",
    )(func)


def format_option(*choices: str, default: str = "table") -> Callable[[F], F]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices or FORMATS),
        default=default,
        show_default=True,
        help="Output format.",
    )


def since_option(func: F) -> F:
    return click.option(
        "--since", help="Only articles published (or fetched) within this duration, e.g. 7d, 12h."
    )(func)


def handles_errors(func: F) -> F:
    """Turn expected errors into one clear line and an exit code, never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from newsmon.errors import ConfigError

        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except QueryError as exc:
            detail = f"\n  {exc.query}\n  {' ' * (exc.column - 1)}^" if exc.query and exc.column else ""
            click.echo(f"error: bad query: {exc}{detail}", err=True)
            sys.exit(EXIT_CONFIG)
        except DatabaseError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def since_cutoff(since: str | None) -> datetime | None:
    if not since:
        return None
    from newsmon.durations import parse_duration
    from newsmon.errors import ConfigError

    try:
        return datetime.now(UTC) - parse_duration(since)
    except (ConfigError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc


def open_app(config_path: str) -> Any:
    from newsmon.wiring import App

    return App.open(config_path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsmon")
def cli() -> None:
    """newsmon: watch news sources, store and search every article, alert on what matters."""


@cli.command()
@config_option
@handles_errors
def run(config_path: str) -> None:
    """Run the daemon: crawl every source on schedule, store, match rules and deliver alerts.

    Runs until SIGTERM or SIGINT, then finishes in-flight work and exits 0.
    """
    from newsmon.daemon import run_daemon

    sys.exit(run_daemon(open_app(config_path)))


@cli.command()
@config_option
@click.option("--source", "sources", multiple=True, help="Crawl only this source (repeatable).")
@handles_errors
def crawl(config_path: str, sources: tuple[str, ...]) -> None:
    """Crawl all (or the named) sources once, deliver the alerts raised, and exit 0."""
    from newsmon.daemon import crawl_once

    app = open_app(config_path)
    unknown = [s for s in sources if s not in {src.name for src in app.config.sources}]
    if unknown:
        raise click.BadParameter(
            f"no source named {', '.join(unknown)} in {config_path}", param_hint="--source"
        )
    sys.exit(crawl_once(app, list(sources) or None, progress=sys.stderr.isatty()))


@cli.command()
@config_option
@click.argument("query")
@since_option
@click.option("--source", help="Only articles from this source.")
@click.option("--lang", help="Only articles in this language (ISO 639-1).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@format_option()
@handles_errors
def search(
    config_path: str,
    query: str,
    since: str | None,
    source: str | None,
    lang: str | None,
    limit: int,
    fmt: str,
) -> None:
    """Full-text search over stored articles, best first (query language as in rules)."""
    from db.search import SearchFilters
    from db.search import search as run_search

    app = open_app(config_path)
    filters = SearchFilters(since=since_cutoff(since), source=source, language=lang, limit=limit)
    hits = [hit.as_dict() for hit in run_search(app.database, query, filters, app.config.topics)]
    if fmt == "table":
        for hit in hits:
            hit["snippet"] = escape(hit["snippet"]).replace("<mark>", "[bold]").replace("</mark>", "[/bold]")
    columns = ["id", "published", "source", "language", "title", "snippet"]
    emit(hits, fmt, columns, title=f"search: {query}", markup_columns=["snippet"])


@cli.command()
@config_option
@click.argument("article_id", type=int)
@format_option(default="table")
@handles_errors
def show(config_path: str, article_id: int, fmt: str) -> None:
    """One stored article, with its full text."""
    from db.queries import get_article

    article = get_article(open_app(config_path).database, article_id)
    if article is None:
        click.echo(f"error: no article with id {article_id}", err=True)
        sys.exit(1)
    data = article.as_dict()
    if fmt == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_csv([data], sys.stdout)
    else:
        from rich.console import Console

        console = Console()
        console.print(f"[bold]{article.title}[/bold]", markup=True, highlight=False)
        console.print(
            f"{article.url}\n{article.source} · {data['published'] or 'no date'} · {article.language or '?'}"
            f" · {', '.join(article.authors) or 'no author'}",
            highlight=False,
            markup=False,
        )
        console.print()
        console.print(article.text or article.summary, highlight=False, markup=False)


@cli.command()
@config_option
@since_option
@click.option("--source", help="Only articles from this source.")
@format_option("jsonl", "csv", default="jsonl")
@handles_errors
def export(config_path: str, since: str | None, source: str | None, fmt: str) -> None:
    """Every stored article, full text included, streamed as JSON lines or CSV."""
    from db.queries import iter_articles

    app = open_app(config_path)
    rows = (a.as_dict() for a in iter_articles(app.database, since_cutoff(since), source))
    if fmt == "csv":
        write_csv(rows, sys.stdout)
    else:
        write_jsonl(rows, sys.stdout)


@cli.command()
@config_option
@since_option
@click.option("--rule", help="Only alerts of this rule.")
@format_option()
@handles_errors
def alerts(config_path: str, since: str | None, rule: str | None, fmt: str) -> None:
    """Alerts raised, one row per delivery (alert x channel), with status and last error."""
    from db.outbox import list_deliveries

    rows = [r.as_dict() for r in list_deliveries(open_app(config_path).database, since_cutoff(since), rule)]
    emit(
        rows,
        fmt,
        ["id", "created", "rule", "channel", "status", "attempts", "title", "last_error"],
        title="alerts",
    )


@cli.group(invoke_without_command=True)
@config_option
@format_option()
@click.pass_context
@handles_errors
def sources(ctx: click.Context, config_path: str, fmt: str) -> None:
    """Each source: status, last fetch and success, failures, last error, next run, articles."""
    if ctx.invoked_subcommand is not None:
        return
    from db.queries import source_states

    app = open_app(config_path)
    states = source_states(app.database)
    rows = [states[s.name].as_dict() for s in app.config.sources if s.name in states]
    emit(
        rows,
        fmt,
        ["name", "type", "status", "last_success", "failures", "next_run", "articles", "last_error"],
        title="sources",
    )


@sources.command("discover")
@config_option
@click.argument("url")
@format_option()
@handles_errors
def sources_discover(config_path: str, url: str, fmt: str) -> None:
    """The feeds the page at URL advertises (else found at /feed, /rss, ...), each fetched and verified.

    Prints each feed's title, URL, type and entry count; exits 1 when there is none.
    The configuration, when the file exists, gives the user agent, timeout and size cap.
    """
    from crawler.discover import discover
    from crawler.errors import DiscoveryError

    try:
        found = discover(url, _discovery_settings(config_path))
    except DiscoveryError as exc:
        raise click.BadParameter(str(exc), param_hint="URL") from exc
    if found.error:
        click.echo(f"error: {found.error}", err=True)
        sys.exit(1)
    for problem in found.problems:
        click.echo(f"warning: {problem}", err=True)
    rows = [feed.as_dict() for feed in found.feeds]
    if rows or fmt != "table":
        emit(rows, fmt, ["title", "url", "type", "entries"], title=f"feeds of {url}")
    if not rows:
        click.echo(f"no feed found at {url}", err=True)
        sys.exit(1)


def _discovery_settings(config_path: str) -> dict[str, Any]:
    if not os.path.exists(config_path):
        return {}  # discovery needs no configuration: the crawler's defaults then
    from newsmon.config import load_config
    from newsmon.wiring import scrapy_overrides

    overrides = scrapy_overrides(load_config(config_path))
    return {k: overrides[k] for k in ("USER_AGENT", "DOWNLOAD_TIMEOUT", "DOWNLOAD_MAXSIZE") if k in overrides}


@cli.group()
def rules() -> None:
    """Work with alert rules."""


@rules.command("test")
@config_option
@click.argument("rule", required=False)
@since_option
@format_option()
@handles_errors
def rules_test(config_path: str, rule: str | None, since: str | None, fmt: str) -> None:
    """Backtest RULE (or every rule) on stored articles: what it would match, sending nothing."""
    from newsmon.backtest import backtest

    app = open_app(config_path)
    if rule is not None and rule not in app.ruleset.names:
        raise click.BadParameter(f"no rule named {rule!r} in {config_path}", param_hint="RULE")
    rows = [m.as_dict() for m in backtest(app, rule, since_cutoff(since))]
    emit(rows, fmt, ["rule", "article_id", "published", "source", "title", "terms"], title="rules test")


@cli.command()
@config_option
@click.option(
    "--host", help="Address to listen on (default: web.host, 127.0.0.1); off loopback needs web.token."
)
@click.option("--port", type=click.IntRange(1, 65535), help="Port to listen on (default: web.port, 8080).")
@handles_errors
def serve(config_path: str, host: str | None, port: int | None) -> None:
    """Serve the web interface and JSON API over the same database as the daemon."""
    from newsmon.web.serve import serve as run_server

    sys.exit(run_server(open_app(config_path), host, port))


@cli.command("check-config")
@config_option
@handles_errors
def check_config(config_path: str) -> None:
    """Validate the configuration (schema, environment variables, rules); exit 2 on error."""
    from newsmon.wiring import check

    summary = check(config_path)
    click.echo(f"{config_path}: ok — {summary}")


def main() -> None:
    cli(prog_name="newsmon")


if __name__ == "__main__":
    main()

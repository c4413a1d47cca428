"""The `newsmon` command line. Every verb takes --config after the verb."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.markup import escape

from db.errors import BackupError, DatabaseError, LockHeldError, QueryError
from newsmon.errors import UnknownNameError
from newsmon.logs import LEVELS, LOG_FORMATS
from newsmon.output import FORMATS, emit, write_csv, write_jsonl
from newsmon.roles import ROLES

if TYPE_CHECKING:
    from db.engine import Database
    from db.facts import ArticleFacts

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CONFIG = 2
DEFAULT_CONFIG = "config.yaml"
LOG_LEVEL_ENV = "NEWSMON_LOG_LEVEL"
LOG_FORMAT_ENV = "NEWSMON_LOG_FORMAT"
# `run` is a service: its log is what the operator reads. Other verbs print results, not logs.
DEFAULT_LOG_LEVELS = {"run": "info"}

# CSV headers for an empty result: the contract's JSON shapes, in order.
HEADLINE_FIELDS = ("id", "title", "url", "source", "published", "language")
SEARCH_FIELDS = (*HEADLINE_FIELDS, "snippet", "score")
ARTICLE_FIELDS = (
    *HEADLINE_FIELDS, "authors", "summary", "text", "text_from", "fetched", "orgs", "events", "amounts",
    "story_id",
)  # fmt: skip
STORY_FIELDS = (
    "id", "title", "first_seen", "last_seen", "articles", "article_ids", "outlets", "languages", "orgs",
    "events", "amount",
)  # fmt: skip
ALERT_FIELDS = (
    "id", "rule", "article_id", "title", "url", "channel", "status", "attempts", "last_error", "created",
    "sent", "story_id", "due", "held", "digest_id",
)  # fmt: skip
SOURCE_FIELDS = (
    "name", "type", "url", "status", "last_fetch", "last_success", "failures", "last_error", "next_run",
    "articles",
)  # fmt: skip
BACKTEST_FIELDS = ("rule", "article_id", "title", "url", "source", "published", "language", "terms")


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
        from newsmon.errors import ConfigError, OpmlError

        try:
            return func(*args, **kwargs)
        except (ConfigError, UnknownNameError, OpmlError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except QueryError as exc:
            detail = f"\n  {exc.query}\n  {' ' * (exc.column - 1)}^" if exc.query and exc.column else ""
            click.echo(f"error: bad query: {exc}{detail}", err=True)
            sys.exit(EXIT_CONFIG)
        except (LockHeldError, BackupError) as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_CONFIG)
        except DatabaseError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def since_cutoff(since: str | None) -> datetime | None:
    if not since:
        return None
    from db.durations import parse_duration
    from newsmon.errors import ConfigError

    try:
        return datetime.now(UTC) - parse_duration(since)
    except (ConfigError, ValueError) as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from exc


def open_app(config_path: str) -> Any:
    from newsmon.logs import use_format
    from newsmon.wiring import App

    app = App.open(config_path)
    started()
    if app.config.log_format is not None:
        use_format(app.config.log_format, chosen=False)
    return app


def started() -> None:
    """Start-up is over (see :func:`main`): the collector works again, and leaves out of every pass
    what start-up built, which lives as long as the process."""
    gc.freeze()
    gc.enable()


def check_name(kind: str, name: str | None, known: Iterable[str]) -> None:
    """An unknown name is a usage error (exit 2) that lists the known ones, never an empty result."""
    names = set(known)
    if name is not None and name not in names:
        raise UnknownNameError(kind, name, names)


def stored_source_names(app: Any) -> set[str]:
    """Configured sources and those whose articles are still stored (a source removed from the config)."""
    from db.queries import source_states

    return {s.name for s in app.config.sources} | set(source_states(app.database))


def _set_log_level(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from newsmon.logs import configure

    configure(value)


def log_level_option(default: str) -> click.Option:
    return click.Option(
        ["--log-level"],
        type=click.Choice(LEVELS, case_sensitive=False),
        default=default,
        show_default=True,
        envvar=LOG_LEVEL_ENV,
        show_envvar=True,
        expose_value=False,
        is_eager=True,
        callback=_set_log_level,
        help="How much to log on standard error.",
    )


def _set_log_format(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is None or ctx.resilient_parsing:
        return
    from newsmon.logs import use_format

    use_format(value)


def log_format_option() -> click.Option:
    return click.Option(
        ["--log-format"],
        type=click.Choice(LOG_FORMATS, case_sensitive=False),
        envvar=LOG_FORMAT_ENV,
        show_envvar=True,
        expose_value=False,
        is_eager=True,
        callback=_set_log_format,
        help="Log lines as text, or as one JSON object per line (default: the config's log_format, text).",
    )


class VerbGroup(click.Group):
    """Gives every verb, and every verb of its sub-groups, ``--log-level`` and ``--log-format``."""

    group_class = type  # sub-groups are VerbGroups too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if not any(param.name == "log_level" for param in cmd.params):
            cmd.params.append(log_level_option(DEFAULT_LOG_LEVELS.get(cmd.name or "", "warning")))
        if not any(param.name == "log_format" for param in cmd.params):
            cmd.params.append(log_format_option())
        super().add_command(cmd, name)


class TextArgumentCommand(click.Command):
    """A command whose free-text argument may start with "-": `search '-OpenAI AI'` is a query.

    A token that starts with "-" but is none of the command's options is
    moved behind "--", where click takes it as the argument; `--` works too.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, dash_text_last(self.get_params(ctx), args))


def dash_text_last(params: Iterable[click.Parameter], args: list[str]) -> list[str]:
    takes_value: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            for opt in (*param.opts, *param.secondary_opts):
                takes_value[opt] = not param.is_flag and not param.count
    kept: list[str] = []
    texts: list[str] = []
    value_next = False
    for index, arg in enumerate(args):
        if value_next:
            kept.append(arg)
            value_next = False
        elif arg == "--":
            kept.extend(args[index:])
            break
        elif arg.startswith("-") and len(arg) > 1 and arg.split("=", 1)[0] not in takes_value:
            texts.append(arg)
        else:
            kept.append(arg)
            value_next = takes_value.get(arg, False)
    if not texts:
        return args
    return [*kept, *([] if "--" in kept else ["--"]), *texts]


@click.group(cls=VerbGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsmon")
def cli() -> None:
    """newsmon: watch news sources, store and search every article, alert on what matters."""


@cli.command()
@config_option
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="all",
    show_default=True,
    help="Run one part of the daemon (PostgreSQL only): scheduler, crawler or deliverer.",
)
@handles_errors
def run(config_path: str, role: str) -> None:
    """Run the daemon: crawl every source on schedule, store, match rules and deliver alerts.

    Runs until SIGTERM or SIGINT, then finishes in-flight work and exits 0. Only one may
    run on a database: a second one exits 2, naming the first (pid and host). With
    PostgreSQL the daemon splits into roles over processes or machines: one scheduler (more
    stand by), any number of crawlers and deliverers.
    """
    from newsmon.roles import run_role

    sys.exit(run_role(open_app(config_path), role))


@cli.command()
@config_option
@click.option("--source", "sources", multiple=True, help="Crawl only this source (repeatable).")
@handles_errors
def crawl(config_path: str, sources: tuple[str, ...]) -> None:
    """Crawl all (or the named) sources once, deliver the alerts raised, and exit 0."""
    from newsmon.daemon import crawl_once

    app = open_app(config_path)
    for name in sources:
        check_name("source", name, (src.name for src in app.config.sources))
    sys.exit(crawl_once(app, list(sources) or None, progress=sys.stderr.isatty()))


@cli.command(cls=TextArgumentCommand)
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
    """Full-text search over stored articles, best first (query language as in rules).

    A QUERY that starts with "-" (`'-OpenAI AI'`) is a query, not an option.
    """
    from db.search import SearchFilters
    from db.search import search as run_search

    app = open_app(config_path)
    if source is not None:
        check_name("source", source, stored_source_names(app))
    filters = SearchFilters(since=since_cutoff(since), source=source, language=lang, limit=limit)
    found = run_search(app.database, query, filters, app.config.topics, lambda: app.org_aliases)
    hits = [hit.as_dict() for hit in found]
    if fmt == "table":
        for hit in hits:
            hit["snippet"] = escape(hit["snippet"]).replace("<mark>", "[bold]").replace("</mark>", "[/bold]")
    columns = ["id", "published", "source", "language", "title", "snippet"]
    emit(hits, fmt, columns, title=f"search: {query}", markup_columns=["snippet"], header=SEARCH_FIELDS)


@cli.command()
@config_option
@click.argument("article_id", type=int)
@format_option(default="table")
@handles_errors
def show(config_path: str, article_id: int, fmt: str) -> None:
    """One stored article, with its full text, its facts and the other articles of its story."""
    from db.queries import get_article, story_articles

    database = open_app(config_path).database
    article = get_article(database, article_id)
    if article is None:
        click.echo(f"error: no article with id {article_id}", err=True)
        sys.exit(1)
    others = story_articles(database, article.story_id) if article.story_id is not None else []
    data = {**article.as_dict(), "story_articles": [h.headline_dict() for h in others if h.id != article.id]}
    if fmt == "json":
        import json

        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        write_csv([data], sys.stdout)
    else:
        from rich.console import Console
        from rich.text import Text

        console = Console()
        # The title is the article's text, never markup: "OpenAI [update]" keeps its brackets.
        console.print(Text(article.title, style="bold"), highlight=False)
        console.print(
            f"{article.url}\n{article.source} · {data['published'] or 'no date'} · {article.language or '?'}"
            f" · {', '.join(article.authors) or 'no author'}",
            highlight=False,
            markup=False,
        )
        facts = facts_lines(article.facts)
        if facts:
            console.print()
            console.print("\n".join(facts), highlight=False, markup=False)
        if article.story_id is not None:
            console.print()
            console.print(
                "\n".join(story_lines(article.story_id, data["story_articles"])),
                highlight=False,
                markup=False,
            )
        console.print()
        console.print(article.text or article.summary, highlight=False, markup=False)


def story_lines(story_id: int, others: list[dict[str, Any]]) -> list[str]:
    """The article's story, for a reader: its id, then its other articles, first published first."""
    if not others:
        return [f"Story {story_id}: no other article yet"]
    lines = [f"Story {story_id}, also reported by:"]
    for other in others:
        when = (other["published"] or "no date")[:16].replace("T", " ")
        lines.append(
            f"  {other['id']:>6}  {when}  {other['source']} ({other['language'] or '?'})  {other['title']}"
        )
    return lines


def facts_lines(facts: ArticleFacts) -> list[str]:
    """What event detection found, for a reader: each event, then organisations and amounts."""
    from alerts.events.facts import describe_amount
    from alerts.message import event_notes

    lines = []
    for note in event_notes(facts.events, limit=None):
        lines += [f"{note.label}: {note.summary}".rstrip(": "), f"  “{note.sentence}”"]
    if facts.orgs:
        lines.append(f"Organisations: {', '.join(facts.orgs)}")
    if facts.amounts:
        lines.append(f"Amounts: {'; '.join(filter(None, map(describe_amount, facts.amounts)))}")
    return lines


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
    check_name("source", source, stored_source_names(app))
    rows = (a.as_dict() for a in iter_articles(app.database, since_cutoff(since), source))
    if fmt == "csv":
        write_csv(rows, sys.stdout, ARTICLE_FIELDS)
    else:
        write_jsonl(rows, sys.stdout)


@cli.command()
@config_option
@since_option
@click.option("--rule", help="Only alerts of this rule.")
@format_option()
@handles_errors
def alerts(config_path: str, since: str | None, rule: str | None, fmt: str) -> None:
    """Alerts raised, one row per delivery (alert x channel), with status, when due, and last error.

    A delivery held for its rule's digest (deliver: digest, quiet_hours,
    max_per_hour) is pending and `held`, `due` when its digest goes out.
    """
    from db.queries import alert_rules, list_deliveries

    app = open_app(config_path)
    check_name("rule", rule, [*(r.name for r in app.config.rules), *alert_rules(app.database)])
    rows = [r.as_dict() for r in list_deliveries(app.database, since_cutoff(since), rule)]
    emit(
        rows,
        fmt,
        ["id", "created", "rule", "story_id", "channel", "status", "due", "attempts", "title", "last_error"],
        title="alerts",
        header=ALERT_FIELDS,
    )


@cli.command()
@config_option
@since_option
@click.option("--rule", help="Only stories that this rule alerted on.")
@click.option("--limit", type=click.IntRange(1), help="At most this many stories (the newest).")
@click.option(
    "--rebuild",
    is_flag=True,
    help="File the articles in no story (stored before stories existed), --since old; raises no alert.",
)
@format_option()
@handles_errors
def stories(
    config_path: str, since: str | None, rule: str | None, limit: int | None, rebuild: bool, fmt: str
) -> None:
    """Stories: the same event reported by several articles (outlets, languages), newest first.

    Only articles with an organisation or an event (event detection's facts) are filed into stories.
    `--rebuild` files those stored before stories existed, first published first, and raises no alert.
    """
    from db.queries import alert_rules
    from db.stories import list_stories

    app = open_app(config_path)
    if rebuild:
        rebuild_stories(app.database, since, fmt)
        return
    check_name("rule", rule, [*(r.name for r in app.config.rules), *alert_rules(app.database)])
    rows = list_stories(app.database, since_cutoff(since), rule, limit)
    if fmt == "table":
        rows = [{**row, "amount": amount_text(row["amount"])} for row in rows]
    emit(
        rows,
        fmt,
        ["id", "last_seen", "articles", "outlets", "languages", "events", "amount", "title"],
        title="stories",
        header=STORY_FIELDS,
    )


def rebuild_stories(database: Database, since: str | None, fmt: str) -> None:
    from alerts.stories.rebuild import rebuild

    done = rebuild(database, since_cutoff(since))
    if fmt == "json":
        import json

        click.echo(json.dumps({"filed": done.filed, "started": done.started, "joined": done.joined}))
    else:
        click.echo(
            f"filed {done.filed} articles: {done.started} started a story, {done.joined} joined one;"
            " no alert raised"
        )


def amount_text(amount: dict[str, Any] | None) -> str | None:
    from alerts.events.facts import describe_amount

    return describe_amount(amount)


@cli.group(invoke_without_command=True)
@config_option
@format_option(*FORMATS, "opml")
@click.pass_context
@handles_errors
def sources(ctx: click.Context, config_path: str, fmt: str) -> None:
    """Each source: status, last fetch and success, failures, last error, next run, articles.

    `--format opml` exports the feed sources as OPML 2.0 for a feed reader.
    """
    if ctx.invoked_subcommand is not None:
        return
    if fmt == "opml":
        _export_opml(config_path)
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
        header=SOURCE_FIELDS,
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

    settings = _discovery_settings(config_path)
    started()
    try:
        found = discover(url, settings)
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


def _export_opml(config_path: str) -> None:
    from newsmon.config import load_config
    from newsmon.opml import export_opml

    config = load_config(config_path)
    others = [s.name for s in config.sources if s.type != "feed"]
    if others:
        click.echo(f"not exported (not feeds): {', '.join(others)}", err=True)
    click.echo(export_opml(config.sources, datetime.now(UTC)), nl=False)


@sources.command("import")
@config_option
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--every", help="Poll interval for every imported source (e.g. 30m; default 15m).")
@handles_errors
def sources_import(config_path: str, opml_file: Path, every: str | None) -> None:
    """Print the `sources:` entries to add for the feeds of an OPML file (a feed reader's export).

    Every entry has passed the config loader; names are unique against the config (when it
    exists) and within the file; feeds already configured are left out. What cannot be
    imported is listed on standard error with its OPML line. Exits 1 when nothing is left.
    """
    from newsmon.config import load_config
    from newsmon.opml import import_opml

    existing = load_config(config_path).sources if os.path.exists(config_path) else ()
    result = import_opml(opml_file.read_bytes(), str(opml_file), existing, every)
    for reason in result.skipped:
        click.echo(f"skipped: {reason}", err=True)
    if not result.sources:
        click.echo(f"no feed to add from {opml_file}", err=True)
        sys.exit(1)
    where = f"in {config_path}" if existing else "in your config"
    click.echo(f"# {len(result.sources)} sources from {opml_file.name}: add under `sources:` {where}")
    click.echo(result.yaml(), nl=False)


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
    check_name("rule", rule, app.ruleset.names)
    rows = [m.as_dict() for m in backtest(app, rule, since_cutoff(since))]
    emit(
        rows,
        fmt,
        ["rule", "article_id", "published", "source", "title", "terms"],
        title="rules test",
        header=BACKTEST_FIELDS,
    )


@cli.command()
@config_option
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@format_option("table", "json")
@handles_errors
def prune(config_path: str, dry_run: bool, fmt: str) -> None:
    """Delete what `retention:` says is old: articles (with their keys, alerts and deliveries), fetch log.

    An article's age counts from when it was fetched. The daemon prunes once a day by itself.
    """
    from newsmon.daemon import prune_old

    app = open_app(config_path)
    report = prune_old(app, datetime.now(UTC), dry_run=dry_run)
    if fmt == "json":
        import json

        click.echo(json.dumps({"dry_run": dry_run, **report.as_dict()}))
    else:
        click.echo(f"{'would remove' if dry_run else 'removed'} {report}")


@cli.command()
@config_option
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@handles_errors
def backup(config_path: str, path: Path) -> None:
    """A consistent copy of the (SQLite) database at PATH, safe while the daemon runs; never overwrites.

    Exits 2 if PATH exists. For PostgreSQL, use pg_dump.
    """
    from db.backup import backup as copy_database

    app = open_app(config_path)
    size = copy_database(app.database, path)
    click.echo(f"backed up to {path} ({size / 1_000_000:.1f} MB)")


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
    # Starting a verb builds some 100,000 objects the cyclic collector tracks (modules, classes,
    # the validated config) and frees almost none of them: its passes over them cost a reading
    # verb about 8 % of its time. It is off until start-up is over (started); the verbs that
    # never get there are one short step (check-config, --help).
    gc.disable()
    cli(prog_name="newsmon")


if __name__ == "__main__":
    main()

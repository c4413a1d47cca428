"""Config loading: every bad input names file, line, column and key; secrets stay hidden."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from alerts.notifiers.options import AppriseOptions, EmailOptions, SlackOptions, WebhookOptions
from crawler.spiders.options import HtmlOptions, SitemapOptions
from newsmon.config import (
    Config,
    ConfigError,
    RuleConfig,
    default_config_path,
    load_config,
    selector_kind,
)
from newsmon.errors import UnknownNameError

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
EXPECT = re.compile(r"^# expect: (.+)$", re.MULTILINE)

# The config written by shared/acceptance/seed_scenario.py (write_config), with its ports filled in.
SEED_CONFIG = """\
database: sqlite:///{db}
sources:
  - name: arsfr
    type: feed
    url: http://127.0.0.1:8001/fr/feed.xml
    every: 2s
  - name: aiwire
    type: feed
    url: http://127.0.0.1:8001/en/atom.xml
    every: 2s
topics:
  ai: 'OpenAI OR Anthropic'
rules:
  - name: ai-deals
    query: '(invest* OR investissement OR milliards OR raises OR funding) AND (@ai OR Microsoft)'
    channels: [mail, slack]
delivery:
  retry_min: 5s
  retry_max: 20s
channels:
  - name: mail
    type: email
    host: 127.0.0.1
    port: 8025
    sender: newsmon@example.org
    to: [analyst@example.org]
  - name: slack
    type: slack
    webhook_url: ${{TEST_SLACK_WEBHOOK}}
"""
ONE_SOURCE = "sources:\n  - {name: a, url: 'https://example.org/'}\n"
SLACK_SECRET = "http://127.0.0.1:8002/services/T0SECRET/B0SECRET/xoxbSECRET"


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={} if environ is None else environ)
    return str(caught.value)


# ------------------------------------------------------------ bad inputs


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_config_names_file_line_and_key(fixture: Path) -> None:
    """Each fixture states, in `# expect:` lines, what its error message must contain."""
    expected = EXPECT.findall(fixture.read_text(encoding="utf-8"))
    assert expected, f"{fixture.name} has no '# expect:' line"
    message = error_of(fixture)
    for fragment in expected:
        located = re.match(r"^\d+(:\d+)?:", fragment)
        needle = f"{fixture}:{fragment}" if located else fragment
        assert needle in message, f"expected {needle!r} in:\n{message}"


def test_all_errors_reported_one_per_line_in_file_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
sources:
  - name: a
    url: https://example.org/a.xml
    every: soon
  - name: a
    url: gopher://example.org/
rules:
  - {name: r, query: x, channels: [nowhere]}
delivery:
  retry_min: fast
""",
    )
    lines = error_of(path).splitlines()
    assert [line.split(": ", 2)[1] for line in lines] == [
        "sources[0].every",
        "sources[1].name",
        "sources[1].url",
        "rules[0].channels[0]",
        "delivery.retry_min",
    ]
    assert all(line.startswith(f"{path}:") for line in lines)


def test_error_lists_issues_with_positions(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - name: a\n    url: https://example.org/\n    every: 9q\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    (issue,) = caught.value.issues
    assert (issue.file, issue.line, issue.column, issue.key) == (str(path), 4, 12, "sources[0].every")
    assert caught.value.exit_code == 2


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=re.escape(f"config file not found: {missing}")) as caught:
        load_config(missing)
    assert "--config" in str(caught.value) and "$NEWSMON_CONFIG" in str(caught.value)


def test_directory_is_not_a_config(tmp_path: Path) -> None:
    assert "is a directory" in error_of(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    assert "config file is empty" in error_of(write(tmp_path, "# nothing yet\n"))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"sources: []\ntopics:\n  ai: caf\xe9\n")
    assert f"{path}:3: the config file is not UTF-8" in error_of(path)


# ------------------------------------------------------------ good inputs


def test_seed_scenario_config_loads(tmp_path: Path) -> None:
    db = tmp_path / "newsmon.db"
    path = write(tmp_path, SEED_CONFIG.format(db=db))
    config = load_config(path, environ={"TEST_SLACK_WEBHOOK": SLACK_SECRET})

    assert config.path == path.resolve()
    assert config.database == f"sqlite:///{db}"
    assert [s.name for s in config.sources] == ["arsfr", "aiwire"]
    assert config.source("arsfr").every == timedelta(seconds=2)
    assert config.source("arsfr").cron is None
    assert config.topics == {"ai": "OpenAI OR Anthropic"}
    assert config.rule("ai-deals").channels == ("mail", "slack")
    assert config.delivery.retry_min == timedelta(seconds=5)
    assert config.delivery.retry_max == timedelta(seconds=20)
    assert config.delivery.give_up_after == timedelta(days=2)
    mail = config.channel("mail").options
    assert isinstance(mail, EmailOptions)
    assert (mail.host, mail.port, mail.to, mail.tls) == ("127.0.0.1", 8025, ("analyst@example.org",), "none")
    slack = config.channel("slack").options
    assert isinstance(slack, SlackOptions)
    assert slack.webhook_url.get_secret_value() == SLACK_SECRET


def test_bundled_config_loads() -> None:
    config = load_config(REPO / "config.yaml", environ={})
    assert len(config.sources) >= 12
    assert {s.language for s in config.sources} >= {"en", "fr", "de", "es"}
    assert all(s.url.startswith("https://") for s in config.sources)
    assert all(
        timedelta(minutes=15) <= (s.every or timedelta(0)) <= timedelta(hours=2) for s in config.sources
    )
    assert any(c.type == "console" for c in config.channels)
    assert config.database == f"sqlite:///{REPO / 'data' / 'newsmon.db'}"
    assert "+https://" in config.crawl.user_agent


def test_bundled_config_ends_with_topics_and_rules_section() -> None:
    text = (REPO / "config.yaml").read_text(encoding="utf-8")
    marker = "# --- topics and rules ---"
    assert marker in text
    tail = text.split(marker, 1)[1]
    assert re.search(r"^topics:", tail, re.MULTILINE) and re.search(r"^rules:", tail, re.MULTILINE)


def test_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ONE_SOURCE), environ={})
    source = config.source("a")
    assert (source.type, source.every, source.cron, source.enabled) == (
        "feed",
        timedelta(minutes=15),
        None,
        True,
    )
    assert source.jitter == timedelta(seconds=90)
    assert config.delivery.slack_rate == timedelta(seconds=1)
    assert config.crawl.download_timeout == timedelta(seconds=20)
    assert config.crawl.max_body == 10 * 1024 * 1024
    assert config.health.stale_factor == 3
    assert config.health.max_backoff == timedelta(hours=6)
    assert config.database == f"sqlite:///{tmp_path / 'data' / 'newsmon.db'}"


def test_jitter_defaults_capped_and_zero_for_cron(tmp_path: Path) -> None:
    text = """\
sources:
  - {name: daily, url: "https://example.org/1", every: 1d}
  - {name: cron, url: "https://example.org/2", cron: "0 9 * * 1-5"}
  - {name: set, url: "https://example.org/3", every: 1h, jitter: 0}
"""
    config = load_config(write(tmp_path, text), environ={})
    assert config.source("daily").jitter == timedelta(minutes=5)
    assert config.source("cron").jitter == timedelta(0)
    assert config.source("cron").every is None
    assert config.source("cron").cron == "0 9 * * 1-5"
    assert config.source("set").jitter == timedelta(0)


def test_html_and_sitemap_sources(tmp_path: Path) -> None:
    text = """\
sources:
  - name: page
    type: html
    url: https://example.org/news/
    selectors:
      links: "article h2 a::attr(href)"
      title: //h1/text()
  - name: map
    type: sitemap
    url: https://example.org/sitemap.xml
    max_age: 2d
"""
    config = load_config(write(tmp_path, text), environ={})
    page = config.source("page").options
    assert isinstance(page, HtmlOptions)
    assert selector_kind(page.selectors.links) == "css"
    assert page.selectors.title is not None and selector_kind(page.selectors.title) == "xpath"
    assert config.source("map").options == SitemapOptions(max_age=timedelta(days=2))


def test_a_source_time_zone_is_an_iana_name_utc_by_default(tmp_path: Path) -> None:
    text = """\
sources:
  - {name: fil, url: https://example.org/fil.xml, timezone: Europe/Paris}
  - {name: wire, url: https://example.org/wire.xml}
"""
    config = load_config(write(tmp_path, text), environ={})
    assert config.source("fil").timezone == "Europe/Paris"
    assert config.source("wire").timezone == "UTC"


def test_email_tls_is_the_safe_choice_unless_given(tmp_path: Path) -> None:
    text = """\
channels:
  - {name: a, type: email, host: h, sender: n@example.org, to: x@example.org}
  - {name: b, type: email, host: h, port: 465, sender: n@example.org, to: [x@example.org]}
  - {name: c, type: email, host: h, port: 25, sender: n@example.org, to: [x@example.org]}
  - {name: d, type: email, host: h, port: 2525, tls: none, sender: n@example.org, to: [x@example.org]}
  - {name: e, type: email, host: 127.0.0.1, port: 2525, sender: n@example.org, to: [x@example.org]}
  - {name: f, type: email, host: localhost, port: 25, sender: n@example.org, to: [x@example.org]}
"""
    config = load_config(write(tmp_path, text), environ={})
    tls = {c.name: getattr(c.options, "tls", None) for c in config.channels}
    # Plain text crosses the network only when said: no password sent in clear to a server without STARTTLS.
    assert tls == {"a": "starttls", "b": "tls", "c": "starttls", "d": "none", "e": "none", "f": "none"}
    first = config.channel("a").options
    assert isinstance(first, EmailOptions) and first.port == 587 and first.to == ("x@example.org",)


def test_rule_channels_default_to_console_when_there_is_one(tmp_path: Path) -> None:
    text = """\
channels:
  - {name: screen, type: console}
  - {name: hook, type: webhook, url: "https://example.org/hook"}
rules:
  - {name: implicit, query: x}
  - {name: explicit, query: x, channels: [hook]}
  - {name: silent, query: x, channels: []}
"""
    config = load_config(write(tmp_path, text), environ={})
    assert config.rule("implicit").channels == ("screen",)
    assert config.rule("explicit").channels == ("hook",)
    assert config.rule("silent").channels == ()


def test_rule_channels_default_to_all_without_console(tmp_path: Path) -> None:
    text = """\
channels:
  - {name: hook, type: webhook, url: "https://example.org/hook", headers: {X-Token: abc}}
  - {name: many, type: apprise, urls: ["ntfy://newsmon-alerts"]}
rules:
  - {name: implicit, query: x}
"""
    config = load_config(write(tmp_path, text), environ={})
    assert config.rule("implicit").channels == ("hook", "many")
    hook = config.channel("hook").options
    assert isinstance(hook, WebhookOptions) and hook.headers["X-Token"].get_secret_value() == "abc"
    many = config.channel("many").options
    assert isinstance(many, AppriseOptions) and many.urls[0].get_secret_value() == "ntfy://newsmon-alerts"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("sqlite:///data/x.db", "sqlite:///{dir}/data/x.db"),
        ("sqlite:////var/lib/newsmon.db", "sqlite:////var/lib/newsmon.db"),
        ("sqlite://", "sqlite://"),
        ("'sqlite:///:memory:'", "sqlite:///:memory:"),
        ("postgresql://newsmon@db.example.org/newsmon", "postgresql://newsmon@db.example.org/newsmon"),
    ],
)
def test_relative_sqlite_path_is_relative_to_the_config_file(
    tmp_path: Path, written: str, expected: str
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    config = load_config(write(folder, f"database: {written}\n"), environ={})
    assert config.database == expected.format(dir=folder)


def test_crawl_section(tmp_path: Path) -> None:
    text = """\
crawl:
  user_agent: "newsmon/0.1 (+https://example.org/contact)"
  contact: ops@example.org
  download_timeout: 30s
  concurrent_requests: 4
  per_host_concurrency: 1
  download_delay: 2s
  max_body: 5MiB
  autothrottle: false
"""
    crawl = load_config(write(tmp_path, text), environ={}).crawl
    assert crawl.download_timeout == timedelta(seconds=30)
    assert (crawl.concurrent_requests, crawl.per_host_concurrency, crawl.autothrottle) == (4, 1, False)
    assert crawl.max_body == 5 * 1024 * 1024
    assert crawl.download_delay == timedelta(seconds=2)


def test_config_is_frozen(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ONE_SOURCE), environ={})
    with pytest.raises(ValidationError):
        config.database = "sqlite://"  # type: ignore[misc,unused-ignore]
    with pytest.raises(ValidationError):
        config.sources[0].url = "https://elsewhere.example.org/"  # type: ignore[misc,unused-ignore]


def test_lookup_of_unknown_names() -> None:
    config = Config.model_validate({"sources": [{"name": "a", "url": "https://example.org/"}]})
    with pytest.raises(UnknownNameError, match="no source named 'b' \\(known: a\\)"):
        config.source("b")
    with pytest.raises(KeyError):
        config.channel("mail")
    with pytest.raises(UnknownNameError, match="no rule named"):
        config.rule("r")


def test_direct_construction_checks_references() -> None:
    with pytest.raises(ValidationError, match="no channel named 'mail'"):
        Config(rules=(RuleConfig(name="r", query="x", channels=("mail",)),))
    with pytest.raises(ValidationError, match="duplicate source name"):
        Config.model_validate({"sources": [{"name": "a", "url": "https://a.example/"}] * 2})


def test_direct_construction_fills_rule_channels() -> None:
    config = Config.model_validate(
        {"channels": [{"name": "c", "type": "console"}], "rules": [RuleConfig(name="r", query="x")]}
    )
    assert config.rule("r").channels == ("c",)


def test_default_config_path() -> None:
    assert default_config_path({}) == Path("config.yaml")
    assert default_config_path({"NEWSMON_CONFIG": "/etc/newsmon.yaml"}) == Path("/etc/newsmon.yaml")


# ------------------------------------------------------------ environment


def test_env_forms(tmp_path: Path) -> None:
    text = """\
topics:
  plain: ${A}
  inside: "x ${A} y"
  default_unset: ${UNSET:-fallback}
  default_empty: "${EMPTY:-fallback}"
  default_set: ${A:-fallback}
  required_set: ${A:?needed}
  dollars: "costs $$5 and ${A}"
  lone: "a $ sign"
"""
    config = load_config(write(tmp_path, text), environ={"A": "alpha", "EMPTY": ""})
    assert dict(config.topics) == {
        "plain": "alpha",
        "inside": "x alpha y",
        "default_unset": "fallback",
        "default_empty": "fallback",
        "default_set": "alpha",
        "required_set": "alpha",
        "dollars": "costs $5 and alpha",
        "lone": "a $ sign",
    }


def test_env_is_substituted_after_parsing(tmp_path: Path) -> None:
    """A variable's value stays one string: YAML in it is not parsed."""
    text = "topics:\n  ai: ${INJECT}\n"
    injected = "x\nrules: [{name: evil, query: y}]\ndatabase: sqlite:////tmp/evil.db"
    config = load_config(write(tmp_path, text), environ={"INJECT": injected})
    assert config.topics["ai"] == injected
    assert config.rules == ()


def test_env_substituted_numbers_are_converted(tmp_path: Path) -> None:
    text = """\
channels:
  - {name: m, type: email, host: h, port: "${SMTP_PORT}", sender: n@example.org, to: [x@example.org]}
"""
    channel = load_config(write(tmp_path, text), environ={"SMTP_PORT": "2525"}).channel("m").options
    assert isinstance(channel, EmailOptions) and channel.port == 2525


def test_env_required_message_is_shown(tmp_path: Path) -> None:
    path = write(tmp_path, "topics:\n  ai: ${AI_TERMS:?list the AI terms in AI_TERMS}\n")
    message = error_of(path)
    assert f"{path}:2:7: topics.ai: environment variable AI_TERMS is not set: list the AI terms" in message


def test_env_empty_required_is_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "topics:\n  ai: ${AI:?say it}\n")
    assert "AI is not set: say it" in error_of(path, {"AI": ""})


def test_env_defaults_to_process_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSMON_TEST_TOPIC", "robots")
    config = load_config(write(tmp_path, "topics:\n  ai: ${NEWSMON_TEST_TOPIC}\n"))
    assert config.topics["ai"] == "robots"


# ------------------------------------------------------------ secrets

SECRETS_CONFIG = """\
database: postgresql://newsmon:${PGPASS}@db.example.org/newsmon
channels:
  - name: mail
    type: email
    host: smtp.example.org
    sender: newsmon@example.org
    to: [analyst@example.org]
    username: newsmon
    password: ${SMTP_PASSWORD}
  - name: slack
    type: slack
    webhook_url: ${SLACK_URL}
  - name: hook
    type: webhook
    url: https://example.org/hook?token=${HOOK_TOKEN}
    headers:
      Authorization: Bearer ${HOOK_TOKEN}
  - name: many
    type: apprise
    urls: ["tgram://123456789:${TG_TOKEN}/12345"]
"""
SECRET_ENV = {
    "PGPASS": "pg-Secret-1",
    "SMTP_PASSWORD": "smtp-Secret-2",
    "SLACK_URL": "https://hooks.slack.com/services/T/B/slack-Secret-3",
    "HOOK_TOKEN": "hook-Secret-4",
    "TG_TOKEN": "tg-Secret-5",
}


def test_secrets_are_masked_in_repr(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SECRETS_CONFIG), environ=SECRET_ENV)
    shown = repr(config) + str(config) + "".join(repr(c) + str(c) for c in config.channels)
    for secret in SECRET_ENV.values():
        assert secret not in shown
    # The secrets are still there for the notifiers.
    mail = config.channel("mail").options
    assert isinstance(mail, EmailOptions) and mail.password is not None
    assert mail.password.get_secret_value() == "smtp-Secret-2"
    assert "pg-Secret-1" in config.database


def test_secrets_never_appear_in_errors(tmp_path: Path) -> None:
    broken = SECRETS_CONFIG.replace("to: [analyst@example.org]", "to: []").replace("host:", "hots:")
    broken = broken.replace("https://example.org/hook", "ftp://example.org/hook")
    environ = {**SECRET_ENV, "SLACK_URL": "not a url slack-Secret-3"}
    message = error_of(write(tmp_path, broken + "delivery: {retry_min: 1}\n"), environ)
    assert "channels[1].webhook_url" in message and "channels[2].url" in message
    for secret in environ.values():
        assert secret not in message


def test_numeric_password_is_not_echoed(tmp_path: Path) -> None:
    text = SECRETS_CONFIG.replace("${SMTP_PASSWORD}", "8675309")
    message = error_of(write(tmp_path, text), SECRET_ENV)
    assert "channels[0].password: expected text (put it in quotes)" in message
    assert "8675309" not in message


def test_duplicate_secret_key_does_not_echo_values(tmp_path: Path) -> None:
    twice = "password: first-Secret\n    password: second-Secret"
    text = SECRETS_CONFIG.replace("password: ${SMTP_PASSWORD}", twice)
    message = error_of(write(tmp_path, text), SECRET_ENV)
    assert "channels[0].password: duplicate key (first on line 9)" in message
    assert "Secret" not in message


def test_yaml_syntax_error_does_not_quote_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'channels:\n  - name: s\n    webhook_url: "https://hooks/Secret-6\n')
    message = error_of(path)
    assert f"{path}:" in message and "invalid YAML" in message
    assert "Secret-6" not in message


def test_empty_sections_are_allowed(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "sources:\n#  - name: a\ntopics:\nrules:\nchannels:\n"), environ={})
    assert (config.sources, dict(config.topics), config.rules, config.channels) == ((), {}, (), ())

"""One typed contract per plug-in: the config's channels and sources are the registries' options models."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alerts.notifiers import NOTIFIERS
from crawler.spiders import SPIDERS
from newsmon.channels import build_notifiers
from newsmon.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("scrapy", "trafilatura", "httpx", "aiosmtplib", "apprise")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_registered_type_loads_its_implementation() -> None:
    for type_, plugin in SPIDERS.items():
        assert type_ in plugin.load().source_types
    for type_, plugin in NOTIFIERS.items():
        assert plugin.load().type == type_  # type: ignore[attr-defined]


def test_reading_the_config_imports_no_spider_extractor_or_transport(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
sources:
  - {name: feed, url: "https://example.org/feed.xml"}
  - {name: page, type: html, url: "https://example.org/", selectors: {links: "h2 a"}}
  - {name: map, type: sitemap, url: "https://example.org/sitemap.xml", max_age: 1d}
channels:
  - {name: mail, type: email, host: smtp.example.org, sender: n@example.org, to: [a@example.org]}
  - {name: slack, type: slack, webhook_url: "https://hooks.slack.com/services/T/B/x"}
  - {name: hook, type: webhook, url: "https://example.org/hook"}
""",
    )
    code = (
        "import json, sys\n"
        "from newsmon.config import load_config\n"
        "load_config(sys.argv[1], environ={})\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))\n"
    )
    assert json.loads(run_python(code, str(path))) == []


def test_what_the_config_validates_is_what_the_notifier_gets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
channels:
  - {name: relay, type: email, host: smtp.example.org, port: 2525, sender: n@example.org, to: a@example.org}
  - {name: local, type: email, host: 127.0.0.1, port: 2525, sender: n@example.org, to: a@example.org}
  - {name: slack, type: slack, webhook_url: "https://hooks.slack.com/services/T/B/x", timeout: 3s}
""",
    )
    notifiers = build_notifiers(load_config(path, environ={}))
    relay, local, slack = notifiers["relay"], notifiers["local"], notifiers["slack"]
    # One declaration of each default: the notifier cannot disagree with the config any more.
    assert (relay.tls, relay.timeout) == ("starttls", 20.0)  # type: ignore[attr-defined]
    assert local.tls == "none"  # type: ignore[attr-defined]
    assert slack.timeout == 3.0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("channel", "expected"),
    [
        (
            "{name: m, type: email, host: h.org, sender: n@example.org, to: a@example.org, username: u}",
            "3:5: channels[0].password: a `username` needs a `password`",
        ),
        (
            "{name: m, type: email, host: h.example.org, sender: 'Bot <n@example.org>', to: a@example.org}",
            "3:57: channels[0].sender: bad email address 'Bot <n@example.org>' (use name@example.org)",
        ),
        (
            '{name: h, type: webhook, url: "https://example.org/x", headers: {"X:Y": "t0ken"}}',
            "3:69: channels[0].headers: header 'X:Y' is not a valid HTTP header",
        ),
        (
            '{name: a, type: apprise, urls: ["nosuchscheme://user:pa55word@host"]}',
            "3:36: channels[0].urls: URL #1 (nosuchscheme://…) is not a valid Apprise URL",
        ),
        (
            "{name: s, type: slack, webhook_url: 'https://hooks.slack.com/x', timeout: 60s}",
            "3:79: channels[0].timeout: must be at most 30s",
        ),
        (
            "{name: s, type: slack, webhook_url: 'https://hooks.slack.com/x', host: h}",
            "3:70: channels[0].host: only email channels take `host` (this one is slack)",
        ),
    ],
)
def test_a_channel_error_names_file_line_and_key(tmp_path: Path, channel: str, expected: str) -> None:
    path = write(tmp_path, f"# a channel\nchannels:\n  - {channel}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert f"{path}:{expected}" in str(caught.value)
    assert "pa55word" not in str(caught.value) and "t0ken" not in str(caught.value)


PAGER = """
import asyncio, sys
from alerts.notifiers import NOTIFIERS
from alerts.notifiers.base import Notifier
from db.options import NonEmptyStr, Options, Plugin


class PagerOptions(Options):
    number: NonEmptyStr
    loud: bool = False


class PagerNotifier(Notifier):
    type = "pager"

    def __init__(self, name, options):
        super().__init__(name)
        self.options = options

    async def send(self, message):
        return None

    async def send_text(self, title, text):
        print(f"{self.name} -> {self.options.number}: {title}")


NOTIFIERS["pager"] = Plugin(PagerOptions, "__main__:PagerNotifier")  # the one registry line

from newsmon.channels import build_notifiers
from newsmon.config import ConfigError, load_config

notifier = build_notifiers(load_config(sys.argv[1], environ={}))["oncall"]
asyncio.run(notifier.send_text("source arsfr is failing", "HTTP 503"))
try:
    load_config(sys.argv[2], environ={})
except ConfigError as exc:
    print(exc)
"""


def test_a_new_channel_type_is_a_class_an_options_model_and_one_registry_line(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("channels:\n  - {name: oncall, type: pager, number: '+33 6 00 00 00 00'}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("channels:\n  - name: oncall\n    type: pager\n    number: '1'\n    loud: maybe\n")
    out = run_python(PAGER, str(good), str(bad)).splitlines()
    assert out[0] == "oncall -> +33 6 00 00 00 00: source arsfr is failing"
    assert out[1] == f"{bad}:5:11: channels[0].loud: expected true or false, got 'maybe'"

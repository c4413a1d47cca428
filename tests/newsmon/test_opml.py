"""OPML import prints sources the config accepts; export is OPML 2.0; hostile XML is refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from newsmon.config import load_config
from tests.newsmon.stored import Project

OPML = """\
<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Tech">
      <outline text="AI">
        <outline type="rss" text="Ars Technica" xmlUrl="https://feeds.arstechnica.com/arstechnica/index"/>
        <outline type="rss" text="Le Monde – Pixels" xmlUrl="https://www.lemonde.fr/pixels/rss_full.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="Ars Technica" xmlUrl="https://arstechnica.com/ai/feed/"/>
    <outline type="rss" text="Wire" xmlUrl="http://127.0.0.1:9/feed.xml"/>
    <outline type="rss" text="" xmlurl="https://www.heise.de/rss/heise-atom.xml"/>
    <outline type="rss" text="Broken" xmlUrl="ftp://example.org/feed"/>
    <outline type="rss" text="Leaky" xmlUrl="https://example.org/?k=${SMTP_PASSWORD}"/>
    <outline type="rss" text="Evil&#10;  - name: injected&#10;    url: http://evil.example/" xmlUrl="https://example.org/x"/>
    <outline type="rss" text="No URL"/>
    <outline text="Just a page" htmlUrl="https://example.org/"/>
  </body>
</opml>
"""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.create(tmp_path)


def import_(project: Project, opml: str, *extra: str) -> tuple[int, str, str]:
    path = project.root / "feeds.opml"
    path.write_text(opml, encoding="utf-8")
    result = project.run("sources", "import", str(path), *extra)
    return result.exit_code, result.stdout, result.stderr


def test_import_prints_unique_valid_sources_and_says_what_it_left_out(project: Project) -> None:
    code, out, err = import_(project, OPML)
    assert code == 0, err
    entries = YAML(typ="safe").load(out)
    assert [(e["name"], e["url"]) for e in entries] == [
        ("ars-technica", "https://feeds.arstechnica.com/arstechnica/index"),
        ("le-monde-pixels", "https://www.lemonde.fr/pixels/rss_full.xml"),
        ("ars-technica-2", "https://arstechnica.com/ai/feed/"),
        ("heise-de", "https://www.heise.de/rss/heise-atom.xml"),
        ("leaky", "https://example.org/?k=$${SMTP_PASSWORD}"),
        ("evil-name-injected-url-http-evil-example", "https://example.org/x"),
    ]
    assert all(set(e) == {"name", "type", "url"} and e["type"] == "feed" for e in entries)
    assert "# Ars Technica / Tech / AI" in out  # the nesting is kept as a comment
    feeds = project.root / "feeds.opml"
    assert f"{feeds}:12: http://127.0.0.1:9/feed.xml is already source wire" in err
    assert f"{feeds}:14: 'ftp://example.org/feed': url: unsupported URL scheme" in err
    assert f"{feeds}:17: feed 'No URL' has no xmlUrl" in err

    # Pasted under `sources:`, the entries load with the config's own.
    config = project.config.read_text().replace("rules:", out.replace("# ", "#") + "rules:", 1)
    project.config.write_text(config)
    loaded = load_config(project.config, environ={"SMTP_PASSWORD": "hunter2"})
    assert len(loaded.sources) == 2 + len(entries)
    # A ${VAR} in a feed's URL stays text: the secret is never sent to that feed's host.
    assert loaded.source("leaky").url == "https://example.org/?k=${SMTP_PASSWORD}"


def test_names_are_unique_against_the_config(project: Project) -> None:
    opml = OPML.replace('text="Ars Technica"', 'text="Wire"', 1)
    code, out, _ = import_(project, opml)
    assert code == 0
    assert YAML(typ="safe").load(out)[0]["name"] == "wire-2"


def test_every_is_validated_with_the_sources(project: Project) -> None:
    code, out, _ = import_(project, OPML, "--every", "30m")
    assert code == 0 and all(e["every"] == "30m" for e in YAML(typ="safe").load(out))
    code, out, err = import_(project, OPML, "--every", "soon")
    assert code == 1 and out == "" and "bad duration 'soon'" in err


@pytest.mark.parametrize(
    ("opml", "message"),
    [
        (
            '<?xml version="1.0"?>\n<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://example.org/f"/></body></opml>',
            "refused",
        ),
        (
            '<?xml version="1.0"?>\n'
            '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
            '<opml version="2.0"><body><outline text="&lol2;" xmlUrl="https://example.org/f"/></body></opml>',
            "refused",
        ),
        ('<opml version="2.0">\n<body><outline text="x"></body></opml>', "feeds.opml:2:"),
        ('<rss version="2.0"><channel/></rss>', "not an OPML file"),
    ],
    ids=["xxe", "billion-laughs", "malformed", "not-opml"],
)
def test_hostile_or_broken_opml_exits_2_naming_the_file(project: Project, opml: str, message: str) -> None:
    code, out, err = import_(project, opml)
    assert code == 2 and out == ""
    assert message in err and "feeds.opml" in err
    assert "root:" not in err and "Traceback" not in err


def test_export_is_opml_2_with_the_feed_sources(project: Project) -> None:
    config = project.config.read_text().replace(
        "rules:",
        "  - name: page\n    type: html\n    url: http://127.0.0.1:9/\n    selectors: {links: 'a'}\nrules:",
        1,
    )
    project.config.write_text(config)
    result = project.run("sources", "--format", "opml")
    assert result.exit_code == 0, result.output
    root = ET.fromstring(result.stdout)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") and root.findtext("head/dateCreated")
    outlines = [(o.get("text"), o.get("type"), o.get("xmlUrl")) for o in root.iter("outline")]
    assert outlines == [
        ("wire", "rss", "http://127.0.0.1:9/feed.xml"),
        ("blog", "rss", "http://127.0.0.1:9/blog.xml"),
    ]
    assert "not exported (not feeds): page" in result.stderr


def test_export_then_import_round_trips_to_nothing_new(project: Project) -> None:
    exported = project.run("sources", "--format", "opml").stdout
    code, out, err = import_(project, exported)
    assert code == 1 and out == ""
    assert err.count("is already source") == 2

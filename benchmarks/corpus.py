"""`make corpus`: every file of the shared real-world corpora through newsmon's feed reading.

Usage: python -m benchmarks.corpus [CORPORA_DIR]   (default ../shared/corpora)

Each input goes through ``crawler.feeds.read_feed`` and ``build_feed`` — the
path the feed spider takes — and is judged against the ground truth its
corpus states (see the corpora's README):

- ``feedparser/``: the ``Header:`` lines are the response headers (a case
  whose name says ``http`` was served over HTTP by feedparser's harness, with
  ``text/xml`` unless a header says otherwise, from
  ``http://127.0.0.1:8097/tests/…``; the others have no URL). The ``Expect:``
  expression is evaluated, as feedparser's own harness does, over the
  FeedParserDict that newsmon obtains — but only when it concerns what newsmon
  stores (titles, links, dates) or how the bytes were decoded; the rest
  (sanitising, iTunes, geo, HTTP caching...) is reported as n.a.;
- ``miniflux-encodings/``: the decoded text reads correctly (``CORPUS_TEXT``);
- ``gofeed-json/``: entries match ``*_expected.json``; ``invalid/`` is
  rejected with an error naming the URL.

Outcomes: ok, mismatch, exception (anything but ``NotAFeedError`` escaping
the reading path), n.a., and allowed (a mismatch in ``ALLOWED``, where newsmon
deliberately differs from feedparser). Exit status 1 on any exception or
mismatch. The ``Expect:`` expressions come from the corpus and are run with
``eval``, as feedparser's test suite does: point this only at trusted corpora.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from benchmarks.corpus_cases import (
    ALLOWED,
    Check,
    check_feedparser_case,
    check_gofeed_case,
    check_miniflux_case,
)

DEFAULT_ROOT = Path("../shared/corpora")
OUTCOMES = ("ok", "allowed", "mismatch", "exception", "n.a.")
_NOT_INPUTS = ("LICENSE", "README.md")


def inputs(root: Path) -> Iterator[Path]:
    """Every corpus file that is a document to read, not a licence or a ground-truth file."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.name not in _NOT_INPUTS and not _is_truth(path):
            yield path


def check(root: Path, path: Path) -> Check:
    relative = path.relative_to(root).as_posix()
    corpus = relative.split("/", 1)[0]
    try:
        if corpus == "feedparser":
            return check_feedparser_case(relative, path.read_bytes())
        if corpus == "gofeed-json":
            return check_gofeed_case(relative, path)
        return check_miniflux_case(relative, path.read_bytes())
    except Exception as exc:  # noqa: BLE001 - an exception is a finding, reported with the others
        frame = traceback.extract_tb(exc.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return Check(relative, "exception", f"{type(exc).__name__}: {exc} ({where})")


def folder(relative: str) -> str:
    """The row a file is counted in: the corpus and its first meaningful folder."""
    parts = [p for p in relative.split("/")[:-1] if p not in ("tests", "internal", "reader", "testdata")]
    return "/".join(parts[:2]) or relative


def report(checks: list[Check]) -> str:
    rows: dict[str, Counter[str]] = {}
    for c in checks:
        rows.setdefault(folder(c.path), Counter())[c.outcome] += 1
    total: Counter[str] = Counter(c.outcome for c in checks)
    width = max(len(name) for name in [*rows, "total"])
    lines = [f"{'folder':<{width}}  {'files':>5}  " + "  ".join(f"{o:>9}" for o in OUTCOMES)]
    for name, counts in [*sorted(rows.items()), ("total", total)]:
        cells = "  ".join(f"{counts[o]:>9}" for o in OUTCOMES)
        lines.append(f"{name:<{width}}  {counts.total():>5}  {cells}")
    for outcome in ("exception", "mismatch", "allowed"):
        found = [c for c in checks if c.outcome == outcome]
        if found:
            lines.append(f"\n{outcome} ({len(found)}):")
            lines.extend(f"  {c.path}: {c.detail}" for c in found)
    stale = sorted(set(ALLOWED) - {c.path for c in checks if c.outcome == "allowed"})
    if stale:
        lines.append(f"\nallow-list entries that no longer mismatch ({len(stale)}):")
        lines.extend(f"  {path}" for path in stale)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else DEFAULT_ROOT
    if not root.is_dir():
        print(f"no corpora at {root}: pass the folder (python -m benchmarks.corpus ../shared/corpora)")
        return 2
    started = time.perf_counter()
    checks = [check(root, path) for path in inputs(root)]
    print(report(checks))
    bad = sum(1 for c in checks if c.outcome in ("exception", "mismatch"))
    print(f"\n{len(checks)} files in {time.perf_counter() - started:.1f} s: {'FAILED' if bad else 'ok'}")
    return 1 if bad else 0


def _is_truth(path: Path) -> bool:
    return path.name.endswith(("_expected.json", "-result"))


if __name__ == "__main__":
    raise SystemExit(main())

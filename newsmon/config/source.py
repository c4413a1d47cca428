"""Reading the YAML: plain data plus where every key and value sits in the file.

ruamel's round-trip loader keeps the line and column of each key and value;
they are copied into :class:`Document` so that any later error — schema,
environment, cross-reference — can be pointed at its line. Duplicate keys
are found on the composed node tree, where both occurrences have a mark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from newsmon.config.checks import KeyPath, format_path
from newsmon.errors import ConfigError, ConfigIssue

Position = tuple[int, int]  # 1-based line and column


@dataclass
class Document:
    """Plain YAML data (dicts, lists, str, int, float, bool, None) and its positions."""

    file: str
    data: Any = None
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    issues: list[ConfigIssue] = field(default_factory=list)

    def value_position(self, path: KeyPath) -> Position:
        """Where the value at ``path`` starts, or its nearest enclosing value."""
        for end in range(len(path), 0, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def key_position(self, path: KeyPath) -> Position:
        return self.keys.get(path) or self.value_position(path)

    def issue(self, path: KeyPath, message: str, *, at_key: bool = False) -> ConfigIssue:
        line, column = self.key_position(path) if at_key else self.value_position(path)
        return ConfigIssue(self.file, line, column, format_path(path), message)


def read_text(path: Path, shown: str) -> str:
    """The file's text, or a :class:`ConfigError` saying what to do."""
    if not path.exists():
        raise ConfigError(f"config file not found: {shown} (set --config or $NEWSMON_CONFIG)")
    if path.is_dir():
        raise ConfigError(f"{shown}: is a directory, not a config file (set --config or $NEWSMON_CONFIG)")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read the config file: {exc.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{shown}:{line}: the config file is not UTF-8 text (save it as UTF-8)") from None


def parse(text: str, shown: str) -> Document:
    """Parse YAML text; syntax errors raise :class:`ConfigError`, duplicate keys become issues."""
    doc = Document(shown)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True  # found below on the node tree, with both lines
    try:
        root = yaml.compose(text)
    except YAMLError as exc:
        raise ConfigError(_syntax_message(exc, shown)) from None
    if root is not None:
        _find_duplicates(root, (), doc)
    try:
        # From the nodes composed above: parsing the text again would double every command's YAML cost.
        loaded = None if root is None else yaml.constructor.construct_document(root)
    except YAMLError as exc:
        raise ConfigError(_syntax_message(exc, shown)) from None
    doc.data = _plain(loaded, (), doc)
    return doc


def _syntax_message(exc: YAMLError, shown: str) -> str:
    if not isinstance(exc, MarkedYAMLError):
        return f"{shown}: invalid YAML: {exc}"
    mark = exc.problem_mark or exc.context_mark
    where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark is not None else shown
    # Only the problem and context texts: str(exc) quotes the line, which may hold a secret.
    what = "; ".join(part for part in (exc.context, exc.problem) if part)
    hint = ""
    if "alias" in what or "anchor" in what:
        hint = ' (a value starting with * or & must be quoted, e.g. cron: "*/15 * * * *")'
    elif "flow" in what:
        hint = " (inside [ ] or { }, quote values containing braces, brackets or commas, e.g. '${TOKEN}')"
    elif "'\\t'" in what:
        hint = " (indent with spaces, not tabs)"
    return f"{where}: invalid YAML: {what}{hint}"


def _find_duplicates(node: Node, path: KeyPath, doc: Document) -> None:
    if isinstance(node, MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value != "<<":
                key = str(key_node.value)
                line = key_node.start_mark.line + 1
                if key in first:
                    doc.issues.append(
                        ConfigIssue(
                            doc.file,
                            line,
                            key_node.start_mark.column + 1,
                            format_path((*path, key)),
                            f"duplicate key (first on line {first[key]}); remove one",
                        )
                    )
                else:
                    first[key] = line
                _find_duplicates(value_node, (*path, key), doc)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            _find_duplicates(item, (*path, index), doc)


def _plain(value: Any, path: KeyPath, doc: Document) -> Any:
    if isinstance(value, CommentedMap):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            child = (*path, name)
            marks = value.lc.data.get(key)
            if marks is not None:
                doc.keys[child] = (marks[0] + 1, marks[1] + 1)
                doc.values[child] = (marks[2] + 1, marks[3] + 1)
            out[name] = _plain(item, child, doc)
        return out
    if isinstance(value, CommentedSeq):
        items: list[Any] = []
        for index, item in enumerate(value):
            child = (*path, index)
            marks = value.lc.data.get(index)
            if marks is not None:
                doc.values[child] = (marks[0] + 1, marks[1] + 1)
            items.append(_plain(item, child, doc))
        return items
    # ruamel returns subclasses (ScalarFloat, ScalarBoolean as an int…); keep the plain types.
    if isinstance(value, bool) or type(value).__name__ == "ScalarBoolean":
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return value

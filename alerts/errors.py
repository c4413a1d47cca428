"""Errors raised by the alerts package.

AlertsError
└── RuleError    a rule or topic cannot be compiled: bad syntax, unknown
                 topic, topic cycle, duplicate name (names the rule or
                 topic and, for syntax, the 1-based column in its query)
"""

from __future__ import annotations


class AlertsError(Exception):
    """Base class of the alerts package's errors."""


class RuleError(AlertsError):
    """A rule or topic of the configuration cannot be compiled.

    ``rule`` or ``topic`` says which entry is wrong, ``column`` where in its
    ``query`` (1-based, ``None`` when the error is not about one place).
    """

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        topic: str | None = None,
        column: int | None = None,
        query: str = "",
    ) -> None:
        self.message = message
        self.rule = rule
        self.topic = topic
        self.column = column
        self.query = query
        where = f"rule '{rule}'" if rule is not None else f"topic '{topic}'" if topic is not None else "rules"
        at = f", column {column}" if column is not None else ""
        super().__init__(f"{where}{at}: {message}")

    def pointer(self) -> str:
        """The query with a caret under the column, for a terminal; empty when unknown."""
        if not self.query or self.column is None:
            return ""
        return f"{self.query}\n{' ' * (self.column - 1)}^"

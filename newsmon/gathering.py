"""Look-ups asked for close together, answered by one call over all their keys.

The daemon polls each source in a task of its own, and sources fall due
together (or a fraction of a second apart, as a staggered schedule hands
them): a read per poll cost more CPU than the unchanged feed it polls
(newsmon.polling). Each poll asks for its own key; the first ask of a round
waits ``window`` seconds (none: until the loop's next turn) for the others,
then one call answers every key asked for by then.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Gathered(Generic[K, V]):
    """``await gathered(key)``: ``look_up``'s value for ``key`` (None when it has none), one call a round."""

    def __init__(self, look_up: Callable[[Iterable[K]], Mapping[K, V]], window: float = 0.0) -> None:
        self.look_up = look_up
        self.window = window
        self._asked: dict[K, asyncio.Future[V | None]] | None = None

    async def __call__(self, key: K) -> V | None:
        loop = asyncio.get_running_loop()
        if self._asked is None:
            self._asked = {}
            if self.window > 0:
                loop.call_later(self.window, self._answer)
            else:
                loop.call_soon(self._answer)
        answer = self._asked.get(key)
        if answer is None:
            answer = self._asked[key] = loop.create_future()
        # A caller cancelled while waiting (a scheduler shutting down) must not cancel the others' answer.
        return await asyncio.shield(answer)

    def _answer(self) -> None:
        asked, self._asked = self._asked or {}, None
        try:
            values = self.look_up(list(asked))
        except Exception as exc:  # noqa: BLE001 - each caller gets the error, as from a call of its own
            for answer in asked.values():
                if not answer.done():
                    answer.set_exception(exc)
                    answer.add_done_callback(_retrieved)
            return
        for key, answer in asked.items():
            if not answer.done():
                answer.set_result(values.get(key))


def _retrieved(answer: asyncio.Future[Any]) -> None:
    # Read once here: a caller cancelled meanwhile would leave asyncio to log it as never retrieved.
    answer.exception()

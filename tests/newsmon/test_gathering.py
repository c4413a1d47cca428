"""Look-ups asked for close together, answered by one call (newsmon/gathering.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import pytest

from newsmon.gathering import Gathered

Run = Callable[[Awaitable[Any]], Any]


class Squares:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.fail = fail

    def __call__(self, keys: Iterable[int]) -> dict[int, int]:
        self.calls.append(sorted(keys))
        if self.fail:
            raise OSError("database is locked")
        return {key: key * key for key in self.calls[-1] if key >= 0}


def test_keys_asked_in_one_turn_of_the_loop_are_looked_up_in_one_call(run_on_reactor: Run) -> None:
    squares = Squares()
    gathered = Gathered(squares)

    async def scenario() -> list[int | None]:
        first = await asyncio.gather(gathered(2), gathered(3), gathered(2), gathered(-1))
        return [*first, await gathered(4)]

    assert run_on_reactor(scenario()) == [4, 9, 4, None, 16]
    assert squares.calls == [[-1, 2, 3], [4]]  # a later ask is a call of its own


def test_a_window_gathers_keys_asked_a_moment_apart(run_on_reactor: Run) -> None:
    squares = Squares()
    gathered = Gathered(squares, window=0.5)

    async def scenario() -> list[int | None]:
        first = asyncio.ensure_future(gathered(2))
        await asyncio.sleep(0.01)
        return list(await asyncio.gather(first, gathered(3)))

    assert run_on_reactor(scenario()) == [4, 9]
    assert squares.calls == [[2, 3]]


def test_each_caller_gets_the_error_of_the_look_up(run_on_reactor: Run) -> None:
    gathered = Gathered(Squares(fail=True))

    async def scenario() -> list[int | BaseException | None]:
        return list(await asyncio.gather(gathered(2), gathered(3), return_exceptions=True))

    answers = run_on_reactor(scenario())
    assert [type(answer) for answer in answers] == [OSError, OSError]


def test_a_caller_cancelled_while_waiting_leaves_the_others_their_answer(run_on_reactor: Run) -> None:
    squares = Squares()
    gathered = Gathered(squares, window=0.05)

    async def scenario() -> int | None:
        cancelled = asyncio.ensure_future(gathered(2))
        other = asyncio.ensure_future(gathered(2))
        await asyncio.sleep(0)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        return await other

    assert run_on_reactor(scenario()) == 4
    assert squares.calls == [[2]]

"""The Python half of the asyncio bridge (see src/py/aio.rs): a call on `AsyncClient` is a real coroutine
whose Rust future is bound to the event loop only when awaited, and each loop has one waker through which
finished calls come back, many per wake-up."""

from __future__ import annotations

import weakref
from asyncio import AbstractEventLoop
from typing import Awaitable, TypeVar

from ._native import _LoopWaker

T = TypeVar("T")

_wakers: weakref.WeakKeyDictionary[AbstractEventLoop, _LoopWaker] = weakref.WeakKeyDictionary()


async def run(pending: Awaitable[T]) -> T:
    return await pending


async def ready(value: T) -> T:
    return value


def waker(loop: AbstractEventLoop) -> _LoopWaker:
    """The waker of `loop` in this process, registered with it on first use (a forked child makes its own)."""
    found = _wakers.get(loop)
    if found is None or not found.current:
        found = _LoopWaker()
        loop.add_reader(found.fileno(), found.drain)
        _wakers[loop] = found
    return found

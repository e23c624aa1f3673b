"""Coroutines around the native awaitables (see src/py/aio.rs): a call on `AsyncClient` is a real
coroutine, and its Rust future is bound to the event loop only when it is awaited."""

from __future__ import annotations

from typing import Awaitable, TypeVar

T = TypeVar("T")


async def run(pending: Awaitable[T]) -> T:
    return await pending


async def ready(value: T) -> T:
    return value


__all__ = ["run", "ready"]

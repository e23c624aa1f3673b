"""The driver of `update_clients`, shared by `Client` (blocking) and `AsyncClient` (a coroutine).

The requests run in Rust (a native `_Batch`); this side pulls `(id, fields)` items from the caller's
iterable lazily, keeps at most `concurrency` in flight, puts each outcome at its input's place, and reports
progress from the calling thread (the event loop's, for the coroutine). Ctrl-C, an exception from
`progress`, or cancelling the coroutine cancels every request still in flight.
"""

from __future__ import annotations

import importlib
import operator
import sys
import time
from typing import Any, Callable, Generator, Iterable, List, Optional, Tuple

Finished = List[Tuple[int, Any]]
Progress = Callable[[int, Optional[int]], object]


def _steps(batch: Any, updates: Iterable[Any], report: Progress) -> Generator[None, Finished, list[Any]]:
    """Submits items while there is room, then yields for finished ones (sent in by the runner)."""
    items = iter(updates)
    results: list[Any] = []
    done = 0
    exhausted = False
    while True:
        while not exhausted and batch.in_flight < batch.concurrency:
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
                break
            index = len(results)
            results.append(None)
            argument_error = batch.submit(index, item)
            if argument_error is not None:
                results[index] = argument_error
                done += 1
        if exhausted and batch.in_flight == 0:
            report(len(results), len(results))
            return results
        for index, outcome in (yield):
            results[index] = outcome
            done += 1
        report(done, None)


def run(batch: Any, updates: Iterable[Any], progress: Any) -> list[Any]:
    report = _reporter(progress, updates)
    steps = _steps(batch, updates, report)
    try:
        next(steps)
        while True:
            steps.send(batch.wait())
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]
    finally:
        batch.cancel()
        report.close()


async def run_async(batch: Any, updates: Iterable[Any], progress: Any) -> list[Any]:
    report = _reporter(progress, updates)
    steps = _steps(batch, updates, report)
    try:
        next(steps)
        while True:
            steps.send(await batch.next())
    except StopIteration as finished:
        return finished.value  # type: ignore[no-any-return]
    finally:
        batch.cancel()
        report.close()


class _Reporter:
    """Calls `progress(done, total)`: total is the input's length when it has one, and the last call is
    `(total, total)`. `report(done, None)` means "total as known"."""

    def __init__(self, progress: Progress | None, total: int | None) -> None:
        self._progress = progress
        self._total = total
        if progress is not None:
            progress(0, total)

    def __call__(self, done: int, total: int | None) -> None:
        if self._progress is not None:
            self._progress(done, total if total is not None else self._total)

    def close(self) -> None:
        close = getattr(self._progress, "close", None)
        if callable(close):
            close()


def _reporter(progress: Any, updates: Iterable[Any]) -> _Reporter:
    total = operator.length_hint(updates, -1)
    known = total if total >= 0 and hasattr(updates, "__len__") else None
    if progress is None or progress is False:
        return _Reporter(None, known)
    if progress is True:
        return _Reporter(_bar(), known)
    if not callable(progress):
        raise TypeError(f"progress must be a callable (done, total), True or None, got {type(progress).__name__}")
    return _Reporter(progress, known)


def _bar() -> Progress:
    """tqdm's bar (the notebook widget in Jupyter) when tqdm is installed, else a plain line on stderr."""
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        return _PlainLine()
    return _TqdmBar(tqdm)


class _TqdmBar:
    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total, unit="client", desc="update_clients")
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


class _PlainLine:
    """`update_clients: 120/5000` rewritten in place on stderr, at most ten times a second."""

    def __init__(self) -> None:
        self._shown = 0.0
        self._last = ""

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._shown < 0.1 and done != total:
            return
        self._shown = now
        self._last = f"update_clients: {done}/{total if total is not None else '?'}"
        sys.stderr.write("\r" + self._last)
        sys.stderr.flush()

    def close(self) -> None:
        if self._last:
            sys.stderr.write("\n")
            sys.stderr.flush()

"""Blocking calls run on the calling thread's own runtime and connections (src/http/runtime.rs): what that
must not cost. A thread's connections close when it ends, when the client is closed or dropped; a call made
from inside another call's wait (a signal handler) works; an abandoned request's connection is closed at
once, not at the thread's next call; a logging filter may make a call, whichever thread it runs on."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import threading

import pytest

import cryptomate

from _threads import run_threads

posix_only = pytest.mark.skipif(os.name != "posix", reason="signals and fork")


def test_the_connections_of_a_finished_thread_are_closed(server, make_client):
    client = make_client(max_retries=0)
    seen = []
    run_threads([lambda i=i: seen.append(client.get_client(f"client_{i}").id) for i in range(12)])
    assert sorted(seen) == sorted(f"client_{i}" for i in range(12))
    # Every thread opened its own connection; each closed when its thread ended (the client lives on).
    assert server.wait_until(lambda: server.open_connections == 0, timeout=5.0), server.open_connections
    assert client.get_client("client_main").id == "client_main"


def test_a_thread_keeps_its_connection_between_calls(server, make_client):
    client = make_client(max_retries=0)
    for i in range(5):
        client.get_client(f"client_{i}")
    assert (server.connections_opened, server.open_connections) == (1, 1)


def test_close_reaches_a_connection_another_thread_holds(server, make_client):
    client = make_client(max_retries=0)
    called, closed, refused, done = threading.Event(), threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def other_thread():
        client.get_client("client_1")
        called.set()
        closed.wait(5.0)
        try:
            client.get_client("client_2")
        except cryptomate.APIConnectionError as error:
            outcome["error"] = error
        refused.set()
        done.wait(5.0)  # alive still: its connection must go without the thread ending

    thread = threading.Thread(target=other_thread)
    thread.start()
    assert called.wait(5.0)
    assert server.open_connections == 1
    client.close()
    closed.set()
    assert refused.wait(5.0)
    try:
        assert "error" in outcome, "a closed client still sent from another thread"
        assert server.wait_until(lambda: server.open_connections == 0, timeout=5.0), server.open_connections
    finally:
        done.set()
        thread.join(5.0)
    assert not thread.is_alive()
    assert len(server.requests) == 1


def test_a_dropped_client_releases_this_threads_connection(server, make_client):
    first = cryptomate.Client("key", base_url=server.base_url, max_retries=0)
    first.get_client("client_1")
    assert server.open_connections == 1
    del first
    gc.collect()
    # The thread notices at its next call, whichever client makes it.
    second = make_client(max_retries=0)
    second.get_client("client_2")
    assert server.wait_until(lambda: server.open_connections == 1, timeout=5.0), server.open_connections


def test_a_timed_out_requests_connection_is_dropped_at_once(server, make_client):
    client = make_client(max_retries=0, timeout=0.3)
    server.delay_next(5)
    with pytest.raises(cryptomate.APITimeoutError):
        client.get_client("client_1")
    # No further call on this thread: the connection must still go.
    assert server.wait_until(lambda: server.requests[0].cancelled, timeout=3.0)


@posix_only
def test_a_call_from_a_signal_handler_during_a_call(server, make_client):
    client = make_client(max_retries=0)
    server.delay_next(1.0)
    nested = []

    def on_alarm(signum, frame):
        nested.append(client.get_client("client_nested").id)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        outer = client.get_client("client_outer")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert outer.id == "client_outer"
    assert nested == ["client_nested"]
    assert sorted(r.path.rsplit("/", 1)[1] for r in server.requests) == ["client_nested", "client_outer"]
    assert server.max_in_flight == 2, "the nested call did not run while the outer one waited"


class _CallingFilter(logging.Filter):
    """A filter on the `cryptomate` logger that makes a blocking call for the first record it sees. (A
    filter, not a handler: a handler holds its lock while it emits, and the nested call's own log lines,
    sent from another thread, would wait for it.)"""

    def __init__(self, client):
        super().__init__()
        self.client = client
        self.results = []

    def filter(self, record):
        if not self.results:
            self.results.append(None)
            try:
                self.results[0] = self.client.get_client("client_from_log").id
            except Exception as error:  # noqa: BLE001 - the test looks at it
                self.results[0] = error
        return True


@contextlib.contextmanager
def _filtering(client):
    logger = logging.getLogger("cryptomate")
    calling = _CallingFilter(client)
    level = logger.level
    logger.addFilter(calling)
    logger.setLevel(logging.DEBUG)
    try:
        yield calling
    finally:
        logger.removeFilter(calling)
        logger.setLevel(level)


@pytest.fixture
def calling_filter(server, make_client):
    with _filtering(make_client(max_retries=0)) as calling:
        yield calling


def test_a_log_filter_may_call_from_inside_a_blocking_call(server, make_client, calling_filter):
    assert make_client(max_retries=0).get_client("client_outer").id == "client_outer"
    assert calling_filter.results == ["client_from_log"]


def test_a_log_filter_may_call_from_the_sdks_threads(server, calling_filter):
    async def main():
        async with cryptomate.AsyncClient("key", base_url=server.base_url, max_retries=0, timeout=5.0) as client:
            return (await client.get_client("client_outer")).id

    assert asyncio.run(main()) == "client_outer"
    assert calling_filter.results == ["client_from_log"]


def test_a_failing_call_from_the_sdks_threads_is_its_error(server, dead_port):
    """The failed call's clean-up stays on the thread that ran it: an SDK thread may not drive a runtime."""
    unreachable = cryptomate.Client("key", base_url=f"http://127.0.0.1:{dead_port}", max_retries=0, timeout=5.0)

    async def main():
        async with cryptomate.AsyncClient("key", base_url=server.base_url, max_retries=0, timeout=5.0) as client:
            return (await client.get_client("client_outer")).id

    with unreachable, _filtering(unreachable) as calling:
        assert asyncio.run(main()) == "client_outer"
    assert len(calling.results) == 1
    assert isinstance(calling.results[0], cryptomate.APIConnectionError), calling.results

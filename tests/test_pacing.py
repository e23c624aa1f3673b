"""Pacing: no one-second window holds more than `rate_limit` requests of a client and its with_options copies
(retries included), across threads; rate_limit=None turns it off; a 429 pauses every caller of the client.

Everything is measured at the server: RecordedRequest.received_at of the emulator. Requests the pacer spaces
exactly one second apart can arrive a few milliseconds closer than that (network jitter), so a "one-second
window" is checked as a 0.95 s window.
"""

from __future__ import annotations

import logging
import threading
import time

import pytest

import cryptomate
from _threads import run_threads
import _arrivals

WINDOW = 0.95  # a one-second window, less the arrival jitter
EARLY = 0.05
JOIN = 20.0  # the longest any test waits for its threads


def busiest(times, window=WINDOW):
    return _arrivals.busiest(times, window)


def arrivals(emu):
    return sorted(r.received_at for r in emu.requests)


def test_busiest_helper():
    assert busiest([0.0, 0.1, 0.2, 1.0, 1.1]) == 3
    assert busiest([0.0, 0.96, 1.92]) == 1
    assert busiest([]) == 0
    # the shared helper's own one-second window (test_fleet_pacing's) is half-open too
    assert _arrivals.busiest([0.0, 0.5, 0.99, 1.0, 1.5]) == 3


def test_default_rate_limit_is_15_per_second(emu, emu_client, seeded):
    client = emu_client()
    for _ in range(20):
        client.get_client(seeded.id)
    times = arrivals(emu)
    assert len(times) == 20
    assert busiest(times) <= 15
    # The first 15 may go at once; the 16th waits for the window of the first.
    assert times[15] - times[0] >= 1.0 - EARLY


def test_a_small_rate_limit_spreads_requests(emu, emu_client, seeded):
    client = emu_client(rate_limit=5.0)
    for _ in range(12):
        client.get_client(seeded.id)
    times = arrivals(emu)
    assert len(times) == 12
    assert busiest(times) <= 5
    assert times[-1] - times[0] >= 2.0 - EARLY


def test_threads_share_the_limit(emu, emu_client, seeded):
    client = emu_client(rate_limit=5.0)

    def worker():
        for _ in range(4):
            client.get_client(seeded.id)

    run_threads([worker] * 3)
    times = arrivals(emu)
    assert len(times) == 12
    assert busiest(times) <= 5
    assert times[-1] - times[0] >= 2.0 - EARLY


def test_with_options_copies_share_the_limit(emu, emu_client, seeded):
    client = emu_client(rate_limit=5.0)
    copies = [
        client,
        client.with_options(timeout=4.0),
        client.with_options(max_retries=0, default_headers={"X-Copy": "yes"}),
        client.with_options(connect_timeout=2.0),  # a copy with its own connection pool
    ]

    def worker(c):
        return lambda: [c.get_client(seeded.id) for _ in range(3)]

    run_threads([worker(c) for c in copies])
    times = arrivals(emu)
    assert len(times) == 12
    assert sum(1 for r in emu.requests if r.headers.get("x-copy") == "yes") == 3
    assert busiest(times) <= 5


def test_retries_count_against_the_limit(emu, emu_client, seeded):
    # Four failures (Retry-After: 0, so only the pacer spaces the retries), whichever attempts they hit:
    # with max_retries=4 every call ends in a success, so the server sees 4 failed + 4 good requests.
    client = emu_client(rate_limit=4.0, max_retries=4)
    emu.fail_next(503, retry_after=0, times=4)
    start = threading.Barrier(4, timeout=JOIN)

    def call():
        start.wait()
        client.get_client(seeded.id)

    run_threads([call] * 4)
    times = arrivals(emu)
    assert len(times) == 8
    assert sum(1 for r in emu.requests if "x-retry-count" in r.headers) == 4
    assert busiest(times) <= 4
    assert times[-1] - times[0] >= 1.0 - EARLY


def test_no_rate_limit(emu, emu_client, seeded):
    client = emu_client(rate_limit=None)
    for _ in range(20):
        client.get_client(seeded.id)
    times = arrivals(emu)
    # The default limit would hold the 16th request a second; without one, 20 loopback requests are quick.
    assert times[-1] - times[0] < 0.9
    assert busiest(times) == 20


def test_below_one_request_per_second_requests_are_spaced(emu, emu_client, seeded):
    client = emu_client(rate_limit=0.8)  # one request per 1.25 s
    client.get_client(seeded.id)
    client.get_client(seeded.id)
    first, second = arrivals(emu)
    assert second - first >= 1.25 - EARLY


def test_fractional_limits_round_down(emu, emu_client, seeded):
    client = emu_client(rate_limit=2.5)
    for _ in range(5):
        client.get_client(seeded.id)
    times = arrivals(emu)
    assert busiest(times) <= 2
    assert times[-1] - times[0] >= 2.0 - EARLY


def test_waiting_for_the_limiter_does_not_count_against_the_timeout(emu, emu_client, seeded):
    client = emu_client(rate_limit=2.0, timeout=0.3, max_retries=0)
    for _ in range(3):  # the third waits about a second for its turn, more than the timeout
        assert client.get_client(seeded.id).id == seeded.id
    times = arrivals(emu)
    assert times[2] - times[0] >= 1.0 - EARLY


# --- a 429 pauses every caller -------------------------------------------------------------------------------


class _RetryLogged(logging.Handler):
    """Sets an event when the client logs that it will retry: by then the 429's pause is in place."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.event = threading.Event()

    def emit(self, record):
        if "retr" in record.getMessage().lower():
            self.event.set()


@pytest.fixture
def retry_logged(caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    handler = _RetryLogged()
    logger = logging.getLogger("cryptomate")
    logger.addHandler(handler)
    yield handler.event
    logger.removeHandler(handler)


@pytest.mark.parametrize("rate_limit", [15.0, None])
@pytest.mark.parametrize("other", ["same client", "with_options copy"])
def test_a_429_pauses_the_other_threads(emu, emu_client, retry_logged, rate_limit, other):
    first = emu.add_client(first_name="First")
    second = emu.add_client(first_name="Second")
    client = emu_client(rate_limit=rate_limit)
    caller = client if other == "same client" else client.with_options(timeout=4.0)
    emu.fail_next(429, retry_after=0.5)
    result = {}
    a = threading.Thread(target=lambda: result.setdefault("a", client.get_client(first.id)), daemon=True)
    a.start()
    assert retry_logged.wait(5.0), "the 429 was not retried"
    got = caller.get_client(second.id)  # this thread never saw the 429
    a.join(timeout=10)
    assert not a.is_alive()
    assert result["a"].id == first.id and got.id == second.id
    limited = emu.requests[0]
    assert limited.path.endswith("/" + first.id)
    mine = [r for r in emu.requests if r.path.endswith("/" + second.id)]
    assert len(mine) == 1
    assert mine[0].received_at - limited.received_at >= 0.5 - EARLY
    retried = [r for r in emu.requests[1:] if r.path.endswith("/" + first.id)]
    assert len(retried) == 1
    assert retried[0].received_at - limited.received_at >= 0.5 - EARLY


@pytest.mark.parametrize("rate_limit", [15.0, None])
def test_a_429_pauses_the_client_even_when_not_retried(emu, emu_client, seeded, rate_limit):
    """"A 429 pauses every request of the client until its retry time": also when the caller that got it
    has no retries left and sees the RateLimitError."""
    client = emu_client(rate_limit=rate_limit, max_retries=0)
    emu.fail_next(429, retry_after=0.5)
    with pytest.raises(cryptomate.RateLimitError) as info:
        client.get_client(seeded.id)
    assert info.value.retry_after == 0.5
    result = {}
    b = threading.Thread(target=lambda: result.setdefault("b", client.get_client(seeded.id)), daemon=True)
    b.start()
    b.join(timeout=10)
    assert not b.is_alive() and result["b"].id == seeded.id
    limited, later = emu.requests
    assert later.received_at - limited.received_at >= 0.5 - EARLY

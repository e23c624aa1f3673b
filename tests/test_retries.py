"""Retries: which outcomes are retried, the backoff and its jitter, Retry-After, X-Retry-Count, logging.

Design (python-api.md, "Retries, pacing, limits"): connection errors, timeouts, 408, 409, 429 and >= 500 are
retried, other 4xx never; retry n waits min(0.5 * 2**(n-1), 8) s times a factor in [0.75, 1]; a Retry-After
(seconds or HTTP date) on a 429 or 503 replaces that wait when it is at most 60 s, a longer one raises at once
with retry_after set; a retry resends the identical request with X-Retry-Count: n.

Intervals are measured at the server (the emulator's RecordedRequest.received_at, the fault server's
monotonic arrival time), never with the caller's wall clock where avoidable.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time

import pytest

import cryptomate
from _fault_server import FaultServer, respond

# Timing tolerances (seconds). Lower bounds are tight (a wait is never shorter than asked, give or take the
# clock); upper bounds are generous (a busy machine delays, it never hurries).
EARLY = 0.03
LATE = 0.5

RETRIED_STATUSES = [408, 409, 429, 500, 502, 503, 504]
NEVER_RETRIED = [
    (400, cryptomate.BadRequestError),
    (401, cryptomate.AuthenticationError),
    (403, cryptomate.PermissionDeniedError),
    (404, cryptomate.NotFoundError),
    (412, cryptomate.PreconditionFailedError),
    (422, cryptomate.APIStatusError),
]


@pytest.fixture
def fault_server():
    srv = FaultServer()
    yield srv
    srv.close()


def retry_counts(requests):
    return [r.headers.get("x-retry-count") for r in requests]


def gaps(requests):
    times = [r.received_at for r in requests]
    return [b - a for a, b in zip(times, times[1:])]


def timed(fn, *args, **kwargs):
    start = time.monotonic()
    try:
        return fn(*args, **kwargs), time.monotonic() - start
    except BaseException as e:
        e.elapsed = time.monotonic() - start  # type: ignore[attr-defined]
        raise


# --- what is retried ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", RETRIED_STATUSES)
def test_retried_status_then_success(emu, emu_client, seeded, status):
    client = emu_client(max_retries=1)
    emu.fail_next(status)
    updated = client.update_client(seeded.id, first_name="Grace")
    assert updated.first_name == "Grace"
    assert emu.get(seeded.id).first_name == "Grace"
    requests = emu.requests
    assert len(requests) == 2
    assert retry_counts(requests) == [None, "1"]


@pytest.mark.parametrize("status,cls", NEVER_RETRIED)
def test_other_4xx_are_never_retried(emu, emu_client, seeded, status, cls):
    client = emu_client(max_retries=2)
    emu.fail_next(status, times=3)
    with pytest.raises(cls) as info:
        client.update_client(seeded.id, first_name="Grace")
    assert info.value.status_code == status
    assert len(emu.requests) == 1


def test_a_retry_resends_the_identical_request(emu, emu_client, seeded):
    client = emu_client(max_retries=2)
    emu.fail_next(503, times=2)
    client.update_client(seeded.id, first_name="Zoë ✓", sms=False, phone_number=5551234, birth_date="1990-05-17")
    first, *retries = emu.requests
    assert len(retries) == 2
    for again in retries:
        assert (again.method, again.path, again.body) == (first.method, first.path, first.body)
        assert again.json == {"first_name": "Zoë ✓", "sms": False, "phone_number": 5551234, "birth_date": "1990-05-17"}
        # Apart from the retry counter, the same headers (key, content type, user agent, ...).
        same = {k: v for k, v in again.headers.items() if k != "x-retry-count"}
        assert same == {k: v for k, v in first.headers.items() if k != "x-retry-count"}
    assert retry_counts(emu.requests) == [None, "1", "2"]


def test_exhausted_retries_raise_the_last_error(emu, emu_client, seeded):
    client = emu_client()  # the default: two retries
    assert client.max_retries == 2
    emu.fail_next(503, times=5)
    with pytest.raises(cryptomate.InternalServerError) as info:
        client.get_client(seeded.id)
    assert info.value.status_code == 503
    assert len(emu.requests) == 3
    assert retry_counts(emu.requests) == [None, "1", "2"]
    assert all(r.method == "GET" for r in emu.requests)


def test_max_retries_zero_sends_once(emu, emu_client, seeded):
    client = emu_client(max_retries=0)
    emu.fail_next(503, times=2)
    with pytest.raises(cryptomate.InternalServerError):
        client.get_client(seeded.id)
    assert len(emu.requests) == 1
    assert "x-retry-count" not in emu.requests[0].headers


def test_with_options_changes_max_retries_only_for_the_copy(emu, emu_client, seeded):
    client = emu_client(max_retries=2)
    once = client.with_options(max_retries=0)
    emu.fail_next(503)
    with pytest.raises(cryptomate.InternalServerError):
        once.get_client(seeded.id)
    assert len(emu.requests) == 1
    emu.fail_next(503)
    assert client.get_client(seeded.id).id == seeded.id
    assert len(emu.requests) == 3
    assert retry_counts(emu.requests[1:]) == [None, "1"]


def test_dropped_connection_is_retried(emu, emu_client, seeded):
    client = emu_client(max_retries=1)
    emu.fail_next(disconnect=True)
    assert client.update_client(seeded.id, sms=False).sms is False
    assert len(emu.requests) == 2
    assert retry_counts(emu.requests) == [None, "1"]
    assert emu.requests[0].body == emu.requests[1].body


def test_timeout_is_retried(emu, emu_client, seeded):
    client = emu_client(max_retries=1, timeout=0.4)
    emu.delay_next(3.0)
    assert client.get_client(seeded.id).id == seeded.id
    assert len(emu.requests) == 2
    assert retry_counts(emu.requests) == [None, "1"]


def test_connection_refused_is_retried_with_backoff(make_client, dead_port, caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    client = make_client(base_url=f"http://127.0.0.1:{dead_port}", max_retries=2)
    with pytest.raises(cryptomate.APIConnectionError) as info:
        timed(client.get_client, "client_123")
    assert not isinstance(info.value, cryptomate.APITimeoutError)
    # Two waits happened: at least 0.375 + 0.75 s (the smallest jittered backoffs).
    assert info.value.elapsed >= 0.375 + 0.75 - EARLY
    assert info.value.elapsed < 1.5 + 3.0
    retries = [r for r in caplog.records if r.name == "cryptomate" and r.levelno == logging.INFO]
    assert len(retries) == 2


def test_connection_refused_without_retries_is_immediate(make_client, dead_port):
    client = make_client(base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    with pytest.raises(cryptomate.APIConnectionError) as info:
        timed(client.get_client, "client_123")
    assert info.value.elapsed < 0.3


# --- backoff ---------------------------------------------------------------------------------------------------


def test_backoff_doubles_from_half_a_second_with_jitter_below(emu, emu_client, seeded):
    client = emu_client(max_retries=2, rate_limit=None)
    emu.fail_next(503, times=2)
    client.get_client(seeded.id)
    first, second = gaps(emu.requests)
    assert 0.5 * 0.75 - EARLY <= first <= 0.5 + LATE
    assert 1.0 * 0.75 - EARLY <= second <= 1.0 + LATE


def test_backoff_is_jittered(emu, emu_client):
    """Six callers failing together do not all come back at the same moment."""
    client = emu_client(max_retries=1, rate_limit=None)
    ids = [emu.add_client(first_name=f"P{i}").id for i in range(6)]
    emu.fail_next(503, times=len(ids))
    errors = []

    def call(client_id):
        try:
            client.get_client(client_id)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=call, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert not any(t.is_alive() for t in threads)
    waits = []
    for client_id in ids:
        mine = [r for r in emu.requests if r.path.endswith("/" + client_id)]
        assert len(mine) == 2
        waits.append(mine[1].received_at - mine[0].received_at)
    assert all(0.375 - EARLY <= w <= 0.5 + LATE for w in waits), waits
    # Uniform jitter over 125 ms: six waits within 10 ms of each other would be a 1-in-50000 event.
    assert max(waits) - min(waits) >= 0.01, waits


# --- Retry-After -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_replaces_the_backoff(emu, emu_client, seeded, status):
    client = emu_client(max_retries=1)
    emu.fail_next(status, retry_after=0.8)
    client.get_client(seeded.id)
    (gap,) = gaps(emu.requests)
    assert 0.8 - EARLY <= gap <= 0.8 + LATE  # the backoff alone would be at most 0.5 s


@pytest.mark.parametrize("status", [429, 503])
def test_a_short_retry_after_shortens_the_wait(emu, emu_client, seeded, status):
    client = emu_client(max_retries=1)
    emu.fail_next(status, retry_after=0)
    client.get_client(seeded.id)
    (gap,) = gaps(emu.requests)
    assert gap < 0.3  # the backoff alone would be at least 0.375 s


def test_retry_after_on_other_statuses_is_ignored(emu, emu_client, seeded):
    client = emu_client(max_retries=1)
    emu.fail_next(500, retry_after=5)
    client.get_client(seeded.id)
    (gap,) = gaps(emu.requests)
    assert 0.375 - EARLY <= gap <= 0.5 + LATE


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_as_http_date(fault_server, make_client, status):
    client = make_client(base_url=fault_server.base_url, max_retries=1)
    # Whole seconds: 2 s ahead means a wait of more than 1 s and at most 2 s.
    when = email.utils.formatdate(time.time() + 2, usegmt=True)
    fault_server.push(respond(status, b'{"code": "X", "message": "later"}', {"Retry-After": when}))
    assert client.get_client("client_123").id == "client_123"
    first, second = fault_server.requests
    assert second.headers.get("x-retry-count") == "1"
    assert 1.0 - EARLY <= second.received_at - first.received_at <= 2.0 + LATE


@pytest.mark.parametrize("retry_after", [61, 120, 3600])
def test_a_long_retry_after_raises_at_once(emu, emu_client, seeded, retry_after):
    client = emu_client(max_retries=2)
    emu.fail_next(429, retry_after=retry_after, times=3)
    with pytest.raises(cryptomate.RateLimitError) as info:
        timed(client.get_client, seeded.id)
    assert info.value.elapsed < 2.0
    assert info.value.retry_after == retry_after
    assert info.value.status_code == 429
    assert len(emu.requests) == 1


def test_a_long_retry_after_on_503_raises_at_once(emu, emu_client, seeded):
    client = emu_client(max_retries=2)
    emu.fail_next(503, retry_after=120, times=3)
    with pytest.raises(cryptomate.InternalServerError) as info:
        timed(client.get_client, seeded.id)
    assert info.value.elapsed < 2.0
    assert len(emu.requests) == 1


def test_a_long_retry_after_http_date_raises_at_once(fault_server, make_client):
    client = make_client(base_url=fault_server.base_url, max_retries=2)
    when = email.utils.formatdate(time.time() + 600, usegmt=True)
    body = b'{"error_code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded"}'
    fault_server.push(*[respond(429, body, {"Retry-After": when})] * 3)
    with pytest.raises(cryptomate.RateLimitError) as info:
        timed(client.get_client, "client_123")
    assert info.value.elapsed < 2.0
    assert 590 <= info.value.retry_after <= 601
    assert info.value.code == "TOO_MANY_REQUESTS"
    assert len(fault_server.requests) == 1


def test_rate_limit_error_after_retries_carries_retry_after(emu, emu_client, seeded):
    client = emu_client(max_retries=1)
    emu.fail_next(429, retry_after=0.2, times=2)
    with pytest.raises(cryptomate.RateLimitError) as info:
        client.get_client(seeded.id)
    assert info.value.retry_after == pytest.approx(0.2)
    assert len(emu.requests) == 2


# --- logging of retries ---------------------------------------------------------------------------------------


def test_retries_are_logged_at_info(emu, emu_client, seeded, caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    client = emu_client(max_retries=2)
    emu.fail_next(503)
    emu.fail_next(429, retry_after=0.1)
    client.get_client(seeded.id)
    records = [r for r in caplog.records if r.name == "cryptomate"]
    info = [r for r in records if r.levelno == logging.INFO]
    assert len(info) == 2
    for record in info:
        message = record.getMessage()
        assert "GET" in message and f"/management/clients/{seeded.id}" in message
        assert "retr" in message.lower()
    assert "503" in info[0].getMessage()
    assert "429" in info[1].getMessage()
    # At INFO, the per-attempt DEBUG lines are not emitted.
    assert not [r for r in records if r.levelno < logging.INFO]


def test_nothing_is_logged_without_retries_at_info(emu, emu_client, seeded, caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    emu_client().get_client(seeded.id)
    assert [r for r in caplog.records if r.name == "cryptomate"] == []

"""The emulator's documented rate limits (reference §6): off by default; with rate_limit=15.0, 15 requests per
(scaled) one-second window per key and per source address, 429 with Retry-After and the documented body,
penalty blocks that double per violation, refusals during a block that use no quota."""

from __future__ import annotations

import socket
import time

import pytest

import cryptomate
from cryptomate.testing import Emulator
from _raw_http import CLIENTS, Connection, Response

LIMIT = 15
MAX_BURST = 600          # requests, per burst
MAX_BURST_SECONDS = 15.0  # per burst


def burst_until_429(conn: Connection, key: str) -> tuple:
    """Sends requests back to back until one is refused; returns (number accepted before, the 429)."""
    accepted = 0
    deadline = time.monotonic() + MAX_BURST_SECONDS
    for _ in range(MAX_BURST):
        answer = conn.request("GET", CLIENTS, key=key)
        if answer.status == 429:
            return accepted, answer
        assert answer.status == 200, (answer.status, answer.body)
        accepted += 1
        assert time.monotonic() < deadline, "no 429 within the time bound"
    pytest.fail(f"no 429 after {MAX_BURST} back-to-back requests")


def retry_after(answer: Response) -> float:
    value = answer.header("Retry-After")
    assert value is not None, answer.headers
    return float(value)


def assert_documented_429(answer: Response) -> dict:
    assert answer.status == 429
    body = answer.json
    assert body.get("error_code", body.get("code")) == "TOO_MANY_REQUESTS", body
    if "code" in body:
        assert body["code"] == "TOO_MANY_REQUESTS", body
    if "error_code" in body:
        assert body["error_code"] == "TOO_MANY_REQUESTS", body
    header = answer.header("Retry-After")
    assert body["message"] == f"Rate limit exceeded. Retry after {header} seconds", (body, header)
    assert answer.header("X-Trace-Id")
    if "trace_id" in body:
        assert body["trace_id"] == answer.header("X-Trace-Id")
    return body


def can_bind(address: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((address, 0))
    except OSError:
        return False
    return True


needs_127_0_0_2 = pytest.mark.skipif(not can_bind("127.0.0.2"), reason="cannot bind 127.0.0.2 on this host")


# --- off by default --------------------------------------------------------------------------------------------


def test_no_rate_limit_by_default():
    with Emulator() as emu, Connection(emu.base_url) as conn:
        statuses = [conn.request("GET", CLIENTS, key=emu.api_key).status for _ in range(40)]
        assert statuses == [200] * 40
        seeded = emu.add_client(first_name="Jon")
        statuses = [conn.request("PUT", f"{CLIENTS}/{seeded.id}", key=emu.api_key, json={"sms": i % 2 == 0}).status
                    for i in range(40)]
        assert statuses == [200] * 40


def test_invalid_settings_are_refused():
    for kwargs in ({"rate_limit": 0.0}, {"rate_limit": -1.0}, {"rate_limit": float("nan")},
                   {"rate_limit": 15.0, "time_scale": 0.0}, {"rate_limit": 15.0, "time_scale": -1.0}):
        with pytest.raises(ValueError):
            Emulator(**kwargs)


# --- the documented 429 ----------------------------------------------------------------------------------------


def test_burst_over_15_in_a_second_gets_the_documented_429():
    with Emulator(rate_limit=15.0) as emu, Connection(emu.base_url) as conn:
        conn.connect()
        accepted, refused = burst_until_429(conn, emu.api_key)
        assert accepted == LIMIT  # 16 requests on an open loopback connection take far less than 1 s
        assert_documented_429(refused)
        # unscaled: whole seconds, the first penalty is 1 s
        assert refused.header("Retry-After") == "1"
        assert refused.json["message"] == "Rate limit exceeded. Retry after 1 seconds"


def test_sdk_sees_rate_limit_error_with_retry_after():
    with Emulator(rate_limit=15.0) as emu:
        seeded = emu.add_client(first_name="Jon")
        with emu.client(max_retries=0, rate_limit=None, timeout=10.0) as client:
            for _ in range(LIMIT):
                assert client.get_client(seeded.id).id == seeded.id
            with pytest.raises(cryptomate.RateLimitError) as caught:
                client.get_client(seeded.id)
        assert caught.value.status_code == 429
        assert caught.value.retry_after == 1
        assert caught.value.code == "TOO_MANY_REQUESTS"


def test_sdk_default_pacing_stays_within_the_documented_limit():
    # The SDK's own limiter (rate_limit=15.0 by default) exists so that a sequential loop never gets a 429 from
    # an API that allows 15 requests per second; the emulator applies exactly that documented limit.
    with Emulator(rate_limit=15.0) as emu:
        seeded = emu.add_client(first_name="Jon")
        with emu.client(max_retries=0, timeout=10.0) as client:
            refused_at = None
            for i in range(2 * LIMIT + 2):
                try:
                    client.get_client(seeded.id)
                except cryptomate.RateLimitError:
                    refused_at = i
                    break
        assert refused_at is None, (
            f"request #{refused_at + 1} of a sequential loop paced by the SDK's default rate_limit=15.0 got 429; "
            f"arrival times at the emulator lie closer together than the SDK's send-time window")


def test_scaled_retry_after_is_fractional_seconds():
    with Emulator(rate_limit=15.0, time_scale=0.1) as emu, Connection(emu.base_url) as conn:
        accepted, refused = burst_until_429(conn, emu.api_key)
        assert accepted >= LIMIT
        assert_documented_429(refused)
        assert retry_after(refused) == pytest.approx(0.1, abs=1e-3)


# --- penalties double ------------------------------------------------------------------------------------------


def test_penalty_blocks_double_per_violation_and_service_resumes_after_each():
    scale = 0.1
    with Emulator(rate_limit=15.0, time_scale=scale) as emu, Connection(emu.base_url) as conn:
        penalties = []
        for violation in range(4):
            accepted, refused = burst_until_429(conn, emu.api_key)
            # after the first block, the request that showed service resumed counts in the new window
            assert accepted >= (LIMIT if violation == 0 else LIMIT - 1)
            assert_documented_429(refused)
            penalties.append(retry_after(refused))
            # wait the block out (the server started it before answering), then service resumes
            time.sleep(penalties[-1] + 0.05)
            answer = conn.request("GET", CLIENTS, key=emu.api_key)
            assert answer.status == 200, (answer.status, answer.body)
        expected = [1 * scale, 2 * scale, 4 * scale, 8 * scale]
        assert penalties == pytest.approx(expected, abs=1e-3), penalties


def test_penalty_schedule_caps_and_is_forgotten_after_an_hour_without_violations():
    # Reference §6: 1 s, 2 s, 4 s, ... capped from the 9th violation (5 min in one revision of the docs; the
    # other caps at 1 h from the 12th, so its 9th is still 256 s); the count restarts after 1 h without a
    # violation. One request per window keeps the bursts short at this scale.
    scale = 0.001
    with Emulator(rate_limit=1.0, time_scale=scale) as emu, Connection(emu.base_url) as conn:
        penalties = []
        for _ in range(9):
            _, refused = burst_until_429(conn, emu.api_key)
            assert_documented_429(refused)
            penalties.append(retry_after(refused))
            time.sleep(penalties[-1] + 0.02)
        assert penalties[:8] == pytest.approx([2 ** i * scale for i in range(8)], abs=6e-4), penalties
        assert penalties[8] in (pytest.approx(300 * scale, abs=6e-4), pytest.approx(256 * scale, abs=6e-4)), penalties
        # an hour (scaled: 3.6 s) without violations: the next one is a first violation again
        time.sleep(3600 * scale + 0.5)
        _, refused = burst_until_429(conn, emu.api_key)
        assert retry_after(refused) == pytest.approx(1 * scale, abs=6e-4)


def test_during_a_block_requests_are_refused_without_using_quota_then_served_again():
    scale = 0.5
    with Emulator(rate_limit=15.0, time_scale=scale) as emu, Connection(emu.base_url) as conn:
        emu.add_api_key("other-key", level=3)
        _, refused = burst_until_429(conn, emu.api_key)
        penalty = retry_after(refused)
        assert penalty == pytest.approx(scale, abs=1e-3)
        # refused during the block, with the time still to wait
        during = [conn.request("GET", CLIENTS, key=emu.api_key) for _ in range(5)]
        assert [a.status for a in during] == [429] * 5
        for answer in during:
            assert_documented_429(answer)
            assert 0 < retry_after(answer) <= penalty
        # the address is blocked too: another key from the same address is refused
        assert conn.request("GET", CLIENTS, key="other-key").status == 429
        # keep knocking (spaced out) until the block ends; none of these may use quota
        knocked = 0
        deadline = time.monotonic() + 10 * scale + 5.0
        while True:
            answer = conn.request("GET", CLIENTS, key=emu.api_key)
            if answer.status == 200:
                break
            assert answer.status == 429
            knocked += 1
            assert knocked < 2000 and time.monotonic() < deadline, "the block did not end"
            time.sleep(0.01)
        assert knocked >= 1
        # a fresh window: the 14 requests after the first one are all served, although many refused requests
        # were sent within the last window
        statuses = [conn.request("GET", CLIENTS, key=emu.api_key).status for _ in range(LIMIT - 1)]
        assert statuses == [200] * (LIMIT - 1)


def test_reset_forgets_the_rate_limit_history():
    with Emulator(rate_limit=15.0) as emu, Connection(emu.base_url) as conn:
        burst_until_429(conn, emu.api_key)
        assert conn.request("GET", CLIENTS, key=emu.api_key).status == 429  # blocked for 1 s
        emu.reset()
        assert conn.request("GET", CLIENTS, key=emu.api_key).status == 200


def test_direct_store_access_is_not_rate_limited():
    with Emulator(rate_limit=15.0) as emu, Connection(emu.base_url) as conn:
        burst_until_429(conn, emu.api_key)
        seeded = [emu.add_client(first_name=f"N{i}") for i in range(40)]
        assert all(emu.get(s.id) == s for s in seeded)
        assert conn.request("GET", CLIENTS, key=emu.api_key).status == 429


# --- per key and per address ----------------------------------------------------------------------------------


def test_keys_share_the_limit_of_their_source_address():
    # Two keys from one address: each is under its own limit, but together they exceed the address's.
    with Emulator(rate_limit=15.0) as emu, Connection(emu.base_url) as conn:
        emu.add_api_key("key-b", level=3)
        conn.connect()
        statuses = []
        for i in range(LIMIT):
            statuses.append(conn.request("GET", CLIENTS, key=emu.api_key if i % 2 == 0 else "key-b").status)
        assert statuses == [200] * LIMIT
        refused = conn.request("GET", CLIENTS, key="key-b")  # key-b has used 7 of its 15
        assert_documented_429(refused)


@needs_127_0_0_2
def test_keys_and_addresses_are_limited_independently():
    with Emulator(rate_limit=15.0) as emu, \
            Connection(emu.base_url) as home, Connection(emu.base_url, source="127.0.0.2") as other:
        emu.add_api_key("key-b", level=3)
        home.connect()
        other.connect()
        # key A fills its window from 127.0.0.1
        assert [home.request("GET", CLIENTS, key=emu.api_key).status for _ in range(LIMIT)] == [200] * LIMIT
        # another key from another address is not affected
        answer = other.request("GET", CLIENTS, key="key-b")
        assert answer.status == 200, answer.body
        # key A is limited whichever address it comes from
        assert_documented_429(other.request("GET", CLIENTS, key=emu.api_key))
        # 127.0.0.1's window is full too: a fresh key from there is refused
        assert_documented_429(home.request("GET", CLIENTS, key="key-b"))
        # ...which neither blocked key-b nor 127.0.0.2
        answer = other.request("GET", CLIENTS, key="key-b")
        assert answer.status == 200, answer.body
        assert len(emu.requests) == LIMIT + 4


@needs_127_0_0_2
def test_an_address_block_does_not_block_other_addresses():
    with Emulator(rate_limit=15.0) as emu, \
            Connection(emu.base_url) as home, Connection(emu.base_url, source="127.0.0.2") as other:
        emu.add_api_key("key-b", level=3)
        emu.add_api_key("key-c", level=3)
        home.connect()
        other.connect()
        # 127.0.0.1 goes over its limit with requests without any key (the address is all that counts)
        for _ in range(LIMIT):
            assert home.request("GET", CLIENTS).status == 401
        assert_documented_429(home.request("GET", CLIENTS))
        # 127.0.0.1 is blocked, whatever the key
        assert home.request("GET", CLIENTS, key="key-b").status == 429
        # 127.0.0.2 is served, and can use its own 15
        statuses = [other.request("GET", CLIENTS, key="key-c" if i % 2 else "key-b").status for i in range(LIMIT)]
        assert statuses == [200] * LIMIT
        assert other.request("GET", CLIENTS, key="key-c").status == 429

"""Injected faults: fail_next (status, times, retry_after, body, disconnect) and delay_next."""

from __future__ import annotations

import http.client
import socket
import time

import pytest

import cryptomate
from cryptomate.testing import Emulator
from _raw_http import CLIENTS, Connection, assert_error_body, request


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def seeded(emu):
    return emu.add_client(first_name="Jon", last_name="Doe", sms=True)


@pytest.fixture
def sdk(emu):
    """One HTTP request per call: no retries, generous timeout."""
    with emu.client(max_retries=0, timeout=10.0) as client:
        yield client


def raw_get(emu, path):
    return request(emu.base_url, "GET", path, key=emu.api_key)


# --- fail_next ------------------------------------------------------------------------------------------------


def test_fail_next_default_is_one_503_then_normal_service(emu, seeded, sdk):
    emu.fail_next()
    with pytest.raises(cryptomate.InternalServerError) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.status_code == 503
    assert sdk.get_client(seeded.id).first_name == "Jon"
    assert len(emu.requests) == 2


@pytest.mark.parametrize("times", [1, 2, 3])
def test_fail_next_affects_exactly_times_requests_via_sdk(emu, seeded, sdk, times):
    emu.fail_next(500, times=times)
    for _ in range(times):
        with pytest.raises(cryptomate.InternalServerError) as caught:
            sdk.get_client(seeded.id)
        assert caught.value.status_code == 500
    assert sdk.get_client(seeded.id).id == seeded.id
    assert sdk.update_client(seeded.id, first_name="John").first_name == "John"
    assert len(emu.requests) == times + 2


def test_fail_next_zero_times_does_nothing(emu, seeded, sdk):
    emu.fail_next(500, times=0)
    assert sdk.get_client(seeded.id).id == seeded.id


@pytest.mark.parametrize("times", [1, 3])
def test_fail_next_affects_exactly_times_requests_via_raw_http(emu, seeded, times):
    emu.fail_next(502, times=times)
    with Connection(emu.base_url) as conn:
        for _ in range(times):
            answer = conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key)
            assert answer.status == 502
            assert answer.header("X-Trace-Id")
        answer = conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key)
        assert answer.status == 200 and answer.json["id"] == seeded.id
        answer = conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key)
        assert answer.status == 200


def test_injected_failure_replaces_the_real_answer_and_changes_nothing(emu, seeded, sdk):
    emu.fail_next(503)
    with pytest.raises(cryptomate.InternalServerError):
        sdk.update_client(seeded.id, first_name="Changed")
    assert emu.get(seeded.id).first_name == "Jon"
    # the failed request is still recorded
    assert [(r.method, r.json) for r in emu.requests] == [("PUT", {"first_name": "Changed"})]


def test_fail_next_applies_even_to_requests_that_would_be_refused(emu):
    emu.fail_next(503)
    answer = request(emu.base_url, "GET", CLIENTS, key="unknown-key")
    assert answer.status == 503
    answer = request(emu.base_url, "GET", CLIENTS, key="unknown-key")
    assert_error_body(answer, 401, "API_ERROR")


@pytest.mark.parametrize(
    "status, error",
    [(400, cryptomate.BadRequestError), (401, cryptomate.AuthenticationError),
     (403, cryptomate.PermissionDeniedError), (404, cryptomate.NotFoundError),
     (409, cryptomate.ConflictError), (412, cryptomate.PreconditionFailedError),
     (429, cryptomate.RateLimitError), (500, cryptomate.InternalServerError),
     (504, cryptomate.InternalServerError)],
)
def test_injected_status_maps_to_the_sdk_error(emu, seeded, sdk, status, error):
    emu.fail_next(status)
    with pytest.raises(error) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.status_code == status
    assert caught.value.trace_id  # the default body is an error body with a trace id
    assert sdk.get_client(seeded.id).id == seeded.id


def test_default_injected_body_is_a_documented_error_body(emu, seeded):
    emu.fail_next(503)
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 503
    body = assert_error_body(answer, 503)
    assert set(body) == {"code", "message", "trace_id"}
    assert answer.header("Retry-After") is None


def test_retry_after_sets_the_header_and_the_sdk_error(emu, seeded, sdk):
    emu.fail_next(429, retry_after=2.5)
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 429
    assert float(answer.header("Retry-After")) == 2.5
    emu.fail_next(429, retry_after=7)
    with pytest.raises(cryptomate.RateLimitError) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.retry_after == 7
    assert caught.value.status_code == 429
    emu.fail_next(503, retry_after=1.5)
    with pytest.raises(cryptomate.InternalServerError) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.headers.get("retry-after") is not None
    assert float(caught.value.headers["retry-after"]) == 1.5
    assert sdk.get_client(seeded.id).id == seeded.id


def test_429_without_retry_after_has_no_header(emu, seeded, sdk):
    emu.fail_next(429)
    with pytest.raises(cryptomate.RateLimitError) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.retry_after is None


def test_custom_dict_body_is_sent_as_json(emu, seeded, sdk):
    custom = {"code": "VAL", "message": "custom rule failed", "trace_id": "abc123", "extra": [1, 2]}
    emu.fail_next(412, body=custom)
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 412
    assert answer.json == custom
    assert answer.header("content-type").startswith("application/json")
    assert answer.header("X-Trace-Id")
    emu.fail_next(412, body=custom)
    with pytest.raises(cryptomate.PreconditionFailedError) as caught:
        sdk.update_client(seeded.id, first_name="X")
    assert caught.value.code == "VAL"
    assert caught.value.message == "custom rule failed"
    assert caught.value.trace_id == "abc123"
    assert emu.get(seeded.id).first_name == "Jon"


def test_custom_str_and_bytes_bodies_are_sent_as_is(emu, seeded, sdk):
    emu.fail_next(500, body="<html>upstream broke</html>")
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 500
    assert answer.body == b"<html>upstream broke</html>"
    emu.fail_next(502, body=b"bad gateway")
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert (answer.status, answer.body) == (502, b"bad gateway")
    emu.fail_next(500, body="oops")
    with pytest.raises(cryptomate.InternalServerError) as caught:
        sdk.get_client(seeded.id)
    assert caught.value.status_code == 500
    assert caught.value.body == "oops" or caught.value.body == b"oops"


def test_injected_success_status_with_a_body(emu, seeded):
    body = {"id": "client_injected", "first_name": "Injected"}
    emu.fail_next(200, body=body)
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 200 and answer.json == body
    assert raw_get(emu, f"{CLIENTS}/{seeded.id}").json["id"] == seeded.id


def test_faults_queue_in_order(emu, seeded):
    emu.fail_next(500)
    emu.fail_next(429, times=2, retry_after=3)
    emu.fail_next(404, body={"code": "NOT_FOUND", "message": "gone", "trace_id": "t"})
    statuses = [raw_get(emu, f"{CLIENTS}/{seeded.id}").status for _ in range(5)]
    assert statuses == [500, 429, 429, 404, 200]


# --- disconnect -----------------------------------------------------------------------------------------------


def test_disconnect_raises_api_connection_error_and_the_next_request_works(emu, seeded, sdk):
    emu.fail_next(disconnect=True)
    with pytest.raises(cryptomate.APIConnectionError) as caught:
        sdk.get_client(seeded.id)
    assert not isinstance(caught.value, cryptomate.APITimeoutError)
    assert sdk.get_client(seeded.id).first_name == "Jon"
    assert len(emu.requests) == 2


def test_disconnect_times_and_raw_http_sees_no_answer(emu, seeded, sdk):
    emu.fail_next(disconnect=True, times=2)
    for _ in range(2):
        with Connection(emu.base_url) as conn:
            with pytest.raises((OSError, http.client.HTTPException)):
                conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key)
    assert raw_get(emu, f"{CLIENTS}/{seeded.id}").status == 200
    assert sdk.update_client(seeded.id, sms=False).sms is False


def test_disconnect_on_a_write_leaves_the_store_unchanged(emu, seeded, sdk):
    emu.fail_next(disconnect=True)
    with pytest.raises(cryptomate.APIConnectionError):
        sdk.update_client(seeded.id, first_name="Lost")
    assert emu.get(seeded.id).first_name == "Jon"


def test_sdk_retries_recover_from_injected_failures(emu, seeded):
    # With retries allowed, the SDK gets past a transient 503 on an idempotent GET.
    emu.fail_next(503, retry_after=0)
    with emu.client(max_retries=2, timeout=10.0) as client:
        assert client.get_client(seeded.id).id == seeded.id
    assert len(emu.requests) == 2


# --- delay_next -----------------------------------------------------------------------------------------------


def test_delay_next_beyond_the_timeout_raises_api_timeout_error(emu, seeded):
    emu.delay_next(3.0)
    started = time.monotonic()
    with emu.client(max_retries=0, timeout=0.5) as client:
        with pytest.raises(cryptomate.APITimeoutError):
            client.get_client(seeded.id)
    assert time.monotonic() - started < 2.9, "the timeout did not cut the wait short"
    # the delay was used up by that request: the next one is answered at once
    with emu.client(max_retries=0, timeout=2.0) as client:
        assert client.get_client(seeded.id).id == seeded.id


def test_delay_next_within_the_timeout_succeeds_late(emu, seeded):
    emu.delay_next(0.4)
    with emu.client(max_retries=0, timeout=10.0) as client:
        started = time.monotonic()
        assert client.get_client(seeded.id).first_name == "Jon"
        assert time.monotonic() - started >= 0.35


def test_delay_next_times_and_raw_http(emu, seeded):
    # Two answers come 3 s late: clients waiting 0.5 s give up on exactly those two; the third is on time.
    emu.delay_next(3.0, times=2)
    for _ in range(2):
        with Connection(emu.base_url, timeout=0.5) as conn:
            with pytest.raises(socket.timeout):
                conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key)
    with Connection(emu.base_url, timeout=2.5) as conn:
        assert conn.request("GET", f"{CLIENTS}/{seeded.id}", key=emu.api_key).status == 200
    assert len(emu.requests) == 3


def test_delay_combines_with_a_fault(emu, seeded):
    emu.delay_next(0.3)
    emu.fail_next(503)
    started = time.monotonic()
    answer = raw_get(emu, f"{CLIENTS}/{seeded.id}")
    assert answer.status == 503
    assert time.monotonic() - started >= 0.25


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_delay_next_refuses_nonsense(emu, bad):
    with pytest.raises((ValueError, OverflowError)):
        emu.delay_next(bad)


@pytest.mark.parametrize("status", [0, 99, 600, 1000])
def test_fail_next_refuses_non_http_status(emu, status):
    with pytest.raises((ValueError, OverflowError)):
        emu.fail_next(status)

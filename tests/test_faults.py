"""Faults below and at HTTP, each ending in a typed exception or a success (never a hang, a crash or a wrong
result), and timeouts (connect and total, per attempt, overridable with with_options).

The byte-exact faults (resets mid-body, truncation, trickling, chunked and close-delimited bodies) come from
the raw-socket server in _fault_server.py. Single-attempt assertions use max_retries=0; each retryable fault
also has a test showing that the retry then succeeds.
"""

from __future__ import annotations

import json
import logging
import socket
import time

import pytest

import cryptomate
from _fault_server import (
    FaultServer,
    chunked,
    close_before_answer,
    close_delimited,
    ok_client,
    reset_before_answer,
    reset_mid_body,
    respond,
    response_head,
    stall,
    trickle_body,
    truncated_body,
)

CLIENT_JSON = {"Content-Type": "application/json"}
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"


@pytest.fixture
def fault_server():
    srv = FaultServer()
    yield srv
    srv.close()


@pytest.fixture
def faulty(fault_server, make_client):
    """faulty(**options): a client of the fault server (one attempt unless max_retries is given)."""

    def make(**options):
        options.setdefault("max_retries", 0)
        options.setdefault("base_url", fault_server.base_url)
        return make_client(**options)

    return make


def outcome_within(seconds, fn, *args, **kwargs):
    """(result or exception, elapsed); fails if it took `seconds` or more (a generous bound: not a hang)."""
    start = time.monotonic()
    try:
        result = fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the test inspects it
        result = e
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    return result, elapsed


def raises_within(seconds, exc_type, fn, *args, **kwargs):
    result, elapsed = outcome_within(seconds, fn, *args, **kwargs)
    assert isinstance(result, exc_type), f"expected {exc_type.__name__}, got {result!r}"
    return result


def connection_error(error):
    """A connection error that is not a timeout and not an HTTP answer."""
    assert isinstance(error, cryptomate.APIConnectionError)
    assert not isinstance(error, cryptomate.APITimeoutError)
    return error


# --- no answer: refused, reset, closed ------------------------------------------------------------------------


def test_connection_refused(make_client, dead_port):
    client = make_client(base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    connection_error(raises_within(3.0, cryptomate.APIConnectionError, client.get_client, "client_123"))


def test_reset_before_the_answer(fault_server, faulty):
    fault_server.push(reset_before_answer())
    connection_error(raises_within(3.0, cryptomate.APIConnectionError, faulty().get_client, "client_123"))
    assert len(fault_server.requests) == 1


def test_closed_before_the_answer(fault_server, faulty):
    fault_server.push(close_before_answer())
    connection_error(raises_within(3.0, cryptomate.APIConnectionError, faulty().update_client, "c1", sms=True))
    assert len(fault_server.requests) == 1


def test_reset_in_the_middle_of_the_body(fault_server, faulty):
    fault_server.push(reset_mid_body(declared=2000, sent=200))
    connection_error(raises_within(3.0, cryptomate.APIConnectionError, faulty().get_client, "client_123"))
    assert len(fault_server.requests) == 1


def test_truncated_body(fault_server, faulty):
    """Content-Length says 2000, 200 bytes come, then the server closes: not a (partial) client."""
    fault_server.push(truncated_body(declared=2000, sent=200))
    connection_error(raises_within(3.0, cryptomate.APIConnectionError, faulty().get_client, "client_123"))
    assert len(fault_server.requests) == 1


def test_the_client_works_after_a_reset(fault_server, faulty):
    client = faulty()
    fault_server.push(reset_mid_body())
    with pytest.raises(cryptomate.APIConnectionError):
        client.get_client("first")
    assert client.get_client("second").id == "second"


# --- an answer, but not a client -----------------------------------------------------------------------------


def test_2xx_with_invalid_json(fault_server, faulty):
    fault_server.push(respond(200, b'{"id": "client_123", "first_name": ', CLIENT_JSON))
    error = raises_within(3.0, cryptomate.APIResponseValidationError, faulty(max_retries=2).get_client, "client_123")
    assert error.status_code == 200
    assert error.body == '{"id": "client_123", "first_name": '
    assert len(fault_server.requests) == 1  # not retried: the server answered


def test_2xx_html_page(fault_server, faulty):
    fault_server.push(respond(200, HTML_PAGE, {"Content-Type": "text/html"}))
    error = raises_within(3.0, cryptomate.APIResponseValidationError, faulty().get_client, "client_123")
    assert error.body == HTML_PAGE.decode()


@pytest.mark.parametrize("status,reason", [(500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable")])
def test_html_error_page(fault_server, faulty, status, reason):
    fault_server.push(respond(status, HTML_PAGE, {"Content-Type": "text/html"}))
    error = raises_within(3.0, cryptomate.InternalServerError, faulty().get_client, "client_123")
    assert error.status_code == status
    assert error.body == HTML_PAGE.decode()
    assert error.code is None
    assert error.message == reason
    assert str(status) in str(error)


def test_html_error_page_on_a_4xx(fault_server, faulty):
    fault_server.push(respond(404, b"<html><body>Not here</body></html>", {"Content-Type": "text/html"}))
    error = raises_within(3.0, cryptomate.NotFoundError, faulty().get_client, "client_123")
    assert error.body == "<html><body>Not here</body></html>"


@pytest.mark.parametrize("status", [200, 204])
def test_2xx_without_a_body(fault_server, faulty, status):
    fault_server.push(respond(status, b""))
    error = raises_within(3.0, cryptomate.APIResponseValidationError, faulty().update_client, "c1", sms=True)
    assert error.status_code == status
    assert len(fault_server.requests) == 1


def test_2xx_with_only_whitespace(fault_server, faulty):
    fault_server.push(respond(200, b"  \r\n ", CLIENT_JSON))
    raises_within(3.0, cryptomate.APIResponseValidationError, faulty().get_client, "c1")


@pytest.mark.parametrize("body", [b"[]", b"null", b'"client"', b"42", b'{"id": 42}', b'{"sms": "yes"}'])
def test_2xx_with_json_that_is_not_a_client(fault_server, faulty, body):
    fault_server.push(respond(200, body, CLIENT_JSON))
    raises_within(3.0, cryptomate.APIResponseValidationError, faulty().get_client, "c1")


def test_invalid_utf8_in_a_2xx_body(fault_server, faulty):
    fault_server.push(respond(200, b'{"id": "c1", "first_name": "Jos\xe9"}', CLIENT_JSON))
    error = raises_within(3.0, cryptomate.APIResponseValidationError, faulty().get_client, "c1")
    assert error.status_code == 200


def test_invalid_utf8_in_a_4xx_text_body(fault_server, faulty):
    fault_server.push(respond(404, b"Not found: Jos\xe9 \xff", {"Content-Type": "text/plain"}))
    error = raises_within(3.0, cryptomate.NotFoundError, faulty().get_client, "c1")
    assert error.status_code == 404
    assert isinstance(error.body, str)
    assert error.body.startswith("Not found: Jos")


def test_invalid_utf8_in_a_4xx_json_body(fault_server, faulty):
    """Bytes that are not UTF-8 are not JSON (RFC 8259 §8.1): the status error keeps them as text."""
    fault_server.push(respond(404, b'{"code": "NOT_FOUND", "message": "no Jos\xe9"}', CLIENT_JSON))
    error = raises_within(3.0, cryptomate.NotFoundError, faulty().get_client, "c1")
    assert error.status_code == 404
    assert isinstance(error.body, str), f"body decoded as JSON: {error.body!r}"


@pytest.mark.parametrize("status", [302, 307])
def test_a_redirect_to_another_host_is_not_followed(fault_server, faulty, status):
    with FaultServer() as elsewhere:
        location = f"{elsewhere.base_url}/management/clients/client_123"
        fault_server.push(respond(status, b"", {"Location": location}))
        client = faulty(max_retries=2)
        error = raises_within(3.0, cryptomate.APIStatusError, client.update_client, "client_123", sms=True)
        assert error.status_code == status
        assert error.headers.get("location") == location
        time.sleep(0.1)  # a follow-up would be on its way by now
        assert elsewhere.connections == 0 and elsewhere.requests == []
    assert len(fault_server.requests) == 1


# --- too large ------------------------------------------------------------------------------------------------

BIG_CLIENT = json.dumps({"id": "c1", "first_name": "x" * 5000}).encode()


def assert_too_large(error):
    # An APIError, and not a subclass that would misdescribe it (no connection failure, no decoding, no status).
    assert isinstance(error, cryptomate.APIError)
    for wrong in (cryptomate.APIConnectionError, cryptomate.APIResponseValidationError, cryptomate.APIStatusError):
        assert not isinstance(error, wrong), type(error)
    assert "max_response_size" in str(error)
    assert "x" * 1000 not in repr(error) and "x" * 1000 not in repr(getattr(error, "body", None))


@pytest.mark.parametrize(
    "script",
    [
        respond(200, BIG_CLIENT, CLIENT_JSON),
        chunked(200, BIG_CLIENT, CLIENT_JSON),
        close_delimited(200, BIG_CLIENT, CLIENT_JSON),
        respond(500, BIG_CLIENT, CLIENT_JSON),
        chunked(404, BIG_CLIENT, CLIENT_JSON),
    ],
    ids=["content-length", "chunked", "close-delimited", "500 content-length", "404 chunked"],
)
def test_a_body_over_max_response_size(fault_server, faulty, script):
    fault_server.push(script)
    client = faulty(max_response_size=1000, max_retries=2)
    error, _ = outcome_within(3.0, client.get_client, "c1")
    assert_too_large(error)
    assert len(fault_server.requests) == 1  # retrying would only fetch it again


@pytest.mark.parametrize(
    "script",
    [respond(200, BIG_CLIENT, CLIENT_JSON), chunked(200, BIG_CLIENT, CLIENT_JSON), close_delimited(200, BIG_CLIENT, CLIENT_JSON)],
    ids=["content-length", "chunked", "close-delimited"],
)
def test_a_body_within_max_response_size(fault_server, faulty, script):
    fault_server.push(script)
    client = faulty(max_response_size=len(BIG_CLIENT))
    assert client.get_client("c1").first_name == "x" * 5000


def test_a_huge_content_length_is_refused_before_reading(fault_server, faulty):
    """A Content-Length over the limit fails at once, without waiting for (or reading) the body."""

    def script(conn, request):
        conn.send(response_head(200, {"Content-Length": str(50 * 1024 * 1024), **CLIENT_JSON}) + b'{"id": "')
        conn.sleep(10)
        return False

    fault_server.push(script)
    error, _ = outcome_within(3.0, faulty(timeout=5.0).get_client, "c1")
    assert_too_large(error)


def test_default_max_response_size_is_10_mib(fault_server, faulty):
    within = json.dumps({"id": "c1", "first_name": "y" * (10 * 1024 * 1024 - 100)}).encode()
    over = json.dumps({"id": "c1", "first_name": "y" * (10 * 1024 * 1024 + 10)}).encode()
    fault_server.push(chunked(200, within, CLIENT_JSON, chunk_size=1 << 20), chunked(200, over, CLIENT_JSON, chunk_size=1 << 20))
    client = faulty(timeout=20.0)
    assert len(client.get_client("c1").first_name) == 10 * 1024 * 1024 - 100
    error, _ = outcome_within(20.0, client.get_client, "c1")
    assert_too_large(error)


# --- slow answers and timeouts --------------------------------------------------------------------------------


def test_slow_first_byte_times_out(fault_server, faulty):
    fault_server.push(stall(10))
    raises_within(3.0, cryptomate.APITimeoutError, faulty(timeout=0.3).get_client, "c1")


def test_a_trickling_body_hits_the_total_timeout(fault_server, faulty):
    """Bytes keep coming (one every 50 ms), but the whole answer would take 100 s: `timeout` is for all of it."""
    fault_server.push(trickle_body(size=2000, interval=0.05))
    error, elapsed = outcome_within(4.0, faulty(timeout=0.6).get_client, "c1")
    assert isinstance(error, cryptomate.APITimeoutError), repr(error)
    assert elapsed >= 0.6 - 0.05


def test_timeout_with_the_emulator(emu, emu_client, seeded):
    client = emu_client(timeout=0.3, max_retries=0)
    emu.delay_next(5.0)
    raises_within(3.0, cryptomate.APITimeoutError, client.get_client, seeded.id)
    assert len(emu.requests) == 1


def test_timeout_with_retries_makes_max_retries_plus_one_attempts(emu, emu_client, seeded):
    client = emu_client(timeout=0.3, max_retries=2)
    emu.delay_next(5.0, times=3)
    # 3 attempts of 0.3 s plus two backoffs of at most 0.5 + 1.0 s.
    raises_within(3.0 + 3.0, cryptomate.APITimeoutError, client.get_client, seeded.id)
    assert len(emu.requests) == 3
    assert [r.headers.get("x-retry-count") for r in emu.requests] == [None, "1", "2"]


def test_timeout_is_per_attempt(emu, emu_client, seeded):
    """Two attempts of 0.4 s each fit a 0.6 s timeout, although together they take longer."""
    client = emu_client(timeout=0.6, max_retries=1)
    emu.delay_next(0.4, times=2)
    emu.fail_next(503)
    start = time.monotonic()
    assert client.get_client(seeded.id).id == seeded.id
    assert time.monotonic() - start >= 0.8 + 0.375 - 0.05
    assert len(emu.requests) == 2


def test_with_options_timeout(emu, emu_client, seeded):
    patient = emu_client(timeout=30.0, max_retries=0)
    hasty = patient.with_options(timeout=0.3)
    assert hasty.timeout == 0.3 and patient.timeout == 30.0
    emu.delay_next(5.0)
    raises_within(3.0, cryptomate.APITimeoutError, hasty.get_client, seeded.id)
    emu.delay_next(0.8)
    assert patient.get_client(seeded.id).id == seeded.id  # the original keeps its own timeout


@pytest.fixture
def blackhole_port():
    """A loopback port whose listen queue is full, so a new connection's SYN goes unanswered (Linux)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(s)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
        hangs = False
    except socket.timeout:
        hangs = True
    except OSError:
        hangs = False
    finally:
        probe.close()
    if not hangs:
        for s in fillers:
            s.close()
        listener.close()
        pytest.skip("this system completes connections beyond the listen backlog")
    yield port
    for s in fillers:
        s.close()
    listener.close()


def test_connect_timeout(make_client, blackhole_port):
    client = make_client(base_url=f"http://127.0.0.1:{blackhole_port}", connect_timeout=0.3, timeout=30.0, max_retries=0)
    error = raises_within(3.0, cryptomate.APITimeoutError, client.get_client, "c1")
    assert "connect" in str(error).lower()


def test_with_options_connect_timeout(make_client, blackhole_port):
    patient = make_client(base_url=f"http://127.0.0.1:{blackhole_port}", connect_timeout=30.0, timeout=30.0, max_retries=0)
    raises_within(3.0, cryptomate.APITimeoutError, patient.with_options(connect_timeout=0.3).get_client, "c1")


def test_connect_timeout_with_retries(make_client, blackhole_port, caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    client = make_client(base_url=f"http://127.0.0.1:{blackhole_port}", connect_timeout=0.2, timeout=30.0, max_retries=1)
    raises_within(3.0, cryptomate.APITimeoutError, client.get_client, "c1")
    assert len([r for r in caplog.records if r.name == "cryptomate" and r.levelno == logging.INFO]) == 1


# --- each retryable fault, then a success ---------------------------------------------------------------------

RETRYABLE = {
    "reset before the answer": reset_before_answer(),
    "closed before the answer": close_before_answer(),
    "reset mid-body": reset_mid_body(),
    "truncated body": truncated_body(),
    "slow first byte": stall(10),
    "trickling body": trickle_body(size=2000, interval=0.05),
    "html 502": respond(502, HTML_PAGE, {"Content-Type": "text/html"}),
    "html 503": respond(503, HTML_PAGE, {"Content-Type": "text/html"}),
}


@pytest.mark.parametrize("fault", sorted(RETRYABLE))
def test_a_retryable_fault_then_success(fault_server, faulty, fault):
    fault_server.push(RETRYABLE[fault], ok_client(first_name="Ada"))
    client = faulty(max_retries=1, timeout=0.6)
    result, _ = outcome_within(4.0, client.update_client, "client_123", first_name="Ada")
    assert isinstance(result, cryptomate.CompanyClient), repr(result)
    assert (result.id, result.first_name) == ("client_123", "Ada")
    first, second = fault_server.requests
    assert (second.method, second.path, second.body) == (first.method, first.path, first.body)
    assert json.loads(second.body) == {"first_name": "Ada"}
    assert first.headers.get("x-retry-count") is None
    assert second.headers.get("x-retry-count") == "1"


def test_emulator_disconnect_then_success(emu, emu_client, seeded):
    emu.fail_next(disconnect=True, times=2)
    assert emu_client(max_retries=2).update_client(seeded.id, sms=True).sms is True
    assert len(emu.requests) == 3

"""Failures below HTTP: refused connections, timeouts, dropped connections; redirects are not
followed; oversized answers are refused."""

import json
import pickle
import time

import pytest

import cryptomate


def raises_within(seconds, exc_type, fn, *args, **kwargs):
    """Call fn, expect exc_type, and check it came within `seconds` (a generous bound)."""
    start = time.monotonic()
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    elapsed = time.monotonic() - start
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    return info.value


def test_connection_refused(make_client, dead_port, call):
    client = make_client(base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    error = raises_within(5.0, cryptomate.APIConnectionError, call, client, "client_123")
    assert not isinstance(error, cryptomate.APITimeoutError)


def test_connection_error_pickles(make_client, dead_port):
    client = make_client(base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    with pytest.raises(cryptomate.APIConnectionError) as info:
        client.get_client("client_123")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is type(info.value)
    assert str(again) == str(info.value)


def test_slow_answer_times_out(server, make_client, call):
    client = make_client(timeout=0.3, max_retries=0)
    server.delay_next(10)
    raises_within(5.0, cryptomate.APITimeoutError, call, client, "client_123")
    assert len(server.requests) == 1
    # The abandoned request does not keep its connection open.
    assert server.wait_until(lambda: server.requests[0].cancelled, timeout=5.0)


def test_client_works_after_a_timeout(server, make_client):
    client = make_client(timeout=0.3, max_retries=0)
    server.delay_next(10)
    with pytest.raises(cryptomate.APITimeoutError):
        client.get_client("slow")
    assert client.get_client("fast").id == "fast"


def test_dropped_connection(server, make_client, call):
    client = make_client(max_retries=0)
    server.drop()
    error = raises_within(5.0, cryptomate.APIConnectionError, call, client, "client_123")
    assert not isinstance(error, cryptomate.APITimeoutError)
    assert len(server.requests) >= 1


def test_client_works_after_a_dropped_connection(server, make_client):
    client = make_client(max_retries=0)
    server.drop()
    with pytest.raises(cryptomate.APIConnectionError):
        client.get_client("dropped")
    assert client.get_client("next").id == "next"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_is_not_followed(server, make_client, call, status):
    client = make_client(max_retries=0)
    server.answer(status, headers={"Location": f"{server.base_url}/management/clients/elsewhere"})
    with pytest.raises(cryptomate.APIStatusError) as info:
        call(client, "client_123")
    assert info.value.status_code == status
    assert [r.path for r in server.requests] == ["/management/clients/client_123"]


def test_answer_larger_than_max_response_size_is_refused(server, make_client):
    client = make_client(max_retries=0, max_response_size=1000)
    big = {"id": "client_123", "first_name": "x" * 5000}
    server.answer(200, json=big)
    with pytest.raises(cryptomate.APIError) as info:
        client.get_client("client_123")
    assert "x" * 1000 not in repr(getattr(info.value, "body", None))


def test_answer_within_max_response_size_is_fine(server, make_client):
    client = make_client(max_retries=0, max_response_size=10_000)
    server.answer(200, json={"id": "client_123", "first_name": "x" * 5000})
    assert len(json.dumps(client.get_client("client_123").to_dict())) > 5000

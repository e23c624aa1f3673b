"""Security: https unless loopback; TLS verified by default; the API key never shows (repr, logs, exceptions,
pickles), also when a server echoes it; header values with CR or LF are refused before anything is sent."""

from __future__ import annotations

import json
import logging
import pickle
import socket
import ssl
import subprocess
import sys
import textwrap
import traceback

import pytest

import cryptomate
from _child import child_env
from _fault_server import FaultServer

SECRET = "sk_live_Zq9/S3CRET+k3y="  # has "/" and "+", which some JSON encoders escape


def leaks(text: str | bytes, key: str = SECRET) -> bool:
    if isinstance(text, bytes):
        return key.encode() in text
    return key in text


def assert_no_key(error: BaseException, key: str = SECRET) -> None:
    """The key is nowhere in what an application might print, log or ship elsewhere."""
    views = {
        "str": str(error),
        "repr": repr(error),
        "args": repr(error.args),
        "attributes": repr(vars(error)),
        "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    }
    for name, text in views.items():
        assert not leaks(text, key), f"the key is in the exception's {name}: {text!r}"
    data = pickle.dumps(error)
    assert not leaks(data, key), "the key is in the pickle"
    again = pickle.loads(data)
    assert type(again) is type(error)
    assert not leaks(repr(vars(again)), key)


# --- https only, unless loopback ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://api.cryptomate.me",
        "http://api.cryptomate.me:80/",
        "http://10.0.0.1:8080",
        "http://192.168.1.10",
        "http://[2001:db8::1]:8080",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.com",
        "http://example.com/127.0.0.1",
    ],
)
def test_plain_http_to_another_host_is_refused(url):
    with pytest.raises(cryptomate.ConfigurationError) as info:
        cryptomate.Client(SECRET, base_url=url)
    assert not leaks(str(info.value))


def test_plain_http_from_the_environment_is_refused(monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_BASE_URL", "http://api.cryptomate.me")
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client(SECRET)


@pytest.mark.parametrize("url", ["http://api.cryptomate.me", "http://10.0.0.1:8080"])
def test_allow_http_opts_out(url):
    with cryptomate.Client(SECRET, base_url=url, allow_http=True) as client:
        assert client.base_url == url


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080", "http://127.0.0.2:8080", "http://localhost:8080", "http://[::1]:8080"]
)
def test_plain_http_to_loopback_is_allowed(url):
    with cryptomate.Client(SECRET, base_url=url) as client:
        assert client.base_url == url


@pytest.mark.parametrize("url", ["ftp://api.cryptomate.me", "file:///etc/passwd", "ws://127.0.0.1:1"])
def test_other_schemes_are_refused(url):
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client(SECRET, base_url=url, allow_http=True)


# --- TLS is verified ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca():
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


def tls_server(ca, *hosts):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*hosts).configure_cert(context)
    return FaultServer(ssl_context=context)


def test_tls_server_works_for_a_client_that_trusts_it(ca):
    """Control: the TLS test server does record request lines once a handshake succeeds."""
    with tls_server(ca, "127.0.0.1") as srv:
        context = ssl.create_default_context()
        ca.configure_trust(context)
        with socket.create_connection(("127.0.0.1", srv.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                tls.sendall(b"GET /management/clients/c1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                assert tls.recv(12).startswith(b"HTTP/1.1 200")
        assert [r.path for r in srv.requests] == ["/management/clients/c1"]


@pytest.mark.parametrize("max_retries", [0, 2])
def test_an_untrusted_certificate_is_refused(ca, max_retries):
    with tls_server(ca, "127.0.0.1") as srv:
        with cryptomate.Client(SECRET, base_url=srv.base_url, max_retries=max_retries, timeout=5.0) as client:
            with pytest.raises(cryptomate.APIConnectionError) as info:
                client.update_client("client_123", first_name="John")
        assert not isinstance(info.value, cryptomate.APITimeoutError)
        assert "certificate" in str(info.value).lower()
        assert_no_key(info.value)
        # A handshake was attempted and failed; no HTTP request (and so no key) ever crossed it.
        assert srv.connections >= 1
        assert srv.wait_until(lambda: len(srv.tls_failures) >= 1)
        assert srv.requests == []


_TRUST_SCRIPT = textwrap.dedent(
    """
    import sys, cryptomate
    client = cryptomate.Client("k", base_url=sys.argv[1], max_retries=0, timeout=5.0)
    try:
        print("OK", client.get_client("c1").id)
    except cryptomate.APIConnectionError as e:
        print("CONNECTION", e)
    """
)


@pytest.mark.slow
def test_a_trusted_certificate_must_also_name_the_host(ca, tmp_path):
    """With the test CA trusted (SSL_CERT_FILE), a certificate for 127.0.0.1 works and one for another name
    does not: verification checks the name, not only the chain."""
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    env = child_env(SSL_CERT_FILE=str(ca_file))
    env.pop("SSL_CERT_DIR", None)
    outputs = {}
    for name, host in [("right", "127.0.0.1"), ("wrong", "api.cryptomate.me")]:
        with tls_server(ca, host) as srv:
            run = subprocess.run(
                [sys.executable, "-c", _TRUST_SCRIPT, srv.base_url],
                env=env, capture_output=True, text=True, timeout=60,
            )
            outputs[name] = (run.stdout.strip(), len(srv.requests))
        assert run.returncode == 0, run.stderr
    if not outputs["right"][0].startswith("OK"):
        pytest.skip(f"this build does not read SSL_CERT_FILE: {outputs['right'][0]}")
    assert outputs["right"] == ("OK c1", 1)
    assert outputs["wrong"][0].startswith("CONNECTION"), outputs["wrong"]
    assert outputs["wrong"][1] == 0


# --- the key never shows --------------------------------------------------------------------------------------


def test_client_repr_hides_the_key(make_client):
    client = make_client(SECRET)
    copies = [client, client.with_options(timeout=3.0), client.with_options(default_headers={"X-A": "b"})]
    for c in copies:
        assert not leaks(repr(c)) and not leaks(str(c))
        assert "redacted" in repr(c)


def test_client_repr_hides_a_key_from_the_environment(monkeypatch, server):
    monkeypatch.setenv("CRYPTOMATE_API_KEY", SECRET)
    with cryptomate.Client(base_url=server.base_url) as client:
        assert not leaks(repr(client))
        client.get_client("c1")
    assert server.requests[0].headers["x-api-key"] == SECRET  # control: the key is really this one


def test_a_client_does_not_pickle(make_client):
    client = make_client(SECRET)
    with pytest.raises(TypeError) as info:
        pickle.dumps(client)
    assert not leaks(str(info.value))


def test_a_bad_key_is_not_echoed_in_the_error():
    bad = SECRET + "\r\nX-Injected: 1"
    with pytest.raises(cryptomate.ConfigurationError) as info:
        cryptomate.Client(bad, base_url="https://api.cryptomate.me")
    assert_no_key(info.value, key=SECRET)


def echo_body(key: str = SECRET) -> bytes:
    return (
        b'{"code": "API_ERROR", "message": "The key ' + key.encode() + b' is not allowed", '
        b'"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "detail": {"x-api-key": "' + key.encode() + b'"}}'
    )


@pytest.mark.parametrize(
    "status,cls",
    [
        (401, cryptomate.AuthenticationError),
        (400, cryptomate.BadRequestError),
        (429, cryptomate.RateLimitError),
        (500, cryptomate.InternalServerError),
        (418, cryptomate.APIStatusError),
    ],
)
def test_a_key_echoed_by_the_server_is_redacted(server, make_client, status, cls):
    client = make_client(SECRET, max_retries=0)
    server.answer(status, body=echo_body(), headers={"Content-Type": "application/json", "X-Echo-Key": SECRET,
                                                     "X-Trace-Id": SECRET, "Retry-After": "1"})
    with pytest.raises(cls) as info:
        client.get_client("client_123")
    error = info.value
    assert server.requests[0].headers["x-api-key"] == SECRET  # control: this is the key that was sent
    assert error.status_code == status
    assert_no_key(error)
    assert error.code == "API_ERROR"
    assert "is not allowed" in error.message
    assert "x-echo-key" in {k.lower() for k in error.headers}


def test_a_key_echoed_in_the_trace_id_header_is_redacted(server, make_client):
    """Without a trace_id in the body, the error takes the X-Trace-Id header, and shows it in str()."""
    client = make_client(SECRET, max_retries=0)
    server.answer(401, json={"code": "API_ERROR", "message": "denied"}, headers={"X-Trace-Id": SECRET})
    with pytest.raises(cryptomate.AuthenticationError) as info:
        client.get_client("client_123")
    assert info.value.trace_id is not None  # control: the header was read
    assert_no_key(info.value)


def test_a_key_echoed_in_a_text_body_is_redacted(server, make_client):
    client = make_client(SECRET, max_retries=0)
    server.answer(403, body=f"<html>denied for {SECRET}</html>", headers={"Content-Type": "text/html"})
    with pytest.raises(cryptomate.PermissionDeniedError) as info:
        client.get_client("client_123")
    assert_no_key(info.value)
    assert "denied for" in info.value.body


@pytest.mark.parametrize(
    "escaped",
    [SECRET.replace("/", "\\/"), "".join(f"\\u{ord(ch):04x}" for ch in SECRET)],
    ids=["solidus escaped", "unicode escapes"],
)
def test_a_key_echoed_with_json_escapes_is_redacted(server, make_client, escaped):
    """Some servers escape "/" as "\\/" (PHP, some Java encoders) or write \\u escapes: the parsed message then
    holds the key although the raw bytes do not."""
    assert SECRET not in escaped and json.loads(f'"{escaped}"') == SECRET
    body = ('{"code": "API_ERROR", "message": "key ' + escaped + ' denied"}').encode()
    client = make_client(SECRET, max_retries=0)
    server.answer(401, body=body, headers={"Content-Type": "application/json"})
    with pytest.raises(cryptomate.AuthenticationError) as info:
        client.get_client("client_123")
    assert_no_key(info.value)


def test_a_key_echoed_in_an_invalid_2xx_body_is_redacted(server, make_client):
    client = make_client(SECRET, max_retries=0)
    server.answer(200, body=f'{{"id": "c1", "sms": "{SECRET}"}}', headers={"Content-Type": "application/json"})
    with pytest.raises(cryptomate.APIResponseValidationError) as info:
        client.get_client("c1")
    assert_no_key(info.value)


def test_a_long_retry_after_error_hides_the_key(server, make_client):
    client = make_client(SECRET, max_retries=2)
    server.answer(429, body=echo_body(), headers={"Retry-After": "600", "X-Echo-Key": SECRET}, times=3)
    with pytest.raises(cryptomate.RateLimitError) as info:
        client.get_client("client_123")
    assert info.value.retry_after == 600
    assert_no_key(info.value)


def test_connection_errors_and_timeouts_hide_the_key(server, make_client, dead_port):
    refused = make_client(SECRET, base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    with pytest.raises(cryptomate.APIConnectionError) as info:
        refused.get_client("client_123")
    assert_no_key(info.value)
    slow = make_client(SECRET, timeout=0.2, max_retries=0)
    server.delay_next(3)
    with pytest.raises(cryptomate.APITimeoutError) as info:
        slow.get_client("client_123")
    assert_no_key(info.value)


def test_debug_logs_of_a_full_run_hide_the_key(server, make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="cryptomate")
    client = make_client(SECRET, max_retries=2)
    server.answer(503, body=echo_body(), headers={"X-Echo-Key": SECRET, "X-Trace-Id": "trace-503"})
    server.drop()
    client.update_client("client_123", first_name="John")  # two failures, two retries, a success
    server.answer(401, body=echo_body(), headers={"X-Echo-Key": SECRET})
    with pytest.raises(cryptomate.AuthenticationError):
        client.get_client("client_123")
    records = [r for r in caplog.records if r.name == "cryptomate"]
    assert len([r for r in records if r.levelno == logging.DEBUG]) == 4  # control: one line per attempt
    assert len([r for r in records if r.levelno == logging.INFO]) == 2
    for record in records:
        assert not leaks(record.getMessage()), record.getMessage()
        assert not leaks(repr(record.args))
    assert not leaks(caplog.text)
    assert "trace-503" in records[0].getMessage()  # control: header values do reach the log


def test_a_key_echoed_as_trace_id_is_not_logged(server, make_client, caplog):
    caplog.set_level(logging.DEBUG, logger="cryptomate")
    client = make_client(SECRET, max_retries=1)
    server.answer(503, json={"code": "X", "message": "busy"}, headers={"X-Trace-Id": SECRET})
    client.get_client("client_123")
    records = [r for r in caplog.records if r.name == "cryptomate"]
    assert len(records) == 3
    for record in records:
        assert not leaks(record.getMessage()), record.getMessage()


# --- header injection -----------------------------------------------------------------------------------------

BAD_HEADERS = [
    {"X-Tag": "a\r\nX-Injected: 1"},
    {"X-Tag": "a\nX-Injected: 1"},
    {"X-Tag": "a\rX-Injected: 1"},
    {"X-Tag": "trailing\r\n"},
    {"X-Tag\r\nX-Injected": "1"},
    {"X-Tag: 1\r\nX-Injected": "1"},
]


@pytest.mark.parametrize("headers", BAD_HEADERS)
def test_header_injection_in_default_headers_is_refused(server, headers):
    with pytest.raises(ValueError):
        cryptomate.Client(SECRET, base_url=server.base_url, default_headers=headers)
    assert server.requests == []


@pytest.mark.parametrize("headers", BAD_HEADERS)
def test_header_injection_in_with_options_is_refused(server, make_client, headers):
    client = make_client(SECRET, default_headers={"X-Good": "yes"})
    with pytest.raises(ValueError):
        client.with_options(default_headers=headers)
    assert server.requests == []
    # The client is unharmed and sends only its own headers.
    client.get_client("c1")
    (sent,) = server.requests
    assert sent.headers.get("x-good") == "yes"
    assert "x-injected" not in sent.headers and "x-tag" not in sent.headers


def test_valid_default_headers_are_sent(server, make_client):
    """Control for the two tests above: headers that are fine do arrive."""
    client = make_client(SECRET, default_headers={"X-Tag": "a b\tc"})
    client.with_options(default_headers={"X-Other": "2"}).get_client("c1")
    client.get_client("c2")
    first, second = server.requests
    assert (first.headers.get("x-tag"), first.headers.get("x-other")) == ("a b\tc", "2")
    assert (second.headers.get("x-tag"), second.headers.get("x-other")) == ("a b\tc", None)

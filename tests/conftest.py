"""Shared fixtures: the stub HTTP server, clients bound to it, a clean environment."""

import contextlib
import socket

import pytest

import cryptomate
from _server import StubServer

API_KEY = "test-key-123"

_ENV_VARS = (
    "CRYPTOMATE_API_KEY",
    "CRYPTOMATE_BASE_URL",
    "CRYPTOMATE_RATE_LIMIT_STORE",
    # The tests only talk to 127.0.0.1: a proxy configured on the machine must not be used.
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def api_key():
    return API_KEY


@pytest.fixture
def server():
    srv = StubServer()
    yield srv
    srv.close()


@contextlib.contextmanager
def _client_factory(default_key, base_url):
    """make(api_key=default_key, **options) builds clients (timeout 5 s unless given); all closed at the end."""
    made = []

    def make(api_key=default_key, **options):
        if base_url is not None:
            options.setdefault("base_url", base_url)
        options.setdefault("timeout", 5.0)
        made.append(cryptomate.Client(api_key, **options))
        return made[-1]

    try:
        yield make
    finally:
        for c in made:
            c.close()


@pytest.fixture
def make_client(server):
    """Build clients bound to the stub server (overridable options); all are closed after the test."""
    with _client_factory(API_KEY, server.base_url) as make:
        yield make


@pytest.fixture
def new_client():
    """Like `make_client`, for any server: pass base_url (and the key, first)."""
    with _client_factory(API_KEY, None) as make:
        yield make


@pytest.fixture
def emu(cryptomate_emulator):
    return cryptomate_emulator


@pytest.fixture
def emu_client(emu):
    """Clients bound to the emulator. Built directly, not with emu.client(): the SDK's own defaults (pacing
    included) apply."""
    with _client_factory(emu.api_key, emu.base_url) as make:
        yield make


@pytest.fixture
def seeded(emu):
    return emu.add_client(first_name="Ada", last_name="Lovelace", sms=True)


@pytest.fixture
def client(make_client):
    return make_client()


@pytest.fixture
def no_retry_client(make_client):
    """For error tests: one request per call, now and once retries exist."""
    return make_client(max_retries=0)


@pytest.fixture
def dead_port():
    """A loopback port with nothing listening on it."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CALLS = {
    "get_client": lambda c, client_id: c.get_client(client_id),
    "update_client": lambda c, client_id: c.update_client(client_id, first_name="John"),
}


@pytest.fixture(params=sorted(CALLS))
def call(request):
    """Each of the client's calls, as call(client, id)."""
    return CALLS[request.param]

"""Client construction: API key and base URL from arguments or environment, environments, URL
safety, option validation, closing, with_options."""

import pytest

import cryptomate

PRODUCTION = "https://api.cryptomate.me"
SANDBOX = "https://api.sandbox.cryptomate.me"


@pytest.fixture
def build():
    """build(*args, **kwargs): a Client that is closed after the test."""
    made = []

    def make(*args, **kwargs):
        made.append(cryptomate.Client(*args, **kwargs))
        return made[-1]

    yield make
    for c in made:
        c.close()


def targets(client, url):
    """True if the client says (via .base_url or its repr) that it talks to `url`."""
    base_url = getattr(client, "base_url", None)
    if base_url is not None:
        return str(base_url).rstrip("/") == url
    return url in repr(client)


# -- the API key -----------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), (None,)], ids=["omitted", "None"])
def test_missing_api_key_is_a_configuration_error(server, args):
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client(*args, base_url=server.base_url)
    assert server.requests == []


def test_api_key_from_environment(server, build, monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_API_KEY", "env-key-456")
    build(base_url=server.base_url).get_client("client_123")
    assert server.requests[0].headers["x-api-key"] == "env-key-456"


def test_explicit_api_key_beats_environment(server, build, monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_API_KEY", "env-key-456")
    build("test-key-123", base_url=server.base_url).get_client("client_123")
    assert server.requests[0].headers["x-api-key"] == "test-key-123"


# -- base URL and environment ----------------------------------------------------------------------

def test_base_url_from_environment(server, build, monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_BASE_URL", server.base_url)
    assert build("test-key-123").get_client("client_123").id == "client_123"
    assert len(server.requests) == 1


def test_explicit_base_url_beats_environment(server, build, monkeypatch, dead_port):
    monkeypatch.setenv("CRYPTOMATE_BASE_URL", f"http://127.0.0.1:{dead_port}")
    build("test-key-123", base_url=server.base_url).get_client("client_123")
    assert len(server.requests) == 1


def test_default_environment_is_production(build):
    client = build("test-key-123")
    assert targets(client, PRODUCTION)
    assert not targets(client, SANDBOX)


@pytest.mark.parametrize(("environment", "url"), [("production", PRODUCTION), ("sandbox", SANDBOX)])
def test_named_environments(build, environment, url):
    assert targets(build("test-key-123", environment=environment), url)


def test_unknown_environment_is_a_configuration_error():
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client("test-key-123", environment="bogus")


def test_base_url_conflicting_with_environment(server):
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client("test-key-123", base_url="https://example.com", environment="sandbox")
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client("test-key-123", base_url=server.base_url, environment="production")


def test_base_url_matching_environment_is_fine(build):
    assert targets(build("test-key-123", base_url=SANDBOX, environment="sandbox"), SANDBOX)


def test_plain_http_to_a_remote_host_is_refused():
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client("test-key-123", base_url="http://example.com")


def test_plain_http_to_a_remote_host_with_allow_http(build):
    assert targets(build("test-key-123", base_url="http://example.com", allow_http=True), "http://example.com")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_plain_http_to_loopback_is_allowed(build, host):
    build("test-key-123", base_url=f"http://{host}:8080")


def test_https_to_any_host_is_allowed(build):
    build("test-key-123", base_url="https://proxy.example.com")


@pytest.mark.parametrize("url", ["not a url", "ftp://example.com", "", "https://"])
def test_bad_base_url_is_a_configuration_error(url):
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.Client("test-key-123", base_url=url)


@pytest.mark.parametrize(("suffix", "prefix"), [("/", ""), ("/prefix", "/prefix"), ("/prefix/", "/prefix")])
def test_base_url_path_is_kept_without_double_slashes(server, build, suffix, prefix):
    server.answer(json={"id": "client_123"})  # the stub's default route knows no prefix
    build("test-key-123", base_url=server.base_url + suffix).update_client("client_123", sms=True)
    assert server.requests[0].path == prefix + "/management/clients/client_123"


# -- options ---------------------------------------------------------------------------------------

def test_all_documented_options_are_accepted(server, build):
    client = build(
        "test-key-123",
        base_url=server.base_url,
        environment=None,
        timeout=10.0,
        connect_timeout=2.0,
        max_retries=0,
        rate_limit=None,
        default_headers={"X-Tenant": "acme"},
        max_response_size=1024 * 1024,
        allow_http=False,
    )
    assert client.get_client("client_123").id == "client_123"


def test_options_are_keyword_only(server):
    with pytest.raises(TypeError):
        cryptomate.Client("test-key-123", server.base_url)


@pytest.mark.parametrize("timeout", [0, 0.0, -1.0])
def test_non_positive_timeout_is_a_value_error(server, timeout):
    with pytest.raises(ValueError):
        cryptomate.Client("test-key-123", base_url=server.base_url, timeout=timeout)


@pytest.mark.parametrize("value", ["a\r\nX-Injected: 1", "a\nb", "a\rb"])
def test_header_value_with_line_break_is_a_value_error(server, value):
    with pytest.raises(ValueError):
        cryptomate.Client("test-key-123", base_url=server.base_url, default_headers={"X-Tenant": value})


# -- closing ---------------------------------------------------------------------------------------

def test_context_manager_returns_the_client_and_closes_it(server, api_key, call):
    with cryptomate.Client(api_key, base_url=server.base_url) as client:
        assert isinstance(client, cryptomate.Client)
        call(client, "client_123")
    with pytest.raises(cryptomate.CryptoMateError):
        call(client, "client_123")
    assert len(server.requests) == 1


def test_call_after_close_raises(server, client, call):
    client.close()
    with pytest.raises(cryptomate.CryptoMateError):
        call(client, "client_123")
    assert server.requests == []


def test_close_twice_is_harmless(client):
    client.close()
    client.close()


def test_context_manager_enter_returns_self(client):
    assert client.__enter__() is client


# -- with_options ----------------------------------------------------------------------------------

def test_with_options_returns_a_new_client_with_the_new_timeout(server, client):
    quick = client.with_options(timeout=0.2, max_retries=0)
    assert isinstance(quick, cryptomate.Client)
    assert quick is not client
    server.delay_next(10)
    with pytest.raises(cryptomate.APITimeoutError):
        quick.get_client("slow")
    assert client.get_client("client_123").id == "client_123"


def test_with_options_keeps_key_and_base_url(server, client):
    other = client.with_options(default_headers={"X-Tenant": "acme"}, connect_timeout=1.0)
    other.update_client("client_123", sms=True)
    headers = server.requests[0].headers
    assert headers["x-api-key"] == "test-key-123"
    assert headers["x-tenant"] == "acme"


def test_with_options_leaves_the_original_unchanged(server, client):
    client.with_options(default_headers={"X-Tenant": "acme"})
    client.get_client("client_123")
    assert "x-tenant" not in server.requests[0].headers


@pytest.mark.parametrize("option", [{"bogus": 1}, {"base_url": "https://example.com"}, {"api_key": "other"}])
def test_with_options_refuses_other_options(client, option):
    with pytest.raises(TypeError):
        client.with_options(**option)


def test_closing_closes_every_copy_even_one_with_its_own_pool(make_client):
    client = make_client()
    other_pool = client.with_options(connect_timeout=1.0)
    client.close()
    with pytest.raises(cryptomate.APIConnectionError, match="closed"):
        other_pool.get_client("c1")

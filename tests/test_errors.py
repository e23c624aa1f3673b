"""HTTP error answers become the documented exception classes with their attributes; exceptions
pickle; the API key never leaks into errors, reprs or pickles."""

import pickle
import traceback

import pytest

import cryptomate

STATUS_CLASSES = [
    (400, cryptomate.BadRequestError),
    (401, cryptomate.AuthenticationError),
    (403, cryptomate.PermissionDeniedError),
    (404, cryptomate.NotFoundError),
    (409, cryptomate.ConflictError),
    (412, cryptomate.PreconditionFailedError),
    (429, cryptomate.RateLimitError),
    (500, cryptomate.InternalServerError),
    (502, cryptomate.InternalServerError),
    (503, cryptomate.InternalServerError),
    (504, cryptomate.InternalServerError),
    (418, cryptomate.APIStatusError),
    (402, cryptomate.APIStatusError),
    (422, cryptomate.APIStatusError),
]

ERROR_BODY = {
    "code": "NOT_FOUND",
    "message": "Company client not found with id: client_123",
    "trace_id": "abc",
}


@pytest.fixture
def raised(server, no_retry_client):
    """raised(status, **answer): the APIStatusError get_client raises for that answer."""

    def run(status, **answer):
        server.answer(status, **answer)
        with pytest.raises(cryptomate.APIStatusError) as info:
            no_retry_client.get_client("client_123")
        assert len(server.requests) == 1
        return info.value

    return run


def test_hierarchy():
    c = cryptomate
    assert issubclass(c.CryptoMateError, Exception)
    assert issubclass(c.ConfigurationError, c.CryptoMateError)
    assert issubclass(c.APIError, c.CryptoMateError)
    assert issubclass(c.APIConnectionError, c.APIError)
    assert issubclass(c.APITimeoutError, c.APIConnectionError)
    assert issubclass(c.APIResponseValidationError, c.APIError)
    assert issubclass(c.APIStatusError, c.APIError)
    assert not issubclass(c.APIStatusError, c.APIConnectionError)
    assert not issubclass(c.ConfigurationError, c.APIError)
    for _, cls in STATUS_CLASSES:
        assert issubclass(cls, c.APIStatusError)


@pytest.mark.parametrize(("status", "cls"), STATUS_CLASSES, ids=[str(s) for s, _ in STATUS_CLASSES])
def test_status_maps_to_class_with_attributes(raised, status, cls):
    body = {"code": "SOME_CODE", "message": "something went wrong", "trace_id": "trace-1"}
    error = raised(status, json=body, headers={"X-Custom": "yes"})
    assert type(error) is cls
    assert error.status_code == status
    assert error.code == "SOME_CODE"
    assert error.message == "something went wrong"
    assert error.trace_id == "trace-1"
    assert error.body == body
    assert isinstance(error.headers, dict)
    assert {k.lower(): v for k, v in error.headers.items()}["x-custom"] == "yes"


def test_errors_from_update_client_too(server, no_retry_client):
    server.answer(412, json={"code": "VAL", "message": "duplicate client"})
    with pytest.raises(cryptomate.PreconditionFailedError) as info:
        no_retry_client.update_client("client_123", phone_number=1168860622)
    assert (info.value.status_code, info.value.code, info.value.message) == (412, "VAL", "duplicate client")


def test_str_reads_status_code_message_and_trace(raised):
    error = raised(404, json=ERROR_BODY)
    assert str(error) == "404 NOT_FOUND: Company client not found with id: client_123 (trace_id abc)"


def test_code_falls_back_to_error_code(raised):
    error = raised(429, json={"error_code": "TOO_MANY_REQUESTS", "message": "Rate limit exceeded. Retry after 3 seconds"})
    assert error.code == "TOO_MANY_REQUESTS"
    assert error.message == "Rate limit exceeded. Retry after 3 seconds"


def test_code_wins_over_error_code(raised):
    error = raised(400, json={"code": "BAD_REQUEST", "error_code": "OLD", "message": "m"})
    assert error.code == "BAD_REQUEST"


def test_code_is_none_without_one(raised):
    assert raised(400, json={"message": "m"}).code is None


def test_message_describes_the_status_without_a_body_message(raised):
    error = raised(404, json={"code": "NOT_FOUND"})
    assert isinstance(error.message, str)
    assert "not found" in error.message.lower()


def test_trace_id_falls_back_to_the_header(raised):
    error = raised(404, json={"code": "NOT_FOUND", "message": "m"}, headers={"X-Trace-Id": "from-header"})
    assert error.trace_id == "from-header"


def test_trace_id_from_body_wins_over_header(raised):
    error = raised(404, json=ERROR_BODY, headers={"X-Trace-Id": "from-header"})
    assert error.trace_id == "abc"


def test_trace_id_none_without_body_field_or_header(raised):
    assert raised(404, json={"code": "NOT_FOUND", "message": "m"}).trace_id is None


def test_non_json_error_page(raised):
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    error = raised(500, body=page, headers={"Content-Type": "text/html"})
    assert type(error) is cryptomate.InternalServerError
    assert error.status_code == 500
    assert error.body == page
    assert error.code is None
    assert isinstance(error.message, str) and error.message


def test_empty_error_body(raised):
    error = raised(503)
    assert type(error) is cryptomate.InternalServerError
    assert error.status_code == 503
    assert isinstance(error.message, str) and error.message


@pytest.mark.parametrize(("header", "expected"), [("3", 3.0), ("0", 0.0), ("120", 120.0)])
def test_retry_after_seconds(raised, header, expected):
    error = raised(429, json={"error_code": "TOO_MANY_REQUESTS", "message": "m"}, headers={"Retry-After": header})
    assert type(error) is cryptomate.RateLimitError
    assert type(error.retry_after) is float
    assert error.retry_after == expected


def test_retry_after_missing_is_none(raised):
    error = raised(429, json={"error_code": "TOO_MANY_REQUESTS", "message": "m"})
    assert error.retry_after is None


ATTRIBUTES = ("status_code", "code", "message", "trace_id", "body", "headers")


@pytest.mark.parametrize("status", [404, 429, 500, 418])
def test_status_errors_pickle(raised, status):
    error = raised(status, json=ERROR_BODY, headers={"Retry-After": "3", "X-Trace-Id": "hdr"})
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    for name in ATTRIBUTES:
        assert getattr(again, name) == getattr(error, name), name
    if status == 429:
        assert again.retry_after == 3.0


def test_text_body_error_pickles(raised):
    error = raised(500, body="oops", headers={"Content-Type": "text/plain"})
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), str(again), again.body) == (type(error), str(error), "oops")


# -- the API key never leaks -----------------------------------------------------------------------

def _status_401(server, make_client, dead_port):
    server.answer(401, json={"code": "API_ERROR", "message": "Access denied"})
    make_client(max_retries=0).get_client("client_123")


def _html_500(server, make_client, dead_port):
    server.answer(500, body="<html>down</html>", headers={"Content-Type": "text/html"})
    make_client(max_retries=0).update_client("client_123", first_name="John")


def _bad_body(server, make_client, dead_port):
    server.answer(200, body="not json")
    make_client(max_retries=0).get_client("client_123")


def _refused(server, make_client, dead_port):
    make_client(max_retries=0, base_url=f"http://127.0.0.1:{dead_port}").get_client("client_123")


def _timeout(server, make_client, dead_port):
    server.delay_next(10)
    make_client(max_retries=0, timeout=0.3).get_client("client_123")


def _dropped(server, make_client, dead_port):
    server.drop()
    make_client(max_retries=0).get_client("client_123")


@pytest.mark.parametrize("provoke", [_status_401, _html_500, _bad_body, _refused, _timeout, _dropped],
                         ids=lambda f: f.__name__.strip("_"))
def test_api_key_never_in_errors(server, make_client, dead_port, api_key, provoke):
    with pytest.raises(cryptomate.APIError) as info:
        provoke(server, make_client, dead_port)
    error = info.value
    assert api_key not in str(error)
    assert api_key not in repr(error)
    assert api_key not in "".join(traceback.format_exception(error))
    assert api_key.encode() not in pickle.dumps(error)
    for value in getattr(error, "__dict__", {}).values():
        assert api_key not in repr(value)


def test_api_key_not_in_client_repr(client, api_key):
    assert api_key not in repr(client)
    assert api_key not in str(client)


def test_client_does_not_pickle(client):
    with pytest.raises(TypeError):
        pickle.dumps(client)

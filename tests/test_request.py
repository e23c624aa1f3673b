"""What update_client and get_client put on the wire: method, path, headers, JSON body."""

import datetime
import json
import re

import pytest

import cryptomate

ADDRESS = {
    "street_line_1": "1 Main St",
    "street_line_2": "Apt 2",
    "city": "Springfield",
    "postal_code": "12345",
    "state": "USA-IL",
    "country": "USA",
}
DOCUMENT = {
    "id": "doc_1",
    "name": "passport",
    "description": "front and back",
    "issuing_country": "USA",
    "number": "X1234567",
    "image_front": "aGVsbG8=",
    "image_back": "d29ybGQ=",
}

# All 23 fields update_client accepts: the value given, and what must go out.
ALL_FIELDS = {
    "company_id": "comp_1",
    "username": "jdoe",
    "first_name": "John",
    "second_name": "Quincy",
    "last_name": "Doe",
    "email": "john@example.com",
    "gender": "M",
    "individual_identification": "123-45-6789",
    "individual_identification_type": "SSN",
    "occupation": "engineer",
    "annual_salary": "50000",
    "account_purpose": "savings",
    "expected_monthly_volume": "1000",
    "phone_country_code": 54,
    "phone_number": 1168860622,
    "otp": True,
    "sms": False,
    "whatsapp": True,
    "telegram": False,
    "birth_date": datetime.date(1990, 5, 17),
    "expiration_date": "2030-01-31",
    "address": cryptomate.Address(**ADDRESS),
    "documents": [cryptomate.Document(**DOCUMENT)],
}
ALL_FIELDS_WIRE = {
    **ALL_FIELDS,
    "birth_date": "1990-05-17",
    "address": ADDRESS,
    "documents": [DOCUMENT],
}


def sent(server):
    """The single request the server saw."""
    assert len(server.requests) == 1, [r.path for r in server.requests]
    return server.requests[0]


def test_update_client_sends_put_to_the_client_path(client, server):
    result = client.update_client("client_123", first_name="John")
    request = sent(server)
    assert request.method == "PUT"
    assert request.path == "/management/clients/client_123"
    assert isinstance(result, cryptomate.CompanyClient)
    assert result.id == "client_123"
    assert result.first_name == "John"


def test_get_client_sends_get_to_the_client_path(client, server):
    result = client.get_client("client_123")
    request = sent(server)
    assert request.method == "GET"
    assert request.path == "/management/clients/client_123"
    assert request.body == b""
    assert isinstance(result, cryptomate.CompanyClient)
    assert result.id == "client_123"


def test_every_request_carries_key_accept_and_user_agent(client, server, call):
    call(client, "client_123")
    headers = sent(server).headers
    assert headers["x-api-key"] == "test-key-123"
    assert headers["accept"] == "application/json"
    assert re.match(r"cryptomate-python/\d+\.\d+\.\d+", headers["user-agent"])
    assert headers["user-agent"].startswith(f"cryptomate-python/{cryptomate.__version__}")


def test_update_body_is_json_with_content_type(client, server):
    client.update_client("client_123", first_name="John")
    request = sent(server)
    assert request.headers["content-type"].split(";")[0].strip() == "application/json"
    assert json.loads(request.body) == {"first_name": "John"}


def test_body_holds_exactly_the_given_fields(client, server):
    client.update_client("client_123", first_name="John", last_name="Doe", sms=False)
    assert sent(server).json == {"first_name": "John", "last_name": "Doe", "sms": False}


def test_none_is_sent_as_json_null(client, server):
    client.update_client("client_123", second_name=None)
    request = sent(server)
    assert request.json == {"second_name": None}
    assert b"null" in request.body


@pytest.mark.parametrize("field", ["otp", "sms", "whatsapp", "telegram"])
@pytest.mark.parametrize("value", [True, False])
def test_bool_stays_bool(client, server, field, value):
    client.update_client("client_123", **{field: value})
    assert sent(server).json[field] is value  # not 0/1


@pytest.mark.parametrize("field", ["birth_date", "expiration_date"])
@pytest.mark.parametrize("value", [datetime.date(1990, 5, 17), "1990-05-17"])
def test_dates_are_sent_as_iso_strings(client, server, field, value):
    client.update_client("client_123", **{field: value})
    assert sent(server).json == {field: "1990-05-17"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_country_code", 2**31 - 1),
        ("phone_country_code", -(2**31)),
        ("phone_number", 2**63 - 1),
        ("phone_number", -(2**63)),
        ("phone_number", 1168860622),
    ],
)
def test_integers_are_sent_exactly_up_to_their_bounds(client, server, field, value):
    client.update_client("client_123", **{field: value})
    sent_value = sent(server).json[field]
    assert type(sent_value) is int and sent_value == value


def test_text_is_sent_unchanged(client, server):
    name = 'Zoë "Q" \\ 😀 \n'
    client.update_client("client_123", first_name=name)
    assert sent(server).json == {"first_name": name}


@pytest.mark.parametrize(
    "address",
    [cryptomate.Address(city="X"), {"city": "X"}],
    ids=["model", "dict"],
)
def test_address_sends_only_the_keys_given(client, server, address):
    client.update_client("client_123", address=address)
    assert sent(server).json == {"address": {"city": "X"}}


@pytest.mark.parametrize("address", [cryptomate.Address(**ADDRESS), ADDRESS], ids=["model", "dict"])
def test_full_address(client, server, address):
    client.update_client("client_123", address=address)
    assert sent(server).json == {"address": ADDRESS}


def test_address_dict_key_with_none_is_sent_as_null(client, server):
    client.update_client("client_123", address={"city": "X", "state": None})
    assert sent(server).json == {"address": {"city": "X", "state": None}}


@pytest.mark.parametrize(
    "documents",
    [
        [cryptomate.Document(name="passport", number="X1")],
        [{"name": "passport", "number": "X1"}],
    ],
    ids=["model", "dict"],
)
def test_documents_send_only_the_keys_given(client, server, documents):
    client.update_client("client_123", documents=documents)
    assert sent(server).json == {"documents": [{"name": "passport", "number": "X1"}]}


def test_documents_mixed_models_and_dicts_keep_order(client, server):
    client.update_client(
        "client_123",
        documents=[cryptomate.Document(**DOCUMENT), {"name": "selfie", "description": None}],
    )
    assert sent(server).json == {"documents": [DOCUMENT, {"name": "selfie", "description": None}]}


def test_empty_documents_list_is_sent(client, server):
    client.update_client("client_123", documents=[])
    assert sent(server).json == {"documents": []}


def test_all_23_fields_are_accepted_and_sent(client, server):
    assert len(ALL_FIELDS) == 23
    result = client.update_client("client_123", **ALL_FIELDS)
    assert sent(server).json == ALL_FIELDS_WIRE
    assert isinstance(result, cryptomate.CompanyClient)
    assert result.first_name == "John"
    assert result.birth_date == datetime.date(1990, 5, 17)
    assert result.address == cryptomate.Address(**ADDRESS)


def test_default_headers_are_sent(make_client, server, call):
    client = make_client(default_headers={"X-Tenant": "acme", "X-Request-Source": "tests"})
    call(client, "client_123")
    headers = sent(server).headers
    assert headers["x-tenant"] == "acme"
    assert headers["x-request-source"] == "tests"
    assert headers["x-api-key"] == "test-key-123"


@pytest.mark.parametrize(
    ("client_id", "encoded"),
    [
        ("client_123", "client_123"),
        ("a/b", "a%2Fb"),
        ("client 1", "client%201"),
        ("ü", "%C3%BC"),
        ("a?b#c", "a%3Fb%23c"),
        ("100%", "100%25"),
        ("a+b", "a%2Bb"),
        ("Az09-._~", "Az09-._~"),
        ("...", "..."),
    ],
)
def test_id_is_one_percent_encoded_path_segment(client, server, call, client_id, encoded):
    result = call(client, client_id)
    assert sent(server).path == "/management/clients/" + encoded
    assert result.id == client_id  # the stub server decodes the segment and echoes it

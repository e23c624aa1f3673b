"""Responses become models: types of the fields, timestamps, unknown fields, and 2xx answers that
do not decode (APIResponseValidationError)."""

import datetime
import json
import pickle

import pytest

import cryptomate
from cryptomate import Address, CompanyClient, Document

UTC = datetime.timezone.utc

INDIVIDUAL = {
    "id": "client_123",
    "company_id": "comp_1",
    "type": "individual",
    "status": "ACTIVE",
    "phone_country_code": 54,
    "phone_number": 1168860622,
    "first_name": "John",
    "last_name": "Doe",
    "gender": "M",
    "email": "john@example.com",
    "birth_date": "1990-05-17",
    "address": {
        "street_line_1": "1 Main St",
        "city": "Springfield",
        "postal_code": "12345",
        "state": "USA-IL",
        "country": "USA",
    },
    "document_type": "PASSPORT",
    "document_number": "X1234567",
    "expiration_date": "2030-01-31",
    "individual_identification_type": "SSN",
    "individual_identification": "123-45-6789",
    "otp": True,
    "sms": False,
    "whatsapp": True,
    "telegram": False,
    "username": "jdoe",
    "wallet_ids": ["w_1", "w_2"],
    "created_at": "2026-04-15T10:30:00",
    "updated_at": "2026-04-23T19:42:17.123Z",
    "documents": [
        {"id": "doc_1", "name": "passport", "issuing_country": "USA", "number": "X1234567"},
        {"name": "selfie"},
    ],
}

BUSINESS = {
    "id": "client_biz",
    "type": "business",
    "email": "ops@acme.example",
    "business_legal_name": "Acme Corp",
    "business_trade_name": "Acme",
    "business_description": "Anvils",
    "business_type": "corporation",
    "business_industry": ["541511", "332999"],
    "is_dao": False,
    "registered_address": {"street_line_1": "2 Industrial Way", "city": "Phoenix", "country": "USA"},
    "physical_address": {"city": "Tucson"},
    "has_material_intermediary_ownership": False,
    "ownership_threshold": 25,
    "signed_agreement_id": "agr_1",
    "account_purpose": "payroll",
    "source_of_funds": "sales",
    "estimated_annual_revenue_usd": "1000000_to_9999999",
    "expected_monthly_payments_usd": 10000,
    "operates_in_prohibited_countries": False,
    "conducts_money_services": False,
    "acting_as_intermediary": False,
    "primary_website": "https://acme.example",
    "other_websites": ["https://shop.acme.example"],
    "rejection_code": None,
}


@pytest.fixture
def fetch(server, no_retry_client):
    """fetch(body, status=200): the result of get_client against that answer."""

    def run(body, status=200, **answer):
        server.answer(status, json=body, **answer)
        return no_retry_client.get_client("client_123")

    return run


def test_get_client_returns_a_company_client(fetch):
    result = fetch(INDIVIDUAL)
    assert type(result) is CompanyClient
    assert result.id == "client_123"
    assert result.company_id == "comp_1"
    assert result.type == "individual"
    assert result.status == "ACTIVE"
    assert result.first_name == "John"
    assert result.email == "john@example.com"
    assert result.document_type == "PASSPORT"
    assert result.username == "jdoe"
    assert list(result.wallet_ids) == ["w_1", "w_2"]


def test_numbers_and_flags_keep_their_types(fetch):
    result = fetch(INDIVIDUAL)
    assert type(result.phone_country_code) is int and result.phone_country_code == 54
    assert type(result.phone_number) is int and result.phone_number == 1168860622
    assert (result.otp, result.sms, result.whatsapp, result.telegram) == (True, False, True, False)
    assert all(type(v) is bool for v in (result.otp, result.sms, result.whatsapp, result.telegram))


def test_dates_are_dates(fetch):
    result = fetch(INDIVIDUAL)
    assert type(result.birth_date) is datetime.date
    assert result.birth_date == datetime.date(1990, 5, 17)
    assert type(result.expiration_date) is datetime.date
    assert result.expiration_date == datetime.date(2030, 1, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-04-15T10:30:00", datetime.datetime(2026, 4, 15, 10, 30, tzinfo=UTC)),
        ("2026-04-21T12:34:56Z", datetime.datetime(2026, 4, 21, 12, 34, 56, tzinfo=UTC)),
        ("2026-04-23T19:42:17.123Z", datetime.datetime(2026, 4, 23, 19, 42, 17, 123000, tzinfo=UTC)),
        (
            "2026-04-15T10:30:00+02:00",
            datetime.datetime(2026, 4, 15, 10, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        ),
    ],
)
@pytest.mark.parametrize("field", ["created_at", "updated_at"])
def test_timestamps_are_aware_datetimes(fetch, field, text, expected):
    value = getattr(fetch({"id": "client_123", field: text}), field)
    assert type(value) is datetime.datetime
    assert value.tzinfo is not None
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()


def test_address_is_an_address(fetch):
    address = fetch(INDIVIDUAL).address
    assert type(address) is Address
    assert address == Address(**INDIVIDUAL["address"])
    assert address.street_line_2 is None


def test_documents_are_a_sequence_of_documents(fetch):
    documents = fetch(INDIVIDUAL).documents
    assert not isinstance(documents, (str, bytes, dict))
    assert len(documents) == 2
    assert all(type(d) is Document for d in documents)
    assert documents[0] == Document(**INDIVIDUAL["documents"][0])
    assert documents[1].name == "selfie" and documents[1].number is None


def test_missing_and_null_fields_are_none(fetch):
    result = fetch({"id": "client_123", "second_name": None, "address": None})
    assert result.id == "client_123"
    for name in ("second_name", "address", "first_name", "documents", "created_at", "sms", "business_legal_name"):
        assert getattr(result, name) is None, name


def test_business_fields_are_attributes(fetch):
    result = fetch(BUSINESS)
    assert result.type == "business"
    assert result.business_legal_name == "Acme Corp"
    assert result.business_trade_name == "Acme"
    assert result.business_type == "corporation"
    assert list(result.business_industry) == ["541511", "332999"]
    assert result.is_dao is False
    assert type(result.registered_address) is Address
    assert result.registered_address.city == "Phoenix"
    assert result.physical_address == Address(city="Tucson")
    assert type(result.ownership_threshold) is int and result.ownership_threshold == 25
    assert type(result.expected_monthly_payments_usd) is int and result.expected_monthly_payments_usd == 10000
    assert list(result.other_websites) == ["https://shop.acme.example"]
    assert result.primary_website == "https://acme.example"
    assert result.rejection_code is None


UNKNOWN = {"brand_new_field": {"nested": [1, 2]}, "another_one": "x"}


def test_unknown_fields_are_kept_in_extra(fetch):
    result = fetch({**INDIVIDUAL, **UNKNOWN})
    assert isinstance(result.extra, dict)
    assert result.extra == UNKNOWN
    assert result.first_name == "John"


def test_unknown_fields_are_in_to_dict(fetch):
    data = fetch({**INDIVIDUAL, **UNKNOWN}).to_dict()
    json.dumps(data)
    assert data["brand_new_field"] == {"nested": [1, 2]}
    assert data["another_one"] == "x"
    assert data["first_name"] == "John"
    assert data["birth_date"] == "1990-05-17"


def test_parsed_client_pickles_with_extra(fetch):
    result = fetch({**INDIVIDUAL, **UNKNOWN})
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert again.extra == UNKNOWN
    assert again.created_at == result.created_at


def test_parsed_client_differs_when_extra_differs(fetch):
    assert fetch({**INDIVIDUAL, "x": 1}) != fetch({**INDIVIDUAL, "x": 2})


def test_update_client_parses_the_answer(server, no_retry_client):
    server.answer(json=INDIVIDUAL)
    result = no_retry_client.update_client("client_123", first_name="John")
    assert type(result) is CompanyClient
    assert result.birth_date == datetime.date(1990, 5, 17)
    assert result.address.city == "Springfield"


# -- 2xx answers that do not decode ----------------------------------------------------------------

BAD_2XX = {
    "invalid json": dict(status=200, body=b'{"id": "client_123",', headers={"Content-Type": "application/json"}),
    "json array": dict(status=200, json=[{"id": "client_123"}]),
    "json null": dict(status=200, json=None),
    "json string": dict(status=200, json="client_123"),
    "bool field": dict(status=200, json={"id": "client_123", "sms": "yes"}),
    "date field": dict(status=200, json={"id": "client_123", "birth_date": "not-a-date"}),
    "impossible date": dict(status=200, json={"id": "client_123", "birth_date": "2023-02-30"}),
    "timestamp field": dict(status=200, json={"id": "client_123", "created_at": "yesterday"}),
    "int field": dict(status=200, json={"id": "client_123", "phone_number": "abc"}),
    "address field": dict(status=200, json={"id": "client_123", "address": 5}),
    "documents field": dict(status=200, json={"id": "client_123", "documents": "x"}),
    "204": dict(status=204),
    "empty 200": dict(status=200),
}


@pytest.mark.parametrize("answer", BAD_2XX.values(), ids=BAD_2XX.keys())
def test_bad_2xx_is_a_validation_error(server, no_retry_client, call, answer):
    server.answer(**answer)
    with pytest.raises(cryptomate.APIResponseValidationError) as info:
        call(no_retry_client, "client_123")
    assert isinstance(info.value, cryptomate.APIError)
    assert not isinstance(info.value, cryptomate.APIStatusError)
    assert len(server.requests) == 1


def test_validation_error_keeps_the_raw_body(server, no_retry_client):
    raw = '{"id": "client_123",'
    server.answer(200, body=raw, headers={"Content-Type": "application/json"})
    with pytest.raises(cryptomate.APIResponseValidationError) as info:
        no_retry_client.get_client("client_123")
    assert info.value.body in (raw, raw.encode())


def test_validation_error_for_a_bad_field_keeps_the_body(server, no_retry_client):
    server.answer(200, json={"id": "client_123", "sms": "yes"})
    with pytest.raises(cryptomate.APIResponseValidationError) as info:
        no_retry_client.get_client("client_123")
    body = info.value.body
    if isinstance(body, (str, bytes)):
        body = json.loads(body)
    assert body == {"id": "client_123", "sms": "yes"}


def test_validation_error_pickles(server, no_retry_client):
    server.answer(200, json=[1, 2])
    with pytest.raises(cryptomate.APIResponseValidationError) as info:
        no_retry_client.get_client("client_123")
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is cryptomate.APIResponseValidationError
    assert str(again) == str(info.value)
    assert again.body == info.value.body

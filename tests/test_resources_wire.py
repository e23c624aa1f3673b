"""The rest of the Clients API on the wire: each call's method, path, query and body as a plain recording
server sees them, what it returns, argument errors before anything is sent, and the retry rule for creates."""

from __future__ import annotations

import datetime
import logging

import pytest

import cryptomate
from _samples import BUSINESS, PERSON
from _sync_async import caller

INDIVIDUAL = {
    "id": "4QWq1rQtjnLM0wMswTRY9AmM4XTvY4GG", "type": "individual", "status": "pending", "first_name": "Ada",
    "last_name": "Lovelace", "email": "ada@example.com", "birth_date": "1990-01-02",
    "address": {"street_line1": "1 Main St", "city": "Buenos Aires", "postal_code": "1000", "state": "ARG-C",
                "country": "ARG"},
    "created_at": "2026-11-01T10:00:00Z", "updated_at": "2026-11-01T10:00:00Z", "loyalty_tier": "gold",
}


@pytest.fixture(params=["sync", "async"])
def call(request, server):
    """call(lambda c: c.method(...), **options) through a Client or an AsyncClient bound to the recording server."""
    return caller(request.param, server.base_url, "test-key-123")


def sent(server, index=-1):
    request = server.requests[index]
    return request.method, request.path, request.json


# --- Gen 1 -----------------------------------------------------------------------------------------------------


def test_list_clients_sends_only_the_filters_given(server, call):
    server.answer(json=[{"id": "c1", "sms": True}, {"id": "c2", "sms": True}])
    server.answer(json=[])
    clients = call(lambda c: c.list_clients(sms=True, telegram=False))
    assert [type(x) for x in clients] == [cryptomate.CompanyClient] * 2
    assert sent(server, 0) == ("GET", "/management/clients?sms=true&telegram=false", None)
    assert call(lambda c: c.list_clients()) == []
    assert sent(server) == ("GET", "/management/clients", None)
    server.answer(json=[])
    assert call(lambda c: c.list_clients(otp=None, whatsapp=True)) == []
    assert sent(server) == ("GET", "/management/clients?whatsapp=true", None)


def test_create_client_posts_exactly_the_fields(server, call):
    server.answer(json={"id": "c9", "first_name": "Ada", "status": "PENDING"})
    record = call(lambda c: c.create_client(first_name="Ada", sms=False, bank_ramp=True, birth_date=datetime.date(1990, 1, 2)))
    assert (record.id, record.status) == ("c9", "PENDING")
    assert sent(server) == ("POST", "/management/clients", {"first_name": "Ada", "sms": False, "bank_ramp": True, "birth_date": "1990-01-02"})
    assert server.requests[-1].headers["content-type"] == "application/json"


def test_create_business_client_posts_the_nested_shapes(server, call):
    server.answer(json={"id": "b1", "type": "business", "business_legal_name": "ACME SA"})
    person = cryptomate.AssociatedPerson(first_name="Road", last_name="Runner", email="r@acme.example",
                                         birth_date=datetime.date(1985, 5, 5), residential_address=cryptomate.Address(city="Austin"),
                                         is_director=True)
    record = call(lambda c: c.create_business_client(**{**BUSINESS, "associated_persons": [*BUSINESS["associated_persons"], person]}))
    assert (record.type, record.business_legal_name) == ("business", "ACME SA")
    method, path, body = sent(server)
    assert (method, path) == ("POST", "/management/clients/business")
    assert body["associated_persons"][1] == {"first_name": "Road", "last_name": "Runner", "email": "r@acme.example",
                                             "birth_date": "1985-05-05", "residential_address": {"city": "Austin"},
                                             "is_director": True}
    assert body["identifying_information"] == [{"type": "ein", "issuing_country": "USA", "number": "12-3456789"}]
    assert body["high_risk_activities"] == []


def test_delete_enable_otp_and_by_phone(server, call):
    server.answer(json={"id": "c1"})                 # a 200 with the deleted client
    server.answer(204)                               # or a 204
    server.answer(json={"id": "c1", "otp": True})
    server.answer(json={"id": "c1", "whatsapp": True})
    server.answer(json={"id": "c1", "whatsapp": True})
    assert call(lambda c: c.delete_client("c1")) is None
    assert call(lambda c: c.delete_client("a/b")) is None
    assert call(lambda c: c.enable_otp("c1")).otp is True
    assert call(lambda c: c.get_client_by_whatsapp_phone("14155551234")).id == "c1"
    assert call(lambda c: c.get_client_by_whatsapp_phone(14155551234)).id == "c1"
    assert [(r.method, r.path, r.body) for r in server.requests] == [
        ("DELETE", "/management/clients/c1", b""),
        ("DELETE", "/management/clients/a%2Fb", b""),
        ("PATCH", "/management/clients/c1/enable-otp", b""),
        ("GET", "/management/clients/by-phone-whatsapp?full_phone_number=14155551234", b""),
        ("GET", "/management/clients/by-phone-whatsapp?full_phone_number=14155551234", b""),
    ]


# --- Gen 2 -----------------------------------------------------------------------------------------------------


def test_individuals_create_list_get_delete(server, call):
    server.answer(201, json=INDIVIDUAL)
    server.answer(json=[INDIVIDUAL])
    server.answer(json=INDIVIDUAL)
    server.answer(204)
    created = call(lambda c: c.individuals.create(**PERSON, phone_number=4155551234))
    assert isinstance(created, cryptomate.IndividualClient)
    assert isinstance(created.address, cryptomate.IndividualAddress)
    assert (created.address.street_line1, created.birth_date, created.extra) == ("1 Main St", datetime.date(1990, 1, 2), {"loyalty_tier": "gold"})
    assert sent(server, 0) == ("POST", "/management/clients/individuals",
                               {**PERSON, "birth_date": "1990-01-02", "phone_number": 4155551234})
    assert call(lambda c: c.individuals.list()) == [created]
    assert call(lambda c: c.individuals.get(created.id)) == created
    assert call(lambda c: c.individuals.delete(created.id)) is None
    assert [(r.method, r.path) for r in server.requests[1:]] == [
        ("GET", "/management/clients/individuals"),
        ("GET", f"/management/clients/individuals/{created.id}"),
        ("DELETE", f"/management/clients/individuals/{created.id}"),
    ]


def test_replace_sends_exactly_the_fields_given(server, call):
    server.answer(json=INDIVIDUAL)
    address = cryptomate.IndividualAddress(street_line1="2 Side St", city="Rosario", postal_code="2000", state="ARG-S", country="ARG")
    call(lambda c: c.individuals.replace("i1", **{**PERSON, "address": address}))
    assert sent(server) == ("PUT", "/management/clients/individuals/i1", {
        **PERSON, "birth_date": "1990-01-02",
        "address": {"street_line1": "2 Side St", "city": "Rosario", "postal_code": "2000", "state": "ARG-S", "country": "ARG"},
    })


def test_update_reads_merges_and_replaces(server, call):
    server.answer(json=INDIVIDUAL)
    server.answer(json={**INDIVIDUAL, "first_name": "Grace"})
    updated = call(lambda c: c.individuals.update("i1", first_name="Grace", address={"city": "Rosario", "state_code": "82"}))
    assert updated.first_name == "Grace"
    (get_method, get_path, _), (put_method, put_path, body) = sent(server, 0), sent(server, 1)
    assert (get_method, get_path, put_method, put_path) == ("GET", "/management/clients/individuals/i1", "PUT", "/management/clients/individuals/i1")
    # the whole record, writable fields only (no id, status, timestamps, or unknown `extra`), the address merged
    assert body == {"first_name": "Grace", "last_name": "Lovelace", "email": "ada@example.com", "birth_date": "1990-01-02",
                    "address": {"street_line1": "1 Main St", "city": "Rosario", "postal_code": "1000", "state": "ARG-C",
                                "country": "ARG", "state_code": "82"}}


def test_update_with_a_whole_address_replaces_it(server, call):
    server.answer(json=INDIVIDUAL)
    server.answer(json=INDIVIDUAL)
    whole = cryptomate.IndividualAddress(street_line1="9 Far Rd", city="Salta", postal_code="4400", state="ARG-A", country="ARG")
    call(lambda c: c.individuals.update("i1", address=whole))
    assert sent(server)[2]["address"] == {"street_line1": "9 Far Rd", "city": "Salta", "postal_code": "4400", "state": "ARG-A", "country": "ARG"}


def test_update_that_would_drop_a_required_field_sends_no_put(server, call):
    server.answer(json=INDIVIDUAL)
    with pytest.raises(TypeError, match="individuals.update\\(\\): missing required field: email"):
        call(lambda c: c.individuals.update("i1", email=None))
    assert [r.method for r in server.requests] == ["GET"]


def test_catalogs(server, call):
    server.answer(json={"count": 1, "data": [{"name": "Argentina", "alpha3": "ARG", "postal_code_format": "####",
                                              "subdivisions": [{"name": "Buenos Aires", "code": "ARG-B"}]}]})
    server.answer(json=[{"type": "SSN", "description": "Social Security Number"}])
    (country,) = call(lambda c: c.individuals.countries())
    assert isinstance(country, cryptomate.Country) and country.alpha3 == "ARG"
    assert country.subdivisions == (cryptomate.Subdivision(name="Buenos Aires", code="ARG-B"),)
    (kind,) = call(lambda c: c.individuals.identification_types("US"))
    assert isinstance(kind, cryptomate.IdentificationType) and (kind.type, kind.description) == ("SSN", "Social Security Number")
    assert [r.path for r in server.requests] == ["/management/clients/individuals/countries",
                                                 "/management/clients/individuals/identifications/US"]


# --- argument errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, error, message", [
    (lambda c: c.individuals.create(first_name="Ada"), TypeError,
     "individuals.create(): missing required fields: last_name, email, birth_date, address"),
    (lambda c: c.individuals.create(**{**PERSON, "address": {"city": "X"}}), TypeError,
     "missing required fields: address.street_line1, address.postal_code, address.state, address.country"),
    (lambda c: c.individuals.create(**{**PERSON, "address": {**PERSON["address"], "street_line_1": "x"}}), TypeError,
     "did you mean 'street_line1'"),
    (lambda c: c.individuals.replace("i1", first_name="Ada"), TypeError, "missing required fields"),
    (lambda c: c.individuals.update("i1", frist_name="Ada"), TypeError, "did you mean 'first_name'"),
    (lambda c: c.individuals.update("i1", status="active"), TypeError, "'status' is read-only"),
    (lambda c: c.individuals.create(**{**PERSON, "phone_number": "415"}), TypeError, "phone_number: expected int"),
    (lambda c: c.individuals.get(5), TypeError, "must be a str"),
    (lambda c: c.create_client(company_id="x"), TypeError, "'company_id' is read-only"),
    (lambda c: c.create_client(bank_rampp=True), TypeError, "did you mean 'bank_ramp'"),
    (lambda c: c.create_business_client(**{**BUSINESS, "primary_website": None}), TypeError, "missing required field: primary_website"),
    (lambda c: c.create_business_client(**{k: v for k, v in BUSINESS.items() if k not in ("email", "business_type")}), TypeError,
     "missing required fields: email, business_type"),
    (lambda c: c.create_business_client(**{**BUSINESS, "associated_persons": [{"first_name": "x"}]}), TypeError,
     "associated_persons[0].last_name"),
    (lambda c: c.list_clients(sms="yes"), TypeError, "list_clients(): sms must be a bool or None, got str"),
    (lambda c: c.get_client_by_whatsapp_phone("+1 415"), ValueError, "digits"),
    (lambda c: c.get_client_by_whatsapp_phone(True), TypeError, "bool"),
])
def test_argument_errors_send_nothing(server, call, method, error, message):
    with pytest.raises(error) as caught:
        call(method)
    assert message in str(caught.value)
    assert server.requests == []


# --- retries of creates ----------------------------------------------------------------------------------------


def test_a_create_is_not_retried_after_a_5xx(server, call):
    server.answer(503, json={"code": "SERVER_ERROR", "message": "try later"}, times=3)
    with pytest.raises(cryptomate.InternalServerError):
        call(lambda c: c.individuals.create(**PERSON), max_retries=2)
    assert len(server.requests) == 1


def test_a_create_is_not_retried_after_a_timeout_or_a_drop(server, call):
    server.delay_next(3)
    with pytest.raises(cryptomate.APITimeoutError):
        call(lambda c: c.create_client(first_name="x"), max_retries=2, timeout=0.3)
    server.drop()
    with pytest.raises(cryptomate.APIConnectionError):
        call(lambda c: c.create_client(first_name="x"), max_retries=2)
    assert [r.method for r in server.requests] == ["POST", "POST"]


def test_a_create_is_retried_after_a_429(server, call):
    server.answer(429, json={"code": "TOO_MANY_REQUESTS"}, headers={"Retry-After": "0.05"})
    server.answer(201, json=INDIVIDUAL)
    assert call(lambda c: c.individuals.create(**PERSON), max_retries=2).id == INDIVIDUAL["id"]
    assert [r.headers.get("x-retry-count") for r in server.requests] == [None, "1"]


def test_a_create_is_retried_when_no_connection_could_be_made(dead_port, caplog):
    caplog.set_level(logging.INFO, logger="cryptomate")
    client = cryptomate.Client("k", base_url=f"http://127.0.0.1:{dead_port}", max_retries=2, rate_limit=None)
    with pytest.raises(cryptomate.APIConnectionError):
        client.create_client(first_name="x")
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retrying POST /management/clients ")]
    assert len(retries) == 2, retries


def test_replace_and_delete_keep_the_usual_retries(server, call):
    server.answer(503, json={"code": "SERVER_ERROR"})
    server.answer(json=INDIVIDUAL)
    server.answer(503, json={"code": "SERVER_ERROR"})
    server.answer(204)
    call(lambda c: c.individuals.replace("i1", **PERSON), max_retries=1)
    call(lambda c: c.individuals.delete("i1"), max_retries=1)
    assert [r.method for r in server.requests] == ["PUT", "PUT", "DELETE", "DELETE"]

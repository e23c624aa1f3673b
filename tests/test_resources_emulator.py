"""The rest of the Clients API against the emulator, through Client and AsyncClient: the documented rules
end to end (levels, required fields, 412/400 VAL, 404, Gen 2's 201/204 and full replacement)."""

from __future__ import annotations

import pytest

import cryptomate
from _samples import BUSINESS, PERSON
from _sync_async import caller


@pytest.fixture(params=["sync", "async"])
def call(request, emu):
    """call(lambda c: c.method(...), api_key=emu's) through a Client or an AsyncClient bound to the emulator."""
    return caller(request.param, emu.base_url, emu.api_key)


def test_gen1_list_create_otp_by_phone_delete(emu, call):
    created = call(lambda c: c.create_client(first_name="Ada", phone_country_code=1, phone_number=4155551234,
                                             whatsapp=True, sms=False, bank_ramp=True))
    assert (created.first_name, created.status, created.type) == ("Ada", "PENDING", "individual")
    assert "bank_ramp" not in created.to_dict()  # a body-only field is not part of the client object
    assert [c.id for c in call(lambda c: c.list_clients(sms=False))] == [created.id]
    assert call(lambda c: c.list_clients(sms=True)) == []
    assert call(lambda c: c.enable_otp(created.id)).otp is True
    assert call(lambda c: c.get_client_by_whatsapp_phone("14155551234")).id == created.id
    assert call(lambda c: c.delete_client(created.id)) is None
    assert emu.get(created.id) is None
    with pytest.raises(cryptomate.NotFoundError):
        call(lambda c: c.delete_client(created.id))
    with pytest.raises(cryptomate.NotFoundError):
        call(lambda c: c.get_client_by_whatsapp_phone(14155551234))


def test_gen1_duplicate_phone_is_a_412(emu, call):
    emu.add_client(phone_country_code=54, phone_number=1122334455)
    with pytest.raises(cryptomate.PreconditionFailedError) as caught:
        call(lambda c: c.create_client(first_name="x", phone_country_code=54, phone_number=1122334455))
    assert caught.value.code == "VAL"


def test_business_client_and_its_rules(emu, call):
    created = call(lambda c: c.create_business_client(**BUSINESS))
    assert (created.type, created.business_legal_name, created.business_industry) == ("business", "ACME SA", ("541511",))
    assert emu.get(created.id).registered_address.city == "Austin"
    no_signer = {**BUSINESS, "email": "b@acme.example",
                 "associated_persons": [{**BUSINESS["associated_persons"][0], "is_signer": False}]}
    for bad in ({**BUSINESS, "email": "c@acme.example", "business_type": "galaxy_brain"}, no_signer):
        with pytest.raises(cryptomate.PreconditionFailedError) as caught:
            call(lambda c: c.create_business_client(**bad))
        assert caught.value.code == "VAL"


def test_individuals_lifecycle(emu, call):
    created = call(lambda c: c.individuals.create(**PERSON))
    assert isinstance(created, cryptomate.IndividualClient)
    assert (created.status, created.type, created.address.city) == ("pending", "individual", "Buenos Aires")
    assert emu.get_individual(created.id) == created
    assert emu.get(created.id) is None  # Gen 1 and Gen 2 records are kept apart
    assert call(lambda c: c.individuals.list()) == [created]
    moved = call(lambda c: c.individuals.update(created.id, address={"city": "Rosario"}, phone_number=3415551234))
    assert (moved.address.city, moved.address.street_line1, moved.phone_number, moved.first_name) == (
        "Rosario", "1 Main St", 3415551234, "Ada")
    replaced = call(lambda c: c.individuals.replace(created.id, **{**PERSON, "first_name": "Augusta"}))
    assert (replaced.first_name, replaced.phone_number, replaced.address.city) == ("Augusta", None, "Buenos Aires")
    assert replaced.created_at == created.created_at
    assert call(lambda c: c.individuals.delete(created.id)) is None
    assert emu.get_individual(created.id) is None
    with pytest.raises(cryptomate.NotFoundError):
        call(lambda c: c.individuals.get(created.id))


def test_individuals_duplicate_email_is_a_400_val(emu, call):
    emu.add_individual(**PERSON)
    with pytest.raises(cryptomate.BadRequestError) as caught:
        call(lambda c: c.individuals.create(**{**PERSON, "first_name": "Other"}))
    assert caught.value.code == "VAL"


def test_catalogs(emu, call):
    countries = call(lambda c: c.individuals.countries())
    argentina = next(c for c in countries if c.alpha3 == "ARG")
    assert isinstance(argentina.subdivisions[0], cryptomate.Subdivision)
    assert {t.type for t in call(lambda c: c.individuals.identification_types("US"))} >= {"SSN"}
    with pytest.raises(cryptomate.NotFoundError):
        call(lambda c: c.individuals.identification_types("ZZ"))


def test_a_read_key_may_read_but_not_write(emu, call):
    emu.add_api_key("reader", level=1)
    assert call(lambda c: c.individuals.list(), api_key="reader") == []
    assert call(lambda c: c.list_clients(), api_key="reader") == []
    for write in (lambda c: c.individuals.create(**PERSON), lambda c: c.create_client(first_name="x"),
                  lambda c: c.enable_otp("client_1")):
        with pytest.raises(cryptomate.AuthenticationError):
            call(write, api_key="reader")
    # nothing was written, in either generation
    assert call(lambda c: c.individuals.list()) == [] and call(lambda c: c.list_clients()) == []


def test_add_individual_seeds_without_http(emu):
    seeded = emu.add_individual(first_name="Grace", last_name="Hopper", email="g@example.com", birth_date="1906-12-09",
                                address=cryptomate.IndividualAddress(city="New York", country="USA"))
    assert seeded.id and seeded.status == "pending"
    assert emu.get_individual(seeded.id).first_name == "Grace"
    assert emu.requests == []
    emu.reset()
    assert emu.get_individual(seeded.id) is None

"""`cryptomate individuals create|list|get|replace|update|delete|countries|identification-types`, end to end
against the emulator, in-process through `cli.main` (the console path is the same `main`: see
test_cli_clients.py)."""

from __future__ import annotations

import json
import re

import pytest

from cryptomate._native import _endpoint_table, _field_table
from _cli import cli_of, flag_of, required_fields, run, table

BASE = "/management/clients/individuals"
ADDRESS = {"street_line1": "Av. Corrientes 1234", "city": "Buenos Aires", "postal_code": "1043", "state": "ARG-C",
           "country": "ARG"}


@pytest.fixture
def cli(emu, capsys):
    return cli_of("individuals", emu, capsys)


def person_flags(email="ada@example.com", **changes):
    flags = {"--first-name": "Ada", "--last-name": "Lovelace", "--email": email, "--birth-date": "1990-12-10",
             "--address-json": json.dumps(ADDRESS), "--phone-country-code": "54", "--phone-number": "1155551234"}
    flags.update(changes)
    return [item for pair in flags.items() if pair[1] is not None for item in pair]


PERSON_BODY = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "birth_date": "1990-12-10",
               "address": ADDRESS, "phone_country_code": 54, "phone_number": 1155551234}


def sent(emu, method, path=BASE):
    return [r for r in emu.requests if r.method == method and r.path == path]


@pytest.fixture
def person(cli, emu):
    """An individual created through the CLI: its to_dict()."""
    code, out, err = cli("create", *person_flags(), "--json")
    assert code == 0, err
    return json.loads(out)


# --- flags, usage errors (no request goes out) ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["create", "replace", "update"])
def test_field_flags_come_from_the_field_table(capsys, action):
    code, out, _ = run(capsys, "individuals", action, "--help")
    assert code == 0
    accepted = {name for name, _, _ in _endpoint_table()["individuals.create"][3]}
    for name, family in _field_table()["IndividualClient"]:
        flag = flag_of(name, family)
        present = re.search(rf"{re.escape(flag)}\b(?!-)", out) is not None
        assert present == (name in accepted), (action, name)
    assert "--address-json" in out and "--status" not in out and "--created-at" not in out
    assert "exit status" in out and "2 usage error" in out


@pytest.mark.parametrize("action, argv", [("create", []), ("replace", ["ind_1"])])
def test_missing_required_fields_are_one_usage_error_naming_each(cli, emu, action, argv):
    code, out, err = cli(action, *argv, "--first-name", "Ada", "--phone-number", "1155551234")
    assert (code, out) == (2, "")
    assert "usage:" in err and "missing required" in err
    missing = err.split("missing required", 1)[1]
    required = required_fields(f"individuals.{action}")
    assert "first_name" in required and len(required) > 1
    assert all(name in missing for name in required if name != "first_name") and "first_name" not in missing
    assert emu.requests == []


@pytest.mark.parametrize("argv", [
    ["create", *person_flags(**{"--birth-date": "1990-13-45"})],             # the SDK: not a date
    ["create", *person_flags(**{"--phone-number": "12x"})],
    ["create", *person_flags(**{"--address-json": '{"street_line_1": "x"}'})],  # the SDK: a Gen 1 key
    ["create", *person_flags(**{"--address-json": "{city"})],
    ["create", *person_flags(), "--sms", "true"],                            # not a field of an individual
    ["update", "ind_1"],                                                     # nothing to change
    ["update", "ind_1", "--birth-date", "tomorrow"],
    ["update", *person_flags()],                                             # no ID
    ["get"],
    ["delete"],
    ["identification-types"],
    ["list", "extra"],
], ids=["create-bad-date", "create-bad-int", "create-gen1-address-key", "create-bad-json", "create-unknown-flag",
        "update-nothing", "update-bad-date", "update-no-id", "get-no-id", "delete-no-id", "types-no-country",
        "list-extra"])
def test_usage_errors(cli, emu, argv):
    code, out, err = cli(*argv)
    assert (code, out) == (2, ""), err
    assert "usage:" in err and "error:" in err
    assert emu.requests == []


# --- against the emulator's Gen 2 endpoints ---------------------------------------------------------------------


def test_create_sends_exactly_the_flags_given(cli, emu):
    code, out, err = cli("create", *person_flags())
    assert code == 0, err
    assert sent(emu, "POST")[-1].json == PERSON_BODY
    fields = table(out)
    assert fields["first_name"] == "Ada" and fields["email"] == "ada@example.com"
    assert json.loads(fields["address"]) == ADDRESS
    assert fields["id"] and err == ""


def test_create_json_get_and_list(cli, emu, person):
    assert person["first_name"] == "Ada" and person["address"] == ADDRESS and person["birth_date"] == "1990-12-10"
    code, out, err = cli("get", person["id"], "--json")
    assert code == 0, err
    assert json.loads(out) == person
    assert sent(emu, "GET", f"{BASE}/{person['id']}")

    code, out, err = cli("list", "--json")
    assert code == 0, err
    assert json.loads(out) == [person]
    code, out, err = cli("list")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["id", "status", "first_name", "last_name", "email", "birth_date"]
    assert len(rows) == 1 and rows[0].split()[0] == person["id"]
    assert {"Ada", "Lovelace", "ada@example.com", "1990-12-10"} <= set(rows[0].split())


def test_a_duplicate_is_refused_by_the_api_with_exit_1(cli, emu, person):
    code, out, err = cli("create", *person_flags())
    assert (code, out) == (1, "")
    assert "BadRequestError" in err


def test_get_of_a_missing_id_exits_1(cli):
    code, out, err = cli("get", "ind_missing")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err and "ind_missing" in err


def test_replace_sends_exactly_the_flags_given(cli, emu, person):
    address = {"street_line1": "Calle 1", "city": "Rosario", "postal_code": "2000", "state": "ARG-S",
               "country": "ARG"}
    code, out, err = cli("replace", person["id"], "--first-name", "Augusta", "--last-name", "King",
                         "--email", "ada@example.com", "--birth-date", "1990-12-10",
                         "--address-json", json.dumps(address), "--json")
    assert code == 0, err
    assert sent(emu, "PUT", f"{BASE}/{person['id']}")[-1].json == {
        "first_name": "Augusta", "last_name": "King", "email": "ada@example.com", "birth_date": "1990-12-10",
        "address": address}
    record = json.loads(out)
    assert record["id"] == person["id"] and record["first_name"] == "Augusta" and record["address"] == address
    assert record.get("phone_number") is None  # a replacement: what is not sent is gone


def test_update_merges_into_the_stored_record(cli, emu, person):
    code, out, err = cli("update", person["id"], "--address-json", '{"city": "Rosario"}', "--second-name", "Byron")
    assert code == 0, err
    get, put = emu.requests[-2:]
    assert (get.method, get.path) == ("GET", f"{BASE}/{person['id']}")
    assert (put.method, put.path) == ("PUT", f"{BASE}/{person['id']}")
    assert put.json == {**PERSON_BODY, "second_name": "Byron", "address": {**ADDRESS, "city": "Rosario"}}
    fields = table(out)
    assert fields["second_name"] == "Byron" and fields["first_name"] == "Ada"
    assert json.loads(fields["address"]) == {**ADDRESS, "city": "Rosario"}


def test_update_of_a_missing_id_exits_1(cli, emu):
    code, out, err = cli("update", "ind_missing", "--first-name", "X")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err
    assert not [r for r in emu.requests if r.method == "PUT"]


def test_delete(cli, emu, person):
    code, out, err = cli("delete", person["id"], "--json")
    assert code == 0, err
    assert json.loads(out) == {"id": person["id"], "deleted": True}
    assert sent(emu, "DELETE", f"{BASE}/{person['id']}")
    code, out, err = cli("get", person["id"])
    assert (code, out) == (1, "") and "NotFoundError" in err
    code, out, err = cli("delete", person["id"])
    assert (code, out) == (1, "") and "NotFoundError" in err


def test_delete_table(cli, person):
    code, out, err = cli("delete", person["id"])
    assert (code, out, err) == (0, f"deleted {person['id']}\n", "")


def test_countries(cli, emu):
    code, out, err = cli("countries", "--json")
    assert code == 0, err
    countries = json.loads(out)
    assert isinstance(countries, list) and countries
    usa = next(c for c in countries if c["alpha3"] == "USA")
    assert set(usa) >= {"name", "alpha3", "postal_code_format", "subdivisions"}
    assert all(set(s) == {"name", "code"} for s in usa["subdivisions"])
    assert emu.requests[-1].path == f"{BASE}/countries"

    code, out, err = cli("countries")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["alpha3", "name", "postal_code_format", "subdivisions"]
    assert len(rows) == len(countries)
    row = next(r for r in rows if r.startswith("USA "))
    subdivision = usa["subdivisions"][0]
    assert usa["name"] in row and f"{subdivision['code']} {subdivision['name']}" in row


def test_identification_types(cli, emu):
    code, out, err = cli("identification-types", "US", "--json")
    assert code == 0, err
    types = json.loads(out)
    assert {"type": "SSN", "description": "Social Security Number"} in types
    assert all(set(t) == {"type", "description"} for t in types)
    assert emu.requests[-1].path == f"{BASE}/identifications/US"

    code, out, err = cli("identification-types", "US")
    assert code == 0, err
    header, *rows = out.splitlines()
    assert header.split() == ["type", "description"]
    assert len(rows) == len(types) and any(re.fullmatch(r"SSN\s+Social Security Number", r) for r in rows)


def test_identification_types_of_an_unknown_country_exits_1(cli):
    code, out, err = cli("identification-types", "ZZ")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err

"""`cryptomate clients get|list|create|create-business|update|delete|enable-otp|by-phone`, end to end against
the emulator (in-process through `cli.main`, and in a child interpreter for the console path)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

from cryptomate._native import _endpoint_table, _field_table
from _child import child_env
from _cli import cli_of, flag_of, required_fields, run, table

SUMMARY_RE = re.compile(r"updated (\d+) / failed (\d+) / \d+(\.\d+)? s")
TIMEOUT = 60


@pytest.fixture
def cli(emu, capsys):
    return cli_of("clients", emu, capsys)


def puts(emu, client_id=None):
    return [r for r in emu.requests
            if r.method == "PUT" and (client_id is None or r.path == f"/management/clients/{client_id}")]


def json_lines(out):
    return [json.loads(line) for line in out.splitlines()]


def summary(err):
    found = SUMMARY_RE.search(err)
    assert found, err
    return int(found.group(1)), int(found.group(2))


# --- get -------------------------------------------------------------------------------------------------------


def test_get_prints_a_table_of_the_set_fields(cli, seeded):
    code, out, err = cli("get", seeded.id)
    assert code == 0, err
    fields = table(out)
    assert fields["id"] == seeded.id
    assert fields["first_name"] == "Ada" and fields["last_name"] == "Lovelace"
    assert fields["sms"] == "true"
    assert "phone_number" not in fields  # not set, not shown
    assert err == ""


def test_get_json_is_the_record(cli, seeded):
    code, out, err = cli("get", seeded.id, "--json")
    assert code == 0, err
    assert json_lines(out) == [seeded.to_dict()]


def test_get_of_a_missing_id_exits_1_with_the_error(cli):
    code, out, err = cli("get", "client_does_not_exist")
    assert code == 1
    assert out == ""
    assert "NotFoundError" in err and "client_does_not_exist" in err


def test_key_and_url_from_the_environment(emu, seeded, capsys, monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_API_KEY", emu.api_key)
    monkeypatch.setenv("CRYPTOMATE_BASE_URL", emu.base_url)
    code, out, err = run(capsys, "clients", "get", seeded.id, "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == seeded.id


def test_no_api_key_is_a_usage_error(emu, seeded, capsys):
    code, out, err = run(capsys, "clients", "get", seeded.id, "--base-url", emu.base_url)
    assert code == 2
    assert "CRYPTOMATE_API_KEY" in err
    assert emu.requests == []


def test_a_wrong_key_is_not_echoed(emu, seeded, capsys):
    code, out, err = run(capsys, "clients", "get", seeded.id, "--base-url", emu.base_url, "--api-key", "sekrit-123")
    assert code == 1
    assert "AuthenticationError" in err
    assert "sekrit-123" not in out + err


# --- update ID ---------------------------------------------------------------------------------------------


def test_update_with_typed_flags(cli, emu, seeded):
    code, out, err = cli("update", seeded.id, "--sms", "false", "--phone-number", "4155551234",
                         "--birth-date", "1990-01-02", "--address-json", '{"city": "Paris"}', "--first-name", "John")
    assert code == 0, err
    body = puts(emu)[-1].json
    assert body == {"sms": False, "phone_number": 4155551234, "birth_date": "1990-01-02",
                    "address": {"city": "Paris"}, "first_name": "John"}
    assert body["sms"] is False and type(body["phone_number"]) is int
    stored = emu.get(seeded.id)
    assert (stored.sms, stored.phone_number, stored.first_name, stored.last_name) == (False, 4155551234, "John",
                                                                                        "Lovelace")
    assert str(stored.birth_date) == "1990-01-02" and stored.address.city == "Paris"
    fields = table(out)
    assert fields["first_name"] == "John" and fields["sms"] == "false"


def test_update_json_prints_the_updated_record(cli, emu, seeded):
    code, out, err = cli("update", seeded.id, "--documents-json", '[{"name": "passport"}]', "--json")
    assert code == 0, err
    assert json_lines(out) == [emu.get(seeded.id).to_dict()]
    assert puts(emu)[-1].json == {"documents": [{"name": "passport"}]}


@pytest.mark.parametrize("text, expected", [("true", True), ("False", False), ("YES", True), ("no", False),
                                            ("1", True), ("0", False)])
def test_bool_spellings(cli, emu, seeded, text, expected):
    code, _, err = cli("update", seeded.id, "--otp", text)
    assert code == 0, err
    assert puts(emu)[-1].json == {"otp": expected}


@pytest.mark.parametrize("flags", [
    ["--sms", "maybe"],
    ["--sms", ""],
    ["--phone-number", "12x"],
    ["--phone-number", "0x10"],
    ["--phone-number", "1_000"],
    ["--address-json", "{city: Paris}"],
    ["--address-json", '{"bogus": 1}'],          # the SDK: unknown field of Address
    ["--documents-json", '[{"x": 1}]'],          # the SDK: unknown field of Document
    ["--birth-date", "1990-13-45"],              # the SDK: not a date
    ["--address-json", "[1, 2]"],                # the SDK: not an object
    ["--no-such-field", "x"],
    [],                                          # no field at all
], ids=lambda flags: " ".join(flags) or "no-fields")
def test_bad_flag_values_are_usage_errors(cli, emu, seeded, flags):
    code, out, err = cli("update", seeded.id, *flags)
    assert code == 2, (out, err)
    assert "usage:" in err and "error:" in err
    assert puts(emu) == []


def test_the_sdk_message_is_shown_for_an_unknown_nested_field(cli, seeded):
    code, _, err = cli("update", seeded.id, "--address-json", '{"bogus": 1}')
    assert code == 2
    assert "bogus" in err


def test_update_of_a_missing_id_exits_1(cli, emu):
    code, out, err = cli("update", "client_nope", "--first-name", "X")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err


def test_a_server_error_exits_1(cli, emu, seeded):
    emu.fail_next(status=400, times=1)
    code, out, err = cli("update", seeded.id, "--first-name", "X")
    assert (code, out) == (1, "")
    assert "BadRequestError" in err


def test_update_flags_come_from_the_field_table(capsys):
    code, out, _ = run(capsys, "clients", "update", "--help")
    assert code == 0
    writable = {name for name, _, _ in _endpoint_table()["update_client"][3]}
    assert writable and writable < {name for name, _ in _field_table()["CompanyClient"]}
    for name, family in _field_table()["CompanyClient"]:
        flag = flag_of(name, family)
        assert re.search(rf"{re.escape(flag)}\b(?!-)", out) if name in writable else flag + " " not in out, (name, out)
    assert "--status" not in out and "--created-at" not in out
    assert "exit status" in out and "2 usage error" in out


# --- update --file -------------------------------------------------------------------------------------------


def write_jsonl(path, *lines):
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def write_csv(path, header, *rows):
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_file_jsonl_every_row_reported_in_order(cli, emu, tmp_path):
    a = emu.add_client(first_name="Ann", sms=True)
    b = emu.add_client(first_name="Bob")
    c = emu.add_client(first_name="Cid")
    source = write_jsonl(
        tmp_path / "updates.jsonl",
        json.dumps({"id": a.id, "first_name": "Anna", "sms": False}),        # 1 ok
        "",                                                                   # 2 blank: ignored
        json.dumps({"id": b.id, "phone_number": 4155551234}),                 # 3 ok
        "{not json",                                                          # 4 bad: invalid JSON
        json.dumps({"id": "client_missing", "first_name": "Zed"}),            # 5 fails: 404
        json.dumps({"first_name": "NoId"}),                                   # 6 bad: no id
        json.dumps({"id": c.id, "sms": "maybe"}),                             # 7 fails: the SDK's TypeError
        json.dumps({"id": c.id, "status": "ACTIVE"}),                         # 8 bad: read-only
        json.dumps({"id": c.id, "last_name": "Last"}),                        # 9 ok
    )
    code, out, err = cli("update", "--file", str(source), "--json", "--concurrency", "2")
    assert code == 1, err
    results = json_lines(out)
    assert len(results) == 8  # one per row, the blank line is not a row
    assert [r["id"] for r in results] == [a.id, b.id, None, "client_missing", None, c.id, c.id, c.id]
    assert results[0] == emu.get(a.id).to_dict()
    assert results[0]["first_name"] == "Anna" and results[0]["sms"] is False
    assert results[1]["phone_number"] == 4155551234 and results[7]["last_name"] == "Last"
    assert [r.get("error_type") for r in results] == [None, None, "ValueError", "NotFoundError", "ValueError",
                                                      "TypeError", "ValueError", None]
    assert "status" in results[6]["error"]
    assert summary(err) == (3, 5)
    for line, what in [(4, "ValueError"), (5, "NotFoundError"), (6, "ValueError"), (7, "TypeError"),
                       (8, "ValueError")]:
        assert re.search(rf"^line {line}: id \S+: {what}: ", err, re.MULTILINE), (line, err)
    assert "line 5: id client_missing: NotFoundError" in err
    # only the good rows went out, with exactly their fields
    assert puts(emu, a.id)[0].json == {"first_name": "Anna", "sms": False}
    assert puts(emu, b.id)[0].json == {"phone_number": 4155551234}
    assert [r.json for r in puts(emu, c.id)] == [{"last_name": "Last"}]
    assert emu.get(c.id).last_name == "Last" and emu.get(c.id).status != "ACTIVE"


def test_file_csv_typed_cells_and_empty_cells(cli, emu, tmp_path):
    a = emu.add_client(first_name="Ann", sms=True, last_name="Keep")
    b = emu.add_client(first_name="Bob", phone_number=1)
    c = emu.add_client(first_name="Cid")
    source = write_csv(
        tmp_path / "updates.csv",
        ["id", "first_name", "last_name", "sms", "phone_number", "birth_date", "address", "nickname"],
        [a.id, "Anna", "", "false", "", "1990-01-02", '{"city": "Paris"}', ""],     # 2 ok, empty cells not sent
        [b.id, "", "", "", "4155551234", "", "", ""],                                 # 3 ok
        [c.id, "X", "", "maybe", "", "", "", ""],                                     # 4 bad: not a bool
        [c.id, "", "", "", "12x", "", "", ""],                                        # 5 bad: not an int
        [c.id, "", "", "", "", "", "{city", ""],                                      # 6 bad: not JSON
        [c.id, "", "", "", "", "", "", "Cy"],                                         # 7 bad: unknown column
        ["", "Nobody", "", "", "", "", "", ""],                                       # 8 bad: no id
        [c.id, "Cyd", "", "", "", "", "", "", "extra"],                               # 9 bad: too many cells
        ["", "", "", "", "", "", "", ""],                                             # 10 empty row: ignored
        [c.id, "", "", "YES", "", "", "", ""],                                        # 11 ok
    )
    code, out, err = cli("update", "--file", str(source), "--json")
    assert code == 1, err
    results = json_lines(out)
    assert [r.get("error_type", "ok") for r in results] == ["ok", "ok"] + ["ValueError"] * 6 + ["ok"]
    assert summary(err) == (3, 6)
    for line, words in [(4, "sms"), (5, "phone_number"), (6, "address"), (7, "nickname"), (8, "no id"),
                        (9, "cells")]:
        assert re.search(rf"^line {line}: id \S+: ValueError: .*{words}", err, re.MULTILINE), (line, err)
    assert puts(emu, a.id)[0].json == {"first_name": "Anna", "sms": False, "birth_date": "1990-01-02",
                                       "address": {"city": "Paris"}}
    assert puts(emu, b.id)[0].json == {"phone_number": 4155551234}
    assert [r.json for r in puts(emu, c.id)] == [{"sms": True}]
    assert emu.get(a.id).last_name == "Keep" and emu.get(a.id).sms is False


def test_file_without_json_prints_a_table_and_summary(cli, emu, tmp_path):
    a = emu.add_client(first_name="Ann")
    source = write_jsonl(tmp_path / "u.jsonl", json.dumps({"id": a.id, "first_name": "Anna"}),
                         json.dumps({"id": "client_missing", "first_name": "Zed"}))
    code, out, err = cli("update", "--file", str(source))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["line", "id", "status", "detail"]
    assert lines[1].split()[:4] == ["1", a.id, "ok", "first_name"]
    assert lines[2].split()[:4] == ["2", "client_missing", "failed", "NotFoundError:"]
    assert summary(err) == (1, 1)


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_failed_rows_written_in_the_input_format_and_fed_back(cli, emu, tmp_path, kind):
    a = emu.add_client(first_name="Ann")
    rows = [(a.id, "Anna", "false"), ("client_later", "Zed", "true")]
    if kind == "jsonl":
        lines = [json.dumps({"id": i, "first_name": n, "sms": s == "true"}) for i, n, s in rows]
        source = write_jsonl(tmp_path / "updates.jsonl", *lines)
        expected = lines[1] + "\n"
    else:
        source = write_csv(tmp_path / "updates.csv", ["id", "first_name", "sms"], *rows)
        expected = "id,first_name,sms\nclient_later,Zed,true\n"
    failed = tmp_path / f"failed.{kind}"
    code, _, err = cli("update", "--file", str(source), "--failed", str(failed))
    assert code == 1
    assert summary(err) == (1, 1)
    assert failed.read_text(encoding="utf-8") == expected

    emu.add_client(id="client_later", first_name="Later")
    again = tmp_path / f"again.{kind}"
    code, out, err = cli("update", "--file", str(failed), "--failed", str(again), "--json")
    assert code == 0, err
    assert summary(err) == (1, 0)
    assert [r["id"] for r in json_lines(out)] == ["client_later"]
    assert (emu.get("client_later").first_name, emu.get("client_later").sms) == ("Zed", True)
    assert again.read_text(encoding="utf-8") == ("" if kind == "jsonl" else "id,first_name,sms\n")


def test_csv_with_a_bom_and_crlf(cli, emu, tmp_path):
    a = emu.add_client(first_name="Ann")
    source = tmp_path / "excel.csv"
    source.write_bytes(f"\ufeffid,first_name\r\n{a.id},Anna\r\n".encode())
    code, _, err = cli("update", "--file", str(source))
    assert code == 0, err
    assert emu.get(a.id).first_name == "Anna"


def test_empty_file_updates_nothing(cli, emu, tmp_path):
    code, out, err = cli("update", "--file", str(write_jsonl(tmp_path / "none.jsonl")), "--json")
    assert (code, out) == (0, "")
    assert summary(err) == (0, 0)


@pytest.mark.parametrize("make_args", [
    lambda tmp: ["--file", str(tmp / "missing.jsonl")],
    lambda tmp: ["--file", str(write_jsonl(tmp / "updates.txt", "{}"))],
    lambda tmp: ["--file", str(write_jsonl(tmp / "u.jsonl", "{}")), "--first-name", "X"],
    lambda tmp: ["client_1", "--file", str(write_jsonl(tmp / "u.jsonl", "{}"))],
    lambda tmp: ["--file", str(write_jsonl(tmp / "u.jsonl", "{}")), "--concurrency", "0"],
    lambda tmp: ["--file", str(write_jsonl(tmp / "u.jsonl", "{}")), "--failed", str(tmp / "u.jsonl")],
    lambda tmp: ["--file", str(write_jsonl(tmp / "u.jsonl", "{}")), "--failed", str(tmp / "no" / "dir.jsonl")],
    lambda tmp: ["--file", str(write_csv(tmp / "u.csv", ["first_name"], ["X"]))],
    lambda tmp: ["--file", str(write_csv(tmp / "u.csv", ["id", "sms", "sms"], ["c", "true", "false"]))],
    lambda tmp: ["--file", str(write_jsonl(tmp / "u.csv", "", "id,first_name", "c,X"))],
    lambda tmp: ["client_1", "--first-name", "X", "--failed", str(tmp / "f.jsonl")],
    lambda tmp: [],
], ids=["missing-file", "txt", "file-and-flags", "file-and-id", "concurrency-0", "failed-is-input",
        "failed-unwritable", "csv-no-id-column", "csv-repeated-column", "csv-blank-header", "failed-without-file",
        "nothing"])
def test_file_usage_errors(cli, emu, tmp_path, make_args):
    code, out, err = cli("update", *make_args(tmp_path))
    assert code == 2, (out, err)
    assert "error:" in err
    assert puts(emu) == []


def test_a_file_that_is_not_utf8_is_a_usage_error(cli, emu, tmp_path):
    source = tmp_path / "latin1.jsonl"
    source.write_bytes(b'{"id": "client_1", "first_name": "Jos\xe9"}\n')
    code, out, err = cli("update", "--file", str(source))
    assert code == 2, err
    assert "cannot read" in err and "utf-8" in err
    assert puts(emu) == []


@pytest.mark.parametrize("as_json", [False, True])
def test_progress_only_on_a_terminal_and_not_with_json(cli, emu, tmp_path, monkeypatch, as_json):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # the SDK's plain progress line, whatever is installed
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    a = emu.add_client(first_name="Ann")
    source = write_jsonl(tmp_path / "u.jsonl", json.dumps({"id": a.id, "first_name": "Anna"}))
    code, _, err = cli("update", "--file", str(source), *(["--json"] if as_json else []))
    assert code == 0, err
    assert ("update_clients: 1/1" in err) is not as_json, err
    assert summary(err) == (1, 0)


# --- list --------------------------------------------------------------------------------------------------


def query(request):
    return parse_qs(urlsplit(request.path).query)


def test_list_prints_a_row_per_client(cli, emu):
    a = emu.add_client(first_name="Ann", last_name="Lee", email="ann@example.com", sms=True)
    b = emu.add_client(first_name="Bob", last_name="Ray")
    code, out, err = cli("list")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "type", "status", "first_name", "last_name", "email", "otp", "sms",
                                "whatsapp", "telegram"]
    assert len(lines) == 3
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {a.id, b.id}
    assert {"Ann", "Lee", "ann@example.com", "true"} <= set(rows[a.id])
    assert {"Bob", "Ray"} <= set(rows[b.id]) and "true" not in rows[b.id]
    assert emu.requests[-1].path == "/management/clients"
    assert err == ""


def test_list_json_is_one_array_and_the_filters_go_in_the_query(cli, emu):
    a = emu.add_client(first_name="Ann", sms=True, otp=False)
    emu.add_client(first_name="Bob", sms=False, otp=False)
    emu.add_client(first_name="Cid", sms=True, otp=True)
    code, out, err = cli("list", "--sms", "yes", "--otp", "false", "--json")
    assert code == 0, err
    assert json.loads(out) == [emu.get(a.id).to_dict()]
    assert len(out.splitlines()) == 1  # one JSON document
    request = emu.requests[-1]
    assert (request.method, urlsplit(request.path).path) == ("GET", "/management/clients")
    assert query(request) == {"sms": ["true"], "otp": ["false"]}


def test_list_of_no_clients(cli, emu):
    code, out, err = cli("list", "--json")
    assert (code, out.strip(), err) == (0, "[]", "")
    code, out, err = cli("list", "--telegram", "true")
    assert code == 0 and out.split() == ["id", "type", "status", "first_name", "last_name", "email", "otp", "sms",
                                         "whatsapp", "telegram"]
    assert query(emu.requests[-1]) == {"telegram": ["true"]}


@pytest.mark.parametrize("flags", [["--sms", "maybe"], ["--whatsapp", ""], ["--first-name", "X"], ["client_1"]],
                         ids=" ".join)
def test_list_usage_errors(cli, emu, flags):
    code, out, err = cli("list", *flags)
    assert (code, out) == (2, "")
    assert "usage:" in err and "error:" in err
    assert emu.requests == []


# --- create, create-business ---------------------------------------------------------------------------------


def posts(emu, path="/management/clients"):
    return [r for r in emu.requests if r.method == "POST" and r.path == path]


def test_create_sends_exactly_the_flags_given(cli, emu):
    code, out, err = cli("create", "--first-name", "Bo", "--last-name", "Diddley", "--email", "bo@example.com",
                         "--sms", "false", "--phone-country-code", "1", "--phone-number", "4155551234",
                         "--birth-date", "1990-01-02", "--address-json", '{"city": "Paris", "country": "FRA"}',
                         "--documents-json", '[{"name": "passport"}]', "--bank-ramp", "true",
                         "--individual-cards", "no")
    assert code == 0, err
    body = posts(emu)[-1].json
    assert body == {"first_name": "Bo", "last_name": "Diddley", "email": "bo@example.com", "sms": False,
                    "phone_country_code": 1, "phone_number": 4155551234, "birth_date": "1990-01-02",
                    "address": {"city": "Paris", "country": "FRA"}, "documents": [{"name": "passport"}],
                    "bank_ramp": True, "individual_cards": False}
    fields = table(out)
    stored = emu.get(fields["id"])
    assert (stored.first_name, stored.last_name, stored.sms, stored.phone_number) == ("Bo", "Diddley", False,
                                                                                      4155551234)
    assert fields["first_name"] == "Bo" and fields["email"] == "bo@example.com"
    assert err == ""


def test_create_json_prints_the_new_client(cli, emu):
    code, out, err = cli("create", "--first-name", "Bo", "--json")
    assert code == 0, err
    [record] = json_lines(out)
    assert record["first_name"] == "Bo" and record["id"]
    assert emu.get(record["id"]).first_name == "Bo"
    assert posts(emu)[-1].json == {"first_name": "Bo"}


@pytest.mark.parametrize("flags", [
    [],                                          # no field: refused rather than creating an empty client
    ["--bank-ramp", "maybe"],
    ["--phone-number", "12x"],
    ["--birth-date", "1990-13-45"],              # the SDK: not a date
    ["--address-json", '{"bogus": 1}'],          # the SDK: unknown field of Address
    ["--company-id", "comp_1"],                  # update only
    ["--status", "ACTIVE"],                      # read-only
    ["--associated-persons-json", "[]"],         # business only
], ids=lambda flags: " ".join(flags) or "no-fields")
def test_create_usage_errors(cli, emu, flags):
    code, out, err = cli("create", *flags)
    assert (code, out) == (2, ""), err
    assert "usage:" in err and "error:" in err
    assert posts(emu) == []


def test_create_flags_come_from_the_field_table(capsys):
    endpoints = _endpoint_table()
    known = _field_table()["CompanyClient"] + [(n, f) for n, f, _ in endpoints["create_business_client"][3]]
    for action, call in [("create", "create_client"), ("create-business", "create_business_client")]:
        code, out, _ = run(capsys, "clients", action, "--help")
        assert code == 0
        accepted = {name for name, _, _ in endpoints[call][3]}
        for name, family in known:
            flag = flag_of(name, family)
            present = re.search(rf"{re.escape(flag)}\b(?!-)", out) is not None
            assert present == (name in accepted), (action, name)
        assert "exit status" in out and "2 usage error" in out
    code, out, _ = run(capsys, "clients", "create-business", "--help")
    required = required_fields("create_business_client")
    assert required and all(name in " ".join(out.split()) for name in required)
    code, out, _ = run(capsys, "clients", "create", "--help")
    assert "--bank-ramp" in out and "--company-id" not in out and "--associated-persons-json" not in out


def business_flags(**changes):
    address = '{"street_line_1": "1 Main St", "city": "Austin", "postal_code": "78701", "state": "USA-TX", ' \
              '"country": "USA"}'
    person = {"first_name": "Wile", "last_name": "Coyote", "email": "wile@acme.example", "birth_date": "1949-09-17",
              "residential_address": json.loads(address), "has_control": True, "is_signer": True}
    flags = {"--email": "ops@acme.example", "--business-legal-name": "ACME LLC", "--business-description": "Anvils",
             "--business-type": "llc", "--business-industry-json": '["541511"]', "--registered-address-json": address,
             "--associated-persons-json": json.dumps([person]),
             "--identifying-information-json": '[{"type": "ein", "issuing_country": "USA", "number": "12-3456789"}]',
             "--high-risk-activities-json": "[]", "--primary-website": "https://acme.example",
             "--is-dao": "false", "--ownership-threshold": "25"}
    flags.update(changes)
    return [item for pair in flags.items() if pair[1] is not None for item in pair]


def test_create_business_missing_required_fields_are_one_usage_error(cli, emu):
    code, out, err = cli("create-business", "--email", "ops@acme.example", "--is-dao", "true")
    assert (code, out) == (2, "")
    assert "usage:" in err and "missing required" in err
    missing = err.split("missing required", 1)[1]
    required = required_fields("create_business_client")
    assert "email" in required and len(required) > 1
    for name in required:
        if name != "email":
            assert name in missing, name
    assert "email" not in missing
    assert emu.requests == []


def test_create_business_bad_value_is_a_usage_error(cli, emu):
    code, out, err = cli("create-business", *business_flags(**{"--ownership-threshold": "lots"}))
    assert (code, out) == (2, "")
    assert "--ownership-threshold" in err
    code, out, err = cli("create-business", *business_flags(**{"--associated-persons-json": "[{bad"}))
    assert (code, out) == (2, "")
    assert emu.requests == []


def test_create_business(cli, emu):  # needs the emulator's POST /management/clients/business
    code, out, err = cli("create-business", *business_flags(), "--json")
    assert code == 0, err
    [record] = json_lines(out)
    assert record["type"] == "business" and record["business_legal_name"] == "ACME LLC"
    body = posts(emu, "/management/clients/business")[-1].json
    assert body["business_industry"] == ["541511"] and body["high_risk_activities"] == []
    assert body["is_dao"] is False and body["ownership_threshold"] == 25
    assert body["associated_persons"][0]["has_control"] is True
    assert set(body) == {"email", "business_legal_name", "business_description", "business_type", "business_industry",
                         "registered_address", "associated_persons", "identifying_information",
                         "high_risk_activities", "primary_website", "is_dao", "ownership_threshold"}
    assert emu.get(record["id"]).business_legal_name == "ACME LLC"


def test_create_business_refused_by_the_api_exits_1(cli, emu):  # needs the emulator's business rules
    code, out, err = cli("create-business", *business_flags(**{"--business-type": "llp"}))
    assert (code, out) == (1, "")
    assert "PreconditionFailedError" in err and "business type" in err


# --- delete, enable-otp, by-phone -------------------------------------------------------------------------------


def test_delete(cli, emu, seeded):
    code, out, err = cli("delete", seeded.id)
    assert (code, out, err) == (0, f"deleted {seeded.id}\n", "")
    assert emu.get(seeded.id) is None
    assert (emu.requests[-1].method, emu.requests[-1].path) == ("DELETE", f"/management/clients/{seeded.id}")
    code, out, err = cli("delete", seeded.id, "--json")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err and seeded.id in err


def test_delete_json(cli, emu, seeded):
    code, out, err = cli("delete", seeded.id, "--json")
    assert code == 0, err
    assert json.loads(out) == {"id": seeded.id, "deleted": True}
    assert emu.get(seeded.id) is None


def test_delete_takes_one_id(cli, emu):
    for ids in [(), ("client_a", "client_b")]:
        code, out, err = cli("delete", *ids)
        assert (code, out) == (2, ""), ids
        assert "usage:" in err, ids
    assert emu.requests == []


def test_enable_otp(cli, emu):  # needs the emulator's PATCH .../enable-otp
    a = emu.add_client(first_name="Ann", otp=False)
    code, out, err = cli("enable-otp", a.id)
    assert code == 0, err
    assert table(out)["otp"] == "true"
    request = emu.requests[-1]
    assert (request.method, request.path, request.body) == ("PATCH", f"/management/clients/{a.id}/enable-otp", b"")
    assert emu.get(a.id).otp is True


def test_enable_otp_of_a_missing_id_exits_1(cli, emu):
    code, out, err = cli("enable-otp", "client_nope")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err


def test_by_phone(cli, emu):  # needs the emulator's GET .../by-phone-whatsapp
    a = emu.add_client(first_name="Ann", phone_country_code=1, phone_number=4155551234, whatsapp=True)
    code, out, err = cli("by-phone", "14155551234", "--json")
    assert code == 0, err
    assert json.loads(out) == emu.get(a.id).to_dict()
    request = emu.requests[-1]
    assert urlsplit(request.path).path == "/management/clients/by-phone-whatsapp"
    assert query(request) == {"full_phone_number": ["14155551234"]}
    code, out, err = cli("by-phone", "19999999999")
    assert (code, out) == (1, "")
    assert "NotFoundError" in err


def test_by_phone_bad_number_is_a_usage_error(cli, emu):
    code, out, err = cli("by-phone", "+1 415 555")
    assert (code, out) == (2, ""), err
    assert emu.requests == []


# --- the console path --------------------------------------------------------------------------------------


@pytest.mark.slow
def test_console_get_and_update_file(emu, tmp_path):
    a = emu.add_client(first_name="Ann")
    env = child_env(CRYPTOMATE_API_KEY=emu.api_key, CRYPTOMATE_BASE_URL=emu.base_url)
    command = [sys.executable, "-m", "cryptomate.cli", "clients"]
    result = subprocess.run([*command, "get", a.id, "--json"], capture_output=True, text=True, timeout=TIMEOUT,
                            env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == a.to_dict()

    source = write_jsonl(tmp_path / "u.jsonl", json.dumps({"id": a.id, "first_name": "Anna"}),
                         json.dumps({"id": "client_missing", "first_name": "Zed"}))
    result = subprocess.run([*command, "update", "--file", str(source)], capture_output=True, text=True,
                            timeout=TIMEOUT, env=env)
    assert result.returncode == 1, result.stderr
    assert summary(result.stderr) == (1, 1)
    assert "line 2: id client_missing: NotFoundError" in result.stderr
    assert "Traceback" not in result.stderr and emu.api_key not in result.stdout + result.stderr
    assert emu.get(a.id).first_name == "Anna"


@pytest.mark.slow
def test_console_missing_key_exits_2(emu):
    result = subprocess.run([sys.executable, "-m", "cryptomate.cli", "clients", "get", "client_1"],
                            capture_output=True, text=True, timeout=TIMEOUT, env=child_env(
                                CRYPTOMATE_BASE_URL=emu.base_url))
    assert result.returncode == 2
    assert "CRYPTOMATE_API_KEY" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_console_create_list_delete(emu):
    env = child_env(CRYPTOMATE_API_KEY=emu.api_key, CRYPTOMATE_BASE_URL=emu.base_url)
    command = [sys.executable, "-m", "cryptomate.cli", "clients"]

    def console(*argv):
        result = subprocess.run([*command, *argv], capture_output=True, text=True, timeout=TIMEOUT, env=env)
        assert "Traceback" not in result.stderr and emu.api_key not in result.stdout + result.stderr
        return result

    created = console("create", "--first-name", "Ann", "--sms", "true", "--json")
    assert created.returncode == 0, created.stderr
    record = json.loads(created.stdout)
    listed = console("list", "--sms", "true", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [r["id"] for r in json.loads(listed.stdout)] == [record["id"]]
    assert console("delete", record["id"]).returncode == 0
    assert emu.get(record["id"]) is None
    missing = console("delete", record["id"])
    assert missing.returncode == 1 and "NotFoundError" in missing.stderr
    usage = console("create", "--sms", "maybe")
    assert usage.returncode == 2 and "usage:" in usage.stderr

"""The emulator's documented behaviour, seen over raw HTTP (standard library only, not through the SDK).

Contract: shared/design/testing-kit.md; reference: cryptomate-clients-api.md §2, §3.10-3.15, §4.3, §5.
"""

from __future__ import annotations

import datetime
import http.client
import json
import socket
import time

import pytest

import cryptomate
from cryptomate.testing import Emulator, RecordedRequest
from _raw_http import CLIENTS, Connection, Response, assert_error_body, request

OLD_STAMP = "2020-01-02T03:04:05Z"
OLD_DATETIME = datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)


@pytest.fixture
def emu():
    with Emulator() as emulator:
        yield emulator


def call(emu: Emulator, method: str, path: str, **kwargs) -> Response:
    kwargs.setdefault("key", emu.api_key)
    return request(emu.base_url, method, path, **kwargs)


def parse_stamp(value: str) -> datetime.datetime:
    stamp = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)


def _answered_after_stop(conn: Connection, key: str) -> bool:
    """True when the (already stopped) emulator still answers on this connection."""
    try:
        conn.request("GET", CLIENTS, key=key)
    except (OSError, http.client.HTTPException):
        return False
    return True


# --- starting and stopping -----------------------------------------------------------------------------


def test_starts_and_stops_fast_and_reports_where_it_listens():
    started = time.perf_counter()
    emu = Emulator()
    try:
        elapsed = time.perf_counter() - started
        assert elapsed < 2.0, f"starting took {elapsed:.3f}s"
        assert emu.running is True
        assert emu.base_url == f"http://127.0.0.1:{emu.port}"
        assert 0 < emu.port < 65536
        assert isinstance(emu.api_key, str) and emu.api_key
        assert call(emu, "GET", CLIENTS).status == 200
    finally:
        stopping = time.perf_counter()
        emu.stop()
        assert time.perf_counter() - stopping < 2.0
    assert emu.running is False
    emu.stop()  # idempotent
    assert emu.running is False


def test_context_manager_stops_on_exit():
    with Emulator() as emu:
        assert emu.running
    assert not emu.running


def test_several_emulators_at_once_on_distinct_ports_with_separate_state():
    emulators = [Emulator() for _ in range(5)]
    try:
        ports = {e.port for e in emulators}
        assert len(ports) == len(emulators)
        seeded = [e.add_client(first_name=f"N{i}") for i, e in enumerate(emulators)]
        for i, e in enumerate(emulators):
            listed = call(e, "GET", CLIENTS)
            assert listed.status == 200
            assert [c["first_name"] for c in listed.json] == [f"N{i}"]
            assert [c["id"] for c in listed.json] == [seeded[i].id]
            assert len(e.requests) == 1
    finally:
        for e in emulators:
            e.stop()


def test_explicit_port_and_port_in_use():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Emulator(port=port) as emu:
        assert emu.port == port
        assert emu.base_url == f"http://127.0.0.1:{port}"
        assert call(emu, "GET", CLIENTS).status == 200
        with pytest.raises(OSError):
            Emulator(port=port)


def test_after_stop_connections_are_refused():
    emu = Emulator()
    port = emu.port
    assert call(emu, "GET", CLIENTS).status == 200
    emu.stop()
    deadline = time.monotonic() + 5.0
    for _ in range(500):  # bounded; the port must close promptly
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1.0).close()
        except ConnectionRefusedError:
            break
        except OSError:
            pass
        assert time.monotonic() < deadline, "port still accepting connections 5 s after stop()"
        time.sleep(0.01)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1.0).close()


def test_no_request_is_answered_once_stop_returned():
    ATTEMPTS = 500
    # stop() "stops serving": once it has returned, neither an open keep-alive connection nor a new one may
    # get an answer. Repeated because a stop that only *begins* shutting down loses this race sometimes.
    served_open, served_new = [], []
    for attempt in range(ATTEMPTS):
        emu = Emulator()
        with Connection(emu.base_url) as open_conn:
            assert open_conn.request("GET", CLIENTS, key=emu.api_key).status == 200
            emu.stop()
            if _answered_after_stop(open_conn, emu.api_key):
                served_open.append(attempt)
        with Connection(emu.base_url) as new_conn:
            if _answered_after_stop(new_conn, emu.api_key):
                served_new.append(attempt)
    assert not served_open and not served_new, (
        f"answered after stop() returned: on an open connection in attempts {served_open}, "
        f"on a new connection in attempts {served_new} (of {ATTEMPTS})"
    )


# --- authentication and access levels ------------------------------------------------------------------


def test_missing_key_is_401_api_error(emu):
    seeded = emu.add_client(first_name="Ada")
    for method, path in [("GET", CLIENTS), ("GET", f"{CLIENTS}/{seeded.id}")]:
        assert_error_body(call(emu, method, path, key=None), 401, "API_ERROR")
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key=None, json={"first_name": "Eve"})
    assert_error_body(answer, 401, "API_ERROR")
    assert emu.get(seeded.id).first_name == "Ada"


def test_unknown_key_is_401_api_error(emu):
    seeded = emu.add_client(first_name="Ada")
    assert_error_body(call(emu, "GET", f"{CLIENTS}/{seeded.id}", key="not-a-key"), 401, "API_ERROR")
    assert_error_body(call(emu, "GET", CLIENTS, key=emu.api_key + "x"), 401, "API_ERROR")
    answer = call(emu, "POST", CLIENTS, key="not-a-key", json={"first_name": "Eve"})
    assert_error_body(answer, 401, "API_ERROR")
    assert [c.id for c in [emu.get(seeded.id)]] == [seeded.id]
    assert len(call(emu, "GET", CLIENTS).json) == 1


@pytest.mark.parametrize("header", ["X-API-KEY", "x-api-key", "X-Api-Key"])
def test_key_header_name_in_any_case(emu, header):
    seeded = emu.add_client(first_name="Ada")
    answer = call(emu, "GET", f"{CLIENTS}/{seeded.id}", key_header=header)
    assert answer.status == 200, answer.body
    assert answer.json["id"] == seeded.id
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key_header=header, json={"sms": True})
    assert answer.status == 200, answer.body


def test_level_1_key_reads_but_cannot_write(emu):
    emu.add_api_key("reader-key", level=1)
    seeded = emu.add_client(first_name="Ada", phone_country_code=54, phone_number=1100000001)
    assert call(emu, "GET", CLIENTS, key="reader-key").status == 200
    got = call(emu, "GET", f"{CLIENTS}/{seeded.id}", key="reader-key")
    assert got.status == 200 and got.json["first_name"] == "Ada"
    assert_error_body(call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key="reader-key", json={"first_name": "Eve"}), 401,
                      "API_ERROR")
    assert_error_body(call(emu, "POST", CLIENTS, key="reader-key", json={"first_name": "Eve"}), 401, "API_ERROR")
    assert_error_body(call(emu, "DELETE", f"{CLIENTS}/{seeded.id}", key="reader-key"), 401, "API_ERROR")
    # nothing changed
    assert emu.get(seeded.id).first_name == "Ada"
    assert len(call(emu, "GET", CLIENTS).json) == 1


def test_level_2_key_cannot_write_and_added_level_3_key_can(emu):
    emu.add_api_key("operator-key", level=2)
    emu.add_api_key("admin-key", level=3)
    seeded = emu.add_client(first_name="Ada")
    assert call(emu, "GET", f"{CLIENTS}/{seeded.id}", key="operator-key").status == 200
    assert_error_body(call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key="operator-key", json={"first_name": "E"}), 401,
                      "API_ERROR")
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key="admin-key", json={"first_name": "Grace"})
    assert answer.status == 200, answer.body
    assert emu.get(seeded.id).first_name == "Grace"


def test_add_api_key_default_level_is_3(emu):
    emu.add_api_key("another-writer")
    answer = call(emu, "POST", CLIENTS, key="another-writer", json={"first_name": "Ada"})
    assert answer.status == 200, answer.body


# --- the endpoints ----------------------------------------------------------------------------------------


def test_get_returns_the_stored_client(emu):
    seeded = emu.add_client(first_name="Ada", last_name="Lovelace", email="ada@example.com", sms=True,
                            phone_country_code=44, phone_number=2079460000)
    answer = call(emu, "GET", f"{CLIENTS}/{seeded.id}")
    assert answer.status == 200
    assert answer.header("content-type", ).startswith("application/json")
    body = answer.json
    assert body["id"] == seeded.id and body["id"].startswith("client_")
    assert body["company_id"] == seeded.company_id and body["company_id"]
    assert body["type"] == "individual"
    assert body["status"] == "PENDING"
    assert (body["first_name"], body["last_name"], body["email"]) == ("Ada", "Lovelace", "ada@example.com")
    assert body["sms"] is True
    assert (body["phone_country_code"], body["phone_number"]) == (44, 2079460000)
    assert body["created_at"] and body["updated_at"]
    assert cryptomate.CompanyClient(**{k: v for k, v in body.items()}) == seeded


def test_list_returns_a_bare_array_and_applies_boolean_filters(emu):
    a = emu.add_client(first_name="A", sms=True, otp=True, whatsapp=False, telegram=True)
    b = emu.add_client(first_name="B", sms=False, otp=True, whatsapp=True, telegram=False)
    c = emu.add_client(first_name="C", sms=True, otp=False, whatsapp=False, telegram=False)

    def ids(query: str) -> set:
        answer = call(emu, "GET", CLIENTS + query)
        assert answer.status == 200, (query, answer.body)
        assert isinstance(answer.json, list)
        return {item["id"] for item in answer.json}

    assert ids("") == {a.id, b.id, c.id}
    assert ids("?sms=true") == {a.id, c.id}
    assert ids("?sms=false") == {b.id}
    assert ids("?otp=true") == {a.id, b.id}
    assert ids("?whatsapp=true") == {b.id}
    assert ids("?telegram=true") == {a.id}
    assert ids("?telegram=false") == {b.id, c.id}
    assert ids("?sms=true&otp=true") == {a.id}
    assert ids("?sms=true&otp=false") == {c.id}
    assert ids("?whatsapp=true&telegram=true") == set()


def test_list_of_an_empty_company_is_an_empty_array(emu):
    answer = call(emu, "GET", CLIENTS)
    assert answer.status == 200 and answer.json == []


def test_post_creates_a_pending_individual_client(emu):
    answer = call(emu, "POST", CLIENTS, json={
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com",
        "phone_country_code": 54, "phone_number": 1168860622, "sms": True,
        "birth_date": "1815-12-10", "address": {"city": "London", "country": "GBR"},
    })
    assert answer.status in (200, 201), answer.body
    body = answer.json
    assert body["id"].startswith("client_")
    assert body["company_id"]
    assert body["type"] == "individual"
    assert body["status"] == "PENDING"
    assert body["first_name"] == "Ada" and body["phone_number"] == 1168860622
    assert body["address"]["city"] == "London"
    assert body["created_at"] and body["updated_at"]
    stored = emu.get(body["id"])
    assert stored is not None and stored.first_name == "Ada" and stored.birth_date == datetime.date(1815, 12, 10)
    got = call(emu, "GET", f"{CLIENTS}/{body['id']}")
    assert got.status == 200 and got.json == body
    # distinct ids, same company
    second = call(emu, "POST", CLIENTS, json={"first_name": "Grace"}).json
    assert second["id"] != body["id"] and second["company_id"] == body["company_id"]


def test_delete_removes_the_client(emu):
    keep = emu.add_client(first_name="Keep")
    gone = emu.add_client(first_name="Gone")
    answer = call(emu, "DELETE", f"{CLIENTS}/{gone.id}")
    assert answer.status in (200, 204), answer.body
    if answer.status == 200 and answer.body:
        assert answer.json["id"] == gone.id
    assert emu.get(gone.id) is None
    assert emu.get(keep.id) is not None
    assert [c["id"] for c in call(emu, "GET", CLIENTS).json] == [keep.id]
    body = assert_error_body(call(emu, "GET", f"{CLIENTS}/{gone.id}"), 404, "NOT_FOUND")
    assert body["message"] == f"Company client not found with id: {gone.id}"
    body = assert_error_body(call(emu, "DELETE", f"{CLIENTS}/{gone.id}"), 404, "NOT_FOUND")
    assert body["message"] == f"Company client not found with id: {gone.id}"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_unknown_id_is_404_not_found_with_the_documented_message(emu, method):
    kwargs = {"json": {"first_name": "John"}} if method == "PUT" else {}
    answer = call(emu, method, f"{CLIENTS}/client_missing", **kwargs)
    body = assert_error_body(answer, 404, "NOT_FOUND")
    assert body["message"] == "Company client not found with id: client_missing"


def test_404_message_names_the_decoded_id(emu):
    answer = call(emu, "GET", f"{CLIENTS}/no%20such%2Fclient")
    body = assert_error_body(answer, 404, "NOT_FOUND")
    assert body["message"] == "Company client not found with id: no such/client"


def test_percent_encoded_ids_reach_the_client(emu):
    seeded = emu.add_client(id="a/b", first_name="Slash")
    assert seeded.id == "a/b"
    got = call(emu, "GET", f"{CLIENTS}/a%2Fb")
    assert got.status == 200, got.body
    assert got.json["id"] == "a/b"
    put = call(emu, "PUT", f"{CLIENTS}/a%2Fb", json={"first_name": "Updated"})
    assert put.status == 200, put.body
    assert emu.get("a/b").first_name == "Updated"
    # the journal keeps the request target as sent
    assert [r.path for r in emu.requests] == [f"{CLIENTS}/a%2Fb", f"{CLIENTS}/a%2Fb"]
    # an unencoded slash is another path, not this client
    assert call(emu, "GET", f"{CLIENTS}/a/b").status == 404
    # non-ASCII ids, percent-encoded as UTF-8
    emu.add_client(id="client_ü", first_name="Umlaut")
    got = call(emu, "GET", f"{CLIENTS}/client_%C3%BC")
    assert got.status == 200 and got.json["id"] == "client_ü"
    assert call(emu, "DELETE", f"{CLIENTS}/a%2Fb").status in (200, 204)
    assert emu.get("a/b") is None


# --- PUT semantics ----------------------------------------------------------------------------------------


def test_put_changes_only_the_fields_sent_and_moves_updated_at(emu):
    seeded = emu.add_client(first_name="Jon", last_name="Doe", email="jon@example.com", sms=True,
                            otp=False, phone_country_code=54, phone_number=1100000000,
                            created_at=OLD_STAMP, updated_at=OLD_STAMP)
    assert seeded.created_at == OLD_DATETIME and seeded.updated_at == OLD_DATETIME
    before_put = datetime.datetime.now(datetime.timezone.utc)
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={"first_name": "John", "sms": False})
    assert answer.status == 200, answer.body
    body = answer.json
    assert body["first_name"] == "John" and body["sms"] is False
    assert body["last_name"] == "Doe" and body["email"] == "jon@example.com" and body["otp"] is False
    assert (body["phone_country_code"], body["phone_number"]) == (54, 1100000000)
    assert (body["id"], body["company_id"], body["type"], body["status"]) == (
        seeded.id, seeded.company_id, "individual", "PENDING")
    assert parse_stamp(body["created_at"]) == OLD_DATETIME
    updated_at = parse_stamp(body["updated_at"])
    assert updated_at > OLD_DATETIME
    assert updated_at >= before_put - datetime.timedelta(seconds=5)
    stored = emu.get(seeded.id)
    assert stored.first_name == "John" and stored.last_name == "Doe" and stored.sms is False
    assert stored.created_at == OLD_DATETIME and stored.updated_at == updated_at
    assert call(emu, "GET", f"{CLIENTS}/{seeded.id}").json == body


def test_put_null_clears_a_field(emu):
    seeded = emu.add_client(first_name="Jon", email="jon@example.com")
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={"email": None})
    assert answer.status == 200, answer.body
    assert answer.json.get("email") is None
    assert answer.json["first_name"] == "Jon"
    assert emu.get(seeded.id).email is None
    assert emu.get(seeded.id).first_name == "Jon"


def test_put_with_empty_object_keeps_everything_but_updated_at(emu):
    seeded = emu.add_client(first_name="Jon", created_at=OLD_STAMP, updated_at=OLD_STAMP)
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={})
    assert answer.status == 200, answer.body
    assert answer.json["first_name"] == "Jon"
    assert parse_stamp(answer.json["created_at"]) == OLD_DATETIME
    assert parse_stamp(answer.json["updated_at"]) > OLD_DATETIME


def test_put_nested_address_and_documents(emu):
    seeded = emu.add_client(first_name="Jon")
    address = {"street_line_1": "1 Main St", "city": "Buenos Aires", "postal_code": "1000", "country": "ARG"}
    documents = [{"name": "passport", "issuing_country": "ARG", "number": "AB123"}]
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={"address": address, "documents": documents,
                                                               "birth_date": "1990-05-17"})
    assert answer.status == 200, answer.body
    assert answer.json["address"] == address
    assert answer.json["documents"] == documents
    stored = emu.get(seeded.id)
    assert stored.address.city == "Buenos Aires"
    assert stored.birth_date == datetime.date(1990, 5, 17)
    assert stored.documents[0].number == "AB123"


# --- body validation --------------------------------------------------------------------------------------


BAD_BODIES = {
    "unknown field": {"favourite_colour": "blue"},
    "unknown field next to good ones": {"first_name": "John", "loyalty_tier": "gold"},
    "bool as string": {"sms": "yes"},
    "int as string": {"phone_number": "1168860622"},
    "float for int": {"phone_country_code": 54.5},
    "string as number": {"first_name": 42},
    "object for string": {"email": {"address": "x@example.com"}},
    "bad date": {"birth_date": "17/05/1990"},
    "list for object": {"address": ["Main St"]},
    "unknown nested field": {"address": {"city": "Paris", "planet": "Earth"}},
    "wrong nested type": {"address": {"city": 7}},
    "documents not a list": {"documents": {"name": "passport"}},
    "read-only status": {"status": "ACTIVE"},
    "read-only id": {"id": "client_other"},
    "read-only type": {"type": "business"},
    "read-only created_at": {"created_at": "2021-01-01T00:00:00Z"},
    "read-only updated_at": {"updated_at": "2021-01-01T00:00:00Z"},
    "read-only wallet_ids": {"wallet_ids": ["w1"]},
    "response-only business field": {"business_legal_name": "ACME"},
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_put_with_invalid_body_is_400_and_changes_nothing(emu, name):
    seeded = emu.add_client(first_name="Jon", sms=True, created_at=OLD_STAMP, updated_at=OLD_STAMP)
    answer = call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json=BAD_BODIES[name])
    assert_error_body(answer, 400)
    assert emu.get(seeded.id) == seeded


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
def test_post_with_invalid_body_is_400_and_creates_nothing(emu, name):
    answer = call(emu, "POST", CLIENTS, json=BAD_BODIES[name])
    assert_error_body(answer, 400)
    assert call(emu, "GET", CLIENTS).json == []


@pytest.mark.parametrize("raw", [b"{not json", b"", b'{"first_name": "John"', b"\xff\xfe",
                                 b"[]", b'["first_name"]', b'"John"', b"42", b"null", b"true"],
                         ids=["broken", "empty", "truncated", "not-utf8", "empty-list", "list", "string",
                              "number", "null", "bool"])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_malformed_or_non_object_json_is_400(emu, method, raw):
    seeded = emu.add_client(first_name="Jon")
    path = f"{CLIENTS}/{seeded.id}" if method == "PUT" else CLIENTS
    answer = call(emu, method, path, raw=raw, headers={"Content-Type": "application/json"})
    assert_error_body(answer, 400)
    assert emu.get(seeded.id) == seeded
    assert len(call(emu, "GET", CLIENTS).json) == 1


# --- duplicate phone numbers ------------------------------------------------------------------------------


def test_put_with_a_phone_held_by_another_client_is_412_val(emu):
    holder = emu.add_client(first_name="Holder", phone_country_code=54, phone_number=1168860622)
    other = emu.add_client(first_name="Other", phone_country_code=54, phone_number=1100000000)
    answer = call(emu, "PUT", f"{CLIENTS}/{other.id}", json={"phone_number": 1168860622})
    assert_error_body(answer, 412, "VAL")
    assert emu.get(other.id) == other
    assert emu.get(holder.id) == holder
    # sending both parts of the number is the same conflict
    answer = call(emu, "PUT", f"{CLIENTS}/{other.id}",
                  json={"phone_country_code": 54, "phone_number": 1168860622, "first_name": "X"})
    assert_error_body(answer, 412, "VAL")
    assert emu.get(other.id) == other
    # changing only the country code can make the same conflict
    third = emu.add_client(first_name="Third", phone_country_code=1, phone_number=1168860622)
    answer = call(emu, "PUT", f"{CLIENTS}/{third.id}", json={"phone_country_code": 54})
    assert_error_body(answer, 412, "VAL")
    assert emu.get(third.id) == third


def test_put_may_keep_its_own_phone_and_use_a_free_one(emu):
    holder = emu.add_client(first_name="Holder", phone_country_code=54, phone_number=1168860622)
    emu.add_client(first_name="Other", phone_country_code=54, phone_number=1100000000)
    answer = call(emu, "PUT", f"{CLIENTS}/{holder.id}",
                  json={"phone_country_code": 54, "phone_number": 1168860622, "first_name": "Same"})
    assert answer.status == 200, answer.body
    # same national number in another country is another phone
    answer = call(emu, "PUT", f"{CLIENTS}/{holder.id}", json={"phone_country_code": 1, "phone_number": 1100000000})
    assert answer.status == 200, answer.body
    assert (emu.get(holder.id).phone_country_code, emu.get(holder.id).phone_number) == (1, 1100000000)


def test_post_with_a_phone_held_by_another_client_is_412_val(emu):
    emu.add_client(first_name="Holder", phone_country_code=54, phone_number=1168860622)
    answer = call(emu, "POST", CLIENTS, json={"first_name": "Dup", "phone_country_code": 54,
                                              "phone_number": 1168860622})
    assert_error_body(answer, 412, "VAL")
    assert len(call(emu, "GET", CLIENTS).json) == 1
    # a number freed by a delete can be used again
    holder_id = call(emu, "GET", CLIENTS).json[0]["id"]
    assert call(emu, "DELETE", f"{CLIENTS}/{holder_id}").status in (200, 204)
    answer = call(emu, "POST", CLIENTS, json={"first_name": "Now free", "phone_country_code": 54,
                                              "phone_number": 1168860622})
    assert answer.status in (200, 201), answer.body


# --- error shape and trace ids ----------------------------------------------------------------------------


def test_every_answer_carries_x_trace_id(emu):
    seeded = emu.add_client(first_name="Jon")
    emu.add_api_key("reader-key", level=1)
    answers = [
        call(emu, "GET", CLIENTS),
        call(emu, "GET", f"{CLIENTS}?sms=true"),
        call(emu, "GET", f"{CLIENTS}/{seeded.id}"),
        call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={"first_name": "John"}),
        call(emu, "POST", CLIENTS, json={"first_name": "New"}),
        call(emu, "DELETE", f"{CLIENTS}/{seeded.id}"),
    ]
    for answer in answers:
        assert 200 <= answer.status < 300, answer.body
        assert answer.header("X-Trace-Id"), answer.headers
    errors = [
        (call(emu, "GET", CLIENTS, key=None), 401),
        (call(emu, "PUT", f"{CLIENTS}/{seeded.id}", key="reader-key", json={}), 401),
        (call(emu, "GET", f"{CLIENTS}/{seeded.id}"), 404),
        (call(emu, "POST", CLIENTS, json={"status": "ACTIVE"}), 400),
        (call(emu, "POST", CLIENTS, raw=b"{"), 400),
    ]
    for answer, status in errors:
        assert_error_body(answer, status)
    trace_ids = [a.header("X-Trace-Id") for a in answers] + [a.header("X-Trace-Id") for a, _ in errors]
    assert len(set(trace_ids)) == len(trace_ids), trace_ids


def test_error_bodies_are_json_with_exactly_code_message_trace_id(emu):
    for answer in [call(emu, "GET", CLIENTS, key="nope"), call(emu, "GET", f"{CLIENTS}/client_x")]:
        assert answer.header("content-type").startswith("application/json")
        assert set(answer.json) == {"code", "message", "trace_id"}


# --- the journal --------------------------------------------------------------------------------------------


def test_requests_journal_records_method_raw_path_lowercase_headers_and_json(emu):
    seeded = emu.add_client(first_name="Jon")
    assert emu.requests == []
    call(emu, "GET", f"{CLIENTS}?sms=true&otp=false", headers={"X-Custom-Thing": "Value-Kept"})
    call(emu, "PUT", f"{CLIENTS}/{seeded.id}", json={"first_name": "John", "address": {"city": "Paris"}})
    call(emu, "POST", CLIENTS, raw=b"{not json")
    call(emu, "DELETE", f"{CLIENTS}/a%2Fb", key="unknown-key")
    journal = emu.requests
    assert [r.method for r in journal] == ["GET", "PUT", "POST", "DELETE"]
    assert [r.path for r in journal] == [f"{CLIENTS}?sms=true&otp=false", f"{CLIENTS}/{seeded.id}", CLIENTS,
                                         f"{CLIENTS}/a%2Fb"]
    assert all(isinstance(r, RecordedRequest) for r in journal)
    for r in journal:
        assert all(name == name.lower() for name in r.headers), r.headers
    assert journal[0].headers["x-custom-thing"] == "Value-Kept"
    assert journal[0].headers["x-api-key"] == emu.api_key
    assert journal[3].headers["x-api-key"] == "unknown-key"
    assert journal[0].json is None
    assert journal[1].json == {"first_name": "John", "address": {"city": "Paris"}}
    assert json.loads(journal[1].body) == journal[1].json
    assert journal[1].headers["content-type"] == "application/json"
    assert journal[2].json is None and journal[2].body == b"{not json"
    # a fresh list each time, oldest first; reading it sends nothing
    assert len(emu.requests) == 4


def test_get_and_add_client_do_not_go_through_http(emu):
    seeded = emu.add_client(first_name="Jon")
    assert emu.get(seeded.id) == seeded
    assert emu.get("client_nope") is None
    assert emu.requests == []


# --- reset ----------------------------------------------------------------------------------------------------


def test_reset_empties_store_journal_and_faults_but_keys_still_work(emu):
    emu.add_api_key("reader-key", level=1)
    seeded = emu.add_client(first_name="Jon")
    call(emu, "GET", f"{CLIENTS}/{seeded.id}")
    emu.fail_next(503, times=3)
    emu.delay_next(5.0, times=3)
    emu.reset()
    assert emu.get(seeded.id) is None
    assert emu.requests == []
    started = time.monotonic()
    answer = call(emu, "GET", CLIENTS)
    assert answer.status == 200, answer.body  # no injected fault left
    assert answer.json == []
    assert time.monotonic() - started < 4.0  # no injected delay left
    assert call(emu, "GET", CLIENTS, key="reader-key").status == 200
    assert [r.path for r in emu.requests] == [CLIENTS, CLIENTS]
    assert emu.running
    # the store works as before
    answer = call(emu, "POST", CLIENTS, json={"first_name": "After"})
    assert answer.status in (200, 201)
    assert emu.get(answer.json["id"]).first_name == "After"


def test_the_journal_keeps_the_most_recent_requests():
    from cryptomate.testing import Emulator

    with Emulator(journal_limit=3) as emu, emu.client(max_retries=0) as client:
        seeded = emu.add_client(first_name="Ada")
        for name in ["a", "b", "c", "d", "e"]:
            client.update_client(seeded.id, first_name=name)
        assert [r.json for r in emu.requests] == [{"first_name": n} for n in "cde"]
    with Emulator(journal_limit=0) as emu, emu.client() as client:
        client.list_clients()
        assert emu.requests == []
    # The default limit (10,000) is src/emulator/mod.rs's the_default_journal_keeps_the_last_10000_requests.

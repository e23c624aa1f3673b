"""Logging on the `cryptomate` logger: one DEBUG line per attempt (method, path, status, elapsed ms, attempt,
trace id), an INFO line per retry, never the key, a body or a query's values; CRYPTOMATE_LOG=info|debug installs a stderr
handler at import, and without it nothing is printed."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap

import pytest

import cryptomate
from _child import child_env

KEY = "key-Top-Secret-42"
BODY_SECRET = "Zelda-Secret"
ELAPSED = re.compile(r"(\d+(?:\.\d+)?) ?ms\b")


def cryptomate_records(caplog, level=None):
    return [r for r in caplog.records if r.name == "cryptomate" and (level is None or r.levelno == level)]


@pytest.fixture
def debug(caplog):
    caplog.set_level(logging.DEBUG, logger="cryptomate")
    return caplog


def test_one_debug_line_per_attempt(server, make_client, debug):
    client = make_client(KEY, max_retries=1)
    server.answer(503, json={"code": "SERVER_ERROR", "message": "busy"}, headers={"X-Trace-Id": "trace-first"})
    server.answer(200, json={"id": "client_123", "first_name": BODY_SECRET}, headers={"X-Trace-Id": "trace-second"},
                  delay=0.2)
    client.update_client("client_123", first_name=BODY_SECRET)
    lines = [r.getMessage() for r in cryptomate_records(debug, logging.DEBUG)]
    assert len(lines) == 2, lines
    for line, status, attempt, trace in [(lines[0], "503", "1", "trace-first"), (lines[1], "200", "2", "trace-second")]:
        assert "PUT" in line
        assert "/management/clients/client_123" in line
        assert re.search(rf"\b{status}\b", line), line
        assert re.search(rf"attempt\D{{0,3}}{attempt}\b", line), line
        assert trace in line
        assert ELAPSED.search(line), line
    # The elapsed time is measured, not made up: the second answer came 0.2 s late.
    assert float(ELAPSED.search(lines[1]).group(1)) >= 150
    assert float(ELAPSED.search(lines[0]).group(1)) < 150


def test_a_retry_is_an_info_line(server, make_client, debug):
    client = make_client(KEY, max_retries=1)
    server.answer(502, body="<html>bad gateway</html>")
    client.get_client("client_123")
    info = cryptomate_records(debug, logging.INFO)
    assert len(info) == 1
    assert "GET" in info[0].getMessage() and "/management/clients/client_123" in info[0].getMessage()
    assert "502" in info[0].getMessage()


def test_failed_attempts_without_an_answer_are_logged(make_client, dead_port, debug):
    client = make_client(KEY, base_url=f"http://127.0.0.1:{dead_port}", max_retries=0)
    with pytest.raises(cryptomate.APIConnectionError):
        client.get_client("client_123")
    (record,) = cryptomate_records(debug, logging.DEBUG)
    assert "GET" in record.getMessage() and "/management/clients/client_123" in record.getMessage()
    assert "attempt" in record.getMessage()


def test_no_key_and_no_bodies_in_the_log(server, make_client, debug):
    client = make_client(KEY, max_retries=2)
    server.answer(500, json={"code": "SERVER_ERROR", "message": f"failed for {BODY_SECRET}"})
    server.drop()
    # The stub server answers with the stored record, which now holds the sent first_name.
    updated = client.update_client("client_123", first_name=BODY_SECRET, last_name="Hyrule-Private")
    assert updated.first_name == BODY_SECRET  # control: the secret really crossed both ways
    server.answer(412, json={"code": "VAL", "message": f"{BODY_SECRET} is taken"})
    with pytest.raises(cryptomate.PreconditionFailedError):
        client.update_client("client_123", first_name=BODY_SECRET)
    records = cryptomate_records(debug)
    assert len(cryptomate_records(debug, logging.DEBUG)) == 4
    for record in records:
        text = record.getMessage() + repr(record.args)
        for secret in (KEY, BODY_SECRET, "Hyrule-Private"):
            assert secret not in text, text
    for secret in (KEY, BODY_SECRET, "Hyrule-Private"):
        assert secret not in debug.text


def test_no_query_values_in_the_log(server, make_client, debug):
    server.answer(json={"id": "c1", "whatsapp": True})
    make_client(max_retries=0).get_client_by_whatsapp_phone("5491155551234")
    assert server.requests[-1].path.endswith("?full_phone_number=5491155551234")  # control: it was sent
    (line,) = [r.getMessage() for r in cryptomate_records(debug, logging.DEBUG)]
    assert "/management/clients/by-phone-whatsapp?full_phone_number=... -> 200" in line, line
    assert "5491155551234" not in debug.text


def test_levels_are_respected(server, make_client, caplog):
    client = make_client(KEY, max_retries=1)
    caplog.set_level(logging.WARNING, logger="cryptomate")
    server.answer(503)
    client.get_client("client_123")
    assert cryptomate_records(caplog) == []
    caplog.set_level(logging.DEBUG, logger="cryptomate")  # takes effect from the next call on
    client.get_client("client_123")
    assert len(cryptomate_records(caplog, logging.DEBUG)) == 1
    caplog.set_level(logging.INFO, logger="cryptomate")
    caplog.clear()
    client.get_client("client_123")
    assert cryptomate_records(caplog) == []


def test_the_logger_is_named_cryptomate_and_has_no_handler_by_default():
    if os.environ.get("CRYPTOMATE_LOG"):
        pytest.skip("CRYPTOMATE_LOG is set for this run")
    logger = logging.getLogger("cryptomate")
    assert not [h for h in logger.handlers if getattr(h, "_cryptomate", False)]


# --- CRYPTOMATE_LOG in a fresh interpreter --------------------------------------------------------------------

_CHILD = textwrap.dedent(
    """
    import cryptomate
    from cryptomate.testing import Emulator

    with Emulator() as emu:
        seeded = emu.add_client(first_name="Zelda-Secret")
        emu.fail_next(503)
        with emu.client(max_retries=1) as client:
            client.get_client(seeded.id)
        print("done", seeded.id, emu.api_key)
    """
)


def run_child(log_setting):
    env = child_env()
    if log_setting is not None:
        env["CRYPTOMATE_LOG"] = log_setting
    run = subprocess.run([sys.executable, "-c", _CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    done, client_id, key = run.stdout.split()
    assert done == "done"
    return run.stderr, client_id, key


@pytest.mark.slow
def test_cryptomate_log_debug_prints_to_stderr():
    stderr, client_id, key = run_child("debug")
    lines = [line for line in stderr.splitlines() if "cryptomate" in line]
    attempts = [line for line in lines if "DEBUG" in line and f"/management/clients/{client_id}" in line]
    assert len(attempts) == 2, stderr
    assert "GET" in attempts[0] and "503" in attempts[0]
    assert any("INFO" in line and "503" in line for line in lines), stderr
    assert key not in stderr and BODY_SECRET not in stderr


@pytest.mark.slow
def test_cryptomate_log_info_prints_retries_only():
    stderr, client_id, key = run_child("INFO")
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "INFO" in lines[0] and "cryptomate" in lines[0] and f"/management/clients/{client_id}" in lines[0]


@pytest.mark.slow
@pytest.mark.parametrize("setting", [None, "", "nonsense"])
def test_without_cryptomate_log_nothing_is_printed(setting):
    stderr, _, _ = run_child(setting)
    assert stderr == ""


def test_a_level_change_between_calls_takes_effect(server, make_client, caplog):
    """The level is remembered between calls until Python's logging changes one (src/py/logging.rs)."""
    client = make_client(KEY)
    logger, root = logging.getLogger("cryptomate"), logging.getLogger()
    caplog.set_level(logging.WARNING, logger="cryptomate")
    caplog.handler.setLevel(logging.DEBUG)  # the logger's level decides, not the capturing handler's
    root_level = root.level
    try:
        client.get_client("client_1")
        assert not cryptomate_records(caplog, logging.DEBUG)
        logger.setLevel(logging.DEBUG)
        client.get_client("client_2")
        assert len(cryptomate_records(caplog, logging.DEBUG)) == 1
        root.setLevel(logging.INFO)  # the parent's level counts once ours is unset
        logger.setLevel(logging.NOTSET)
        client.get_client("client_3")
        assert len(cryptomate_records(caplog, logging.DEBUG)) == 1
        root.setLevel(logging.DEBUG)
        client.get_client("client_4")
        assert len(cryptomate_records(caplog, logging.DEBUG)) == 2
    finally:
        root.setLevel(root_level)

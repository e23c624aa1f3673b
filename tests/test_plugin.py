"""The pytest plugin (pytest11 entry point): fixtures cryptomate_emulator and cryptomate_client, run in a child
pytest so that the plugin is loaded the way a user's test suite loads it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

TIMEOUT = 120


def run_pytest(tmp_path, source: str, *args: str) -> subprocess.CompletedProcess:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # this directory is the rootdir, whatever is above it
    (tmp_path / "test_user_code.py").write_text(textwrap.dedent(source))
    env = dict(os.environ)
    env.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)  # the plugin must load through its entry point
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_PLUGINS", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-p", "no:randomly", *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT,
    )


def passed(result: subprocess.CompletedProcess) -> int:
    found = re.search(r"(\d+) passed", result.stdout)
    return int(found.group(1)) if found else 0


def report(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


USER_TESTS = """
    import cryptomate
    from cryptomate.testing import Emulator


    def test_update_a_seeded_client(cryptomate_emulator, cryptomate_client):
        assert isinstance(cryptomate_emulator, Emulator)
        assert isinstance(cryptomate_client, cryptomate.Client)
        assert cryptomate_emulator.running
        assert cryptomate_client.base_url.rstrip("/") == cryptomate_emulator.base_url
        seeded = cryptomate_emulator.add_client(first_name="Jon", last_name="Doe", sms=True)
        updated = cryptomate_client.update_client(seeded.id, first_name="John", sms=False)
        assert updated.first_name == "John" and updated.sms is False
        stored = cryptomate_emulator.get(seeded.id)
        assert stored.first_name == "John" and stored.last_name == "Doe" and stored.sms is False
        assert [(r.method, r.json) for r in cryptomate_emulator.requests] == [
            ("PUT", {"first_name": "John", "sms": False})
        ]
        assert cryptomate_emulator.requests[0].headers["x-api-key"] == cryptomate_emulator.api_key


    def test_errors_are_typed(cryptomate_client):
        try:
            cryptomate_client.get_client("client_missing")
        except cryptomate.NotFoundError as error:
            assert error.code == "NOT_FOUND"
        else:
            raise AssertionError("no NotFoundError")
"""


def test_fixtures_work_in_a_user_test_suite(tmp_path):
    result = run_pytest(tmp_path, USER_TESTS)
    assert result.returncode == 0, report(result)
    assert passed(result) == 2, report(result)


ISOLATION_TESTS = """
    import pytest

    SEEN = []
    FIXED_ID = "client_shared_between_tests"


    @pytest.mark.parametrize("round", [1, 2, 3])
    def test_each_test_gets_a_fresh_emulator(cryptomate_emulator, cryptomate_client, round):
        # every earlier emulator is stopped after its test
        for earlier in SEEN:
            assert earlier is not cryptomate_emulator
            assert not earlier.running
        # nothing from an earlier test: no client, no journal
        assert cryptomate_emulator.get(FIXED_ID) is None
        assert cryptomate_emulator.requests == []
        cryptomate_emulator.add_client(id=FIXED_ID, first_name=f"round {round}")
        assert cryptomate_client.get_client(FIXED_ID).first_name == f"round {round}"
        # leave faults queued: they must not reach the next test either
        cryptomate_emulator.fail_next(503, times=5)
        SEEN.append(cryptomate_emulator)


    def test_client_fixture_is_bound_to_the_same_emulator(cryptomate_emulator, cryptomate_client):
        assert cryptomate_client.get_client(cryptomate_emulator.add_client(first_name="x").id).first_name == "x"
        assert len(cryptomate_emulator.requests) == 1
"""


def test_each_test_gets_a_fresh_emulator(tmp_path):
    result = run_pytest(tmp_path, ISOLATION_TESTS)
    assert result.returncode == 0, report(result)
    assert passed(result) == 4, report(result)


def test_failing_user_test_is_reported_as_a_failure(tmp_path):
    result = run_pytest(tmp_path, """
        def test_wrong_expectation(cryptomate_emulator, cryptomate_client):
            seeded = cryptomate_emulator.add_client(first_name="Jon")
            cryptomate_client.update_client(seeded.id, first_name="John")
            assert cryptomate_emulator.get(seeded.id).first_name == "Jon"
    """)
    assert result.returncode == 1, report(result)
    assert "1 failed" in result.stdout, report(result)


def test_fixtures_are_listed_by_pytest(tmp_path):
    result = run_pytest(tmp_path, "def test_nothing():\n    pass\n", "--fixtures")
    assert result.returncode == 0, report(result)
    assert "cryptomate_emulator" in result.stdout, report(result)
    assert "cryptomate_client" in result.stdout, report(result)


def test_the_client_fixture_does_not_pace_against_an_unlimited_emulator(cryptomate_emulator, cryptomate_client):
    # 40 requests would take over two seconds at the default 15/s; unpaced they take a fraction of that.
    seeded = cryptomate_emulator.add_client()
    for _ in range(40):
        cryptomate_client.get_client(seeded.id)
    arrivals = [r.received_at for r in cryptomate_emulator.requests]
    assert arrivals[-1] - arrivals[0] < 2.0  # paced, the 31st alone could not arrive before 2.2 s

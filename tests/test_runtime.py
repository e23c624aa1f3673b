"""The native runtime under real conditions: threads sharing a client, fork, Ctrl-C, import."""

import json
import os
import subprocess
import sys
import threading
import time

import pytest

import cryptomate
from _child import assert_ctrl_c_cancels, forked

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs fork/signals of a POSIX system")


def test_one_client_shared_by_threads(cryptomate_emulator):
    # The emulator keeps real state, so each thread's final write is checked, not just echoed.
    threads_count, calls_each = 8, 25
    seeded = [cryptomate_emulator.add_client(first_name="start") for _ in range(threads_count)]
    client = cryptomate_emulator.client(max_retries=0, rate_limit=None, timeout=10.0)
    results, errors = {}, []

    def work(t):
        try:
            for i in range(calls_each):
                results[(t, i)] = client.update_client(seeded[t].id, first_name=f"name-{t}-{i}")
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(threads_count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "threads did not finish within 60 s"
    assert errors == []
    assert len(results) == threads_count * calls_each
    for (t, i), result in results.items():
        assert (result.id, result.first_name) == (seeded[t].id, f"name-{t}-{i}")
    for t, record in enumerate(seeded):
        assert cryptomate_emulator.get(record.id).first_name == f"name-{t}-{calls_each - 1}"
    assert len(cryptomate_emulator.requests) == threads_count * calls_each
    client.close()


@posix_only
def test_fork_after_use(server, client, api_key):
    assert client.get_client("before-fork").id == "before-fork"

    def in_child():
        same = client.get_client("child-same-client").id
        with cryptomate.Client(api_key, base_url=server.base_url, timeout=5.0) as fresh:
            new = fresh.get_client("child-new-client").id
        return [same, new]

    assert forked(in_child) == ["child-same-client", "child-new-client"]
    paths = [r.path for r in server.requests]
    assert "/management/clients/child-same-client" in paths
    assert "/management/clients/child-new-client" in paths
    assert client.get_client("after-fork").id == "after-fork"


@pytest.mark.slow
@posix_only
def test_ctrl_c_interrupts_a_call(server):
    assert_ctrl_c_cancels(server, 'cryptomate.Client("k", base_url=base_url, timeout=30.0, max_retries=0).get_client("slow")')


IMPORT_PROBE = r"""
import json, os, threading, time
start = time.perf_counter()
import cryptomate
elapsed = time.perf_counter() - start
tasks = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else None
print(json.dumps({"elapsed": elapsed, "threads": threading.active_count(), "tasks": tasks}))
"""


@pytest.mark.slow
def test_import_starts_no_thread_and_is_quick():
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    probe = json.loads(out)
    assert probe["threads"] == 1
    assert probe["tasks"] in (None, 1), "import started an OS thread (the runtime must be lazy)"
    assert probe["elapsed"] < 1.0


@posix_only
def test_a_forked_child_can_use_and_drop_the_parents_emulator(cryptomate_emulator):
    seeded = cryptomate_emulator.add_client(first_name="Ada")

    def in_child():  # talks to the parent's emulator, then stops its handle (a no-op here)
        with cryptomate_emulator.client(timeout=5.0) as child_client:
            first_name = child_client.get_client(seeded.id).first_name
        started = time.monotonic()
        cryptomate_emulator.stop()
        return [first_name, time.monotonic() - started]

    first_name, stop_took = forked(in_child)
    assert first_name == "Ada" and stop_took < 1.0
    assert cryptomate_emulator.running
    assert cryptomate_emulator.client().get_client(seeded.id).first_name == "Ada"

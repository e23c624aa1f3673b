"""The budget shared through Redis (`rate_limit_store`), against a real `redis-server` (see _redis.py).

Every client on one API key and one store, in any process, shares one budget: no one-second window at the
server holds more than `rate_limit` of their requests, and a 429 seen by one pauses all of them. The store
never stops the business: unreachable, silent or refusing, calls go on under the in-process pacer with one
WARNING per outage, and the client comes back to the store by itself (within 5 s of a failure). Neither the
API key nor the store's password ever shows: not in Redis, not in a repr, a log line or an exception.

Arrival times are measured at the server (the emulator's or the stub server's `received_at`). The shared
window is 1.1 s of the Redis server's clock, so a plain one-second window is checked here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import select
import subprocess
import sys
import threading
import time
import traceback

import pytest

import cryptomate
from _redis import redis_server, redis_tls, redis_unix, redis_with_password, silent_store  # noqa: F401 - fixtures
from _arrivals import busiest
from _child import child_env, forked
from _threads import run_threads, wait_until
from cryptomate.testing import Emulator

WINDOW = 1.0
JOIN = 30.0  # the longest any test waits for its threads or children
BUDGET_KEY = re.compile(r"^cryptomate:budget:([0-9a-f]{32}):(window|pause)$")
SECRET_KEY = "sk_live_Fleet-Secret-Key-7781"

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs fork of a POSIX system")


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG, logger="cryptomate")
    return caplog


def records(caplog, level):
    return [r.getMessage() for r in caplog.records if r.name == "cryptomate" and r.levelno == level]


def store_warnings(caplog):
    return [m for m in records(caplog, logging.WARNING) if "rate_limit_store" in m]


def budget_keys(redis, kind="*", db=0):
    return [k for k in redis.keys(f"cryptomate:budget:*:{kind}", db=db) if BUDGET_KEY.match(k)]


def timed(fn):
    started = time.monotonic()
    result = fn()
    return result, time.monotonic() - started


# --- 1. processes started together share one budget --------------------------------------------------------

FLEET_CHILD = r"""
import json, sys
import cryptomate

url, key, client_id, store, calls = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] or None, int(sys.argv[5])
client = cryptomate.Client(key, base_url=url, rate_limit=15.0, rate_limit_store=store, max_retries=0, timeout=10.0)
print("ready", flush=True)
if sys.stdin.readline().strip() != "go":
    sys.exit(3)
report = {"ok": 0, "limited": 0, "errors": []}
for i in range(calls):
    try:
        if i % 2:
            client.update_client(client_id, first_name="n%d" % i)
        else:
            client.get_client(client_id)
        report["ok"] += 1
    except cryptomate.RateLimitError:
        report["limited"] += 1
        break  # the calls after it would only wait out the penalty blocks that follow
    except Exception as e:
        report["errors"].append(repr(e)[:300])
print(json.dumps(report), flush=True)
"""


def run_fleet(emu, store, children=4, calls=15):
    """Starts `children` interpreters, releases them at once (a "go" line on their stdin once all are ready),
    and returns their reports."""
    seeded = emu.add_client(first_name="Fleet")
    args = [emu.base_url, emu.api_key, seeded.id, store or "", str(calls)]
    procs = [subprocess.Popen([sys.executable, "-c", FLEET_CHILD, *args], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(children)]
    try:
        deadline = time.monotonic() + JOIN
        for proc in procs:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            line = proc.stdout.readline() if ready else ""
            assert line.strip() == "ready", f"a child did not start: {line!r} {proc.stderr.read()[-2000:] if proc.poll() is not None else ''}"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        reports = []
        for proc in procs:
            out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            assert proc.returncode == 0, f"child exit {proc.returncode}: {err[-2000:]}"
            reports.append(json.loads(out.strip().splitlines()[-1]))
        return reports
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)


@pytest.mark.slow
def test_processes_started_together_share_the_budget(redis_server):
    with Emulator(rate_limit=15.0) as emu:
        reports = run_fleet(emu, redis_server.url)
        times = [r.received_at for r in emu.requests]
    assert [r["errors"] for r in reports] == [[]] * 4
    assert sum(r["limited"] for r in reports) == 0, reports
    assert sum(r["ok"] for r in reports) == 60
    assert len(times) == 60
    assert busiest(times) <= 15
    # 60 requests at 15 per window: at least three windows went by
    assert max(times) - min(times) >= 3 * WINDOW
    assert budget_keys(redis_server, "window")


@pytest.mark.slow
def test_the_same_processes_without_the_store_are_refused():
    """The control: each process alone keeps to 15 per second; together they earn 429s."""
    with Emulator(rate_limit=15.0) as emu:
        reports = run_fleet(emu, None)
        times = [r.received_at for r in emu.requests]
    assert [r["errors"] for r in reports] == [[]] * 4
    assert sum(r["limited"] for r in reports) > 0, reports
    assert busiest(times) > 15


# --- 2. a 429 pauses every client of the budget ------------------------------------------------------------


def test_a_429_pauses_the_other_clients_of_the_budget(server, new_client, redis_server):
    a = new_client(SECRET_KEY, base_url=server.base_url, rate_limit_store=redis_server.url, max_retries=0)
    b = new_client(SECRET_KEY, base_url=server.base_url, rate_limit_store=redis_server.url, max_retries=0)
    alone = new_client(SECRET_KEY, base_url=server.base_url, max_retries=0)  # no store: not paused by a's 429
    b.get_client("warm-up")  # b has a store connection and an empty local history
    server.answer(429, json={"code": "TOO_MANY_REQUESTS", "message": "slow down"}, headers={"Retry-After": "1"})
    with pytest.raises(cryptomate.RateLimitError):
        a.get_client("limited")
    limited = server.requests[-1]
    assert limited.path.endswith("/limited")
    pauses = budget_keys(redis_server, "pause")
    assert len(pauses) == 1
    assert 0 < redis_server.command("PTTL", pauses[0]) <= 1000
    alone.get_client("alone")
    b.get_client("paused")
    arrived = {r.path.rsplit("/", 1)[1]: r.received_at for r in server.requests}
    assert arrived["alone"] - limited.received_at < 0.8  # a paused one would wait the whole second
    assert arrived["paused"] - limited.received_at >= 0.9


def test_a_long_retry_after_pauses_the_budget_for_at_most_a_minute(server, new_client, redis_server):
    a = new_client(SECRET_KEY, base_url=server.base_url, rate_limit_store=redis_server.url, max_retries=0)
    server.answer(429, json={"code": "TOO_MANY_REQUESTS", "message": "slow down"}, headers={"Retry-After": "600"})
    with pytest.raises(cryptomate.RateLimitError) as info:
        a.get_client("limited")
    assert info.value.retry_after == 600
    (pause,) = budget_keys(redis_server, "pause")
    assert 55_000 < redis_server.command("PTTL", pause) <= 60_000


# --- 3. separate clients and threads never put more than the limit in a window -----------------------------


def test_threads_of_separate_clients_keep_to_the_limit(server, new_client, redis_server):
    clients = [new_client(SECRET_KEY, base_url=server.base_url, rate_limit=10.0, rate_limit_store=redis_server.url)
               for _ in range(2)]
    shares = [7, 7, 7, 7, 6, 6]  # 40 requests from 3 threads on each client

    def worker(client, n, t):
        return lambda: [client.get_client(f"c{t}-{i}") for i in range(n)]

    run_threads([worker(clients[t % 2], n, t) for t, n in enumerate(shares)])
    times = [r.received_at for r in server.requests]
    assert len(times) == 40
    assert busiest(times) <= 10
    assert max(times) - min(times) >= 3 * WINDOW


def test_without_the_store_separate_clients_each_use_the_whole_limit(server, new_client):
    """The control: two clients of one key, each pacing itself, together exceed the limit."""
    clients = [new_client(SECRET_KEY, base_url=server.base_url, rate_limit=10.0) for _ in range(2)]

    def worker(client, t):
        return lambda: [client.get_client(f"c{t}-{i}") for i in range(5)]

    run_threads([worker(clients[t % 2], t) for t in range(4)])
    assert busiest([r.received_at for r in server.requests]) > 10


# --- 4. an outage of the store ------------------------------------------------------------------------------


def test_an_outage_falls_back_to_local_pacing_and_the_store_is_used_again(emu, new_client, redis_server, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit=20.0,
                  rate_limit_store=redis_server.url, max_retries=0)
    for _ in range(3):
        client.get_client(seeded.id)
    assert budget_keys(redis_server, "window")
    assert store_warnings(logs) == []

    redis_server.stop()
    failed_at = time.monotonic()
    _, took = timed(lambda: client.get_client(seeded.id))  # finds the store gone
    durations = [took]
    time.sleep(1.2)  # the requests sent through the store are out of the window (see the tests below)
    # A burst: the in-process pacer keeps it to 20 per window.
    burst_from = len(emu.requests)
    _, burst_took = timed(lambda: [client.get_client(seeded.id) for _ in range(25)])
    burst = [r.received_at for r in emu.requests[burst_from:]]
    assert len(burst) == 25
    assert busiest(burst) <= 20
    assert burst[-1] - burst[0] >= WINDOW and burst_took < 3.0
    # Through the outage and past the first retry (5 s after the failure), which fails again.
    while time.monotonic() - failed_at < 5.8 and len(durations) < 200:
        _, took = timed(lambda: client.get_client(seeded.id))
        durations.append(took)
        time.sleep(0.1)
    assert len(durations) >= 10
    assert max(durations) < 1.0, durations
    warnings = store_warnings(logs)
    assert len(warnings) == 1, warnings
    assert "pacing in this process only" in warnings[0]
    assert f"127.0.0.1:{redis_server.port}" in warnings[0]
    assert not [m for m in records(logs, logging.INFO) if "is back" in m]

    redis_server.start()  # empty, on the same port
    restarted = time.monotonic()
    assert redis_server.keys() == []

    def used_again():
        client.get_client(seeded.id)
        return bool(budget_keys(redis_server, "window"))

    assert wait_until(used_again, timeout=8.0, step=0.1), "the client did not return to the store within 8 s"
    assert time.monotonic() - restarted < 6.0
    back = [m for m in records(logs, logging.INFO) if "is back" in m]
    assert len(back) == 1, back
    assert len(store_warnings(logs)) == 1


def test_the_switch_to_local_pacing_counts_the_requests_already_sent(emu, new_client, redis_server):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit=5.0, rate_limit_store=redis_server.url)
    for _ in range(5):
        client.get_client(seeded.id)  # the budget's whole window, through the store
    redis_server.stop()
    for _ in range(5):
        client.get_client(seeded.id)  # the same client, now pacing itself
    assert busiest([r.received_at for r in emu.requests]) <= 5


def test_the_switch_back_to_the_store_counts_the_requests_already_sent(emu, new_client, redis_server):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit=5.0, rate_limit_store=redis_server.url)
    redis_server.stop()
    client.get_client(seeded.id)  # finds the store down: it is tried again 5 s later
    failed_at = time.monotonic()
    redis_server.start()
    time.sleep(max(0.0, failed_at + 4.6 - time.monotonic()))
    for _ in range(4):
        client.get_client(seeded.id)  # paced in-process
    time.sleep(max(0.0, failed_at + 5.1 - time.monotonic()))
    for _ in range(5):
        client.get_client(seeded.id)  # the store again
    assert budget_keys(redis_server, "window")
    assert busiest([r.received_at for r in emu.requests]) <= 5


def test_one_warning_per_outage_for_the_whole_process(emu, new_client, dead_port, logs):
    seeded = emu.add_client(first_name="Ada")
    store = f"redis://127.0.0.1:{dead_port}/0"
    for _ in range(3):
        new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=store).get_client(seeded.id)
    assert len(store_warnings(logs)) == 1, store_warnings(logs)


# --- 5. a store that never answers --------------------------------------------------------------------------


def test_a_silent_store_never_makes_a_call_hang(emu, new_client, silent_store, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=silent_store.url, max_retries=0)
    durations = []
    lock = threading.Lock()

    def call():
        _, took = timed(lambda: client.get_client(seeded.id))
        with lock:
            durations.append(took)

    run_threads([call] * 4, timeout=10)  # together, while the store is first asked
    for _ in range(5):
        call()
    assert len(durations) == 9
    assert max(durations) < 1.5, durations  # a store operation gives up after 0.5 s
    assert sorted(durations)[4] < 0.2, durations  # once it is known down, the store is not waited for
    assert silent_store.connections >= 1 and silent_store.received  # it was asked, and said nothing
    warnings = store_warnings(logs)
    assert len(warnings) == 1, warnings
    assert "500 ms" in warnings[0]
    assert len(emu.requests) == 9


# --- 6. a wrong password ------------------------------------------------------------------------------------

WRONG_PASSWORD = "Wr0ng-Pw-4e2d-Zq"


def test_a_wrong_password_is_an_outage_and_never_shown(emu, new_client, redis_with_password, logs):
    seeded = emu.add_client(first_name="Ada")
    url = redis_with_password.url_with_password(WRONG_PASSWORD)
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=url, max_retries=0)
    for _ in range(3):
        assert client.get_client(seeded.id).id == seeded.id
    warnings = store_warnings(logs)
    assert len(warnings) == 1, warnings
    assert "***" in warnings[0]
    assert redis_with_password.keys() == []  # it was never let in

    emu.fail_next(500)
    with pytest.raises(cryptomate.APIError) as failed:
        client.get_client(seeded.id)
    with pytest.raises(cryptomate.ConfigurationError) as bad_url:
        cryptomate.Client("k", base_url=emu.base_url,
                          rate_limit_store=f"redis://:{WRONG_PASSWORD}@127.0.0.1:1/not-a-db")
    async_client = cryptomate.AsyncClient(emu.api_key, base_url=emu.base_url, rate_limit_store=url)
    unix = cryptomate.Client("k", base_url=emu.base_url,
                             rate_limit_store=f"unix:///tmp/no.sock?db=2&password={WRONG_PASSWORD}")
    shown = [
        logs.text, "\n".join(records(logs, logging.DEBUG) + records(logs, logging.INFO)),
        repr(client), str(client), repr(client.with_options(timeout=3.0)), repr(async_client), repr(unix),
        str(failed.value), repr(failed.value), str(bad_url.value), repr(bad_url.value),
        "".join(traceback.format_exception(type(failed.value), failed.value, failed.value.__traceback__)),
    ]
    for text in shown:
        assert WRONG_PASSWORD not in text, text
    assert "rate_limit_store='redis://:***@127.0.0.1" in repr(client)
    assert "password=***" in repr(unix) or "password=%2A%2A%2A" in repr(unix), repr(unix)
    unix.close()


def test_the_right_password_shares_the_budget(emu, new_client, redis_with_password, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=redis_with_password.url)
    client.get_client(seeded.id)
    assert budget_keys(redis_with_password, "window")
    assert store_warnings(logs) == []
    assert redis_with_password.password not in repr(client) + logs.text


# --- 7. the API key never reaches Redis ---------------------------------------------------------------------


def test_the_api_key_is_nowhere_in_redis(server, new_client, redis_server):
    client = new_client(SECRET_KEY, base_url=server.base_url, rate_limit_store=redis_server.url, max_retries=0)
    with redis_server.monitor() as sent:
        for i in range(4):
            client.update_client(f"c{i}", first_name="Ada")
        server.answer(429, json={"code": "TOO_MANY_REQUESTS", "message": "slow down"}, headers={"Retry-After": "5"})
        with pytest.raises(cryptomate.RateLimitError):
            client.get_client("limited")
    held = redis_server.dump()
    assert {BUDGET_KEY.match(k).group(2) for k in held} == {"window", "pause"}, held
    assert len({BUDGET_KEY.match(k).group(1) for k in held}) == 1  # one budget, named by a 32-hex hash
    needles = [SECRET_KEY, "Fleet-Secret", SECRET_KEY.encode().hex()]
    for key, (kind, value) in held.items():
        assert kind in ("zset", "string"), (key, kind)
        text = repr(value) + key
        assert not any(n in text for n in needles), (key, value)
    # every command the server ran meanwhile (SCRIPT LOAD, EVALSHA, and the script's own calls): no key either
    assert any(b'"EVALSHA"' in line for line in sent), sent[:5]
    assert any(b'"ZADD"' in line for line in sent), sent[:5]
    wire = b"\n".join(sent)
    assert not any(n.encode() in wire for n in needles)


def test_each_api_key_has_its_own_budget(server, new_client, redis_server):
    store = redis_server.url
    for key in [SECRET_KEY, SECRET_KEY, "sk_live_another-key"]:
        new_client(key, base_url=server.base_url, rate_limit_store=store).get_client("x")
    names = {BUDGET_KEY.match(k).group(1) for k in budget_keys(redis_server, "window")}
    assert len(names) == 2


# --- 8. fork ----------------------------------------------------------------------------------------------


def warnings_in_this_process():
    """A list that receives every WARNING the `cryptomate` logger emits from now on (for a forked child)."""
    warned = []

    class Collect(logging.Handler):
        def emit(self, record):
            if record.levelno >= logging.WARNING:
                warned.append(record.getMessage())

    logging.getLogger("cryptomate").addHandler(Collect())
    return warned


@posix_only
def test_a_forked_child_uses_the_store_with_the_same_client(server, new_client, redis_server, logs):
    client = new_client(SECRET_KEY, base_url=server.base_url, rate_limit_store=redis_server.url)
    client.get_client("parent-before")  # the parent's store connection is open
    before = redis_server.command_calls("evalsha")
    assert before >= 1

    def in_child():
        problems = warnings_in_this_process()
        took = []
        for i in range(3):
            started = time.monotonic()
            assert client.get_client(f"child-{i}").id == f"child-{i}"
            took.append(round(time.monotonic() - started, 3))
        return {"took": took, "warnings": problems}

    child = forked(in_child)
    assert child["warnings"] == [], child  # the store worked in the child: it never fell back
    assert max(child["took"]) < 2.0, child
    after_child = redis_server.command_calls("evalsha")
    assert after_child - before >= 3  # the child's requests took their slots in Redis
    paths = [r.path for r in server.requests]
    assert all(f"/management/clients/child-{i}" in paths for i in range(3))
    # the parent keeps working, through the store
    for i in range(2):
        assert client.get_client(f"parent-after-{i}").id == f"parent-after-{i}"
    assert redis_server.command_calls("evalsha") - after_child >= 2
    assert store_warnings(logs) == []


@posix_only
def test_a_child_forked_during_a_store_operation_can_use_the_store(emu, new_client, redis_server):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=redis_server.url)
    client.get_client(seeded.id)
    redis_server.command("CLIENT", "PAUSE", "300", "ALL")  # the next store operation waits 0.3 s for its answer
    busy = threading.Thread(target=lambda: client.get_client(seeded.id), daemon=True)
    busy.start()
    time.sleep(0.1)

    def in_child():
        warned = warnings_in_this_process()
        time.sleep(0.4)  # the pause is over
        _, took = timed(lambda: client.get_client(seeded.id))
        return {"took": took, "warnings": warned}

    child = forked(in_child)
    busy.join(timeout=5)
    # Waiting on the parent's link would have taken the store's 0.5 s deadline (without a warning).
    assert child["warnings"] == [] and child["took"] < 0.45, child


# --- 9. without a rate limit the store is never contacted ---------------------------------------------------


def test_without_a_rate_limit_the_store_is_never_contacted(emu, new_client, silent_store, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit=None, rate_limit_store=silent_store.url)
    for _ in range(5):
        client.get_client(seeded.id)
    client.with_options(timeout=2.0).update_client(seeded.id, first_name="Bo")
    client.update_clients([(seeded.id, {"first_name": "Cy"})] * 3)

    async def async_calls():
        async with cryptomate.AsyncClient(emu.api_key, base_url=emu.base_url, rate_limit=None,
                                          rate_limit_store=silent_store.url) as aclient:
            await asyncio.gather(*[aclient.get_client(seeded.id) for _ in range(3)])

    asyncio.run(async_calls())
    time.sleep(0.1)
    assert silent_store.connections == 0
    assert store_warnings(logs) == []
    # the control: with a rate limit the same store is asked (and, silent, costs one 0.5 s wait)
    new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=silent_store.url).get_client(seeded.id)
    assert wait_until(lambda: silent_store.connections >= 1, timeout=2.0, step=0.05)


# --- 10. async, bulk and copies draw from the same budget ---------------------------------------------------


def test_async_bulk_and_copies_share_the_budget(emu, new_client, redis_server, logs):
    seeded = [emu.add_client(first_name=f"S{i}") for i in range(8)]
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit=10.0, rate_limit_store=redis_server.url)
    copy = client.with_options(timeout=4.0)
    outcomes = {}

    def bulk():
        outcomes["bulk"] = client.update_clients([(s.id, {"first_name": "Bulk"}) for s in seeded], concurrency=4)

    def copied():
        outcomes["copy"] = [copy.get_client(seeded[i].id) for i in range(6)]

    async def async_calls():
        async with cryptomate.AsyncClient(emu.api_key, base_url=emu.base_url, rate_limit=10.0,
                                          rate_limit_store=redis_server.url, timeout=5.0) as aclient:
            acopy = aclient.with_options(timeout=4.0)
            gets = asyncio.gather(*[c.get_client(seeded[i].id) for i, c in enumerate([aclient, acopy] * 4)])
            updates = aclient.update_clients([(s.id, {"last_name": "Async"}) for s in seeded], concurrency=4)
            outcomes["async"] = await asyncio.wait_for(asyncio.gather(gets, updates), timeout=JOIN)

    run_threads([bulk, copied, lambda: asyncio.run(async_calls())])
    assert all(isinstance(r, cryptomate.CompanyClient) for r in outcomes["bulk"]), outcomes["bulk"]
    gets, updates = outcomes["async"]
    assert all(isinstance(r, cryptomate.CompanyClient) for r in [*gets, *updates, *outcomes["copy"]])
    times = [r.received_at for r in emu.requests]
    assert len(times) == 30
    assert busiest(times) <= 10
    assert max(times) - min(times) >= 2 * WINDOW
    assert store_warnings(logs) == []


# --- where the store is: a database number, a Unix socket; a store that forgot the script -------------------


@pytest.mark.parametrize("fixture, url, db", [
    ("redis_server", "redis://127.0.0.1:{server.port}/3", 3),
    ("redis_unix", "unix://{server.socket_path}?db=2", 2),
], ids=["tcp-db-3", "unix-socket-db-2"])
def test_the_store_and_database_of_the_url_are_used(request, emu, new_client, logs, fixture, url, db):
    server = request.getfixturevalue(fixture)
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=url.format(server=server))
    client.get_client(seeded.id)
    assert budget_keys(server, "window", db=db)
    assert server.keys() == []
    assert store_warnings(logs) == []


def test_a_store_that_forgot_the_script_is_taught_again(emu, new_client, redis_server, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=redis_server.url)
    client.get_client(seeded.id)
    assert redis_server.command("SCRIPT", "FLUSH") == "OK"
    client.get_client(seeded.id)
    (window,) = budget_keys(redis_server, "window")
    assert redis_server.command("ZCARD", window) == 2  # both requests took their slot in Redis
    assert store_warnings(logs) == []


TLS_CHILD = r"""
import json, logging, sys
import cryptomate

warnings = []
class Collect(logging.Handler):
    def emit(self, record):
        if record.levelno >= logging.WARNING:
            warnings.append(record.getMessage())
logging.getLogger("cryptomate").addHandler(Collect())
client = cryptomate.Client(sys.argv[2], base_url=sys.argv[1], rate_limit_store=sys.argv[3], timeout=5.0)
ids = [client.get_client(sys.argv[4]).id for _ in range(2)]
print(json.dumps({"ids": ids, "warnings": warnings}))
"""


@pytest.mark.slow
def test_a_tls_store_verified_against_a_trusted_ca(emu, redis_tls):
    seeded = emu.add_client(first_name="Ada")
    env = child_env(SSL_CERT_FILE=redis_tls.ca_file)
    env.pop("SSL_CERT_DIR", None)
    run = subprocess.run([sys.executable, "-c", TLS_CHILD, emu.base_url, emu.api_key, redis_tls.url, seeded.id],
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report == {"ids": [seeded.id] * 2, "warnings": []}
    assert budget_keys(redis_tls, "window")


def test_an_untrusted_tls_store_is_an_outage(emu, new_client, redis_tls, logs):
    seeded = emu.add_client(first_name="Ada")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=redis_tls.url)
    for _ in range(2):
        assert client.get_client(seeded.id).id == seeded.id
    warnings = store_warnings(logs)
    assert len(warnings) == 1, warnings
    assert "certificate" in warnings[0].lower() or "issuer" in warnings[0].lower(), warnings
    assert redis_tls.keys() == []


# --- 11. configuration --------------------------------------------------------------------------------------


def test_the_store_can_come_from_the_environment(emu, new_client, redis_server, monkeypatch, logs):
    seeded = emu.add_client(first_name="Ada")
    monkeypatch.setenv("CRYPTOMATE_RATE_LIMIT_STORE", redis_server.url)
    client = new_client(emu.api_key, base_url=emu.base_url)
    assert f"rate_limit_store='{redis_server.url}'" in repr(client)
    client.get_client(seeded.id)
    assert budget_keys(redis_server, "window")
    assert store_warnings(logs) == []


def test_the_argument_wins_over_the_environment(emu, new_client, redis_server, dead_port, monkeypatch, logs):
    seeded = emu.add_client(first_name="Ada")
    monkeypatch.setenv("CRYPTOMATE_RATE_LIMIT_STORE", f"redis://127.0.0.1:{dead_port}/0")
    client = new_client(emu.api_key, base_url=emu.base_url, rate_limit_store=redis_server.url)
    client.get_client(seeded.id)
    assert budget_keys(redis_server, "window")
    assert store_warnings(logs) == []


def test_an_empty_environment_variable_means_no_store(emu, new_client, monkeypatch):
    monkeypatch.setenv("CRYPTOMATE_RATE_LIMIT_STORE", "  ")
    client = new_client(emu.api_key, base_url=emu.base_url)
    assert "rate_limit_store" not in repr(client)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:6379", "redis://127.0.0.1:6379/notanumber", "unix://", "not a url", "memcached://x:1",
])
@pytest.mark.parametrize("source", ["argument", "environment"])
@pytest.mark.parametrize("cls", [cryptomate.Client, cryptomate.AsyncClient])
def test_a_bad_store_url_is_a_configuration_error(monkeypatch, url, source, cls):
    kwargs = {"base_url": "http://127.0.0.1:1"}
    if source == "argument":
        kwargs["rate_limit_store"] = url
    else:
        monkeypatch.setenv("CRYPTOMATE_RATE_LIMIT_STORE", url)
    with pytest.raises(cryptomate.ConfigurationError, match="rate_limit_store"):
        cls("k", **kwargs)

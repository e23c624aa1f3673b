"""update_clients, blocking and as a coroutine: order, per-item outcomes, concurrency, pacing, progress,
lazy input, Ctrl-C and cancellation."""

from __future__ import annotations

import asyncio
import importlib
import os
import time

import pytest

import cryptomate
from _arrivals import busiest
from _child import assert_ctrl_c_cancels
from conftest import API_KEY
from cryptomate.testing import Emulator

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs signals of a POSIX system")


@pytest.fixture(params=["blocking", "async"])
def update_clients(request):
    """update_clients(base_url, updates, api_key=..., client={options}, **call_options), through a new Client or
    a new AsyncClient (closed afterwards)."""

    def blocking(base_url, updates, api_key=API_KEY, client=None, **options):
        with cryptomate.Client(api_key, base_url=base_url, timeout=10.0, **(client or {})) as sdk:
            return sdk.update_clients(updates, **options)

    def awaited(base_url, updates, api_key=API_KEY, client=None, **options):
        async def main():
            async with cryptomate.AsyncClient(api_key, base_url=base_url, timeout=10.0, **(client or {})) as sdk:
                return await sdk.update_clients(updates, **options)

        return asyncio.run(main())

    return {"blocking": blocking, "async": awaited}[request.param]


@pytest.fixture
def make(new_client):
    """make(base_url, api_key=API_KEY, **options): a Client with a 10 s timeout, closed after the test."""
    return lambda base_url, api_key=API_KEY, **options: new_client(api_key, base_url=base_url, **{"timeout": 10.0, **options})


# --- results ---------------------------------------------------------------------------------------------------


def test_results_in_input_order_with_each_items_outcome(emu, update_clients):
    seeded = [emu.add_client(first_name=f"n{i}") for i in range(6)]
    updates = [
        (seeded[0].id, {"first_name": "A"}),
        ("client_missing", {"sms": True}),              # 404 from the server
        (seeded[1].id, {"sms": "yes"}),                 # wrong type: never sent
        (seeded[2].id, {"first_nam": "x"}),             # unknown field: never sent
        (seeded[3].id, {"phone_number": 2**70}),        # out of range: never sent
        ("only-an-id",),                                # not a pair
        (seeded[4].id, {}),                             # nothing to change
        (seeded[5].id, {"first_name": "F", "sms": False}),
    ]
    results = update_clients(emu.base_url, updates, emu.api_key)
    assert len(results) == len(updates)
    assert isinstance(results[0], cryptomate.CompanyClient) and results[0].first_name == "A"
    assert isinstance(results[1], cryptomate.NotFoundError) and "client_missing" in str(results[1])
    assert isinstance(results[2], TypeError) and "sms" in str(results[2])
    assert isinstance(results[3], TypeError) and "first_name" in str(results[3])
    assert isinstance(results[4], ValueError)
    assert isinstance(results[5], TypeError) and "(id, fields)" in str(results[5])
    assert isinstance(results[6], ValueError)
    assert isinstance(results[7], cryptomate.CompanyClient) and (results[7].first_name, results[7].sms) == ("F", False)
    # only the well-formed items went out, with exactly their fields
    sent = sorted((r.path.rsplit("/", 1)[1], r.json) for r in emu.requests)
    assert sent == sorted([(seeded[0].id, {"first_name": "A"}), ("client_missing", {"sms": True}),
                           (seeded[5].id, {"first_name": "F", "sms": False})])
    assert emu.get(seeded[5].id).first_name == "F"


def test_empty_input_and_bad_arguments(emu, make, update_clients):
    assert update_clients(emu.base_url, [], emu.api_key) == []
    client = make(emu.base_url, emu.api_key)
    with pytest.raises(ValueError, match="concurrency"):
        client.update_clients([], concurrency=0)
    with pytest.raises(TypeError):
        client.update_clients(5)
    with pytest.raises(TypeError, match="progress"):
        client.update_clients([], progress="yes")
    assert emu.requests == []


def test_fields_may_be_any_mapping(emu, make):
    from types import MappingProxyType

    seeded = emu.add_client(first_name="a")
    (result,) = make(emu.base_url, emu.api_key).update_clients([(seeded.id, MappingProxyType({"sms": True}))])
    assert result.sms is True


# --- concurrency and order -------------------------------------------------------------------------------------


@pytest.mark.parametrize("concurrency", [1, 3, 8])
def test_at_most_concurrency_in_flight_and_started_in_input_order(server, update_clients, concurrency):
    server.delay_next(0.05, times=16)
    ids = [f"c{i:02}" for i in range(16)]
    results = update_clients(server.base_url, [(i, {"first_name": i}) for i in ids], client={"rate_limit": None},
                             concurrency=concurrency)
    assert [r.first_name for r in results] == ids
    assert server.max_in_flight <= concurrency
    if concurrency > 1:
        assert server.max_in_flight > 1
    else:
        assert [r.path.rsplit("/", 1)[1] for r in server.requests] == ids


def test_a_generator_is_consumed_lazily(server, update_clients):
    server.delay_next(0.02, times=40)
    pulled = []
    ahead = []

    def updates():
        for i in range(40):
            pulled.append(i)
            yield f"c{i}", {"sms": True}

    def progress(done, total):
        ahead.append(len(pulled) - done)

    results = update_clients(server.base_url, updates(), client={"rate_limit": None}, concurrency=4, progress=progress)
    assert len(results) == 40 and all(r.sms is True for r in results)
    # never more than `concurrency` items taken from the generator beyond those finished
    assert max(ahead) <= 4


def test_an_error_from_the_iterable_stops_the_batch(server, make):
    def updates():
        yield "c0", {"sms": True}
        raise RuntimeError("the CSV reader broke")

    with pytest.raises(RuntimeError, match="CSV reader"):
        make(server.base_url).update_clients(updates())


# --- progress --------------------------------------------------------------------------------------------------


def test_progress_callable_sees_done_grow_to_total(emu, update_clients):
    seeded = [emu.add_client(first_name="x") for _ in range(10)]
    calls = []
    update_clients(emu.base_url, [(s.id, {"sms": True}) for s in seeded], emu.api_key, client={"rate_limit": None},
                   concurrency=3, progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 10)
    assert calls[-1] == (10, 10)
    dones = [done for done, _ in calls]
    assert dones == sorted(dones)
    assert {total for _, total in calls} == {10}


def test_progress_of_a_generator_learns_the_total_at_the_end(server, make):
    calls = []
    make(server.base_url, rate_limit=None).update_clients(((f"c{i}", {"sms": True}) for i in range(5)),
                                                          progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, None)
    assert all(total is None for _, total in calls[:-1])
    assert calls[-1] == (5, 5)


def test_progress_callback_runs_on_the_calling_thread(server, make):
    import threading

    threads = set()
    async def main():
        async with cryptomate.AsyncClient(API_KEY, base_url=server.base_url, rate_limit=None) as client:
            await client.update_clients([(f"c{i}", {"sms": True}) for i in range(5)],
                                        progress=lambda d, t: threads.add(threading.get_ident()))

    asyncio.run(main())
    make(server.base_url).update_clients([("c", {"sms": True})], progress=lambda d, t: threads.add(threading.get_ident()))
    assert threads == {threading.get_ident()}


def test_progress_true_draws_a_tqdm_bar(server, make, capsys):
    pytest.importorskip("tqdm")  # a test dependency
    make(server.base_url).update_clients([(f"c{i}", {"sms": True}) for i in range(3)], progress=True)
    err = capsys.readouterr().err
    assert "update_clients" in err and "3/3" in err


def test_progress_true_without_tqdm_writes_a_plain_line(server, make, capsys, monkeypatch):
    real_import = importlib.import_module

    def no_tqdm(name, *args):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", no_tqdm)
    make(server.base_url).update_clients([(f"c{i}", {"sms": True}) for i in range(3)], progress=True)
    err = capsys.readouterr().err
    assert "update_clients: 3/3" in err
    assert err.endswith("\n")


# --- pacing and rate limits ------------------------------------------------------------------------------------


def test_pacing_holds_while_concurrency_hides_latency(update_clients):
    # The documented limit is 15 requests/s with penalty blocks; 45 updates with 200 ms of latency each
    # would take 9 s one at a time. With 8 in flight and the client's pacing they take about 3 s, and the
    # server never answers 429.
    with Emulator(rate_limit=15.0) as emu:
        seeded = [emu.add_client(first_name="x") for _ in range(45)]
        emu.delay_next(0.2, times=45)
        started = time.monotonic()
        results = update_clients(emu.base_url, [(s.id, {"sms": False}) for s in seeded], emu.api_key,
                                 client={"rate_limit": 15.0, "max_retries": 0}, concurrency=8)
        elapsed = time.monotonic() - started
        arrivals = sorted(r.received_at for r in emu.requests)
    assert all(isinstance(r, cryptomate.CompanyClient) for r in results), [r for r in results if isinstance(r, Exception)][:3]
    assert len(arrivals) == 45  # max_retries=0: a 429 would have been a failed item
    assert busiest(arrivals) <= 15
    assert 2.0 <= elapsed < 6.0, elapsed


def test_a_429_slows_the_batch_but_does_not_fail_it(server, update_clients):
    # The first request meets a 429; the second is answered late, so the 429 has surely been seen before any
    # later item is sent.
    server.answer(429, json={"code": "TOO_MANY_REQUESTS"}, headers={"Retry-After": "0.5"})
    server.delay_next(0.2)
    results = update_clients(server.base_url, [(f"c{i}", {"sms": True}) for i in range(6)], client={"rate_limit": None},
                             concurrency=2)
    assert all(isinstance(r, cryptomate.CompanyClient) for r in results)
    assert [r.headers.get("x-retry-count") for r in server.requests].count("1") == 1
    # every item sent after the 429 waited for its retry time, not just the one that met it
    first = server.requests[0].received_at
    later = [r.received_at - first for r in server.requests[2:]]
    assert len(later) == 5 and all(t >= 0.45 for t in later), later


# --- stopping --------------------------------------------------------------------------------------------------


def test_cancelling_the_coroutine_cancels_the_requests_in_flight(server):
    server.delay_next(10, times=4)

    async def main():
        async with cryptomate.AsyncClient(API_KEY, base_url=server.base_url, rate_limit=None, max_retries=0) as client:
            task = asyncio.create_task(client.update_clients([(f"c{i}", {"sms": True}) for i in range(100)], concurrency=4))
            while len(server.requests) < 4:
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return await client.get_client("after")  # the client is still usable

    assert asyncio.run(asyncio.wait_for(main(), 20)).id == "after"
    assert server.wait_until(lambda: all(r.cancelled for r in server.requests[:4]), timeout=3.0)
    assert len(server.requests) == 5  # nothing more was started


@pytest.mark.slow
@posix_only
def test_ctrl_c_stops_the_batch_promptly(server):
    assert_ctrl_c_cancels(server, 'cryptomate.Client("k", base_url=base_url, rate_limit=None, max_retries=0, '
                                  'timeout=30.0).update_clients([(f"c{i}", {"sms": True}) for i in range(100)], '
                                  'concurrency=4)', requests=4)



"""AsyncClient: coroutines on the same request path as Client, against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import pickle
import time

import pytest

import cryptomate
from _arrivals import busiest
from _child import assert_ctrl_c_cancels, forked
from conftest import API_KEY

posix_only = pytest.mark.skipif(os.name != "posix", reason="needs fork/signals of a POSIX system")


def async_client(base_url, api_key=API_KEY, **options):
    options.setdefault("timeout", 5.0)
    return cryptomate.AsyncClient(api_key, base_url=base_url, **options)


@pytest.fixture
def aclient(emu):
    """An AsyncClient bound to the emulator (the SDK's default pacing applies), closed after the test."""
    client = async_client(emu.base_url, emu.api_key)
    yield client
    asyncio.run(client.close())


# --- calls -----------------------------------------------------------------------------------------------------


def test_update_and_get_return_models(emu, aclient, seeded):
    async def main():
        async with aclient:
            updated = await aclient.update_client(seeded.id, first_name="Grace", sms=False)
            fetched = await aclient.get_client(seeded.id)
        return updated, fetched

    updated, fetched = asyncio.run(main())
    assert isinstance(updated, cryptomate.CompanyClient)
    assert (updated.id, updated.first_name, updated.sms) == (seeded.id, "Grace", False)
    assert fetched == emu.get(seeded.id)
    put, get = emu.requests
    assert (put.method, put.path, put.json) == ("PUT", f"/management/clients/{seeded.id}", {"first_name": "Grace", "sms": False})
    assert (get.method, get.json) == ("GET", None)
    for request in (put, get):
        assert request.headers["x-api-key"] == emu.api_key
        assert request.headers["user-agent"].startswith("cryptomate-python/")
        assert request.headers["accept"] == "application/json"


def test_gather_runs_calls_concurrently(server):
    # Each answer comes 0.3 s late: 20 calls in sequence would take 6 s.
    server.delay_next(0.3, times=20)
    client = async_client(server.base_url, rate_limit=None)

    async def main():
        return await asyncio.gather(*(client.update_client(f"c{i}", first_name=f"n{i}") for i in range(20)))

    started = time.monotonic()
    records = asyncio.run(main())
    elapsed = time.monotonic() - started
    assert [r.first_name for r in records] == [f"n{i}" for i in range(20)]
    assert server.max_in_flight > 1
    assert elapsed < 6.0


def test_a_call_is_a_real_coroutine_that_sends_nothing_until_awaited(emu, aclient, seeded):
    pending = aclient.get_client(seeded.id)
    assert inspect.iscoroutine(pending)
    pending.close()
    assert emu.requests == []
    # asyncio.run takes a call directly: the request binds to the loop that awaits it
    assert asyncio.run(aclient.get_client(seeded.id)).id == seeded.id
    assert len(emu.requests) == 1


def test_errors_are_the_same_typed_exceptions(emu, aclient):
    with pytest.raises(cryptomate.NotFoundError) as caught:
        asyncio.run(aclient.get_client("client_missing"))
    assert caught.value.status_code == 404
    assert caught.value.code == "NOT_FOUND"
    assert caught.value.trace_id
    assert "client_missing" in str(caught.value)


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda c: c.update_client("id", first_nam="x"), TypeError),
        (lambda c: c.update_client("id", sms="yes"), TypeError),
        (lambda c: c.update_client("id", phone_number=2**70), ValueError),
        (lambda c: c.update_client("id"), ValueError),
        (lambda c: c.update_client(5, sms=True), TypeError),
        (lambda c: c.get_client(".."), ValueError),
    ],
)
def test_argument_errors_are_raised_before_anything_is_sent(emu, aclient, call, error):
    async def main():
        with pytest.raises(error):
            await call(aclient)

    asyncio.run(main())
    assert emu.requests == []


def test_retries_and_their_header_are_the_same(emu, aclient, seeded):
    emu.fail_next(503, times=1, retry_after=0.05)
    assert asyncio.run(aclient.get_client(seeded.id)).id == seeded.id
    first, retry = emu.requests
    assert "x-retry-count" not in first.headers
    assert retry.headers["x-retry-count"] == "1"


def test_pacing_holds_across_concurrent_calls(emu, seeded):
    client = async_client(emu.base_url, emu.api_key, rate_limit=5.0)

    async def main():
        await asyncio.gather(*(client.get_client(seeded.id) for _ in range(8)))

    asyncio.run(main())
    arrivals = sorted(r.received_at for r in emu.requests)
    assert len(arrivals) == 8
    assert busiest(arrivals) <= 5
    assert arrivals[-1] - arrivals[0] >= 1.0


def test_each_attempt_is_logged(emu, aclient, seeded, caplog):
    caplog.set_level(logging.DEBUG, logger="cryptomate")
    asyncio.run(aclient.get_client(seeded.id))
    lines = [r.getMessage() for r in caplog.records if r.name == "cryptomate"]
    assert any(f"GET /management/clients/{seeded.id} -> 200" in line for line in lines), lines
    assert not any(emu.api_key in line for line in lines)


# --- cancellation and the event loop ---------------------------------------------------------------------------


def test_cancelling_the_task_drops_the_request_and_leaves_the_client_usable(server):
    server.delay_next(10)
    client = async_client(server.base_url, max_retries=0, timeout=30.0)

    async def main():
        task = asyncio.create_task(client.get_client("slow"))
        while not server.requests:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return await client.get_client("after")

    started = time.monotonic()
    after = asyncio.wait_for(main(), timeout=20)
    assert asyncio.run(after).id == "after"
    assert time.monotonic() - started < 5.0
    assert server.wait_until(lambda: server.requests[0].cancelled, timeout=3.0), "the server never saw the drop"


def test_wait_for_timeout_cancels_the_request(server):
    server.delay_next(10)
    client = async_client(server.base_url, max_retries=0, timeout=30.0)

    async def main():
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.get_client("slow"), timeout=0.3)

    asyncio.run(main())
    assert server.wait_until(lambda: server.requests[0].cancelled, timeout=3.0)


def test_the_event_loop_runs_while_a_call_waits(server):
    server.delay_next(1.0)
    client = async_client(server.base_url)

    async def main():
        gaps, last = [], time.monotonic()
        call = asyncio.create_task(client.get_client("slow"))
        while not call.done():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        await call
        return gaps

    gaps = asyncio.run(main())
    # A blocked loop would show one gap of about a second.
    assert len(gaps) > 10
    assert max(gaps) < 0.5


def test_uvloop(emu, aclient, seeded):
    uvloop = pytest.importorskip("uvloop")  # a test dependency: installed by the test command
    loop = uvloop.new_event_loop()
    try:
        async def main():
            records = await asyncio.gather(*(aclient.update_client(seeded.id, first_name=f"n{i}") for i in range(5)))
            with pytest.raises(cryptomate.NotFoundError):
                await aclient.get_client("client_missing")
            return records

        records = loop.run_until_complete(main())
    finally:
        loop.close()
    assert {r.id for r in records} == {seeded.id}
    assert len(emu.requests) == 6


def test_a_sync_client_works_inside_a_running_event_loop(emu, seeded):
    # A notebook cell runs inside the kernel's event loop.
    with emu.client() as client:
        async def cell():
            return client.get_client(seeded.id)

        assert asyncio.run(cell()).id == seeded.id


# --- the client object -----------------------------------------------------------------------------------------


def test_close_and_async_with(emu, seeded):
    async def main():
        async with async_client(emu.base_url, emu.api_key) as client:
            assert not client.is_closed
            copy = client.with_options(timeout=2.0, max_retries=0)
            assert (copy.timeout, copy.max_retries) == (2.0, 0)
            await copy.get_client(seeded.id)
        assert client.is_closed and copy.is_closed
        with pytest.raises(cryptomate.APIConnectionError):
            await client.get_client(seeded.id)
        other = async_client(emu.base_url, emu.api_key)
        await other.close()
        assert other.is_closed

    asyncio.run(main())


def test_repr_and_pickle_never_show_the_key(emu):
    client = async_client(emu.base_url, "secret-key-value")
    assert "secret-key-value" not in repr(client)
    assert repr(client).startswith("cryptomate.AsyncClient(")
    with pytest.raises(TypeError, match="cannot pickle"):
        pickle.dumps(client)


def test_configuration_is_checked_like_client(monkeypatch):
    with pytest.raises(cryptomate.ConfigurationError):
        cryptomate.AsyncClient()
    monkeypatch.setenv("CRYPTOMATE_API_KEY", "from-env")
    assert cryptomate.AsyncClient(base_url="http://127.0.0.1:1").base_url == "http://127.0.0.1:1"
    with pytest.raises(ValueError):
        cryptomate.AsyncClient("k", timeout=-1)


# --- processes -------------------------------------------------------------------------------------------------


@posix_only
def test_async_calls_work_in_a_forked_child(emu, seeded):
    client = async_client(emu.base_url, emu.api_key)
    assert asyncio.run(client.get_client(seeded.id)).id == seeded.id
    assert forked(lambda: asyncio.run(client.get_client(seeded.id)).id) == seeded.id
    assert asyncio.run(client.get_client(seeded.id)).id == seeded.id


@pytest.mark.slow
@posix_only
def test_ctrl_c_during_asyncio_run_cancels_the_request(server):
    assert_ctrl_c_cancels(server, 'asyncio.run(cryptomate.AsyncClient("k", base_url=base_url, timeout=30.0, '
                                  'max_retries=0).get_client("slow"))')


def test_one_client_serves_event_loops_in_several_threads(emu, aclient, seeded):
    import threading

    results, errors = [], []

    def worker(n):
        async def main():
            return await asyncio.gather(*(aclient.update_client(seeded.id, first_name=f"t{n}-{i}") for i in range(10)))

        try:
            results.extend(asyncio.run(main()))
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == [] and not any(t.is_alive() for t in threads)
    assert len(results) == 30 and {r.id for r in results} == {seeded.id}

"""cryptomate beside requests, httpx, aiohttp and wrk, against one neutral server: nginx on 127.0.0.1 answering
the full JSON of a Gen 1 client (every field of `cryptomate.CompanyClient` set) to any method. One command:

    .venv/bin/python bench/compare.py [--rounds 5] [--seconds 3] [--results bench/RESULTS.md]

It installs Debian's `nginx` and `wrk` when they are missing (apt-get, needs root), starts nginx from a config
in a temporary directory (nothing under /etc is touched), runs every case once per round, in --rounds
interleaved rounds, and prints the median of each case, then the project's targets, met or not. It is not
part of the test run.

Every call is `client.update_client("client_123", first_name="Ada", sms=False)` on a
`cryptomate.Client("key", base_url=..., rate_limit=None, max_retries=0)`; the peers send the same PUT (same
JSON body, X-API-KEY and Content-Type headers) and parse the answer with `.json()`.

Each in-process case runs in a subprocess of its own (`compare.py --case NAME`, internal), which imports only
the library it measures: its peak RSS is that case's alone, and cases do not disturb each other. CPU time is
that subprocess's user + system time (all its threads; wrk's for the wrk rows) over the measured part,
per 1,000 calls; the server's CPU is not in it. "other CPU" is the share of the machine that processes other
than the case, its children and nginx used meanwhile (a compiler running beside the benchmark shows there).
Every loop is bounded in count and in time; all traffic stays on loopback.

Below the sequential case, three rows measure the layers under `update_client` without Python, with the same PUT
and loop (examples/transport_floor.rs, built by cargo at the start): the cryptomate core (request built, answer
checked and decoded), reqwest alone, and a bare hyper HTTP/1 connection, the floor of the HTTP stack the SDK
uses. They show what each layer costs, and how close to that floor a sequential target sits.

"cm x" in the table is how many times faster cryptomate is than the row (0.44 on a ceiling: at 44 % of it).
The emulator-fixture case times start + seeding one client + a client + get_client + stop. The wheel row is a
built wheel under dist/ or target/wheels when there is one, else the installed package zipped (maturin is not
run). The results also go to --results (markdown); text after its KEEP_MARKER line survives a rewrite.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterator, Optional

from _server import MAX_CALLS, free_port, parse_wrk, start_emulator, stop_process, wrk_script

BENCH_DIR = Path(__file__).resolve().parent
API_KEY = "key"
CLIENT_ID = "client_123"
FIELDS: dict[str, Any] = {"first_name": "Ada", "sms": False}
BODY = json.dumps(FIELDS, separators=(",", ":"))
HEADERS = {"X-API-KEY": API_KEY, "Content-Type": "application/json"}
CONCURRENCY = 64
BULK_ITEMS = 10_000
MIB = 1024 * 1024
Item = tuple[str, dict[str, Any]]  # an update_clients item: (client id, fields)
Put = Callable[[str, dict[str, Any]], Awaitable[object]]  # a peer's PUT of one item


def _document(n: int) -> dict[str, Any]:
    return {"id": f"doc_8f14e45f-ceea-467f-a8d1-5c4b2f0a{n:04d}", "name": "passport" if n == 1 else "proof_of_address",
            "description": "Passport, photo page" if n == 1 else "Utility bill, less than 3 months old",
            "issuing_country": "ARG", "number": f"AB{n}234567",
            "image_front": f"https://files.cryptomate.me/kyc/client_123/doc{n}_front.jpg",
            "image_back": f"https://files.cryptomate.me/kyc/client_123/doc{n}_back.jpg"}


def _address(street: str) -> dict[str, Any]:
    return {"street_line_1": street, "street_line_2": "Piso 4, Oficina B", "city": "Buenos Aires",
            "postal_code": "C1043AAZ", "state": "CABA", "country": "ARG"}


# A realistic Gen 1 client: every field of cryptomate.CompanyClient set, so that decoding does real work.
# No "$", "'" or "\" in it: it goes into nginx's config as a single-quoted `return` text.
FULL_CLIENT: dict[str, Any] = {
    "id": CLIENT_ID, "company_id": "comp_e220a839-7b1d-4daf-ae78-9e6aa1b965f4", "type": "COMPANY", "status": "ACTIVE",
    "phone_country_code": 54, "phone_number": 1155551234, "username": "ada.lovelace", "first_name": "Ada",
    "second_name": "Augusta", "last_name": "Lovelace", "gender": "FEMALE", "email": "ada.lovelace@example.com",
    "birth_date": "1985-12-10", "address": _address("Av. Corrientes 1234"), "document_type": "PASSPORT",
    "document_number": "AB1234567", "expiration_date": "2031-06-30", "individual_identification_type": "CUIT",
    "individual_identification": "27-12345678-9", "otp": True, "sms": False, "whatsapp": True, "telegram": False,
    "occupation": "Software engineer", "annual_salary": "50000-100000", "account_purpose": "Payments to suppliers",
    "expected_monthly_volume": "10000-50000", "documents": [_document(1), _document(2)],
    "wallet_ids": ["wal_3b1f0c2e-6a55-4d8e-9f21-0c7d5e8a1b01", "wal_3b1f0c2e-6a55-4d8e-9f21-0c7d5e8a1b02"],
    "business_legal_name": "Analytical Engines S.A.", "business_trade_name": "Analytical Engines",
    "business_description": "Design and sale of general-purpose computing machinery and software.",
    "business_type": "CORPORATION", "business_industry": ["SOFTWARE", "HARDWARE"], "is_dao": False,
    "registered_address": _address("Av. del Libertador 5000"), "physical_address": _address("Florida 100"),
    "identifying_information": [
        {"type": "TAX_ID", "issuing_country": "ARG", "number": "30-71234567-8", "description": "CUIT of the company",
         "expiration": "2030-01-01", "image_front": "https://files.cryptomate.me/kyc/client_123/tax_front.jpg",
         "image_back": "https://files.cryptomate.me/kyc/client_123/tax_back.jpg"}],
    "has_material_intermediary_ownership": False, "ownership_threshold": 25,
    "signed_agreement_id": "agr_5f2b7c1d-0e3a-4b6c-8d9e-1a2b3c4d5e6f", "source_of_funds": "BUSINESS_REVENUE",
    "estimated_annual_revenue_usd": "1000000-9999999", "expected_monthly_payments_usd": 250000,
    "operates_in_prohibited_countries": False, "high_risk_activities": ["NONE"], "conducts_money_services": False,
    "acting_as_intermediary": False, "primary_website": "https://analytical-engines.example.com",
    "other_websites": ["https://blog.analytical-engines.example.com", "https://shop.analytical-engines.example.com"],
    "rejection_code": "NONE", "rejection_description": "Not rejected",
    "created_at": "2026-01-15T09:30:00.123Z", "updated_at": "2026-11-29T12:00:00.456Z",
}
FULL_CLIENT_JSON = json.dumps(FULL_CLIENT, separators=(",", ":"))


# --- measurements ---------------------------------------------------------------------------------------------


@dataclass
class Measure:
    """What one case reports for one round. `value` is calls (items, requests) per second for a rate, seconds
    for a latency, MiB for an RSS growth, bytes for a size."""

    value: float
    calls: int = 0
    cpu: float = 0.0  # seconds of CPU over the measured part
    peak_rss_kib: int = 0
    errors: int = 0
    first_error: str = ""
    note: str = ""

    @property
    def cpu_per_1000(self) -> Optional[float]:
        return self.cpu / self.calls * 1000 if self.calls and self.cpu else None


def peak_rss_kib(who: int = resource.RUSAGE_SELF) -> int:
    return int(resource.getrusage(who).ru_maxrss)  # KiB on Linux


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def proc_status_kib(pid: int | str, key: str) -> int:
    """VmRSS, VmHWM, ... of a process, in KiB (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def proc_cpu_seconds(pid: int | str) -> float:
    """utime + stime of a live process (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Tally:
    """Calls that succeeded and failed, thread-safe enough for counters bumped under the GIL."""

    def __init__(self) -> None:
        self.done = 0
        self.errors = 0
        self.first_error = ""

    def fail(self, error: BaseException) -> None:
        self.errors += 1
        self.first_error = self.first_error or f"{type(error).__name__}: {error}"[:200]


def timed(run_for: Callable[[float], Tally], seconds: float, warmup: float) -> Measure:
    """`run_for(warmup)` unmeasured, then `run_for(seconds)` with wall clock and process CPU around it."""
    run_for(warmup)
    cpu0, t0 = time.process_time(), time.perf_counter()
    tally = run_for(seconds)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Measure(tally.done / elapsed if elapsed > 0 else 0.0, tally.done, cpu, peak_rss_kib(),
                   tally.errors, tally.first_error)


# --- closed loops ---------------------------------------------------------------------------------------------


def thread_loop(call: Callable[[], object], threads: int) -> Callable[[float], Tally]:
    """`threads` threads calling `call` back to back until the time is up (or MAX_CALLS calls each, failed ones
    included)."""

    def run_for(seconds: float) -> Tally:
        tally = Tally()
        deadline = time.monotonic() + seconds
        counts = [0] * threads

        def work(i: int) -> None:
            attempts = 0
            while time.monotonic() < deadline and attempts < MAX_CALLS:
                attempts += 1
                try:
                    call()
                    counts[i] += 1
                except Exception as error:  # counted, and the loop goes on (bounded in time and in count)
                    tally.fail(error)

        if threads == 1:
            work(0)
        else:
            workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
            for w in workers:
                w.start()
            for w in workers:
                w.join(timeout=seconds + 60)
        tally.done = sum(counts)
        return tally

    return run_for


async def async_loop(call: Callable[[], Awaitable[object]], workers: int, seconds: float) -> Tally:
    """`workers` coroutines awaiting `call` back to back until the time is up (or MAX_CALLS each)."""
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def work() -> None:
        n = 0
        while time.monotonic() < deadline and n < MAX_CALLS:
            n += 1
            try:
                await call()
                tally.done += 1
            except Exception as error:
                tally.fail(error)

    await asyncio.gather(*(work() for _ in range(workers)))
    return tally


def bulk_items(count: int, deadline: float) -> Iterator[Item]:
    """`count` update items, fewer if the deadline passes first (so a case stays within its time)."""
    for _ in range(count):
        if time.monotonic() >= deadline:
            return
        yield CLIENT_ID, dict(FIELDS)


def count_results(tally: Tally, results: list[Any]) -> None:
    for result in results:
        if isinstance(result, Exception):
            tally.fail(result)
        else:
            tally.done += 1


async def async_bulk(put: Put, items: Iterator[Item], concurrency: int) -> list[Any]:
    """What update_clients does, for the peers: `concurrency` workers draining one iterator, results in order."""
    results: list[Any] = []

    async def work() -> None:
        for client_id, fields in items:  # a shared iterator: each item goes to one worker
            index = len(results)
            results.append(None)
            try:
                results[index] = await put(client_id, fields)
            except Exception as error:
                results[index] = error

    await asyncio.gather(*(work() for _ in range(concurrency)))
    return results


# --- the cases (each runs inside `compare.py --case NAME`) ------------------------------------------------------


@dataclass
class Env:
    port: int
    seconds: float
    warmup: float
    samples: int  # fresh clients / emulators for the latency cases
    rss_calls: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/management/clients/{CLIENT_ID}"


def sdk_client(env: Env) -> Any:
    import cryptomate

    return cryptomate.Client(API_KEY, base_url=env.base_url, rate_limit=None, max_retries=0)


def sdk_async_client(env: Env) -> Any:
    import cryptomate

    return cryptomate.AsyncClient(API_KEY, base_url=env.base_url, rate_limit=None, max_retries=0)


def check_decoded(client: Any) -> None:
    """The answer decodes into a CompanyClient with every field set: the benchmark measures real decoding."""
    record = client.update_client(CLIENT_ID, **FIELDS)
    missing = [name for name in type(record).__match_args__ if getattr(record, name) is None]
    if missing:
        raise RuntimeError(f"fields not decoded from the server's answer: {missing}")


def case_seq_cryptomate(env: Env, threads: int = 1) -> Measure:
    with sdk_client(env) as client:
        check_decoded(client)
        return timed(thread_loop(lambda: client.update_client(CLIENT_ID, first_name="Ada", sms=False), threads),
                     env.seconds, env.warmup)


def case_seq_requests(env: Env, threads: int = 1) -> Measure:
    import requests

    with requests.Session() as session:
        def call() -> object:
            response = session.put(env.url, data=BODY, headers=HEADERS)
            response.raise_for_status()
            return response.json()

        return timed(thread_loop(call, threads), env.seconds, env.warmup)


def case_seq_httpx(env: Env, threads: int = 1) -> Measure:
    import httpx

    with httpx.Client() as client:
        def call() -> object:
            response = client.put(env.url, content=BODY, headers=HEADERS)
            response.raise_for_status()
            return response.json()

        return timed(thread_loop(call, threads), env.seconds, env.warmup)


async def measure_async(run_for: Callable[[float], Awaitable[Tally]], env: Env) -> Measure:
    """`run_for(warmup)` unmeasured, then `run_for(seconds)` with wall clock and process CPU around it."""
    await run_for(env.warmup)
    cpu0, t0 = time.process_time(), time.perf_counter()
    tally = await run_for(env.seconds)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return Measure(tally.done / elapsed if elapsed > 0 else 0.0, tally.done, cpu, peak_rss_kib(),
                   tally.errors, tally.first_error)


def case_async_cryptomate(env: Env) -> Measure:
    async def main() -> Measure:
        async with sdk_async_client(env) as client:
            def call() -> Awaitable[object]:
                return client.update_client(CLIENT_ID, first_name="Ada", sms=False)  # type: ignore[no-any-return]

            return await measure_async(lambda s: async_loop(call, CONCURRENCY, s), env)

    return asyncio.run(main())


def aiohttp_put(session: Any, url: str) -> Callable[[], Awaitable[object]]:
    async def call() -> object:
        async with session.put(url, data=BODY, headers=HEADERS) as response:
            response.raise_for_status()
            return await response.json()

    return call


def httpx_async_put(client: Any, url: str) -> Callable[[], Awaitable[object]]:
    async def call() -> object:
        response = await client.put(url, content=BODY, headers=HEADERS)
        response.raise_for_status()
        return response.json()

    return call


def httpx_async_client() -> Any:
    import httpx

    # 64 kept-alive connections (the default keeps 20, and would reconnect for the other 44 calls in flight).
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY))


def case_async_aiohttp(env: Env) -> Measure:
    import aiohttp

    async def main() -> Measure:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:
            return await measure_async(lambda s: async_loop(aiohttp_put(session, env.url), CONCURRENCY, s), env)

    return asyncio.run(main())


def case_async_httpx(env: Env) -> Measure:
    async def main() -> Measure:
        async with httpx_async_client() as client:
            return await measure_async(lambda s: async_loop(httpx_async_put(client, env.url), CONCURRENCY, s), env)

    return asyncio.run(main())


# --- update_clients of 10,000 items, and the peers doing the same ------------------------------------------------


def case_bulk_cryptomate(env: Env) -> Measure:
    with sdk_client(env) as client:
        def run_for(seconds: float) -> Tally:
            tally = Tally()
            deadline = time.monotonic() + seconds
            for _ in range(MAX_CALLS // BULK_ITEMS):
                if time.monotonic() >= deadline:
                    break
                count_results(tally, client.update_clients(bulk_items(BULK_ITEMS, deadline), concurrency=CONCURRENCY))
            return tally

        return timed(run_for, env.seconds, env.warmup)


def case_bulk_async_cryptomate(env: Env) -> Measure:
    async def main() -> Measure:
        async with sdk_async_client(env) as client:
            async def run_for(seconds: float) -> Tally:
                tally = Tally()
                deadline = time.monotonic() + seconds
                for _ in range(MAX_CALLS // BULK_ITEMS):
                    if time.monotonic() >= deadline:
                        break
                    count_results(tally, await client.update_clients(bulk_items(BULK_ITEMS, deadline),
                                                                     concurrency=CONCURRENCY))
                return tally

            return await measure_async(run_for, env)

    return asyncio.run(main())


def peer_bulk(put: Put) -> Callable[[float], Awaitable[Tally]]:
    async def run_for(seconds: float) -> Tally:
        tally = Tally()
        deadline = time.monotonic() + seconds
        for _ in range(MAX_CALLS // BULK_ITEMS):
            if time.monotonic() >= deadline:
                break
            count_results(tally, await async_bulk(put, bulk_items(BULK_ITEMS, deadline), CONCURRENCY))
        return tally

    return run_for


def case_bulk_aiohttp(env: Env) -> Measure:
    import aiohttp

    async def main() -> Measure:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:
            async def put(client_id: str, fields: dict[str, Any]) -> object:
                async with session.put(f"{env.base_url}/management/clients/{client_id}",
                                       data=json.dumps(fields, separators=(",", ":")), headers=HEADERS) as response:
                    response.raise_for_status()
                    return await response.json()

            return await measure_async(peer_bulk(put), env)

    return asyncio.run(main())


def case_bulk_httpx(env: Env) -> Measure:
    async def main() -> Measure:
        async with httpx_async_client() as client:
            async def put(client_id: str, fields: dict[str, Any]) -> object:
                response = await client.put(f"{env.base_url}/management/clients/{client_id}",
                                            content=json.dumps(fields, separators=(",", ":")), headers=HEADERS)
                response.raise_for_status()
                return response.json()

            return await measure_async(peer_bulk(put), env)

    return asyncio.run(main())


# --- a new client's first call; one emulator-fixture test ---------------------------------------------------------


def latencies(once: Callable[[], float], env: Env, cap_seconds: float = 60.0) -> Measure:
    """`once()` (which returns the seconds of its timed part) `env.samples` times after one warm-up, within
    `cap_seconds`; the median. CPU covers the whole loop (set-up and tear-down included)."""
    once()
    samples: list[float] = []
    tally = Tally()
    deadline = time.monotonic() + cap_seconds
    cpu0 = time.process_time()
    for _ in range(env.samples):
        if time.monotonic() >= deadline:
            break
        try:
            samples.append(once())
        except Exception as error:
            tally.fail(error)
    cpu = time.process_time() - cpu0
    value = statistics.median(samples) if samples else float("nan")
    note = f"p90 {statistics.quantiles(samples, n=10)[-1] * 1e3:.3f} ms" if len(samples) >= 10 else ""
    return Measure(value, len(samples), cpu, peak_rss_kib(), tally.errors, tally.first_error, note)


def case_first_cryptomate(env: Env) -> Measure:
    import cryptomate

    def once() -> float:
        t0 = time.perf_counter()
        client = cryptomate.Client(API_KEY, base_url=env.base_url, rate_limit=None, max_retries=0)
        client.update_client(CLIENT_ID, first_name="Ada", sms=False)
        elapsed = time.perf_counter() - t0
        client.close()
        return elapsed

    return latencies(once, env)


def first_peer_call(env: Env, new_client: Callable[[], Any], put: Callable[[Any], Any]) -> Measure:
    """A peer's new session and its first PUT + `.json()`, timed like `case_first_cryptomate`."""

    def once() -> float:
        t0 = time.perf_counter()
        client = new_client()
        response = put(client)
        response.raise_for_status()
        response.json()
        elapsed = time.perf_counter() - t0
        client.close()
        return elapsed

    return latencies(once, env)


def case_first_requests(env: Env) -> Measure:
    import requests

    return first_peer_call(env, requests.Session, lambda s: s.put(env.url, data=BODY, headers=HEADERS))


def case_first_httpx(env: Env) -> Measure:
    import httpx

    return first_peer_call(env, httpx.Client, lambda c: c.put(env.url, content=BODY, headers=HEADERS))


def case_fixture(env: Env) -> Measure:
    """What a test with the pytest fixtures costs: start an emulator, seed a client, a client, one call, stop."""
    from cryptomate.testing import Emulator

    def once() -> float:
        t0 = time.perf_counter()
        with Emulator() as emu:
            seeded = emu.add_client(first_name="Ada", last_name="Lovelace")
            with emu.client() as client:
                client.get_client(seeded.id or "")
        return time.perf_counter() - t0

    return latencies(once, env)


# --- memory over 100,000 calls / requests ----------------------------------------------------------------------


def case_client_rss(env: Env, cap_seconds: float = 300.0) -> Measure:
    """This process's RSS after 2,000 warm-up calls and after `rss_calls` more (sequential, against nginx)."""
    with sdk_client(env) as client:
        tally = Tally()
        for _ in range(2_000):
            client.update_client(CLIENT_ID, first_name="Ada", sms=False)
        before = proc_status_kib("self", "VmRSS")
        deadline = time.monotonic() + cap_seconds
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(env.rss_calls):
            if time.monotonic() >= deadline:
                break
            try:
                client.update_client(CLIENT_ID, first_name="Ada", sms=False)
                tally.done += 1
            except Exception as error:
                tally.fail(error)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        after = proc_status_kib("self", "VmRSS")
    note = (f"VmRSS {before / 1024:.1f} -> {after / 1024:.1f} MiB over {tally.done:,} calls "
            f"({tally.done / elapsed:,.0f}/s)")
    return Measure((after - before) / 1024, tally.done, cpu, peak_rss_kib(), tally.errors, tally.first_error, note)


def case_emulator_rss(env: Env, cap_seconds: float = 300.0) -> Measure:
    """The emulator (`python -m cryptomate.cli emulator` in a process of its own): its VmRSS after 2,000 warm-up
    requests and after `rss_calls` more, sent by Client.update_clients at concurrency 64. CPU and peak RSS
    are the emulator's."""
    import cryptomate

    with start_emulator() as emulator:
        with cryptomate.Client(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0) as client:
            def send(count: int, deadline: float) -> Tally:
                tally = Tally()
                for _ in range(-(-count // BULK_ITEMS)):
                    batch = min(BULK_ITEMS, count - tally.done - tally.errors)
                    if batch <= 0 or time.monotonic() >= deadline:
                        break
                    items = ((emulator.client_id, dict(FIELDS)) for _ in range(batch))
                    count_results(tally, client.update_clients(items, concurrency=CONCURRENCY))
                return tally

            send(2_000, time.monotonic() + 60)
            before, cpu0 = proc_status_kib(emulator.pid, "VmRSS"), proc_cpu_seconds(emulator.pid)
            tally = send(env.rss_calls, time.monotonic() + cap_seconds)
            after, cpu = proc_status_kib(emulator.pid, "VmRSS"), proc_cpu_seconds(emulator.pid) - cpu0
            hwm = proc_status_kib(emulator.pid, "VmHWM")
    note = f"VmRSS {before / 1024:.1f} -> {after / 1024:.1f} MiB over {tally.done:,} requests"
    return Measure((after - before) / 1024, tally.done, cpu, hwm, tally.errors, tally.first_error, note)


# --- wrk, the ceiling -----------------------------------------------------------------------------------------


def wrk_binary() -> str:
    return shutil.which("wrk") or "/usr/bin/wrk"


def poll_peak_rss(proc: subprocess.Popen[str], timeout: float) -> int:
    """The child's VmHWM, read every 0.1 s while it runs (getrusage's RUSAGE_CHILDREN would report this
    Python process's size: the child was forked from it); killed after `timeout` seconds."""
    hwm = 0
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        if time.monotonic() >= deadline:
            proc.kill()
            break
        hwm = max(hwm, proc_status_kib(proc.pid, "VmHWM"))
        time.sleep(0.1)
    return hwm


def run_wrk(env: Env, threads: int, connections: int) -> Measure:
    """wrk doing the same PUT; its Requests/sec, and its CPU and peak RSS (this process's children)."""
    with tempfile.TemporaryDirectory(prefix="compare_wrk_") as tmp:
        script = wrk_script(os.path.join(tmp, "put.lua"), BODY, HEADERS)
        duration = max(1, round(env.seconds))  # wrk takes whole seconds
        command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "-s", script, env.url]
        cpu0 = children_cpu()
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        hwm = poll_peak_rss(proc, duration + 60)
        out, err = proc.communicate(timeout=60)
        cpu = children_cpu() - cpu0
    wrk = parse_wrk(out)
    if proc.returncode != 0 or wrk is None:
        raise RuntimeError(f"wrk failed (exit {proc.returncode}): {err.strip() or out.strip()}")
    first_error = f"{wrk.non_2xx} non-2xx answers" if wrk.non_2xx else wrk.socket_line
    return Measure(wrk.per_second, wrk.requests, cpu, hwm, wrk.non_2xx + wrk.socket_errors, first_error)


FLOOR_EXAMPLE = "transport_floor"  # examples/transport_floor.rs: the layers under update_client, without Python


def floor_binary() -> Path:
    return BENCH_DIR.parent / "target" / "dev-release" / "examples" / FLOOR_EXAMPLE


def build_floor() -> Optional[str]:
    """Builds the Rust example the layer rows run; why it could not be built, or None."""
    cargo = shutil.which("cargo")
    if cargo is None:
        return "cargo not found"
    build = subprocess.run([cargo, "build", "--quiet", "--profile", "dev-release", "--example", FLOOR_EXAMPLE],
                           cwd=BENCH_DIR.parent, capture_output=True, text=True, timeout=1800)
    return None if build.returncode == 0 else f"cargo build failed: {build.stderr.strip()[-500:]}"


def run_floor(env: Env, layer: str) -> Measure:
    """One layer under update_client, in Rust (see examples/transport_floor.rs), the same PUT and loop."""
    command = [str(floor_binary()), layer, str(env.port), str(env.seconds), str(env.warmup)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=2 * (env.seconds + env.warmup) + 60)
    if done.returncode != 0:
        raise RuntimeError(f"{FLOOR_EXAMPLE} {layer} failed (exit {done.returncode}): {done.stderr.strip()[-300:]}")
    return Measure(**json.loads(done.stdout.splitlines()[-1]))


CASES: dict[str, Callable[[Env], Measure]] = {
    "seq-cryptomate": case_seq_cryptomate,
    "seq-requests": case_seq_requests,
    "seq-httpx": case_seq_httpx,
    "seq-wrk": lambda env: run_wrk(env, 1, 1),
    "seq-core": lambda env: run_floor(env, "core"),
    "seq-reqwest": lambda env: run_floor(env, "reqwest"),
    "seq-hyper": lambda env: run_floor(env, "hyper"),
    "thr8-cryptomate": lambda env: case_seq_cryptomate(env, threads=8),
    "thr8-requests": lambda env: case_seq_requests(env, threads=8),
    "thr8-httpx": lambda env: case_seq_httpx(env, threads=8),
    "async-cryptomate": case_async_cryptomate,
    "async-aiohttp": case_async_aiohttp,
    "async-httpx": case_async_httpx,
    "wrk-64": lambda env: run_wrk(env, 2, CONCURRENCY),
    "bulk-cryptomate": case_bulk_cryptomate,
    "bulk-async-cryptomate": case_bulk_async_cryptomate,
    "bulk-aiohttp": case_bulk_aiohttp,
    "bulk-httpx": case_bulk_httpx,
    "first-cryptomate": case_first_cryptomate,
    "first-requests": case_first_requests,
    "first-httpx": case_first_httpx,
    "fixture": case_fixture,
    "client-rss": case_client_rss,
    "emulator-rss": case_emulator_rss,
}


def run_case_here(name: str, env: Env) -> int:
    """Internal mode (`--case NAME`): run one case and print its Measure as one JSON line."""
    measure = CASES[name](env)
    print(json.dumps(measure.__dict__), flush=True)
    return 0


# --- nginx, the neutral server ------------------------------------------------------------------------------


def ensure_package(binary: str, package: str) -> str:
    """The path of `binary`, installing Debian's `package` first when it is missing (apt-get, as root)."""
    candidates = (f"/usr/sbin/{binary}", f"/usr/bin/{binary}")
    found = shutil.which(binary) or next((p for p in candidates if os.access(p, os.X_OK)), None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(f"{binary} is missing and this is not root: apt-get install -y {package}")
    print(f"installing {package} (apt-get) ...", flush=True)
    install = ["apt-get", "install", "-y", "-qq", package]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(install, capture_output=True, env=env, timeout=600).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env, timeout=600)
        subprocess.run(install, check=True, capture_output=True, env=env, timeout=600)
    found = shutil.which(binary) or f"/usr/sbin/{binary}"
    if not os.access(found, os.X_OK):
        raise SystemExit(f"{package} installed but {binary} not found")
    return found


def nginx_config(tmp: str, port: int) -> str:
    """One worker, no access log, keep-alive connections that last the whole case (the default would close
    every connection after 1,000 requests), the full client JSON for any method and path."""
    assert not set("$'\\") & set(FULL_CLIENT_JSON), "the JSON would need escaping in nginx's config"
    temp_paths = "\n".join(f"    {name}_temp_path {tmp}/{name};"
                           for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
{temp_paths}
    keepalive_requests 100000000;
    keepalive_timeout 75s;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            default_type application/json;
            return 200 '{FULL_CLIENT_JSON}';
        }}
    }}
}}
"""


@dataclass
class Nginx:
    proc: subprocess.Popen[bytes]
    port: int
    tmp: str

    def pids(self) -> list[int]:
        """The master and its workers."""
        pids = [self.proc.pid]
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as f:
                        if int(f.read().rpartition(")")[2].split()[1]) == self.proc.pid:
                            pids.append(int(entry))
                except (OSError, ValueError, IndexError):
                    continue
        return pids

    def stop(self) -> None:
        stop_process(self.proc)


def answers(port: int) -> bool:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/management/clients/{CLIENT_ID}", data=BODY.encode(),
                                     headers=HEADERS, method="PUT")
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return bool(response.status == 200 and json.loads(response.read()) == FULL_CLIENT)
    except (OSError, ValueError):
        return False


def start_nginx(binary: str, tmp: str) -> Nginx:
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_config(tmp, port))
    proc = subprocess.Popen([binary, "-e", os.path.join(tmp, "error.log"), "-p", tmp, "-c", conf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    nginx = Nginx(proc, port, tmp)
    for _ in range(100):  # up to ~5 s
        if answers(port):
            return nginx
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    nginx.stop()
    error = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    raise SystemExit(f"nginx did not answer on 127.0.0.1:{port}: {error.strip()}")


# --- the machine, and the CPU others use --------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    version = subprocess.run([sys.executable, "-c", "import cryptomate; print(cryptomate.__version__)"],
                             capture_output=True, text=True, timeout=60).stdout.strip()
    nginx_v = subprocess.run([ensure_package("nginx", "nginx"), "-v"], capture_output=True, text=True,
                             timeout=30).stderr
    wrk_v = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True, timeout=30)
    return {
        "nproc": f"{os.cpu_count()} ({usable} usable by this process)",
        "CPU": model or platform.processor(),
        "kernel": platform.release(),
        "Python": f"{platform.python_version()} ({sys.executable})",
        "cryptomate": version,
        "nginx": nginx_v.strip().rpartition("/")[2],
        "wrk": (wrk_v.stdout or wrk_v.stderr).split()[1] if (wrk_v.stdout or wrk_v.stderr).split()[1:] else "?",
    }


def machine_ticks() -> tuple[float, float, float]:
    """(busy, total, interrupt) seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    hz = os.sysconf("SC_CLK_TCK")
    irq = v[5] + v[6]
    busy = v[0] + v[1] + v[2] + irq + (v[7] if len(v) > 7 else 0)
    return busy / hz, (busy + v[3] + v[4]) / hz, irq / hz


class OtherCpu:
    """The share of the machine that processes other than ours (this one, its waited children, nginx) used
    between start() and stop(); interrupt time counts as ours (loopback traffic is handled there)."""

    def __init__(self, nginx: Nginx) -> None:
        self._nginx = nginx.pids()
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        busy, total, irq = machine_ticks()
        ours = time.process_time() + children_cpu() + sum(proc_cpu_seconds(p) for p in self._nginx) + irq
        return busy, total, ours

    def stop(self) -> float:
        busy, total, ours = (b - a for a, b in zip(self._start, self._sample()))
        return max(0.0, (busy - ours) / total) if total > 0 else 0.0


# --- cases run from here: a subprocess per case, import time, wheel size -------------------------------------


@dataclass
class Options:
    rounds: int
    seconds: float
    warmup: float
    samples: int
    rss_calls: int
    imports: int
    results: str


def case_timeout(name: str, opts: Options) -> float:
    if name.endswith("-rss"):
        return 700.0
    if name.startswith(("first-", "fixture")):
        return 180.0
    return 2 * (opts.seconds + opts.warmup) + 120.0


def run_case_subprocess(name: str, nginx: Nginx, opts: Options) -> Measure:
    command = [sys.executable, str(Path(__file__).resolve()), "--case", name, "--port", str(nginx.port),
               "--seconds", str(opts.seconds), "--warmup", str(opts.warmup), "--samples", str(opts.samples),
               "--rss-calls", str(opts.rss_calls)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=case_timeout(name, opts))
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise RuntimeError(f"exit {done.returncode}: {tail}")
    return Measure(**json.loads(lines[-1]))


IMPORT_CODE = """import json, resource, time
t0, c0 = time.perf_counter(), time.process_time()
import {module}
t, c = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps([t, c, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""


def import_time(module: str, count: int) -> Measure:
    """`import module` in `count` fresh interpreters, timed inside each (interpreter start-up excluded); the
    median, and the median peak RSS of the interpreter after it."""
    times: list[float] = []
    rss: list[int] = []
    cpu = 0.0
    for _ in range(count):
        done = subprocess.run([sys.executable, "-c", IMPORT_CODE.format(module=module)], capture_output=True,
                              text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"import {module} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
        t, c, r = json.loads(done.stdout.strip().splitlines()[-1])
        times.append(t)
        cpu += c
        rss.append(r)
    return Measure(statistics.median(times), 0, cpu, int(statistics.median(rss)),
                   note=f"min {min(times) * 1e3:.1f} ms, max {max(times) * 1e3:.1f} ms over {count} interpreters")


def package_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("cryptomate")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cryptomate is not installed in this interpreter")
    return Path(list(spec.submodule_search_locations)[0])


def zipped_size(package: Path, native: Path, replacement: Optional[Path] = None) -> int:
    """The size of a zip (deflate, as wheels are) of the package's files, with `replacement` standing in for
    the extension module: what a wheel of this build would weigh, give or take its metadata."""
    with tempfile.TemporaryDirectory(prefix="compare_wheel_") as tmp:
        out = os.path.join(tmp, "estimate.zip")
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for path in sorted(package.rglob("*")):
                if path.is_dir() or "__pycache__" in path.parts or path.suffix == ".pyc":
                    continue
                source = replacement if (replacement is not None and path == native) else path
                zf.write(source, f"cryptomate/{path.relative_to(package)}")
        return os.path.getsize(out)


def wheel_size() -> Measure:
    """A built wheel's size when one is under dist/ or target/wheels; otherwise an estimate: the installed
    package zipped. maturin is not run here."""
    root = BENCH_DIR.parent
    wheels = sorted([*root.glob("dist/cryptomate-*.whl"), *root.glob("target/wheels/cryptomate-*.whl")],
                    key=lambda p: p.stat().st_mtime)
    if wheels:
        return Measure(wheels[-1].stat().st_size / MIB, note=f"built wheel {wheels[-1].relative_to(root)}")
    package = package_dir()
    native = next(iter(sorted(package.glob("_native*.so"))), None)
    if native is None:
        raise RuntimeError(f"no _native*.so in {package}")
    estimate = zipped_size(package, native)
    note = (f"no wheel built; installed package zipped (deflate); {native.name} itself "
            f"{native.stat().st_size / MIB:.2f} MiB")
    strip = shutil.which("strip")
    if strip is not None:
        with tempfile.TemporaryDirectory(prefix="compare_strip_") as tmp:
            stripped = Path(tmp) / native.name
            shutil.copyfile(native, stripped)
            stripping = subprocess.run([strip, "--strip-unneeded", str(stripped)], capture_output=True, timeout=120)
            if stripping.returncode == 0:
                zipped = zipped_size(package, native, stripped)
                note += (f"; a stripped copy (what `strip = true` or `maturin --strip` would ship) "
                         f"{stripped.stat().st_size / MIB:.2f} MiB, zipped {zipped / MIB:.2f} MiB")
    return Measure(estimate / MIB, note=note)


# --- the table ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    key: str  # the case measured
    ref: str = ""  # the cryptomate case it is compared with
    kind: str = "rate"  # rate | latency | growth | size
    unit: str = "calls/s"


def layout(opts: Options) -> list[tuple[str, list[Row]]]:
    wrk64 = "wrk -t2 -c64 (ceiling)"
    return [
        ("sequential update_client, one connection", [
            Row("cryptomate Client", "seq-cryptomate", "seq-cryptomate"),
            Row("requests.Session", "seq-requests", "seq-cryptomate"),
            Row("httpx.Client", "seq-httpx", "seq-cryptomate"),
            Row("wrk -t1 -c1 (ceiling)", "seq-wrk", "seq-cryptomate", unit="req/s"),
            Row("cryptomate Rust core alone, no Python (decoded)", "seq-core", "seq-cryptomate"),
            Row("reqwest alone, Rust (answer as bytes)", "seq-reqwest", "seq-cryptomate"),
            Row("bare hyper connection, Rust (answer as bytes)", "seq-hyper", "seq-cryptomate"),
        ]),
        ("8 threads sharing one client", [
            Row("cryptomate Client", "thr8-cryptomate", "thr8-cryptomate"),
            Row("requests.Session", "thr8-requests", "thr8-cryptomate"),
            Row("httpx.Client", "thr8-httpx", "thr8-cryptomate"),
        ]),
        (f"async, {CONCURRENCY} calls in flight (asyncio)", [
            Row("cryptomate AsyncClient", "async-cryptomate", "async-cryptomate"),
            Row("aiohttp.ClientSession", "async-aiohttp", "async-cryptomate"),
            Row("httpx.AsyncClient", "async-httpx", "async-cryptomate"),
            Row(wrk64, "wrk-64", "async-cryptomate", unit="req/s"),
        ]),
        (f"update_clients, batches of {BULK_ITEMS:,} items, concurrency {CONCURRENCY}", [
            Row("cryptomate Client.update_clients", "bulk-cryptomate", "bulk-cryptomate", unit="items/s"),
            Row("cryptomate AsyncClient.update_clients", "bulk-async-cryptomate", "bulk-cryptomate", unit="items/s"),
            Row(f"aiohttp, {CONCURRENCY} workers", "bulk-aiohttp", "bulk-cryptomate", unit="items/s"),
            Row(f"httpx.AsyncClient, {CONCURRENCY} workers", "bulk-httpx", "bulk-cryptomate", unit="items/s"),
            Row(wrk64, "wrk-64", "bulk-cryptomate", unit="req/s"),
        ]),
        (f"a new client and its first call (median of {opts.samples})", [
            Row("cryptomate Client", "first-cryptomate", "first-cryptomate", "latency"),
            Row("requests.Session", "first-requests", "first-cryptomate", "latency"),
            Row("httpx.Client", "first-httpx", "first-cryptomate", "latency"),
        ]),
        (f"one emulator-fixture test: start, seed, client, get_client, stop (median of {opts.samples})", [
            Row("cryptomate.testing.Emulator", "fixture", "", "latency"),
        ]),
        (f"RSS growth over {opts.rss_calls:,} requests, after 2,000 warm-up ones", [
            Row(f"emulator process (update_clients at {CONCURRENCY})", "emulator-rss", "", "growth"),
            Row("cryptomate Client, sequential calls", "client-rss", "", "growth"),
        ]),
        (f"import, in a fresh interpreter (median of {opts.imports})", [
            Row("import cryptomate", "import-cryptomate", "import-cryptomate", "latency"),
            Row("import requests", "import-requests", "import-cryptomate", "latency"),
            Row("import httpx", "import-httpx", "import-cryptomate", "latency"),
            Row("import aiohttp", "import-aiohttp", "import-cryptomate", "latency"),
        ]),
        ("size", [Row("abi3 wheel", "wheel", "", "size", "MiB")]),
    ]


@dataclass
class Results:
    measures: dict[str, list[Measure]] = field(default_factory=dict)
    other_cpu: dict[str, list[float]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def median(self, key: str) -> Optional[float]:
        values = [m.value for m in self.measures.get(key, [])]
        return statistics.median(values) if values else None

    def cpu_per_1000(self, key: str) -> Optional[float]:
        values = [c for m in self.measures.get(key, []) if (c := m.cpu_per_1000) is not None]
        return statistics.median(values) if values else None

    def peak_rss_mib(self, key: str) -> Optional[float]:
        values = [m.peak_rss_kib for m in self.measures.get(key, []) if m.peak_rss_kib]
        return max(values) / 1024 if values else None

    def spread(self, key: str) -> Optional[float]:
        values = [m.value for m in self.measures.get(key, [])]
        mid = statistics.median(values) if values else 0.0
        return (max(values) - min(values)) / abs(mid) if len(values) > 1 and mid else None

    def errors(self, key: str) -> int:
        return sum(m.errors for m in self.measures.get(key, []))


def speedup(row: Row, results: Results) -> Optional[float]:
    """How many times faster the cryptomate case is than this row (0.80: at 80 % of this row's speed)."""
    value, ref = results.median(row.key), results.median(row.ref) if row.ref else None
    if value is None or ref is None or not value or not ref:
        return None
    return ref / value if row.kind == "rate" else value / ref


def format_value(row: Row, value: Optional[float]) -> str:
    if value is None:
        return "FAILED"
    if row.kind == "rate":
        return f"{value:,.0f} {row.unit}"
    if row.kind == "latency":
        return f"{value * 1e3:.3f} ms"
    if row.kind == "growth":
        return f"{value:+.1f} MiB"
    return f"{value:.2f} MiB"


def opt(value: Optional[float], fmt: str) -> str:
    return format(value, fmt) if value is not None else "-"


COLUMNS = ("case", "result", "cm x", "CPU/1k calls", "peak RSS", "spread", "other CPU")


def table_rows(opts: Options, results: Results) -> list[tuple[str, list[tuple[str, ...]]]]:
    groups: list[tuple[str, list[tuple[str, ...]]]] = []
    for title, rows in layout(opts):
        cells: list[tuple[str, ...]] = []
        for row in rows:
            cpu = results.cpu_per_1000(row.key)
            other = results.other_cpu.get(row.key)
            errors = results.errors(row.key)
            cells.append((
                row.label + (f" ({errors} errors)" if errors else ""),
                format_value(row, results.median(row.key)),
                opt(speedup(row, results), ".2f"),
                f"{cpu * 1e3:.1f} ms" if cpu is not None else "-",
                f"{results.peak_rss_mib(row.key):.1f} MiB" if results.peak_rss_mib(row.key) is not None else "-",
                opt(results.spread(row.key), ".0%") if row.kind in ("rate", "latency") else "-",
                f"{max(other):.0%}" if other else "-",
            ))
        groups.append((title, cells))
    return groups


def print_table(opts: Options, results: Results) -> None:
    widths = (50, 22, 6, 13, 10, 7, 9)
    header = "  ".join(f"{c:<{w}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(COLUMNS, widths)))
    print(header)
    for title, cells in table_rows(opts, results):
        print(title)
        for cell in cells:
            print("  ".join(f"  {c:<{w - 2}}" if i == 0 else f"{c:>{w}}" for i, (c, w) in enumerate(zip(cell, widths))))
    for note in row_notes(opts, results):
        print(f"  {note}")


def row_notes(opts: Options, results: Results) -> list[str]:
    """The details the latency, RSS and size cases add (p90, RSS before and after, ...), from the last round."""
    notes: dict[str, str] = {}
    for _, rows in layout(opts):
        for row in rows:
            last = results.measures.get(row.key, [])[-1:]
            if last and last[0].note and row.kind != "rate":
                notes[row.key] = f"{row.label}: {last[0].note}"
    return list(notes.values())


# --- the targets ---------------------------------------------------------------------------------------------


def paired(results: Results, top: str, bottom: str) -> str:
    """The same ratio within each round (the two runs a minute apart at most)."""
    rounds = zip(results.measures.get(top, []), results.measures.get(bottom, []))
    pairs = [a.value / b.value for a, b in rounds if b.value]
    return "per round " + " ".join(f"{p:.2f}" for p in pairs) if len(pairs) > 1 else ""


def targets(opts: Options, results: Results) -> list[tuple[str, str, Optional[bool], str]]:
    """(target, measured, met, detail) for each target of the project; met is None when a case failed."""
    out: list[tuple[str, str, Optional[bool], str]] = []

    def ratio(text: str, top: str, bottom: str, at_least: float, as_percent: bool = False) -> None:
        a, b = results.median(top), results.median(bottom)
        if a is None or b is None or not b:
            out.append((text, "n/a", None, "a case failed"))
            return
        value = a / b
        shown = f"{value:.0%}" if as_percent else f"{value:.2f}x"
        out.append((text, shown, value >= at_least, paired(results, top, bottom)))

    def below(text: str, key: str, limit: float, scale: float, unit: str) -> None:
        value = results.median(key)
        if value is None:
            out.append((text, "n/a", None, results.failed.get(key, "the case failed")))
            return
        out.append((text, f"{value * scale:.3f} {unit}" if unit == "ms" else f"{value * scale:.2f} {unit}",
                    value < limit, ""))

    ratio("sequential: cryptomate >= 75 % of wrk -t1 -c1", "seq-cryptomate", "seq-wrk", 0.75, True)
    ratio("sequential: cryptomate >= 6x requests.Session", "seq-cryptomate", "seq-requests", 6.0)
    ratio("sequential: cryptomate >= 4x httpx.Client", "seq-cryptomate", "seq-httpx", 4.0)
    ratio("8 threads: cryptomate >= 15x httpx.Client", "thr8-cryptomate", "thr8-httpx", 15.0)
    ratio(f"async at {CONCURRENCY}: AsyncClient >= 2x aiohttp", "async-cryptomate", "async-aiohttp", 2.0)
    ratio(f"update_clients >= 30 % of wrk -t2 -c{CONCURRENCY}", "bulk-cryptomate", "wrk-64", 0.30, True)
    below("a new client's first call < 1 ms", "first-cryptomate", 1e-3, 1e3, "ms")
    below("one emulator-fixture test < 1 ms", "fixture", 1e-3, 1e3, "ms")
    below(f"emulator RSS growth < 16 MiB over {opts.rss_calls:,} requests", "emulator-rss", 16.0, 1.0, "MiB")
    below(f"client RSS growth < 5 MiB over {opts.rss_calls:,} calls", "client-rss", 5.0, 1.0, "MiB")
    below("import cryptomate < 50 ms", "import-cryptomate", 50e-3, 1e3, "ms")
    below("abi3 wheel < 8 MiB", "wheel", 8.0, 1.0, "MiB")
    return out


def verdict(met: Optional[bool]) -> str:
    return "n/a" if met is None else ("met" if met else "NOT met")


def print_targets(opts: Options, results: Results) -> None:
    print("\ntargets (medians; ratios of medians from this run):")
    for text, measured, met, detail in targets(opts, results):
        print(f"  {text:<52} {measured:>12}  {verdict(met):<8} {detail}")


# --- RESULTS.md -----------------------------------------------------------------------------------------------


def write_markdown(path: str, opts: Options, results: Results, info: dict[str, str], notes: list[str]) -> None:
    lines = ["# bench/compare.py results", "",
             f"Run {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}: {opts.rounds} interleaved "
             f"rounds x {opts.seconds:g} s per throughput case; medians. Rerun with:", "",
             "```sh", ".venv/bin/python bench/compare.py" + ("" if path == default_results() else f" --results {path}"),
             "```", "", "## Machine", ""]
    lines += [f"- {name}: {value}" for name, value in info.items()]
    lines += ["", "## Results", "",
              "`cm x`: how many times faster cryptomate is than the row (for a ceiling, 0.80 = at 80 % of it). "
              "CPU: the client process's user + system time per 1,000 calls (wrk's own for wrk; the emulator's for "
              "its RSS row), the server's excluded. spread: (max - min) / median over the rounds. other CPU: the "
              "largest share of the machine that other processes used during a round of the case.", ""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(COLUMNS) - 1)) + "|")
    for title, cells in table_rows(opts, results):
        lines.append(f"| **{title}** |" + " |" * (len(COLUMNS) - 1))
        lines += ["| " + " | ".join(cell) + " |" for cell in cells]
    lines += ["", "Details (last round):", ""] + [f"- {note}" for note in row_notes(opts, results)]
    lines += ["", "## Targets", "", "| target | measured | | detail |", "|---|---:|---|---|"]
    lines += [f"| {text} | {measured} | {verdict(met)} | {detail} |"
              for text, measured, met, detail in targets(opts, results)]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    Path(path).write_text("\n".join(lines) + "\n\n" + kept_text(path))


KEEP_MARKER = "<!-- compare.py keeps what follows this line when it rewrites the file -->"


def kept_text(path: str) -> str:
    """The hand-written part of an existing results file (after KEEP_MARKER), or just the marker."""
    try:
        text = Path(path).read_text()
    except OSError:
        return KEEP_MARKER + "\n"
    _, marker, rest = text.partition(KEEP_MARKER)
    return KEEP_MARKER + (rest if marker else "\n")


def default_results() -> str:
    return str(BENCH_DIR / "RESULTS.md")


# --- main ---------------------------------------------------------------------------------------------------


def native_stamp() -> str:
    """The installed extension module's size and mtime: a rebuild during the run shows as a change."""
    try:
        native = next(iter(sorted(package_dir().glob("_native*.so"))))
        st = native.stat()
        return f"{native.name} {st.st_size} bytes, modified {time.strftime('%H:%M:%S', time.localtime(st.st_mtime))}"
    except (StopIteration, RuntimeError, OSError):
        return "?"


def case_order(opts: Options) -> list[str]:
    keys = [row.key for _, rows in layout(opts) for row in rows if row.key != "wheel"]
    return list(dict.fromkeys(keys))


def run_round(round_no: int, opts: Options, nginx: Nginx, results: Results) -> None:
    for key in case_order(opts):
        if key in results.failed:
            continue
        watch = OtherCpu(nginx)
        try:
            if key.startswith("import-"):
                measure = import_time(key.removeprefix("import-"), opts.imports)
            else:
                measure = run_case_subprocess(key, nginx, opts)
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as error:
            results.failed[key] = f"{type(error).__name__}: {error}"
            print(f"round {round_no}/{opts.rounds}  {key:<24} FAILED: {results.failed[key]}", file=sys.stderr,
                  flush=True)
            continue
        other = watch.stop()
        results.measures.setdefault(key, []).append(measure)
        results.other_cpu.setdefault(key, []).append(other)
        errors = f"  {measure.errors} errors: {measure.first_error}" if measure.errors else ""
        print(f"round {round_no}/{opts.rounds}  {key:<24} {measure.value:>14,.4g}  other CPU {other:.0%}{errors}",
              file=sys.stderr, flush=True)


def parse_args(argv: Optional[list[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds; medians reported (default 5)")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured time per throughput case (default 3)")
    parser.add_argument("--warmup", type=float, default=0.3, help="unmeasured warm-up per case (default 0.3)")
    parser.add_argument("--samples", type=int, default=200, help="clients / emulators per latency case (default 200)")
    parser.add_argument("--rss-calls", type=int, default=100_000, help="calls for the RSS cases (default 100000)")
    parser.add_argument("--imports", type=int, default=10, help="fresh interpreters per import case (default 10)")
    parser.add_argument("--results", default=default_results(), help="markdown file to write ('' for none)")
    parser.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)  # internal: one case, JSON out
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args.case:
        return run_case_here(args.case, Env(args.port, args.seconds, args.warmup, args.samples, args.rss_calls))
    opts = Options(max(1, args.rounds), args.seconds, args.warmup, max(1, args.samples), max(1, args.rss_calls),
                   max(1, args.imports), args.results)
    nginx_bin = ensure_package("nginx", "nginx")
    ensure_package("wrk", "wrk")
    info = machine()
    stamp_before = native_stamp()
    load_before = os.getloadavg()
    for name, value in info.items():
        print(f"{name}: {value}")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*load_before), flush=True)

    results = Results()
    print(f"building examples/{FLOOR_EXAMPLE}.rs (cargo, dev-release) ...", flush=True)
    if (why := build_floor()) is not None:
        results.failed.update({key: why for key in ("seq-core", "seq-reqwest", "seq-hyper")})
    with tempfile.TemporaryDirectory(prefix="compare_nginx_") as tmp:
        nginx = start_nginx(nginx_bin, tmp)
        try:
            print(f"nginx on 127.0.0.1:{nginx.port}, {len(FULL_CLIENT_JSON):,}-byte client JSON", flush=True)
            for round_no in range(1, opts.rounds + 1):
                run_round(round_no, opts, nginx, results)
        finally:
            nginx.stop()
    try:
        results.measures["wheel"] = [wheel_size()]
    except (RuntimeError, OSError) as error:
        results.failed["wheel"] = str(error)
    load_after = os.getloadavg()
    stamp_after = native_stamp()

    info["load average"] = "{:.2f} {:.2f} {:.2f} before; {:.2f} {:.2f} {:.2f} after".format(*load_before, *load_after)
    info["extension"] = stamp_before
    notes = [f"{key} failed: {why}" for key, why in results.failed.items()]
    notes += [f"{key}: {m.errors} errors in a round, first: {m.first_error}" for key, ms in results.measures.items()
              for m in ms if m.errors]
    if stamp_after != stamp_before:
        notes.append(f"the extension module changed during the run ({stamp_before} -> {stamp_after}): "
                     "later cases ran another build")
    noisy = [key for key, others in results.other_cpu.items() if others and max(others) > 0.10]
    if noisy:
        notes.append(f"other processes used over 10 % of the machine during: {', '.join(noisy)}")

    print()
    print(f"{opts.rounds} rounds x {opts.seconds:g} s per throughput case; nginx 1 worker; cm x = how many times "
          "faster cryptomate is than the row")
    print_table(opts, results)
    print_targets(opts, results)
    print()
    print("load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
    for note in notes:
        print(f"note: {note}")
    if opts.results:
        write_markdown(opts.results, opts, results, info, notes)
        print(f"written: {opts.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

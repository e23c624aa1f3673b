"""Concurrent throughput against the emulator in another process (loopback only):

  * AsyncClient.update_client with 64 coroutines in flight, on asyncio's loop and on uvloop (when installed);
  * aiohttp doing the same PUT + JSON parse, 64 in flight over one ClientSession (connector limit 64);
  * Client.update_clients at concurrency 64 and 8 (the default), AsyncClient.update_clients at 64, each fed a
    generator of (id, fields) items;
  * wrk with 64 connections doing the same PUT: the ceiling of what the emulator and the machine allow.

Every case runs for --seconds, once per round, in --rounds interleaved rounds (A, B, C, ... then again);
the table shows the median per case and, at the end, the ratios the project targets:
AsyncClient >= 2x aiohttp, and update_clients(concurrency=64) >= 1/3 of wrk.

Each run gets a fresh emulator process (started in ~40 ms): the emulator journals every request it serves
and its memory grows with them (about 10 KB a request here), so a shared one would reach gigabytes and
later cases would meet a different server than earlier ones.

    python bench/bench_async_bulk.py [--seconds 3] [--rounds 3] [--items 20000]

"other CPU" is the share of the machine used during a run by processes other than this one, its children
(wrk) and the emulator (interrupt time counts as ours: loopback traffic is handled there): a compiler
running beside the benchmark shows up there.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Awaitable, Callable, Iterator, Optional

import cryptomate
from _server import EmulatorProcess, parse_wrk, start_emulator, wrk_script

FIELDS = {"first_name": "Ada", "sms": False}
BODY = json.dumps(FIELDS, separators=(",", ":"))

try:
    import uvloop
except ImportError:
    uvloop = None  # type: ignore[assignment]

try:
    import aiohttp
except ImportError:
    aiohttp = None  # type: ignore[assignment]


@dataclass
class Outcome:
    done: int  # calls, items or requests that succeeded
    errors: int
    elapsed: float
    first_error: str = ""

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0


@dataclass
class Case:
    key: str
    name: str
    unit: str
    run: Callable[[EmulatorProcess], Outcome]
    outcomes: list[Outcome] = field(default_factory=list)
    other_cpu: list[float] = field(default_factory=list)
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(o.rate for o in self.outcomes) if self.outcomes else 0.0


# --- CPU used by everything else on the machine -------------------------------------------------------------


def _proc_ticks(pid: str, children: bool = False) -> int:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime: waited-for children (wrk)
    return ticks


class CpuWatch:
    """The machine's busy time minus ours (this process, its waited children, the emulator), as a share of all
    the machine's time between start() and stop(). None where /proc is missing."""

    def __init__(self, emulator_pid: int) -> None:
        self._emulator = str(emulator_pid)
        self._start: Optional[tuple[int, int, int]] = None

    def _sample(self) -> Optional[tuple[int, int, int]]:
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        # user nice system idle iowait irq softirq steal: irq and softirq (loopback TCP is processed there,
        # on no process's account) are counted as ours, steal as someone else's.
        irq = v[5] + v[6]
        busy = v[0] + v[1] + v[2] + irq + (v[7] if len(v) > 7 else 0)
        total = busy + v[3] + v[4]
        return busy, total, _proc_ticks("self", children=True) + _proc_ticks(self._emulator) + irq

    def start(self) -> None:
        self._start = self._sample()

    def stop(self) -> Optional[float]:
        end = self._sample()
        if self._start is None or end is None or end[1] <= self._start[1]:
            return None
        busy, total, ours = (b - a for a, b in zip(self._start, end))
        return max(0.0, (busy - ours) / total)


def rss_mib(pid: int) -> Optional[float]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --- async cases --------------------------------------------------------------------------------------------


def run_on(loop_kind: str, main: Callable[[], Awaitable[Outcome]]) -> Outcome:
    if loop_kind == "uvloop":
        return uvloop.run(main())  # type: ignore[arg-type]
    return asyncio.run(main())  # type: ignore[arg-type]


async def closed_loop(call: Callable[[], Awaitable[Any]], workers: int, seconds: float, warmup: float) -> Outcome:
    """`workers` coroutines each awaiting `call()` back to back until a deadline, after a short unmeasured
    warm-up with the same session (connections opened, caches filled)."""

    async def phase(duration: float) -> Outcome:
        deadline = time.monotonic() + duration
        outcome = Outcome(0, 0, 0.0)

        async def worker() -> None:
            while time.monotonic() < deadline:
                try:
                    await call()
                    outcome.done += 1
                except Exception as error:  # counted, shown in the table
                    outcome.errors += 1
                    outcome.first_error = outcome.first_error or f"{type(error).__name__}: {error}"

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(workers)))
        outcome.elapsed = time.perf_counter() - start
        return outcome

    await phase(warmup)
    return await phase(seconds)


def async_client_calls(emulator: EmulatorProcess, loop_kind: str, workers: int, seconds: float, warmup: float) -> Outcome:
    async def main() -> Outcome:
        async with cryptomate.AsyncClient(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0) as client:
            client_id = emulator.client_id
            return await closed_loop(lambda: client.update_client(client_id, first_name="Ada", sms=False),
                                     workers, seconds, warmup)

    return run_on(loop_kind, main)


def aiohttp_calls(emulator: EmulatorProcess, loop_kind: str, workers: int, seconds: float, warmup: float) -> Outcome:
    url = f"{emulator.url}/management/clients/{emulator.client_id}"
    headers = {"X-API-KEY": emulator.key, "Content-Type": "application/json"}

    async def main() -> Outcome:
        connector = aiohttp.TCPConnector(limit=workers)
        async with aiohttp.ClientSession(connector=connector) as session:
            async def call() -> Any:
                async with session.put(url, data=BODY, headers=headers) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"HTTP {resp.status}: {await resp.text()}")
                    return await resp.json()

            return await closed_loop(call, workers, seconds, warmup)

    return run_on(loop_kind, main)


# --- bulk cases ---------------------------------------------------------------------------------------------


def updates(client_id: str, count: int, deadline: float) -> Iterator[tuple[str, dict[str, Any]]]:
    """`count` items, fewer if the deadline passes first (so a case stays within --seconds whatever the speed)."""
    for _ in range(count):
        if time.monotonic() >= deadline:
            return
        yield client_id, {"first_name": "Ada", "sms": False}


def tally(outcome: Outcome, results: list[Any]) -> None:
    for result in results:
        if isinstance(result, Exception):
            outcome.errors += 1
            outcome.first_error = outcome.first_error or f"{type(result).__name__}: {result}"
        else:
            outcome.done += 1


def bulk_sync(emulator: EmulatorProcess, concurrency: int, items: int, seconds: float) -> Outcome:
    """Batches of up to `items` items through Client.update_clients, back to back until --seconds are up."""
    client = cryptomate.Client(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0)
    try:
        client.update_clients(updates(emulator.client_id, 2 * concurrency, float("inf")), concurrency=concurrency)
        outcome = Outcome(0, 0, 0.0)
        deadline = time.monotonic() + seconds
        start = time.perf_counter()
        while time.monotonic() < deadline:
            tally(outcome, client.update_clients(updates(emulator.client_id, items, deadline), concurrency=concurrency))
        outcome.elapsed = time.perf_counter() - start
        return outcome
    finally:
        client.close()


def bulk_async(emulator: EmulatorProcess, loop_kind: str, concurrency: int, items: int, seconds: float) -> Outcome:
    async def main() -> Outcome:
        async with cryptomate.AsyncClient(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0) as client:
            await client.update_clients(updates(emulator.client_id, 2 * concurrency, float("inf")), concurrency=concurrency)
            outcome = Outcome(0, 0, 0.0)
            deadline = time.monotonic() + seconds
            start = time.perf_counter()
            while time.monotonic() < deadline:
                tally(outcome, await client.update_clients(updates(emulator.client_id, items, deadline),
                                                           concurrency=concurrency))
            outcome.elapsed = time.perf_counter() - start
            return outcome

    return run_on(loop_kind, main)


# --- wrk ----------------------------------------------------------------------------------------------------


def wrk_run(wrk: str, directory: str, emulator: EmulatorProcess, connections: int, seconds: float) -> Outcome:
    headers = {"X-API-KEY": emulator.key, "Content-Type": "application/json"}  # the key changes with every emulator
    script = wrk_script(os.path.join(directory, f"put-{emulator.pid}.lua"), BODY, headers)
    duration = max(1, round(seconds))  # wrk takes whole seconds
    url = f"{emulator.url}/management/clients/{emulator.client_id}"
    command = [wrk, "-t2", f"-c{connections}", f"-d{duration}s", "-s", script, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    out = done.stdout
    found = parse_wrk(out)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed (exit {done.returncode}): {done.stderr.strip() or out.strip()}")
    first_error = f"{found.non_2xx} non-2xx responses" if found.non_2xx else found.socket_line
    # wrk's own run time (requests / Requests/sec), so the rate of good answers is wrk's figure when all are.
    elapsed = found.requests / found.per_second if found.per_second > 0 else float(duration)
    return Outcome(found.requests - found.non_2xx, found.non_2xx + found.socket_errors, elapsed, first_error)


# --- main ---------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="time per case per round (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported (default 3)")
    parser.add_argument("--items", type=int, default=20_000, help="items per update_clients batch (default 20000)")
    parser.add_argument("--concurrency", type=int, default=64, help="calls in flight / wrk connections (default 64)")
    parser.add_argument("--warmup", type=float, default=0.25, help="unmeasured warm-up per async case (default 0.25 s)")
    args = parser.parse_args()
    n, secs = args.concurrency, args.seconds

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"cryptomate {cryptomate.__version__}, Python {platform.python_version()}, {platform.machine()}; "
          f"cores: {cores} ({usable} usable by this process)")
    if load_before:
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*load_before))

    tmp = tempfile.TemporaryDirectory(prefix="bench_async_bulk_")
    emulator: Optional[EmulatorProcess] = None
    rss_max = 0.0
    try:
        loops = ["asyncio"] + (["uvloop"] if uvloop is not None else [])
        cases: list[Case] = []
        skipped: list[str] = []
        for kind in loops:
            cases.append(Case(f"async-{kind}", f"AsyncClient.update_client x{n}, {kind}", "calls/s",
                              partial(async_client_calls, loop_kind=kind, workers=n, seconds=secs, warmup=args.warmup)))
        if aiohttp is not None:
            for kind in loops:
                cases.append(Case(f"aiohttp-{kind}", f"aiohttp PUT + .json() x{n}, {kind}", "calls/s",
                                  partial(aiohttp_calls, loop_kind=kind, workers=n, seconds=secs, warmup=args.warmup)))
        else:
            skipped.append("aiohttp: not installed (pip install aiohttp)")
        if uvloop is None:
            skipped.append("uvloop: not installed, asyncio's loop only (pip install uvloop)")
        cases.append(Case(f"bulk-{n}", f"Client.update_clients(concurrency={n})", "items/s",
                          lambda em: bulk_sync(em, n, args.items, secs)))
        cases.append(Case("bulk-8", "Client.update_clients(concurrency=8)", "items/s",
                          lambda em: bulk_sync(em, 8, args.items, secs)))
        cases.append(Case(f"abulk-{n}", f"AsyncClient.update_clients(concurrency={n}), asyncio", "items/s",
                          lambda em: bulk_async(em, "asyncio", n, args.items, secs)))
        wrk = shutil.which("wrk")
        if wrk is not None:
            cases.append(Case("wrk", f"wrk -t2 -c{n} (ceiling)", "req/s",
                              lambda em: wrk_run(wrk, tmp.name, em, n, secs)))
        else:
            skipped.append("wrk: not installed (apt-get install -y wrk); the ceiling row and its ratio are skipped")
        for note in skipped:
            print(f"skipped: {note}", flush=True)

        for round_no in range(1, args.rounds + 1):
            for case in cases:
                if case.failed:
                    continue
                emulator = start_emulator()
                watch = CpuWatch(emulator.pid)
                watch.start()
                try:
                    outcome = case.run(emulator)
                except Exception as error:
                    case.failed = f"{type(error).__name__}: {error}"
                    print(f"round {round_no}/{args.rounds}  {case.name:<52} FAILED: {case.failed}", file=sys.stderr)
                    continue
                finally:
                    other = watch.stop()
                    rss_max = max(rss_max, rss_mib(emulator.pid) or 0.0)
                    emulator.stop()
                    emulator = None
                case.outcomes.append(outcome)
                if other is not None:
                    case.other_cpu.append(other)
                errors = f"  ({outcome.errors} errors)" if outcome.errors else ""
                print(f"round {round_no}/{args.rounds}  {case.name:<52} {outcome.rate:>9,.0f} {case.unit}"
                      f"  other CPU {other if other is not None else float('nan'):.0%}{errors}", file=sys.stderr)
    finally:
        if emulator is not None:
            emulator.stop()
        tmp.cleanup()
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None

    print()
    print(f"{args.rounds} rounds x {secs:g} s per case; median, min and max over rounds; "
          f"bulk batches of {args.items:,} items from a generator")
    print(f"{'case':<54} {'median':>9} {'unit':<8} {'min':>9} {'max':>9} {'spread':>7} {'errors':>7} {'other CPU':>9}")
    for case in cases:
        if case.failed and not case.outcomes:
            print(f"{case.name:<54} FAILED: {case.failed}")
            continue
        rates = [o.rate for o in case.outcomes]
        spread = (max(rates) - min(rates)) / case.median if case.median else 0.0
        error_count = sum(o.errors for o in case.outcomes)
        other_text = f"{max(case.other_cpu):.0%}" if case.other_cpu else "n/a"
        print(f"{case.name:<54} {case.median:>9,.0f} {case.unit:<8} {min(rates):>9,.0f} {max(rates):>9,.0f} "
              f"{spread:>7.0%} {error_count:>7} {other_text:>9}")
        first = next((o.first_error for o in case.outcomes if o.first_error), "")
        if first:
            print(f"    first error: {first}")
        if case.failed:
            print(f"    failed in a later round: {case.failed}")

    by_key = {case.key: case for case in cases if case.outcomes}
    print()
    print("targets:")

    def ratio(label: str, top: str, bottom: str, target: float, target_text: str) -> None:
        if top not in by_key or bottom not in by_key or not by_key[bottom].median:
            print(f"  {label:<52} n/a (a case is missing)")
            return
        value = by_key[top].median / by_key[bottom].median
        verdict = "" if target <= 0 else ("  met" if value >= target else "  NOT met")
        # The same ratio within each round (both runs a few seconds apart): how much it moves with the noise.
        paired = [a.rate / b.rate for a, b in zip(by_key[top].outcomes, by_key[bottom].outcomes) if b.rate]
        rounds = f"; per round {' '.join(f'{r:.2f}' for r in paired)}" if len(paired) > 1 else ""
        print(f"  {label:<52} {value:5.2f}x  (target {target_text}{rounds}){verdict}")

    for kind in loops:
        ratio(f"AsyncClient / aiohttp, {kind}", f"async-{kind}", f"aiohttp-{kind}", 2.0, ">= 2x")
    ratio(f"Client.update_clients(concurrency={n}) / wrk", f"bulk-{n}", "wrk", 1 / 3, ">= 0.33x")
    ratio(f"AsyncClient.update_clients(concurrency={n}) / wrk", f"abulk-{n}", "wrk", 0, "none, for reference")
    ratio(f"AsyncClient.update_client x{n} (asyncio) / wrk", "async-asyncio", "wrk", 0, "none, for reference")

    print()
    if rss_max:
        print(f"emulator RSS at the end of a run, at most: {rss_max:.0f} MiB (it journals every request; "
              "each run has a fresh one)")
    if load_before and load_after:
        print("load average before: {:.2f} {:.2f} {:.2f}; after: {:.2f} {:.2f} {:.2f}".format(*load_before, *load_after))
    noisy = [c.name for c in cases if c.other_cpu and max(c.other_cpu) > 0.10]
    wide = [c.name for c in cases if len(c.outcomes) > 1 and c.median
            and (max(o.rate for o in c.outcomes) - min(o.rate for o in c.outcomes)) / c.median > 0.15]
    if noisy:
        print(f"noisy: other processes used over 10% of the machine during: {', '.join(noisy)}")
    if wide:
        print(f"noisy: rounds differ by over 15% for: {', '.join(wide)}")
    if not noisy and not wide:
        print("quiet: no case saw other processes above 10% of the machine, rounds within 15% of each other")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What the shared budget (`rate_limit_store`) costs per call on loopback: the same sequential `get_client`
loop against the emulator in another process, with `rate_limit=1e6` (the budget never makes a call wait)
without a store and with a `redis-server` this script starts on a free port of 127.0.0.1 (and stops). Bounded:
each case runs for --seconds, the rounds alternate the cases so that drift hits both alike.

    python bench/bench_store.py [--seconds 3] [--rounds 2] [--threads 8]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import cryptomate
from _server import free_port, rate, start_emulator


def redis_command(port: int, *args: str) -> bytes:
    """One command on a new connection; its reply, raw (enough for PING and INFO)."""
    payload = b"".join([b"*%d\r\n" % len(args)] + [b"$%d\r\n%s\r\n" % (len(a), a.encode()) for a in args])
    with socket.create_connection(("127.0.0.1", port), timeout=2.0) as sock:
        sock.sendall(payload)
        data = b""
        while True:
            if b"\r\n" in data:
                header, _, rest = data.partition(b"\r\n")
                if not header.startswith(b"$") or len(rest) >= int(header[1:]) + 2:
                    return data
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk


class Redis:
    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise SystemExit("redis-server not found on PATH (Debian: apt-get install redis-server)")
        self.directory = tempfile.TemporaryDirectory(prefix="cryptomate-bench-redis-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.directory.name, "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                if redis_command(self.port, "PING").startswith(b"+PONG"):
                    return
            except OSError:
                time.sleep(0.02)
        self.stop()
        raise SystemExit("redis-server did not answer PING within 10 s")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def evalsha_calls(self) -> int:
        for line in redis_command(self.port, "INFO", "commandstats").decode().splitlines():
            if line.startswith("cmdstat_evalsha:"):
                return int(line.split("calls=", 1)[1].split(",", 1)[0])
        return 0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.directory.cleanup()


class _Warnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0, help="per case and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="also run the loop in this many threads (0: skip)")
    args = parser.parse_args()
    warnings = _Warnings()
    logging.getLogger("cryptomate").addHandler(warnings)
    with contextlib.ExitStack() as stack:  # on the way out: the clients, the emulator, then redis-server
        redis = Redis()
        stack.callback(redis.stop)
        emulator = stack.enter_context(start_emulator())

        def new_client(rate_limit: float | None, store: str | None = None) -> cryptomate.Client:
            return cryptomate.Client(emulator.key, base_url=emulator.url, max_retries=0, timeout=10.0,
                                     rate_limit=rate_limit, rate_limit_store=store)

        clients = {
            "no pacing (rate_limit=None)": stack.enter_context(new_client(None)),
            "in-process pacer (rate_limit=1e6)": stack.enter_context(new_client(1e6)),
            "shared budget (rate_limit=1e6, redis)": stack.enter_context(new_client(1e6, redis.url)),
        }
        for each in clients.values():  # connections made, script loaded
            for _ in range(50):
                each.get_client(emulator.client_id)
        evalsha_before = redis.evalsha_calls()
        cases = [(name, 1) for name in clients]
        if args.threads > 1:
            cases += [(name, args.threads) for name in clients]
        best: dict[tuple[str, int], float] = {}
        for _ in range(args.rounds):
            for name, threads in cases:
                got = rate(functools.partial(clients[name].get_client, emulator.client_id), args.seconds, threads)
                best[(name, threads)] = max(best.get((name, threads), 0.0), got)
        store_calls = redis.evalsha_calls() - evalsha_before
        print(f"get_client against the emulator in another process; best of {args.rounds} x {args.seconds:g} s; "
              f"redis-server {redis.port} on loopback")
        for threads in sorted({t for _, t in cases}):
            print(f"\n{threads} thread(s)")
            local = best[("in-process pacer (rate_limit=1e6)", threads)]
            for name in clients:
                calls = best[(name, threads)]
                extra = ""
                if "redis" in name:
                    extra = f"   +{1e6 / calls - 1e6 / local:.0f} µs per call vs the in-process pacer"
                print(f"  {name:40} {calls:10,.0f} calls/s  {1e6 / calls:8.1f} µs/call{extra}")
        print(f"\nstore operations (EVALSHA) during the runs: {store_calls:,}; warnings: {warnings.messages or 'none'}")


if __name__ == "__main__":
    os.environ.pop("CRYPTOMATE_RATE_LIMIT_STORE", None)
    main()

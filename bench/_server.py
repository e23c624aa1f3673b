"""What the benchmarks share: the emulator in its own process (`python -m cryptomate.cli emulator --port 0
--seed 1`, with its URL, API key and the seeded client's id read from what it prints), stopping a server
process, a free loopback port, counting calls per second, and driving wrk (its PUT script, its output read).

    with start_emulator() as emulator:
        client = cryptomate.Client(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0)
        client.update_client(emulator.client_id, first_name="Ada")
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional


MAX_CALLS = 10_000_000  # the count bound on every timed loop (the time bound comes first in practice)


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_process(proc: subprocess.Popen[Any]) -> None:
    """SIGTERM, then SIGKILL if it is still there 10 s later."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def rate(call: Callable[[], object], seconds: float, threads: int = 1) -> float:
    """Calls per second of `call` in a loop for `seconds` (or MAX_CALLS calls per thread), in `threads` threads."""
    count = [0] * threads
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        while time.monotonic() < stop and count[i] < MAX_CALLS:
            call()
            count[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(count) / (time.monotonic() - started)


def wrk_script(path: str, body: str, headers: dict[str, str]) -> str:
    """Writes at `path` the Lua script that makes wrk send PUTs of `body` with `headers`; returns `path`."""
    with open(path, "w") as f:
        f.write('wrk.method = "PUT"\n')
        f.write(f"wrk.body = {json.dumps(body)}\n")
        for name, value in headers.items():
            f.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
    return path


@dataclass
class WrkOutput:
    requests: int  # "N requests in ..."
    per_second: float  # "Requests/sec: ..."
    non_2xx: int  # "Non-2xx or 3xx responses: N", 0 without that line
    socket_errors: int  # connect + read + write + timeout of the "Socket errors: ..." line, 0 without it
    socket_line: str  # that line as wrk wrote it, or ""


def parse_wrk(out: str) -> Optional[WrkOutput]:
    """What wrk printed, read; None when the request count or the rate is missing (wrk did not run through)."""
    requests = re.search(r"(\d+) requests in", out)
    per_second = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not requests or not per_second:
        return None
    non_2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return WrkOutput(int(requests.group(1)), float(per_second.group(1)), non_2xx,
                     sum(int(g) for g in socket.groups()) if socket else 0, socket.group(0) if socket else "")


@dataclass
class EmulatorProcess:
    proc: subprocess.Popen[str]
    url: str
    key: str
    client_id: str

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        stop_process(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def start_emulator(timeout: float = 10.0) -> EmulatorProcess:
    proc = subprocess.Popen([sys.executable, "-m", "cryptomate.cli", "emulator", "--port", "0", "--seed", "1"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = key = client_id = ""
    deadline = time.monotonic() + timeout
    while not (url and key and client_id) and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:  # the emulator exited
            break
        url = url or (m.group(1) if (m := re.search(r"listening on (\S+)", line)) else "")
        key = key or (m.group(1) if (m := re.search(r"API key \(level 3\): (\S+)", line)) else "")
        client_id = client_id or (m.group(1) if (m := re.search(r"client (\S+):", line)) else "")
    emulator = EmulatorProcess(proc, url, key, client_id)
    if not (url and key and client_id):
        emulator.stop()
        raise RuntimeError(f"the emulator did not print its URL, key and a client id (exit code {proc.returncode})")
    return emulator

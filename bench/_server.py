"""What the benchmarks share: the emulator in its own process (`python -m cryptomate.cli emulator --port 0
--seed 1`, with its URL, API key and the seeded client's id read from what it prints), stopping a server
process, a free loopback port, and counting calls per second.

    with start_emulator() as emulator:
        client = cryptomate.Client(emulator.key, base_url=emulator.url, rate_limit=None, max_retries=0)
        client.update_client(emulator.client_id, first_name="Ada")
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable


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
    """Calls per second of `call` in a loop for `seconds`, in `threads` threads."""
    count = [0] * threads
    stop = time.monotonic() + seconds

    def work(i: int) -> None:
        while time.monotonic() < stop:
            call()
            count[i] += 1

    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(count) / (time.monotonic() - started)


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

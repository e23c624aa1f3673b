"""The `cryptomate` console script: `cryptomate demo` and `cryptomate emulator --port N [--seed N]`."""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

import _child

pytestmark = pytest.mark.slow

TIMEOUT = 60
URL_RE = re.compile(r"http://127\.0\.0\.1:(\d+)")
KEY_RE = re.compile(r"\bkey\b[^:\n]*:\s*(\S+)", re.IGNORECASE)


def console_script():
    return shutil.which("cryptomate", path=os.path.dirname(sys.executable))


COMMANDS = {
    "module": lambda: [sys.executable, "-m", "cryptomate.cli"],
    "console-script": lambda: [console_script()] if console_script() else None,
}


@pytest.fixture(params=sorted(COMMANDS))
def command(request):
    cmd = COMMANDS[request.param]()
    if cmd is None:
        pytest.skip("no `cryptomate` console script next to the interpreter")
    return cmd


def child_env():
    env = _child.child_env()
    env.pop("PYTHONUNBUFFERED", None)  # the command must flush its lines itself
    return env


def no_proxy_get(url, key):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, headers={"X-API-KEY": key})
    with opener.open(req, timeout=10) as answer:
        return answer.status, json.loads(answer.read())


# --- demo -----------------------------------------------------------------------------------------------------


def test_demo_prints_before_after_and_a_typed_error(command):
    result = subprocess.run([*command, "demo"], capture_output=True, text=True, timeout=TIMEOUT, env=child_env())
    out = result.stdout
    assert result.returncode == 0, (result.returncode, out, result.stderr)
    assert "before" in out and "after" in out, out
    assert "NotFoundError" in out, out
    assert URL_RE.search(out), out
    lines = out.splitlines()
    changed = [line for line in lines if "changed" in line]
    assert changed, out
    # the fields the demo changes are marked, one it leaves alone is not
    def line_of(field):
        found = [line for line in lines if re.match(rf"\s*{field}\s", line)]
        assert found, (field, out)
        return found[0]

    assert "changed" in line_of("first_name"), out
    assert "changed" in line_of("sms"), out
    assert "changed" not in line_of("last_name"), out
    assert "changed" not in line_of("email"), out
    assert "Traceback" not in result.stderr, result.stderr


def test_help_and_unknown_command(command):
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=TIMEOUT, env=child_env())
    assert result.returncode == 0
    assert "emulator" in result.stdout and "demo" in result.stdout
    result = subprocess.run([*command, "no-such-command"], capture_output=True, text=True, timeout=TIMEOUT,
                            env=child_env())
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr


# --- emulator ---------------------------------------------------------------------------------------------------


class Served:
    """`cryptomate emulator ...` in a child process, its stdout read on a thread (so reads are bounded)."""

    def __init__(self, command, *args):
        self.process = subprocess.Popen(
            [*command, "emulator", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=child_env(),
        )
        self.lines: "queue.Queue[str | None]" = queue.Queue()
        self.seen: list = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_for(self, pattern, timeout=TIMEOUT):
        """The first match of pattern in the output (bounded in time and lines)."""
        deadline = time.monotonic() + timeout
        for seen in self.seen:
            found = pattern.search(seen)
            if found:
                return found
        for _ in range(1000):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            try:
                line = self.lines.get(timeout=remaining)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            found = pattern.search(line)
            if found:
                return found
        pytest.fail(f"{pattern.pattern!r} not printed; output so far: {''.join(self.seen)!r}; "
                    f"exit code {self.process.poll()}")

    def interrupt(self, signum=signal.SIGINT, timeout=TIMEOUT):
        self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
        self._reader.join(timeout=5)
        self.process.stdout.close()
        self.process.stderr.close()


def test_emulator_serves_seeded_clients_until_sigint(command):
    served = Served(command, "--port", "0", "--seed", "2")
    try:
        url = served.wait_for(URL_RE)
        port = int(url.group(1))
        assert port != 0
        key = served.wait_for(KEY_RE).group(1).strip("'\"")
        served.wait_for(re.compile(r"Ctrl-C", re.IGNORECASE))  # the last line before it serves
        status, clients = no_proxy_get(f"{url.group(0)}/management/clients", key)
        assert status == 200
        assert isinstance(clients, list) and len(clients) == 2, clients
        assert len({c["id"] for c in clients}) == 2
        for c in clients:
            assert c["id"].startswith("client_")
        # the key is needed
        with pytest.raises(urllib.error.HTTPError) as caught:
            no_proxy_get(f"{url.group(0)}/management/clients", key + "-wrong")
        assert caught.value.code == 401
        caught.value.close()
        # Ctrl-C: a clean exit with status 0, and the port is closed
        returncode = served.interrupt()
        stderr = served.process.stderr.read()
        assert returncode == 0, (returncode, stderr)
        assert "Traceback" not in stderr, stderr
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        served.close()


def test_emulator_on_an_explicit_port_without_seed(command):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = Served(command, "--port", str(port))
    try:
        url = served.wait_for(URL_RE)
        assert int(url.group(1)) == port
        key = served.wait_for(KEY_RE).group(1).strip("'\"")
        served.wait_for(re.compile(r"Ctrl-C", re.IGNORECASE))
        status, clients = no_proxy_get(f"http://127.0.0.1:{port}/management/clients", key)
        assert (status, clients) == (200, [])
        assert served.interrupt() == 0
    finally:
        served.close()


def test_sigint_as_soon_as_the_ready_line_is_printed_exits_0(command):
    # A harness (curl scripts, non-Python tests) waits for the "Press Ctrl-C" line, does its work, and may
    # stop the emulator at any moment after that line: Ctrl-C must then always give a clean exit 0.
    # Repeated because a window between printing that line and handling Ctrl-C is lost only sometimes.
    results = []
    for _ in range(40):
        served = Served(command, "--port", "0")
        try:
            served.wait_for(re.compile(r"Ctrl-C", re.IGNORECASE))
            returncode = served.interrupt()
            stderr = served.process.stderr.read()
            results.append((returncode, stderr.strip().splitlines()[-1:] if returncode else []))
        finally:
            served.close()
    assert all(code == 0 for code, _ in results), results


def test_sigterm_stops_it_cleanly(command):
    served = Served(command, "--port", "0")
    try:
        port = int(served.wait_for(URL_RE).group(1))
        served.wait_for(re.compile(r"Ctrl-C", re.IGNORECASE))
        assert served.interrupt(signal.SIGTERM) == 0
        assert "Traceback" not in served.process.stderr.read()
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
    finally:
        served.close()


def test_sigint_stops_it_when_a_shell_started_it_with_sigint_ignored(command):
    # A script's `cryptomate emulator &` (no job control) starts it with SIGINT ignored, then `kill -INT`s it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        served = Served(command, "--port", "0")
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        served.wait_for(re.compile(r"Ctrl-C", re.IGNORECASE))
        assert served.interrupt() == 0
    finally:
        served.close()


def test_emulator_on_a_busy_port_fails_cleanly(command):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run([*command, "emulator", "--port", str(port)], capture_output=True, text=True,
                                timeout=TIMEOUT, env=child_env())
    assert result.returncode != 0
    assert str(port) in result.stderr or str(port) in result.stdout
    assert "Traceback" not in result.stderr, result.stderr

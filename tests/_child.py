"""A child interpreter to interrupt: Ctrl-C tests send it SIGINT and read what it prints."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback


@contextlib.contextmanager
def child(script, *args):
    """Runs `script` in a new interpreter; yields (proc, interrupt). `interrupt()` sends SIGINT and returns the
    first line the child prints within 10 s (or what it wrote to stderr) and how long that took. The child is
    killed on exit."""
    proc = subprocess.Popen([sys.executable, "-c", script, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def interrupt():
        signalled = time.monotonic()
        proc.send_signal(signal.SIGINT)
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        line = proc.stdout.readline() if ready else ""
        elapsed = time.monotonic() - signalled
        if not line:
            proc.kill()
            proc.wait(timeout=10)
            line = "nothing printed; stderr: " + proc.stderr.read()[-2000:]
        return line, elapsed

    try:
        yield proc, interrupt
    finally:
        proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


_INTERRUPTED = r"""
import asyncio, signal, sys, time
import cryptomate

# A shell can start us with SIGINT ignored; Ctrl-C must raise KeyboardInterrupt here.
signal.signal(signal.SIGINT, signal.default_int_handler)
base_url = sys.argv[1]
try:
    {statement}
except KeyboardInterrupt:
    print("interrupted", flush=True)
    time.sleep(5)  # stay alive: the server must see the requests go away before we exit
    sys.exit(0)
print("returned without KeyboardInterrupt", flush=True)
sys.exit(1)
"""


def assert_ctrl_c_cancels(server, statement, requests=1):
    """Runs `statement` (which sends `requests` requests to `server`, each held there for 10 s, `base_url`
    being the server's) in a child and sends it Ctrl-C once they all arrived: KeyboardInterrupt within 2 s,
    every request abandoned while the child still lives, and none started after."""
    server.delay_next(10, times=requests)
    with child(_INTERRUPTED.format(statement=statement), server.base_url) as (proc, interrupt):
        assert server.wait_until(lambda: len(server.requests) == requests, timeout=15), "the requests never arrived"
        time.sleep(0.2)
        line, elapsed = interrupt()
        assert line.strip() == "interrupted", f"no KeyboardInterrupt: {line!r}"
        assert elapsed < 2.0, f"KeyboardInterrupt {elapsed:.2f} s after SIGINT"
        assert server.wait_until(lambda: all(r.cancelled for r in server.requests), timeout=3.0)
        assert len(server.requests) == requests
        assert proc.poll() is None


def child_env(**extra):
    """This environment for a child process, without proxy settings or CRYPTOMATE_* variables, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("CRYPTOMATE_")}
    env.update(extra)
    return env


def forked(work, timeout=20.0):
    """Runs `work()` in a forked child, which never returns into pytest, and returns its JSON-shaped result.
    The child must exit 0 within `timeout` (it is killed otherwise); an exception there fails the test with
    the child's traceback."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read_end)
            os.write(write_end, json.dumps(work()).encode())
            code = 0
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
        finally:
            os._exit(code)
    os.close(write_end)
    exit_code = wait_for_child(pid, timeout)
    with os.fdopen(read_end, "rb") as pipe:
        report = pipe.read().decode(errors="replace")
    assert exit_code is not None, f"the child hung after fork (killed after {timeout} s)"
    assert exit_code == 0, report
    return json.loads(report)


def wait_for_child(pid, timeout):
    """Exit code of the child, or None if it had to be killed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None

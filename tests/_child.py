"""A child interpreter to interrupt: Ctrl-C tests send it SIGINT and read what it prints."""

from __future__ import annotations

import contextlib
import select
import signal
import subprocess
import sys
import time


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

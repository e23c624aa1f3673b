"""Running callables in threads for a test, and waiting for a condition, bounded in time."""

from __future__ import annotations

import threading
import time


def run_threads(targets, timeout=30.0):
    """Run the callables in threads; re-raise the first exception; fail if any still runs after `timeout`."""
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as e:  # noqa: BLE001 - handed to the test
                errors.append(e)

        return run

    threads = [threading.Thread(target=wrap(fn), daemon=True) for fn in targets]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), f"a thread did not finish within {timeout} s"
    if errors:
        raise errors[0]


def wait_until(predicate, timeout=5.0, step=0.02):
    """Poll `predicate` every `step` seconds until it is true or `timeout` seconds passed; return its last value."""
    deadline = time.monotonic() + timeout
    while not (ok := predicate()) and time.monotonic() < deadline:
        time.sleep(step)
    return ok

"""The `cryptomate` command: `cryptomate emulator` serves the emulator; `cryptomate demo` shows the SDK at work;
`cryptomate clients ...` reads, lists, creates, updates and deletes the Gen 1 clients through the API;
`cryptomate individuals ...` the Gen 2 individual clients."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from types import FrameType
from typing import Optional, Sequence

import cryptomate
from cryptomate import _cli_clients, _cli_individuals
from cryptomate.testing import Emulator

_SAMPLE_NAMES = [("Ada", "Lovelace"), ("Grace", "Hopper"), ("Alan", "Turing"), ("Katherine", "Johnson"),
                 ("Edsger", "Dijkstra"), ("Barbara", "Liskov"), ("Donald", "Knuth"), ("Margaret", "Hamilton")]


def _seed(emulator: Emulator, count: int) -> list[cryptomate.CompanyClient]:
    """`count` sample clients with deterministic data."""
    seeded = []
    for i in range(count):
        first, last = _SAMPLE_NAMES[i % len(_SAMPLE_NAMES)]
        seeded.append(emulator.add_client(
            first_name=first, last_name=last, email=f"{first.lower()}.{last.lower()}{i}@example.com",
            phone_country_code=54, phone_number=1100000000 + i, sms=i % 2 == 0, status="ACTIVE",
        ))
    return seeded


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM (`kill`) both stop the server cleanly, also when a shell started the command in the
    background, which leaves SIGINT ignored (a script's `cryptomate emulator &` then `kill -INT $!`)."""
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set handlers; the caller's own stay in force

    def interrupt(signum: int, frame: Optional[FrameType]) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def _serve(args: argparse.Namespace) -> int:
    _stop_on_signals()
    try:
        emulator = Emulator(port=args.port, rate_limit=args.rate_limit)
    except OSError as error:
        print(f"cryptomate emulator: {error}", file=sys.stderr)
        return 1
    # Ctrl-C may come as soon as the first line is out (scripts wait for it), so it is caught from here on.
    try:
        seeded = _seed(emulator, args.seed)
        print(f"CryptoMate emulator listening on {emulator.base_url}")
        print(f"API key (level 3): {emulator.api_key}")
        for record in seeded:
            print(f"  client {record.id}: {record.first_name} {record.last_name}")
        print(f"Try: curl -H 'X-API-KEY: {emulator.api_key}' {emulator.base_url}/management/clients")
        print("Press Ctrl-C to stop.", flush=True)
        while True:
            # Short sleeps: CPython acts on a signal between two bytecodes or when it interrupts a sleep, so one
            # that lands after the last such check and before a long sleep begins would wait for that sleep.
            time.sleep(0.1)
    except KeyboardInterrupt:
        print("\nstopped")
    finally:
        emulator.stop()
    return 0


def _demo(args: argparse.Namespace) -> int:
    with Emulator() as emulator, emulator.client() as client:
        seeded = emulator.add_client(first_name="Jon", last_name="Doe", email="jon@example.com", sms=True)
        assert seeded.id is not None
        print(f"CryptoMate emulator on {emulator.base_url}; seeded client {seeded.id}\n")
        before = client.get_client(seeded.id)
        print(f'client.update_client("{seeded.id}", first_name="John", sms=False)\n')
        after = client.update_client(seeded.id, first_name="John", sms=False)
        old, new = before.to_dict(), after.to_dict()
        width = max(map(len, new))
        before_width = max(len(repr(old.get(name))) for name in new)
        print(f"{'field':<{width}}  {'before':<{before_width}}  after")
        for name in new:
            mark = "  <- changed" if old.get(name) != new[name] else ""
            print(f"{name:<{width}}  {old.get(name)!r:<{before_width}}  {new[name]!r}{mark}")
        try:
            client.get_client("client_does_not_exist")
        except cryptomate.NotFoundError as error:
            print(f"\nErrors are typed: {type(error).__name__}: {error}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cryptomate", description=__doc__)
    parser.add_argument("--version", action="version", version=f"cryptomate {cryptomate.__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("emulator", help="serve the CryptoMate API emulator until Ctrl-C or SIGTERM")
    serve.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0 picks a free one; default 8080)")
    serve.add_argument("--seed", type=int, default=0, metavar="N", help="create N sample clients (same N, same data and ids)")
    serve.add_argument("--rate-limit", type=float, default=None, help="apply the API's rate limits (requests/s)")
    serve.set_defaults(run=_serve)
    demo = commands.add_parser("demo", help="start an emulator, update a client through the SDK, print before and after")
    demo.set_defaults(run=_demo)
    _cli_clients.add_parser(commands)
    _cli_individuals.add_parser(commands)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())

"""Calls per second through the SDK against the emulator in another process, beside plain requests/httpx
doing the same PUT + JSON parse when they are installed. Bounded: each case runs for --seconds.

    python bench/bench_calls.py [--seconds 3]
"""

from __future__ import annotations

import argparse
import json

import cryptomate
from _server import rate, start_emulator


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    emulator = start_emulator()
    url, key, client_id = emulator.url, emulator.key, emulator.client_id
    try:
        rows = []
        client = cryptomate.Client(key, base_url=url, rate_limit=None, max_retries=0)
        put = lambda: client.update_client(client_id, first_name="Ada", sms=False)  # noqa: E731
        rows.append(("cryptomate update_client", rate(put, args.seconds)))
        rows.append(("cryptomate get_client", rate(lambda: client.get_client(client_id), args.seconds)))
        rows.append(("cryptomate update_client, 8 threads", rate(put, args.seconds, threads=8)))
        path = f"{url}/management/clients/{client_id}"
        headers = {"X-API-KEY": key, "Content-Type": "application/json"}
        body = json.dumps({"first_name": "Ada", "sms": False})
        try:
            import requests
            session = requests.Session()
            rows.append(("requests.Session PUT + .json()", rate(lambda: session.put(path, data=body, headers=headers).json(), args.seconds)))
        except ImportError:
            pass
        try:
            import httpx
            hx = httpx.Client()
            rows.append(("httpx.Client PUT + .json()", rate(lambda: hx.put(path, content=body, headers=headers).json(), args.seconds)))
        except ImportError:
            pass
        for name, per_second in rows:
            print(f"{name:<40} {per_second:>9,.0f} calls/s")
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()

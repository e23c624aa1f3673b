"""One call through a Client or an AsyncClient alike, for the tests that run each call both ways."""

from __future__ import annotations

import asyncio

import cryptomate


def caller(mode, base_url, default_key):
    """call(lambda c: c.method(...), api_key=default_key, **options): the call on a new Client (mode "sync") or
    AsyncClient (mode "async") bound to `base_url`, closed after it; timeout=5.0 and rate_limit=None unless given."""

    def call(method, api_key=None, **options):
        key = api_key or default_key
        options.setdefault("timeout", 5.0)
        options.setdefault("rate_limit", None)
        if mode == "sync":
            with cryptomate.Client(key, base_url=base_url, **options) as client:
                return method(client)

        async def main():
            async with cryptomate.AsyncClient(key, base_url=base_url, **options) as client:
                return await method(client)

        return asyncio.run(main())

    return call

"""Typed usage of the public surface; `mypy --strict` checks this file in the test command."""

from __future__ import annotations

import asyncio
import datetime

import cryptomate


def rename(client: cryptomate.Client, client_id: str, first_name: str) -> str | None:
    updated: cryptomate.CompanyClient = client.update_client(
        client_id,
        first_name=first_name,
        sms=False,
        birth_date=datetime.date(1990, 5, 17),
        address={"city": "Buenos Aires", "country": "ARG"},
        documents=[cryptomate.Document(name="passport", number="X123")],
    )
    return updated.first_name


def describe(record: cryptomate.CompanyClient) -> str:
    match record:
        case cryptomate.CompanyClient(id=str(client_id), status="ACTIVE"):
            return f"{client_id} is active"
    born: datetime.date | None = record.birth_date
    city = record.address.city if record.address is not None else None
    return f"{record.id}: born {born}, lives in {city}, extra {sorted(record.extra)}"


def check_against_the_emulator() -> None:
    from cryptomate.testing import Emulator, RecordedRequest

    with Emulator() as emulator, emulator.client(max_retries=0) as client:
        seeded = emulator.add_client(first_name="Ada", phone_country_code=54, phone_number=1168860622)
        assert seeded.id is not None
        emulator.fail_next(503, times=1, retry_after=0.1)
        try:
            client.get_client(seeded.id)
        except cryptomate.InternalServerError as error:
            print(error.status_code)
        updated = client.update_client(seeded.id, sms=True)
        stored = emulator.get(seeded.id)
        requests: list[RecordedRequest] = emulator.requests
        print(updated.sms, stored.sms if stored else None, [(r.method, r.path, r.received_at) for r in requests])


def production_client() -> cryptomate.Client:
    return cryptomate.Client("key", environment="sandbox", timeout=10.0, max_retries=0, rate_limit=10.0,
                             rate_limit_store="redis://127.0.0.1:6379/0")


def report(client: cryptomate.Client, client_id: str) -> None:
    fast = client.with_options(timeout=2.0)
    try:
        record = fast.get_client(client_id)
    except cryptomate.NotFoundError as error:
        print(error.status_code, error.code, error.trace_id)
    except cryptomate.RateLimitError as error:
        print(error.retry_after)
    except cryptomate.APIError as error:
        print(error.message)
    else:
        print(describe(record.replace(first_name="Ada")), record.to_dict())
        print(rename(client, client_id, "John"))


async def rename_many(client: cryptomate.AsyncClient, ids: list[str]) -> list[str | None]:
    fast = client.with_options(timeout=5.0)
    records = await asyncio.gather(*(fast.update_client(i, first_name="Ada", sms=False) for i in ids))
    await fast.get_client(ids[0])
    return [r.first_name for r in records]


def opt_out(client: cryptomate.Client, ids: list[str]) -> int:
    seen: list[tuple[int, int | None]] = []
    outcomes = client.update_clients(((i, {"sms": False}) for i in ids), concurrency=4,
                                     progress=lambda done, total: seen.append((done, total)))
    failed = [o for o in outcomes if isinstance(o, Exception)]
    assert seen[-1] == (len(ids), len(ids))
    return len(outcomes) - len(failed)


async def opt_out_async(base_url: str, api_key: str, ids: list[str]) -> list[cryptomate.CompanyClient | Exception]:
    async with cryptomate.AsyncClient(api_key, base_url=base_url) as client:
        print(await rename_many(client, ids))
        return await client.update_clients([(i, {"whatsapp": True}) for i in ids], progress=None)


def onboard(client: cryptomate.Client) -> cryptomate.IndividualClient:
    person = client.individuals.create(
        first_name="Ada", last_name="Lovelace", email="ada@example.com", birth_date=datetime.date(1990, 1, 2),
        address=cryptomate.IndividualAddress(street_line1="1 Main St", city="Buenos Aires", postal_code="1000",
                                             state="ARG-C", country="ARG"),
    )
    assert person.id is not None
    moved = client.individuals.update(person.id, address={"city": "Rosario"}, phone_number=1123456789)
    countries: list[cryptomate.Country] = client.individuals.countries()
    kinds = [t.type for t in client.individuals.identification_types("AR")]
    print(moved.address.city if moved.address else None, [c.alpha3 for c in countries], kinds)
    opted_in: list[cryptomate.CompanyClient] = client.list_clients(sms=True, whatsapp=None)
    created = client.create_client(first_name="Grace", bank_ramp=True)
    if created.id is not None:
        client.enable_otp(created.id)
        client.delete_client(created.id)
    print(len(opted_in))
    client.individuals.delete(person.id)
    return moved


async def onboard_async(client: cryptomate.AsyncClient) -> list[cryptomate.IndividualClient]:
    return await client.individuals.list()


def main() -> None:
    # Runs against the embedded emulator only: this example never talks to the real API.
    check_against_the_emulator()
    from cryptomate.testing import Emulator

    with Emulator() as emulator, emulator.client() as client:
        seeded = emulator.add_client(first_name="Grace", status="ACTIVE")
        assert seeded.id is not None
        report(client, seeded.id)
        report(client, "client_missing")
        print(opt_out(client, [seeded.id, "client_missing"]))
        print(asyncio.run(opt_out_async(emulator.base_url, emulator.api_key, [seeded.id])))
        onboard(client)


if __name__ == "__main__":
    main()

"""Typed usage of the public surface; `mypy --strict` checks this file in the test command."""

from __future__ import annotations

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


def main() -> None:
    with cryptomate.Client("key", environment="sandbox", timeout=10.0, max_retries=0) as client:
        fast = client.with_options(timeout=2.0)
        try:
            record = fast.get_client("client_123")
        except cryptomate.NotFoundError as error:
            print(error.status_code, error.code, error.trace_id)
        except cryptomate.RateLimitError as error:
            print(error.retry_after)
        except cryptomate.APIError as error:
            print(error.message)
        else:
            print(describe(record.replace(first_name="Ada")), record.to_dict())
            print(rename(client, "client_123", "John"))


if __name__ == "__main__":
    main()

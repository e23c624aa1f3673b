"""Testing code that uses cryptomate, without the real API.

Python HTTP mocks (respx, pytest-httpx, responses, VCR.py) patch Python's HTTP stacks; this SDK sends its
requests from Rust, so they never see them. Instead, `Emulator` is an emulator of the CryptoMate Clients
API that speaks real HTTP on 127.0.0.1, with an in-memory store, the documented rules and errors, optional
rate limits, and hooks to inject faults. The pytest plugin (installed with the package) provides the
fixtures `cryptomate_emulator` and `cryptomate_client`.

    from cryptomate.testing import Emulator

    with Emulator() as emu:
        seeded = emu.add_client(first_name="Ada", last_name="Lovelace")
        emu.client().update_client(seeded.id, sms=True)
        assert emu.get(seeded.id).sms is True
"""

from .._native import Emulator, RecordedRequest

__all__ = ["Emulator", "RecordedRequest"]

"""pytest fixtures for code that uses cryptomate (registered through the `pytest11` entry point)."""

from __future__ import annotations

from typing import Iterator

import pytest

import cryptomate
from cryptomate.testing import Emulator


@pytest.fixture
def cryptomate_emulator() -> Iterator[Emulator]:
    """A fresh emulator for each test, on a free port of 127.0.0.1; stopped after the test."""
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def cryptomate_client(cryptomate_emulator: Emulator) -> Iterator[cryptomate.Client]:
    """A `cryptomate.Client` bound to `cryptomate_emulator` with a level-3 key; closed after the test.

    It does not pace itself (the emulator applies no rate limit by default); retries are on as usual.
    """
    with cryptomate_emulator.client() as client:
        yield client

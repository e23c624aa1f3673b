"""A Rust panic reaches Python as an exception; the interpreter never aborts."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_panic_is_an_exception_and_the_process_carries_on():
    script = (
        "import cryptomate._native as native\n"
        "from cryptomate.testing import Emulator\n"
        "try:\n"
        "    native._panic_for_tests('deliberate')\n"
        "except BaseException as e:\n"
        "    print(type(e).__name__, e)\n"
        "with Emulator() as emu:\n"
        "    print(emu.client().get_client(emu.add_client().id).type)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["PanicException deliberate", "individual"]


def test_release_builds_unwind_on_panic():
    # panic = "abort" would turn the exception above into a crash of the whole interpreter.
    tomllib = pytest.importorskip("tomllib")
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    assert cargo["profile"]["release"]["panic"] == "unwind"
    assert cargo["profile"]["dev-release"]["inherits"] == "release"
    assert "panic" not in cargo["profile"]["dev-release"]

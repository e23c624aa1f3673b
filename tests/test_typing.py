"""The typed surface: mypy --strict accepts the typed usage example, and the stubs match the built module."""

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_mypy_strict_accepts_the_typed_usage_example():
    result = run("mypy", "--strict", "--no-incremental", "examples/typed_usage.py")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_mypy_strict_rejects_misuse(tmp_path):
    # The stubs must be precise enough to catch a wrong field type and an unknown field.
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import cryptomate\n"
        "c = cryptomate.Client('k')\n"
        "c.update_client('id', sms='yes')\n"
        "c.update_client('id', first_nam='x')\n"
        "n: int = c.get_client('id').first_name\n"
        "c.individuals.create(first_name='x')\n"
        "c.individuals.update('id', address={'street_line_1': 'x'})\n"
    )
    result = run("mypy", "--strict", "--no-incremental", str(bad))
    assert result.returncode == 1
    lines_with_errors = {int(line.split(":")[1]) for line in result.stdout.splitlines() if ": error:" in line}
    assert lines_with_errors == {3, 4, 5, 6, 7}, result.stdout
    assert 'Missing named argument "address" for "create" of "Individuals"' in result.stdout


@pytest.mark.slow
def test_stubtest_agrees_with_the_built_module():
    result = run("mypy.stubtest", "cryptomate")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_typed_usage_example_runs_against_the_emulator():
    result = subprocess.run([sys.executable, "examples/typed_usage.py"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "404 NOT_FOUND" in result.stdout

"""The README's two set-up commands are the ones CI and users run."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_ci_runs_exactly_the_readme_test_command():
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    setup = blocks[:2]
    assert "cryptomate demo" in setup[0]
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert ci_lines == [setup[1]]
    for part in ("cargo test", "fuzz/run.sh", "pytest"):
        assert part in setup[1]

"""examples/bulk_update.ipynb runs top to bottom in a Jupyter kernel (this interpreter), so it never goes stale.

nbclient, nbformat and ipykernel are test requirements: missing, this module fails to import (no skip).
"""

from __future__ import annotations

import html.parser
import json
import pathlib
import sys

import ipykernel  # noqa: F401  (the kernel runs `python -m ipykernel_launcher`)
import nbclient
import nbformat
import pytest

from _child import child_env

NOTEBOOK = pathlib.Path(__file__).resolve().parent.parent / "examples" / "bulk_update.ipynb"
MISSING_ID = "client_does-not-exist"  # the notebook's deliberately failing id
SEEDED = 40
PROBE = """\
import json, os, sys
proxies = sorted(name for name in os.environ if name.lower().endswith("_proxy"))
print(json.dumps({"executable": sys.executable, "prefix": sys.prefix, "proxies": proxies}))"""


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """The environment for the kernel. A `python3` kernelspec pointing at this interpreter comes first on
    JUPYTER_PATH (a user-level or system one could name another python); the kernel gets no proxy settings,
    no CRYPTOMATE_* variables, and its own IPython and runtime directories (no user startup files)."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    return child_env(IPYTHONDIR=str(tmp_path / "ipython"))


def execute(workdir, env):
    """The notebook after execution, with a last cell appended that reports the kernel's interpreter."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute(env=env)  # raises CellExecutionError if a cell raises
    return nb


def test_notebook_is_stored_clean():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert not any(line.lstrip().startswith(("!", "%")) for cell in code for line in cell.source.splitlines())


@pytest.mark.slow
def test_notebook_runs(tmp_path, kernel_env):
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    executed = execute(workdir, kernel_env)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    outputs = [output for cell in code for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]

    # The kernel ran on this interpreter (the venv's, with this checkout's package), without proxy settings.
    probe = json.loads(stdout(code[-1]))
    assert probe == {"executable": sys.executable, "prefix": sys.prefix, "proxies": []}

    # Both bulk updates (Client, then AsyncClient) showed a progress bar: tqdm's text bar or widget, or the
    # SDK's plain line without tqdm; all name the call.
    bulk = [cell for cell in code if ".update_clients(" in cell.source]
    assert len(bulk) == 2
    for cell in bulk:
        assert "update_clients" in progress_text(cell), cell.outputs

    # The blocking run: 40 updated, the missing id failed alone.
    assert f"{SEEDED} updated, 1 failed" in stdout(bulk[0])

    # The table (pandas' or the hand-built one): one row per input, in input order.
    tables = [o.data["text/html"] for o in outputs if "data" in o and "text/html" in o.data]
    assert len(tables) == 1, tables
    rows = table_rows(tables[0])
    assert len(rows) == SEEDED + 1
    failed = [row for row in rows if row["outcome"] != "updated"]
    assert [row["id"] for row in failed] == [MISSING_ID]
    assert failed[0]["outcome"].startswith("NotFoundError: 404")
    updated = [row for row in rows if row["outcome"] == "updated"]
    assert len({row["id"] for row in updated}) == SEEDED
    assert all(row["sms"] == "False" and row["first_name"].startswith("Client") for row in updated)

    # The emulator's store agrees (the cell asserts it too).
    assert f"sms is False for all {SEEDED} seeded clients" in "".join(stdout(cell) for cell in code)

    # The AsyncClient run: 40 updated (sms back on), the same NotFoundError for the missing id.
    async_out = stdout(bulk[1])
    assert f"{SEEDED} updated, errors: {{'{MISSING_ID}': NotFoundError(" in async_out
    assert "sms = True" in async_out


def stdout(cell):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def progress_text(cell):
    """stderr (tqdm's text bar, the SDK's plain line) and displayed data (tqdm's widget, its text fallback)."""
    parts = [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
    parts += [json.dumps(o.data) for o in cell.outputs if o.output_type == "display_data"]
    return "".join(parts)


def table_rows(markup):
    """The rows of an HTML table as dicts keyed by the header row; a pandas index column is kept as ""."""
    parser = _TableParser()
    parser.feed(markup)
    header, *body = [row for row in parser.rows if row]
    return [dict(zip(header, row)) for row in body]


class _TableParser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows = []
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

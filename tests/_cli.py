"""Running `cryptomate ...` in this process for the CLI tests: the exit status and what it printed."""

from __future__ import annotations

from cryptomate._native import _endpoint_table
from cryptomate.cli import main


def run(capsys, *argv):
    """(exit status, stdout, stderr) of `cryptomate *argv`, run in this process."""
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse and the usage errors exit through SystemExit
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def cli_of(group, emu, capsys):
    """cli("get", ID, ...) runs `cryptomate <group> get ID ... --base-url <emulator> --api-key <key>`, and checks
    the key is never printed and nothing crashed."""

    def cli(*argv):
        code, out, err = run(capsys, group, *argv, "--base-url", emu.base_url, "--api-key", emu.api_key)
        assert emu.api_key not in out + err
        assert "Traceback" not in err, err
        return code, out, err

    return cli


def flag_of(name, family):
    """The CLI flag of a field of this kind family: `--first-name`; `--address-json` for an object, list or JSON
    value."""
    return "--" + name.replace("_", "-") + ("-json" if family in ("object", "list", "json") else "")


def required_fields(call):
    """The body fields of `call` (e.g. "individuals.create") that the endpoint table marks required, in its order."""
    return [name for name, _, required in _endpoint_table()[call][3] if required]


def table(out):
    """The two-column output of get/update as {field: value text}."""
    return dict(line.split(None, 1) for line in out.splitlines())

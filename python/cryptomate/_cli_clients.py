"""`cryptomate clients ...`: the Gen 1 clients through the API: get, list, create, create-business, update (one
client from flags, or many from a JSONL/CSV file), delete, enable-otp, by-phone.

The field flags, the file columns, the list filters and the required fields come from the field and endpoint
tables (`_field_table()`, `_endpoint_table()`), never from a list here.
Exit status: 0 all went well, 1 the API call or some item failed, 2 usage error (flags, values, key, file).
The helpers that build and run a command (common options, field flags, the call, the output) are shared with
`cryptomate individuals` (`_cli_individuals`).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TextIO, TypeVar, Union

import cryptomate
from cryptomate._native import _endpoint_table, _field_table, _Model

# Read once: every sub-command's parser is built at start-up, each from these tables.
FIELDS = _field_table()
_ENDPOINTS = _endpoint_table()
_JSON_FAMILIES = ("object", "list", "json")
_FLAG_PREFIX = "field:"  # argparse dests of the field flags, apart from the command's own options


class _UsageError(Exception):
    """A usage error found after parsing: reported by the sub-command's parser, exit 2."""


# --- reading a value given as text (a flag or a CSV cell) --------------------------------------------------


def _boolean(text: str) -> bool:
    word = text.strip().lower()
    if word in ("true", "yes", "1"):
        return True
    if word in ("false", "no", "0"):
        return False
    raise ValueError(f"{text!r} is not a boolean (true/false, yes/no, 1/0)")


def _decimal(text: str) -> int:
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip()):
        raise ValueError(f"{text!r} is not a decimal integer")
    return int(text)


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"invalid JSON ({error})") from None


def _text(text: str) -> str:
    return text  # str, and dates and timestamps: the SDK checks them


_READERS: dict[str, Callable[[str], Any]] = {"bool": _boolean, "int": _decimal, **{f: _json for f in _JSON_FAMILIES}}
_METAVARS = {"bool": "true|false", "int": "N", "date": "YYYY-MM-DD", "timestamp": "TIMESTAMP"}


def _read(family: str, text: str) -> Any:
    return _READERS.get(family, _text)(text)


def _flag_type(family: str) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            return _read(family, text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return convert


def _fields() -> dict[str, tuple[str, bool]]:
    """name -> (family, accepted by update_client) of the fields of CompanyClient."""
    writable = {name for name, _ in body_rows("update_client")}
    return {name: (family, name in writable) for name, family in FIELDS["CompanyClient"]}


# --- building a command (shared with _cli_individuals) ----------------------------------------------------

EPILOG = "exit status: 0 success, 1 the API call or some item failed, 2 usage error (including no API key)"
Rows = Iterable[tuple[str, str]]  # (field name, family)


def common_options() -> argparse.ArgumentParser:
    """The options of every command that calls the API (a parent parser): key, URL, environment, --json."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--api-key", help="API key (default: $CRYPTOMATE_API_KEY, which keeps it out of `ps`)")
    common.add_argument("--base-url", help="API base URL (default: $CRYPTOMATE_BASE_URL, else from --environment)")
    common.add_argument("--environment", choices=("production", "sandbox"), help="default: production")
    common.add_argument("--json", action="store_true", help="print JSON on stdout instead of a table")
    return common


def _body(call: str) -> list[tuple[str, str, bool]]:
    """(name, family, required) of the fields the body of the API call `call` accepts, in table order."""
    body = _ENDPOINTS[call][3]
    if body is None:
        raise LookupError(f"{call} sends no body")
    return body


def body_rows(call: str) -> list[tuple[str, str]]:
    """(name, family) of the fields the body of the API call `call` accepts, in table order."""
    return [(name, family) for name, family, _ in _body(call)]


def required_fields(call: str) -> str:
    """The fields the body of `call` requires, for a help text: `a, b and c`."""
    names = [name for name, _, required in _body(call) if required]
    return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else "no field"


def route(call: str, **shown: str) -> str:
    """`METHOD /path` of the API call `call`, for a help text; `shown` spells its parameters (`id="ID"`), a
    query parameter as `?name=VALUE`."""
    method, path, query, _ = _ENDPOINTS[call]
    given = "&".join(f"{name}={shown[name]}" for name in query if name in shown)
    return f"{method} {path.format(**shown)}" + (f"?{given}" if given else "")


def query_names(call: str) -> tuple[str, ...]:
    """The query parameters of the API call `call`."""
    return tuple(_ENDPOINTS[call][2])


def add_field_flags(group: argparse._ActionsContainer, rows: Rows,
                    describe: Callable[[str, str], str] = lambda name, family: f"{name} ({family})") -> None:
    """A typed flag per (name, family) row: `--first-name TEXT`, `--sms true|false`, `--phone-number N`,
    `--address-json JSON`...; read with `field_values`. A bad value is a usage error (exit 2)."""
    for name, family in rows:
        json_flag = family in _JSON_FAMILIES
        flag = "--" + name.replace("_", "-") + ("-json" if json_flag else "")
        group.add_argument(flag, dest=_FLAG_PREFIX + name, type=_flag_type(family), help=describe(name, family),
                           metavar="JSON" if json_flag else _METAVARS.get(family, "TEXT"))


NO_FIELD_TO_CHANGE = "no field to change: give at least one field flag (see --help)"


def field_values(args: argparse.Namespace) -> dict[str, Any]:
    """{name: value} of the field flags given (those not given are not sent)."""
    return {name[len(_FLAG_PREFIX):]: value for name, value in vars(args).items()
            if name.startswith(_FLAG_PREFIX) and value is not None}


def add_command(actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
                handler: Callable[[argparse.Namespace], int], **options: Any) -> argparse.ArgumentParser:
    """A sub-command with the common options and the exit-status epilog, run by `run` through `handler`."""
    command = actions.add_parser(name, parents=[common_options()], epilog=EPILOG, **options)
    command.set_defaults(run=run, handler=handler, parser=command)
    return command


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `clients get|list|create|create-business|update|delete|enable-otp|by-phone` on the `cryptomate`
    command's sub-parsers."""
    clients = commands.add_parser("clients", help="the Gen 1 clients through the API: get, list, create, update, "
                                                  "delete...")
    actions = clients.add_subparsers(dest="action", required=True)
    get = add_command(actions, "get", _get, help="print one client")
    get.add_argument("id", help="the client's id")

    listing = add_command(
        actions, "list", _list, help="print the clients (a table, or with --json one JSON array)",
        description=f"{route('list_clients')}: one row per client, or with --json one JSON array of the clients "
                    "(each as `get --json` prints it). The filters given are sent as query parameters.")
    add_field_flags(listing.add_argument_group("filters (those given are sent)"),
                    [(name, "bool") for name in query_names("list_clients")],
                    lambda name, family: f"only the clients whose {name} is true, or false")

    create = add_command(
        actions, "create", _create, usage="%(prog)s --FIELD VALUE... [options]", help="create an individual client",
        description=f"{route('create_client')} with the fields given (at least one); prints the new client.")
    add_field_flags(create.add_argument_group("fields (those given are sent)"),
                    body_rows("create_client"))

    business = add_command(
        actions, "create-business", _create_business, usage="%(prog)s --FIELD VALUE... [options]",
        help="create a business client",
        description=f"{route('create_business_client')} with the fields given; prints the new client. The required "
                    f"fields ({required_fields('create_business_client')}) are checked before sending: a missing "
                    "one is a usage error that names every missing field.")
    add_field_flags(business.add_argument_group("fields (those given are sent)"), body_rows("create_business_client"))

    update = add_command(
        actions, "update", _update,
        usage="%(prog)s ID --FIELD VALUE... [options]\n       %(prog)s --file PATH [--concurrency N] [--failed PATH] "
              "[options]",
        help="update one client from flags, or many from a .jsonl or .csv file",
        description="ID --FIELD VALUE...: update one client, sending the fields given. --file PATH: one update per "
                    "row of a .jsonl file (objects {\"id\": ..., \"<field>\": ...}) or a .csv file (an `id` column "
                    "and a column per field; an empty cell is not sent); keys and columns are the field names "
                    "(snake_case), cells read like the flags' values.",
    )
    update.add_argument("id", nargs="?", help="the client's id (not with --file)")
    add_field_flags(update.add_argument_group("fields (those given are sent)"), body_rows("update_client"))
    batch = update.add_argument_group("many clients")
    batch.add_argument("--file", type=Path, help="a .jsonl or .csv file of updates")
    batch.add_argument("--concurrency", type=_positive, default=8, metavar="N", help="requests in flight (default 8)")
    batch.add_argument("--failed", type=Path, metavar="PATH",
                       help="write the rows that failed there, in the input's format, to feed back to --file")

    remove = add_command(actions, "delete", _delete, help="delete a client",
                         description=f"{route('delete_client', id='ID')}; prints `deleted ID` (--json: "
                                     "{\"id\": ID, \"deleted\": true}).")
    remove.add_argument("id", help="the client's id")
    otp = add_command(actions, "enable-otp", _enable_otp, help="enable OTP for a client, print it")
    otp.add_argument("id", help="the client's id")
    by_phone = add_command(actions, "by-phone", _by_phone, help="print the WhatsApp-enabled client with that phone",
                           description=route("get_client_by_whatsapp_phone", full_phone_number="NUMBER"))
    by_phone.add_argument("number", metavar="NUMBER", help="the full phone number, country code included (digits)")


def _positive(text: str) -> int:
    value = _flag_type("int")(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer")
    return int(value)


def run(args: argparse.Namespace) -> int:
    """Run a sub-command for parsed args: an API error exits 1 (its `str` on stderr), a usage error exits 2
    through the sub-command's parser."""
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:  # update_clients has cancelled what was in flight
        print("interrupted", file=sys.stderr)
        return 130
    except cryptomate.CryptoMateError as error:
        return _failed(args, error)
    except _UsageError as error:
        parser: argparse.ArgumentParser = args.parser
        parser.error(str(error))  # exits 2


def client_for(args: argparse.Namespace) -> cryptomate.Client:
    try:
        return cryptomate.Client(args.api_key, base_url=args.base_url, environment=args.environment)
    except cryptomate.ConfigurationError as error:
        raise _UsageError(str(error)) from None


def _failed(args: argparse.Namespace, error: BaseException) -> int:
    print(f"{args.parser.prog}: {type(error).__name__}: {error}", file=sys.stderr)
    return 1


_T = TypeVar("_T")


def call(args: argparse.Namespace, request: Callable[[cryptomate.Client], _T]) -> _T:
    """`request(client)` with a client for `args`. The SDK's argument errors (TypeError/ValueError, raised
    before sending) are usage errors; API errors go up to `run` (exit 1)."""
    with client_for(args) as client:
        try:
            return request(client)
        except (TypeError, ValueError) as error:
            raise _UsageError(str(error)) from None


# --- output (shared with _cli_individuals) -----------------------------------------------------------------


def print_record(record: _Model, as_json: bool) -> None:
    """One record: a JSON object (its `to_dict()`), or a two-column table of its set fields."""
    data = record.to_dict()
    if as_json:
        print(json.dumps(data, default=str, ensure_ascii=False))
        return
    width = max(map(len, data), default=0)
    for name, value in data.items():
        print(f"{name:<{width}}  {_cell(value)}")


def print_records(records: Sequence[_Model], columns: Sequence[str], as_json: bool) -> None:
    """Many records: one JSON array of their `to_dict()`s, or a table with a row per record and `columns`
    (a field not set is an empty cell)."""
    dicts = [record.to_dict() for record in records]
    if as_json:
        print(json.dumps(dicts, default=str, ensure_ascii=False))
        return
    print_table(columns, [["" if data.get(c) is None else _cell(data[c]) for c in columns] for data in dicts])


def print_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Aligned columns, two spaces apart, the header first."""
    lines = [list(header), *map(list, rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())


def print_deleted(id: str, as_json: bool) -> None:
    print(json.dumps({"id": id, "deleted": True}, ensure_ascii=False) if as_json else f"deleted {id}")


def _cell(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)


def show(args: argparse.Namespace, request: Callable[[cryptomate.Client], _Model]) -> int:
    """Run a call that returns one record and print it."""
    print_record(call(args, request), args.json)
    return 0


def show_many(args: argparse.Namespace, request: Callable[[cryptomate.Client], Sequence[_Model]],
              columns: Sequence[str]) -> int:
    """Run a call that returns a list of records and print them."""
    print_records(call(args, request), columns, args.json)
    return 0


def delete(args: argparse.Namespace, request: Callable[[cryptomate.Client], None]) -> int:
    """Run a delete call and say so."""
    call(args, request)
    print_deleted(args.id, args.json)
    return 0


# --- get, list, create, create-business, update ID, delete, enable-otp, by-phone ------------------------------

_LIST_COLUMNS = ("id", "type", "status", "first_name", "last_name", "email", "otp", "sms", "whatsapp", "telegram")


def _get(args: argparse.Namespace) -> int:
    return show(args, lambda client: client.get_client(args.id))


def _list(args: argparse.Namespace) -> int:
    filters = field_values(args)
    return show_many(args, lambda client: client.list_clients(**filters), _LIST_COLUMNS)


def _create(args: argparse.Namespace) -> int:
    fields = field_values(args)
    if not fields:
        raise _UsageError("no field given: give at least one field flag (see --help)")
    return show(args, lambda client: client.create_client(**fields))


def _create_business(args: argparse.Namespace) -> int:
    fields = field_values(args)
    return show(args, lambda client: client.create_business_client(**fields))


def _delete(args: argparse.Namespace) -> int:
    return delete(args, lambda client: client.delete_client(args.id))


def _enable_otp(args: argparse.Namespace) -> int:
    return show(args, lambda client: client.enable_otp(args.id))


def _by_phone(args: argparse.Namespace) -> int:
    return show(args, lambda client: client.get_client_by_whatsapp_phone(args.number))


def _update(args: argparse.Namespace) -> int:
    fields = field_values(args)
    if args.file is not None:
        if args.id is not None or fields:
            raise _UsageError("--file takes no ID and no field flags: the file gives them")
        return _update_file(args)
    if args.id is None:
        raise _UsageError("give an ID and field flags, or --file")
    if args.failed is not None:
        raise _UsageError("--failed goes with --file")
    if not fields:
        raise _UsageError(NO_FIELD_TO_CHANGE)
    return show(args, lambda client: client.update_client(args.id, **fields))


# --- update --file -----------------------------------------------------------------------------------------

_Outcome = Union[cryptomate.CompanyClient, BaseException]


@dataclass
class _Row:
    """One input row: where it is, its text (a JSONL line) or cells (a CSV row), and how it went."""

    line: int
    raw: str | list[str]
    id: str | None = None
    sent: tuple[str, ...] = ()
    outcome: _Outcome | None = None


_Parsed = Iterator[tuple[_Row, Union[dict[str, Any], ValueError]]]


def _jsonl_rows(handle: TextIO) -> _Parsed:
    for number, text in enumerate(handle, 1):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        row = _Row(number, text)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield row, ValueError(f"invalid JSON ({error})")
            continue
        yield row, data if isinstance(data, dict) else ValueError("not a JSON object")


def _csv_rows(reader: Iterator[list[str]], columns: list[str], line_of: Callable[[], int]) -> _Parsed:
    line = line_of() + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):  # blank lines and empty rows are skipped
            row = _Row(line, cells)
            if len(cells) > len(columns):
                yield row, ValueError(f"{len(cells)} cells, but the header has {len(columns)} columns")
            else:
                yield row, {column: cell for column, cell in zip(columns, cells) if cell.strip()}
        line = line_of() + 1


def _prepare(row: _Row, data: dict[str, Any], from_text: bool, table: dict[str, tuple[str, bool]]) -> dict[str, Any]:
    """The fields to send for one row (its id set on the row); ValueError says why the row is bad."""
    id = data.pop("id", None)
    if isinstance(id, str) and id.strip():
        row.id = id.strip()
    else:
        raise ValueError("no id (a non-empty string)")
    fields = {}
    for name, value in data.items():
        family, writable = table.get(name, ("", False))
        if not writable:
            raise ValueError(f"{name!r} is a read-only field" if family else f"unknown field {name!r}")
        try:
            fields[name] = _read(family, value) if from_text else value
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
    return fields


def _open(path: Path, write: bool = False) -> TextIO:
    try:
        if write:
            return open(path, "w", encoding="utf-8", newline="")
        return open(path, encoding="utf-8-sig", newline="")  # -sig: a BOM (spreadsheets write one) is not data
    except OSError as error:
        raise _UsageError(f"cannot {'write' if write else 'read'} {path}: {error.strerror or error}") from None


def _update_file(args: argparse.Namespace) -> int:
    path: Path = args.file
    kind = path.suffix.lower()
    if kind not in (".jsonl", ".csv"):
        raise _UsageError(f"{path}: unsupported file type {kind or '(none)'!r}: use .jsonl or .csv")
    if args.failed is not None and args.failed.exists() and args.failed.resolve() == path.resolve():
        raise _UsageError("--failed must not be the input file")
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(_open(path))
        client = stack.enter_context(client_for(args))
        failed_out = stack.enter_context(_open(args.failed, write=True)) if args.failed is not None else None
        header: list[str] = []  # CSV: the header row as it came
        rows: list[_Row] = []  # every row, bad ones included, in input order
        sent: list[_Row] = []  # the rows handed to update_clients, in order
        table = _fields()
        try:
            if kind == ".csv":
                reader = csv.reader(source)
                header = next(reader, [])
                columns = [column.strip() for column in header]
                if "id" not in columns and reader.line_num > 0:  # an empty file is just no rows
                    raise _UsageError(f"{path}: the header (line 1) has no `id` column")
                if len(set(columns)) != len(columns):
                    raise _UsageError(f"{path}: the header repeats a column")
                parsed = _csv_rows(reader, columns, lambda: reader.line_num)
            else:
                parsed = _jsonl_rows(source)

            def updates() -> Iterator[tuple[str, dict[str, Any]]]:
                for row, data in parsed:
                    rows.append(row)
                    try:
                        if isinstance(data, ValueError):
                            raise data
                        fields = _prepare(row, data, kind == ".csv", table)
                    except ValueError as error:
                        row.outcome = error  # a bad row: not sent, counted as failed
                        continue
                    row.sent = tuple(fields)
                    sent.append(row)
                    yield row.id or "", fields

            progress = True if sys.stderr.isatty() and not args.json else None
            started = time.monotonic()
            results = client.update_clients(updates(), concurrency=args.concurrency, progress=progress)
            elapsed = time.monotonic() - started
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise _UsageError(f"cannot read {path}: {error}") from None
        except cryptomate.CryptoMateError as error:
            return _failed(args, error)
        for row, outcome in zip(sent, results):
            row.outcome = outcome
        failed = _report(args, rows, elapsed)
        if failed_out is not None:
            _write_failed(failed_out, header if kind == ".csv" else None, failed)
        return 1 if failed else 0


def _report(args: argparse.Namespace, rows: list[_Row], elapsed: float) -> list[_Row]:
    """Print the results (stdout) and the failures and a summary (stderr); the rows that failed."""
    failed = [row for row in rows if not isinstance(row.outcome, cryptomate.CompanyClient)]
    for row in failed:
        if row.outcome is None:  # only if update_clients broke its contract
            row.outcome = RuntimeError("no result for this row")
    if args.json:
        for row in rows:
            if isinstance(row.outcome, cryptomate.CompanyClient):
                data = row.outcome.to_dict()
            else:
                data = {"id": row.id, "error": str(row.outcome), "error_type": type(row.outcome).__name__}
            print(json.dumps(data, default=str, ensure_ascii=False))
    else:
        _print_results(rows)
    for row in failed:
        print(f"line {row.line}: id {row.id or '?'}: {type(row.outcome).__name__}: {row.outcome}", file=sys.stderr)
    print(f"updated {len(rows) - len(failed)} / failed {len(failed)} / {elapsed:.1f} s", file=sys.stderr)
    return failed


def _print_results(rows: Iterable[_Row]) -> None:
    lines = []
    for row in rows:
        if isinstance(row.outcome, cryptomate.CompanyClient):
            lines.append((str(row.line), row.id or "", "ok", ", ".join(row.sent)))
        else:
            detail = f"{type(row.outcome).__name__}: {row.outcome}"
            lines.append((str(row.line), row.id or "?", "failed", detail[:77] + "..." if len(detail) > 80 else detail))
    print_table(("line", "id", "status", "detail"), lines)


def _write_failed(out: TextIO, header: list[str] | None, failed: list[_Row]) -> None:
    """The failed rows as they came in (CSV: the header first), so that the file can go back to --file."""
    if header is None:
        out.writelines(f"{row.raw}\n" for row in failed)
    else:
        writer = csv.writer(out, lineterminator="\n")
        if header:  # none if the input was empty
            writer.writerow(header)
        writer.writerows(row.raw for row in failed)

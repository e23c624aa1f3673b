"""`cryptomate individuals ...`: the Gen 2 individual clients through the API (`client.individuals`): create,
list, get, replace, update, delete, countries, identification-types.

The field flags and the required fields come from the endpoint table (the body of `individuals.create`, which is
also the body of replace and update); the helpers (options, flags, the call, the output, exit statuses) are `_cli_clients`'s.
"""

from __future__ import annotations

import argparse

from cryptomate._cli_clients import FIELDS, NO_FIELD_TO_CHANGE, _UsageError, add_command, add_field_flags, body_rows, call, delete, \
    field_values, print_records, print_table, required_fields, route, show, show_many

_LIST_COLUMNS = ("id", "status", "first_name", "last_name", "email", "birth_date")
_TYPE_COLUMNS = tuple(name for name, _ in FIELDS["IdentificationType"])


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `individuals create|list|get|replace|update|delete|countries|identification-types` on the
    `cryptomate` command's sub-parsers."""
    individuals = commands.add_parser("individuals", help="the Gen 2 individual clients through the API: create, "
                                                          "list, get, replace, update, delete...")
    actions = individuals.add_subparsers(dest="action", required=True)
    rows = body_rows("individuals.create")
    required = required_fields("individuals.create")
    address_keys = ", ".join(name for name, _ in FIELDS["IndividualAddress"])

    create = add_command(
        actions, "create", _create, usage="%(prog)s --FIELD VALUE... [options]", help="create an individual client",
        description=f"{route('individuals.create')} with the fields given ({required} required; "
                    f"--address-json is an object with the keys {address_keys}); prints the new client.")
    add_field_flags(create.add_argument_group("fields (those given are sent)"), rows)

    add_command(actions, "list", _list, help="print the individual clients (a table, or with --json one JSON array)",
                description=f"{route('individuals.list')}: one row per client, or with --json one JSON "
                            "array of the clients (each as `get --json` prints it).")

    get = add_command(actions, "get", _get, help="print one individual client")
    get.add_argument("id", help="the client's id")

    replace = add_command(
        actions, "replace", _replace, usage="%(prog)s ID --FIELD VALUE... [options]",
        help="replace an individual client's whole record",
        description=f"{route('individuals.replace', id='ID')} with exactly the fields given: the API replaces the "
                    f"whole record, so {required} are required. To change some fields only, use `update`.")
    replace.add_argument("id", help="the client's id")
    add_field_flags(replace.add_argument_group("fields (the whole record)"), rows)

    update = add_command(
        actions, "update", _update, usage="%(prog)s ID --FIELD VALUE... [options]",
        help="change some fields of an individual client",
        description="Reads the client, applies the fields given and sends the whole record back (two requests). "
                    "--address-json merges key by key into the stored address: --address-json "
                    "'{\"city\": \"Rosario\"}' changes the city only.")
    update.add_argument("id", help="the client's id")
    add_field_flags(update.add_argument_group("fields (those given are changed)"), rows)

    remove = add_command(actions, "delete", _delete, help="delete an individual client",
                         description=f"{route('individuals.delete', id='ID')}; prints `deleted ID` (--json: "
                                     "{\"id\": ID, \"deleted\": true}).")
    remove.add_argument("id", help="the client's id")

    add_command(actions, "countries", _countries, help="print the supported countries",
                description=f"{route('individuals.countries')}: alpha3 (for address.country), name, "
                            "postal code format and subdivisions (their codes go in address.state); --json: one "
                            "JSON array.")

    types = add_command(actions, "identification-types", _identification_types,
                        help="print the identification types of a country",
                        description=f"{route('individuals.identification_types', country_code='COUNTRY')}; --json: one JSON "
                                    "array.")
    types.add_argument("country", metavar="COUNTRY", help="the country's ISO code (e.g. US, ARG)")


def _create(args: argparse.Namespace) -> int:
    fields = field_values(args)
    return show(args, lambda client: client.individuals.create(**fields))


def _list(args: argparse.Namespace) -> int:
    return show_many(args, lambda client: client.individuals.list(), _LIST_COLUMNS)


def _get(args: argparse.Namespace) -> int:
    return show(args, lambda client: client.individuals.get(args.id))


def _replace(args: argparse.Namespace) -> int:
    fields = field_values(args)
    return show(args, lambda client: client.individuals.replace(args.id, **fields))


def _update(args: argparse.Namespace) -> int:
    changes = field_values(args)
    if not changes:
        raise _UsageError(NO_FIELD_TO_CHANGE)
    return show(args, lambda client: client.individuals.update(args.id, **changes))


def _delete(args: argparse.Namespace) -> int:
    return delete(args, lambda client: client.individuals.delete(args.id))


def _countries(args: argparse.Namespace) -> int:
    countries = call(args, lambda client: client.individuals.countries())
    if args.json:
        print_records(countries, (), as_json=True)
        return 0
    # A table; the subdivisions as "code name" pairs: the codes go in address.state.
    print_table(("alpha3", "name", "postal_code_format", "subdivisions"),
                [(c.alpha3 or "", c.name or "", c.postal_code_format or "",
                  ", ".join(f"{s.code} {s.name}" for s in c.subdivisions or ())) for c in countries])
    return 0


def _identification_types(args: argparse.Namespace) -> int:
    return show_many(args, lambda client: client.individuals.identification_types(args.country), _TYPE_COLUMNS)

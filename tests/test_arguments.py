"""Bad arguments are refused with TypeError/ValueError before anything is sent."""

import datetime

import pytest

import cryptomate


@pytest.fixture
def refused(client, server):
    """refused(exc_type, fn, *args, **kwargs): fn raises exc_type and nothing reached the server."""

    def check(exc_type, fn, *args, **kwargs):
        with pytest.raises(exc_type) as info:
            fn(*args, **kwargs)
        assert server.requests == [], "a refused call reached the server"
        return info.value

    return check


# -- the id ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("client_id", [".", "..", ""])
def test_bad_id_value_is_a_value_error(refused, client, call, client_id):
    refused(ValueError, call, client, client_id)


@pytest.mark.parametrize("client_id", [123, None, b"x", ["a"]])
def test_non_str_id_is_a_type_error(refused, client, call, client_id):
    refused(TypeError, call, client, client_id)


def test_id_is_positional_only(refused, client):
    refused(TypeError, client.update_client, id="client_123", first_name="John")
    refused(TypeError, client.get_client, id="client_123")


def test_fields_are_keyword_only(refused, client):
    refused(TypeError, client.update_client, "client_123", "John")


def test_no_fields_at_all_is_a_value_error(refused, client):
    refused(ValueError, client.update_client, "client_123")


# -- unknown names ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typo", "known"),
    [("first_nam", "first_name"), ("birthdate", "birth_date"), ("telegam", "telegram")],
)
def test_unknown_field_is_named_with_a_suggestion(refused, client, typo, known):
    error = refused(TypeError, client.update_client, "client_123", **{typo: "x"})
    assert typo in str(error)
    assert known in str(error)


def test_unknown_field_next_to_valid_ones_sends_nothing(refused, client):
    error = refused(TypeError, client.update_client, "client_123", first_name="John", colour="red")
    assert "colour" in str(error)


def test_unknown_address_key_is_named_with_a_suggestion(refused, client):
    # Gen 2 spelling of a Gen 1 address key.
    error = refused(TypeError, client.update_client, "client_123", address={"street_line1": "1 Main St"})
    assert "street_line1" in str(error)
    assert "street_line_1" in str(error)


def test_unknown_document_key_is_named_with_a_suggestion(refused, client):
    error = refused(TypeError, client.update_client, "client_123", documents=[{"numbr": "X1"}])
    assert "numbr" in str(error)
    assert "number" in str(error)


# -- wrong types -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sms", "yes"),
        ("otp", 1),
        ("phone_number", "123"),
        ("phone_number", True),
        ("phone_country_code", False),
        ("phone_country_code", 54.0),
        ("first_name", 5),
        ("email", b"john@example.com"),
        ("last_name", ["Doe"]),
        ("birth_date", 19900517),
        ("address", 5),
        ("address", "1 Main St"),
        ("documents", "x"),
        ("documents", {"name": "passport"}),
    ],
)
def test_wrong_type_names_field_and_given_type(refused, client, field, value):
    error = refused(TypeError, client.update_client, "client_123", **{field: value})
    assert field in str(error)
    assert type(value).__name__ in str(error)


def test_wrong_item_type_in_documents(refused, client):
    error = refused(TypeError, client.update_client, "client_123", documents=[5])
    assert "documents" in str(error)


@pytest.mark.parametrize("field", ["birth_date", "expiration_date"])
def test_datetime_is_not_a_date(refused, client, field):
    value = datetime.datetime(1990, 5, 17, 12, 0)
    error = refused(TypeError, client.update_client, "client_123", **{field: value})
    assert field in str(error)


def test_wrong_type_inside_address(refused, client):
    error = refused(TypeError, client.update_client, "client_123", address={"city": 5})
    assert "city" in str(error)


def test_wrong_type_inside_document(refused, client):
    error = refused(TypeError, client.update_client, "client_123", documents=[{"number": 5}])
    assert "number" in str(error)


def test_address_model_where_documents_expected(refused, client):
    refused(TypeError, client.update_client, "client_123", documents=[cryptomate.Address(city="X")])


# -- bad values ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone_country_code", 2**31),
        ("phone_country_code", -(2**31) - 1),
        ("phone_number", 2**63),
        ("phone_number", -(2**63) - 1),
    ],
)
def test_out_of_range_int_is_a_value_error(refused, client, field, value):
    error = refused(ValueError, client.update_client, "client_123", **{field: value})
    assert field in str(error)


@pytest.mark.parametrize("field", ["birth_date", "expiration_date"])
@pytest.mark.parametrize("value", ["2023-02-30", "17/05/1990", "1990-5-17", "1990-05-17T00:00:00", ""])
def test_bad_date_string_is_a_value_error(refused, client, field, value):
    error = refused(ValueError, client.update_client, "client_123", **{field: value})
    assert field in str(error)

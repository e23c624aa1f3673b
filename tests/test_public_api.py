"""The names the package exports and how its classes present themselves."""

import re

import pytest

import cryptomate

CLASSES = [
    "Client", "AsyncClient", "Individuals", "AsyncIndividuals", "CompanyClient", "Address", "Document",
    "AssociatedPerson", "IdentifyingInformation", "IndividualClient", "IndividualAddress", "Country", "Subdivision",
    "IdentificationType",
    "CryptoMateError", "ConfigurationError", "APIError", "APIConnectionError", "APITimeoutError",
    "APIResponseValidationError", "APIStatusError", "BadRequestError", "AuthenticationError",
    "PermissionDeniedError", "NotFoundError", "ConflictError", "PreconditionFailedError",
    "RateLimitError", "InternalServerError",
]


@pytest.mark.parametrize("name", CLASSES)
def test_public_class_lives_in_cryptomate(name):
    cls = getattr(cryptomate, name)
    assert isinstance(cls, type)
    assert cls.__module__ == "cryptomate"
    assert cls.__name__ == name
    assert repr(cls) == f"<class 'cryptomate.{name}'>"


@pytest.mark.parametrize("name", CLASSES)
def test_public_class_is_in_all_when_all_exists(name):
    if hasattr(cryptomate, "__all__"):
        assert name in cryptomate.__all__


def test_all_names_exist():
    for name in getattr(cryptomate, "__all__", []):
        assert hasattr(cryptomate, name), name


def test_version_string():
    assert isinstance(cryptomate.__version__, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", cryptomate.__version__)


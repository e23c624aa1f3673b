"""cryptomate: the Python SDK for the CryptoMate API, with a Rust core.

    import cryptomate
    client = cryptomate.Client("key", environment="sandbox")
    updated = client.update_client("client_123", first_name="John", sms=False)

    async with cryptomate.AsyncClient("key") as client:
        updated = await client.update_client("client_123", sms=False)
"""

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    CryptoMateError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
)
from ._logging import setup_from_env as _setup_logging_from_env
from ._native import (
    Address,
    AssociatedPerson,
    AsyncClient,
    AsyncIndividuals,
    Client,
    CompanyClient,
    Country,
    Document,
    IdentificationType,
    IdentifyingInformation,
    IndividualAddress,
    IndividualClient,
    Individuals,
    Subdivision,
    __version__,
)

_setup_logging_from_env()

__all__ = [
    "Client",
    "AsyncClient",
    "Individuals",
    "AsyncIndividuals",
    "CompanyClient",
    "Address",
    "Document",
    "AssociatedPerson",
    "IdentifyingInformation",
    "IndividualClient",
    "IndividualAddress",
    "Country",
    "Subdivision",
    "IdentificationType",
    "CryptoMateError",
    "ConfigurationError",
    "APIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIResponseValidationError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "PreconditionFailedError",
    "RateLimitError",
    "InternalServerError",
    "__version__",
]

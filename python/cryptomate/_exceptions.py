"""The exception hierarchy of cryptomate.

Every error the package raises on purpose derives from CryptoMateError. Exceptions pickle (their
attributes travel with them), and none of them ever holds the API key.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

__all__ = [
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
]


class CryptoMateError(Exception):
    """Every error this package raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(CryptoMateError):
    """Missing key, bad base URL, conflicting settings."""


class APIError(CryptoMateError):
    """Something went wrong talking to the API."""


class APIConnectionError(APIError):
    """No HTTP response: refused, reset, DNS, TLS."""


class APITimeoutError(APIConnectionError):
    """Connect or request timeout."""


class APIResponseValidationError(APIError):
    """A 2xx whose body does not decode into the model; the raw body is on ``.body``."""

    def __init__(self, message: str, *, status_code: int = 200, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class APIStatusError(APIError):
    """An HTTP error response."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 0,
        code: Optional[str] = None,
        trace_id: Optional[str] = None,
        body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.trace_id = trace_id
        self.body = body
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        head = f"{self.status_code} {self.code}" if self.code else str(self.status_code)
        tail = f" (trace_id {self.trace_id})" if self.trace_id else ""
        return f"{head}: {self.message}{tail}"


class BadRequestError(APIStatusError):
    """400: malformed request or bad parameters."""


class AuthenticationError(APIStatusError):
    """401: the key is unknown or lacks the permission (the API uses 401 for both)."""


class PermissionDeniedError(APIStatusError):
    """403."""


class NotFoundError(APIStatusError):
    """404: no such resource (code NOT_FOUND)."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that conflicts with the request."""


class PreconditionFailedError(APIStatusError):
    """412: a business rule failed (code VAL), e.g. another client already has the phone number."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` is the server's wait in seconds, when it gave one."""

    def __init__(self, message: str, *, retry_after: Optional[float] = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class InternalServerError(APIStatusError):
    """>= 500: the server failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    429: RateLimitError,
}


def _status_error(message: str, *, status_code: int, retry_after: Optional[float] = None, **kwargs: Any) -> APIStatusError:
    """The exception for an HTTP error answer (called by the native module)."""
    if status_code == 429:
        return RateLimitError(message, status_code=status_code, retry_after=retry_after, **kwargs)
    cls = InternalServerError if status_code >= 500 else _BY_STATUS.get(status_code, APIStatusError)
    return cls(message, status_code=status_code, **kwargs)


for _cls in (
    CryptoMateError, ConfigurationError, APIError, APIConnectionError, APITimeoutError,
    APIResponseValidationError, APIStatusError, BadRequestError, AuthenticationError,
    PermissionDeniedError, NotFoundError, ConflictError, PreconditionFailedError,
    RateLimitError, InternalServerError,
):
    _cls.__module__ = "cryptomate"
del _cls

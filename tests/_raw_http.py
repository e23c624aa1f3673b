"""Raw HTTP to the emulator with the standard library only (never through the SDK).

Every call talks to 127.0.0.1 and has a timeout, so a misbehaving server fails a test instead of hanging it.
"""

from __future__ import annotations

import http.client
import json as _json
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Tuple
from urllib.parse import urlsplit

TIMEOUT = 10.0
CLIENTS = "/management/clients"

_UNSET: Any = object()


@dataclass
class Response:
    status: int
    headers: dict  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return _json.loads(self.body)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


def _host_port(base_url: str) -> Tuple[str, int]:
    parts = urlsplit(base_url)
    assert parts.hostname == "127.0.0.1", base_url
    assert parts.port is not None, base_url
    return parts.hostname, parts.port


class Connection:
    """One keep-alive connection to the emulator (optionally from another loopback source address)."""

    def __init__(self, base_url: str, *, source: Optional[str] = None, timeout: float = TIMEOUT) -> None:
        host, port = _host_port(base_url)
        source_address = (source, 0) if source else None
        self._conn = http.client.HTTPConnection(host, port, timeout=timeout, source_address=source_address)

    def connect(self) -> None:
        self._conn.connect()

    def request(
        self,
        method: str,
        path: str,
        *,
        key: Optional[str] = None,
        key_header: str = "X-API-KEY",
        json: Any = _UNSET,
        raw: Optional[bytes] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Response:
        sent = dict(headers or {})
        if key is not None:
            sent[key_header] = key
        body = raw
        if json is not _UNSET:
            body = _json.dumps(json).encode()
        if body is not None:
            sent.setdefault("Content-Type", "application/json")
        self._conn.request(method, path, body=body, headers=sent)
        answer = self._conn.getresponse()
        data = answer.read()
        return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, data)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Connection":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def request(base_url: str, method: str, path: str, *, source: Optional[str] = None, **kwargs: Any) -> Response:
    """One request on a fresh connection."""
    with Connection(base_url, source=source) as conn:
        return conn.request(method, path, **kwargs)


def assert_error_body(response: Response, status: int, code: Optional[str] = None) -> dict:
    """The documented error shape: {code, message, trace_id}, trace_id equal to the X-Trace-Id header."""
    assert response.status == status, (response.status, response.body)
    body = response.json
    assert isinstance(body, dict), body
    for name in ("code", "message", "trace_id"):
        assert isinstance(body.get(name), str) and body[name], (name, body)
    if code is not None:
        assert body["code"] == code, body
    assert response.header("X-Trace-Id"), response.headers
    assert response.header("X-Trace-Id") == body["trace_id"], (response.headers, body)
    return body

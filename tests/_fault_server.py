"""A tiny raw-socket HTTP server on 127.0.0.1 whose answers are scripts, for byte-exact faults.

``http.server`` always answers whole messages; the faults the SDK must survive are not whole messages: a
connection reset in the middle of a body, a body shorter than its Content-Length, bytes that trickle in. Here
every request is answered by a *script*: a function ``script(conn, request) -> bool`` that writes whatever bytes
it likes through ``conn`` (send, sleep, close with FIN, reset with RST) and returns True to keep the connection
open for the next request. Scripts are queued with ``push``; a request with no queued script gets
``ok_client()`` (200 with ``{"id": <last path segment>}``).

Everything is bounded: sleeps end when the server closes, sockets have timeouts, threads are joined on close.
With an ``ssl_context`` every connection is TLS; failed handshakes are counted in ``tls_failures``.
"""

from __future__ import annotations

import collections
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Optional

from _threads import wait_until

IDLE_LIMIT = 10.0  # seconds an idle connection is kept before the server closes it
MAX_HEADER = 64 * 1024


@dataclass
class RawRequest:
    method: str
    path: str  # the request target as sent
    headers: dict  # lower-case names
    body: bytes
    connection: int  # which accepted connection (0-based) carried it
    received_at: float  # time.monotonic() when the request was complete

    @property
    def json(self):
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class Conn:
    """One accepted connection, as seen by a script."""

    def __init__(self, sock: socket.socket, server: "FaultServer", index: int):
        self.sock = sock
        self.server = server
        self.index = index
        self.closed = False

    def send(self, data: bytes) -> bool:
        """Send all of `data`; False if the client has gone."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def sleep(self, seconds: float) -> bool:
        """Sleep, but wake up when the server closes; True if the whole time passed."""
        return not self.server.stopping.wait(seconds)

    def trickle(self, data: bytes, interval: float, step: int = 1) -> bool:
        """Send `data` `step` bytes at a time, `interval` seconds apart; stops early if the client leaves."""
        for i in range(0, len(data), step):
            if not self.send(data[i:i + step]) or not self.sleep(interval):
                return False
        return True

    def close(self) -> None:
        """Orderly close (FIN)."""
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()

    def reset(self) -> None:
        """Abortive close: SO_LINGER with a zero timeout makes close() send RST instead of FIN."""
        if not self.closed:
            self.closed = True
            try:
                self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            self.sock.close()


Script = Callable[[Conn, RawRequest], bool]


class FaultServer:
    def __init__(self, ssl_context: Optional[ssl.SSLContext] = None):
        self.requests: list[RawRequest] = []
        self.connections = 0
        self.tls_failures: list[str] = []
        self.stopping = threading.Event()
        self._scripts: collections.deque[Script] = collections.deque()
        self._lock = threading.Lock()
        self._ssl = ssl_context
        self._open: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        scheme = "https" if ssl_context else "http"
        self.base_url = f"{scheme}://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)
        self._acceptor.start()

    # -- programming -------------------------------------------------------------------------------

    def push(self, *scripts: Script) -> None:
        """Queue scripts; each answers one request, in order of arrival."""
        with self._lock:
            self._scripts.extend(scripts)

    def wait_until(self, predicate, timeout: float = 5.0):
        return wait_until(predicate, timeout, step=0.01)

    def close(self) -> None:
        self.stopping.set()
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            sockets = list(self._open)
        for s in sockets:
            try:
                s.close()
            except OSError:
                pass
        self._acceptor.join(timeout=5)
        for t in list(self._threads):
            t.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- serving -----------------------------------------------------------------------------------

    def _accept_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                index = self.connections
                self.connections += 1
                self._open.append(sock)
            thread = threading.Thread(target=self._serve, args=(sock, index), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, sock: socket.socket, index: int) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(0.1)
        if self._ssl is not None:
            try:
                sock.settimeout(5.0)
                sock = self._ssl.wrap_socket(sock, server_side=True)
                sock.settimeout(0.1)
                with self._lock:
                    self._open.append(sock)
            except (OSError, ssl.SSLError) as e:
                with self._lock:
                    self.tls_failures.append(f"{type(e).__name__}: {e}")
                sock.close()
                return
        conn = Conn(sock, self, index)
        buffer = b""
        try:
            while not conn.closed and not self.stopping.is_set():
                request, buffer = self._read_request(sock, buffer, index)
                if request is None:
                    break
                with self._lock:
                    self.requests.append(request)
                    script = self._scripts.popleft() if self._scripts else ok_client()
                if not script(conn, request):
                    break
        finally:
            conn.close()

    def _read_request(self, sock, buffer: bytes, index: int):
        """One request from the connection, or None when it ends (closed, idle too long, garbage)."""
        idle_deadline = time.monotonic() + IDLE_LIMIT
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > MAX_HEADER:
                return None, b""
            chunk = self._recv(sock, idle_deadline)
            if not chunk:
                return None, b""
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, _version = lines[0].split(" ", 2)
        except ValueError:
            return None, b""
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = b""
            while True:
                while b"\r\n" not in buffer:
                    chunk = self._recv(sock, idle_deadline)
                    if not chunk:
                        return None, b""
                    buffer += chunk
                size_line, buffer = buffer.split(b"\r\n", 1)
                size = int(size_line.split(b";")[0], 16)
                while len(buffer) < size + 2:
                    chunk = self._recv(sock, idle_deadline)
                    if not chunk:
                        return None, b""
                    buffer += chunk
                body += buffer[:size]
                buffer = buffer[size + 2:]
                if size == 0:
                    break
        else:
            length = int(headers.get("content-length") or 0)
            while len(buffer) < length:
                chunk = self._recv(sock, idle_deadline)
                if not chunk:
                    return None, b""
                buffer += chunk
            body, buffer = buffer[:length], buffer[length:]
        request = RawRequest(method, target, headers, body, index, time.monotonic())
        return request, buffer

    def _recv(self, sock, deadline: float) -> bytes:
        while not self.stopping.is_set() and time.monotonic() < deadline:
            try:
                return sock.recv(65536)
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                return b""
        return b""


# -- building answers ------------------------------------------------------------------------------


def response_head(status: int, headers: Optional[dict] = None, reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def client_body(request: RawRequest, **fields) -> bytes:
    client_id = urllib.parse.unquote(request.path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1])
    return json.dumps({"id": client_id, **fields}).encode()


def respond(status: int = 200, body: bytes = b"", headers: Optional[dict] = None, *, keep_alive: bool = True) -> Script:
    """A complete answer with Content-Length."""

    def script(conn: Conn, request: RawRequest) -> bool:
        all_headers = {"Content-Length": str(len(body)), **(headers or {})}
        if not keep_alive:
            all_headers["Connection"] = "close"
        conn.send(response_head(status, all_headers) + body)
        return keep_alive

    return script


def ok_client(**fields) -> Script:
    """200 with a JSON client whose id is the request's last path segment."""

    def script(conn: Conn, request: RawRequest) -> bool:
        body = client_body(request, **fields)
        head = response_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        return conn.send(head + body)

    return script


def reset_before_answer() -> Script:
    def script(conn: Conn, request: RawRequest) -> bool:
        conn.reset()
        return False

    return script


def close_before_answer() -> Script:
    def script(conn: Conn, request: RawRequest) -> bool:
        conn.close()
        return False

    return script


def reset_mid_body(declared: int = 2000, sent: int = 200) -> Script:
    """Headers announcing `declared` bytes, `sent` of them, a pause so they arrive, then RST."""

    def script(conn: Conn, request: RawRequest) -> bool:
        head = response_head(200, {"Content-Type": "application/json", "Content-Length": str(declared)})
        conn.send(head + b'{"id": "' + b"x" * (sent - 8))
        conn.sleep(0.1)
        conn.reset()
        return False

    return script


def truncated_body(declared: int = 2000, sent: int = 200) -> Script:
    """Headers announcing `declared` bytes, only `sent` of them, then an orderly close (FIN)."""

    def script(conn: Conn, request: RawRequest) -> bool:
        head = response_head(200, {"Content-Type": "application/json", "Content-Length": str(declared)})
        conn.send(head + b'{"id": "' + b"x" * (sent - 8))
        conn.close()
        return False

    return script


def stall(seconds: float = 10.0) -> Script:
    """Read the request, then say nothing for `seconds` (or until the server closes) and close."""

    def script(conn: Conn, request: RawRequest) -> bool:
        conn.sleep(seconds)
        conn.close()
        return False

    return script


def trickle_body(size: int = 2000, interval: float = 0.05) -> Script:
    """A 200 whose body arrives one byte every `interval` seconds: bytes keep coming, slowly."""

    def script(conn: Conn, request: RawRequest) -> bool:
        body = (b'{"id": "c", "first_name": "' + b"x" * size + b'"}')
        head = response_head(200, {"Content-Type": "application/json", "Content-Length": str(len(body))})
        conn.send(head)
        conn.trickle(body, interval)
        conn.close()
        return False

    return script


def chunked(status: int, body: bytes, headers: Optional[dict] = None, chunk_size: int = 500) -> Script:
    """An answer in chunked transfer encoding (no Content-Length)."""

    def script(conn: Conn, request: RawRequest) -> bool:
        conn.send(response_head(status, {**(headers or {}), "Transfer-Encoding": "chunked"}))
        for i in range(0, len(body), chunk_size):
            part = body[i:i + chunk_size]
            if not conn.send(b"%x\r\n%s\r\n" % (len(part), part)):
                return False
        conn.send(b"0\r\n\r\n")
        return True

    return script


def close_delimited(status: int, body: bytes, headers: Optional[dict] = None) -> Script:
    """An answer with neither Content-Length nor chunking: the body ends when the connection closes."""

    def script(conn: Conn, request: RawRequest) -> bool:
        conn.send(response_head(status, {**(headers or {}), "Connection": "close"}) + body)
        conn.close()
        return False

    return script

"""A small programmable HTTP server on 127.0.0.1 that the tests talk to.

Every request is recorded (``server.requests``). Answers come from a queue filled by the test
(``answer``, ``delay_next``, ``drop``); when the queue is empty, GET and PUT
``/management/clients/{id}`` answer 200 with a stored client record (PUT merges the sent body into it),
anything else answers 404.
"""

from __future__ import annotations

import collections
import json
import select
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _threads import wait_until

CLIENTS_PATH = "/management/clients/"
_UNSET = object()


@dataclass
class RecordedRequest:
    method: str
    path: str  # the request target exactly as sent, percent-encoding kept
    headers: dict  # lower-cased names
    body: bytes
    json: object  # the parsed body, or None
    cancelled: bool = False  # the client closed the connection while its answer was delayed
    received_at: float = field(default_factory=time.monotonic)


@dataclass
class Answer:
    status: int | None = None  # None: the default answer for the route
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0
    drop: bool = False  # close the connection without answering


class StubServer:
    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0  # requests being handled now
        self.max_in_flight = 0  # the most handled at once
        self.open_connections = 0  # client connections open now
        self.connections_opened = 0  # client connections accepted so far
        self.records: dict[str, dict] = {}  # client id -> stored client object
        self._answers: collections.deque[Answer] = collections.deque()
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    # -- programming the answers ------------------------------------------------------------------

    def answer(self, status=200, *, json=_UNSET, body=b"", headers=None, delay=0.0, times=1):
        """Queue `times` answers. `json` is serialised (and sets Content-Type); `body` may be str or bytes."""
        headers = dict(headers or {})
        if json is not _UNSET:
            body = _dumps(json)
            if not any(k.lower() == "content-type" for k in headers):
                headers["Content-Type"] = "application/json"
        if isinstance(body, str):
            body = body.encode()
        self._queue(Answer(status, headers, body, delay), times)

    def delay_next(self, seconds, times=1):
        """The next `times` requests get the default answer, `seconds` late (or nothing if the client leaves)."""
        self._queue(Answer(delay=seconds), times)

    def drop(self, times=1):
        """The next `times` requests get no answer: the connection is closed."""
        self._queue(Answer(drop=True), times)

    def _queue(self, answer, times):
        with self._lock:
            self._answers.extend([answer] * times)

    # -- helpers -----------------------------------------------------------------------------------

    def wait_until(self, predicate, timeout=5.0):
        """Poll `predicate` until it is true or `timeout` seconds passed; return its last value."""
        return wait_until(predicate, timeout)

    def close(self):
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- called by the handler threads --------------------------------------------------------------

    def _take(self, request):
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            return self._answers.popleft() if self._answers else Answer()

    def _done(self):
        with self._lock:
            self.in_flight -= 1

    def _default(self, request):
        path = request.path.split("?", 1)[0]
        segment = path[len(CLIENTS_PATH):] if path.startswith(CLIENTS_PATH) else ""
        if segment and "/" not in segment and request.method in ("GET", "PUT"):
            client_id = urllib.parse.unquote(segment)
            with self._lock:
                record = self.records.setdefault(client_id, {"id": client_id})
                if request.method == "PUT" and isinstance(request.json, dict):
                    record.update(request.json)
                payload = _dumps(record)
            return 200, {"Content-Type": "application/json"}, payload
        error = {"code": "NOT_FOUND", "message": f"no route for {request.method} {path}"}
        return 404, {"Content-Type": "application/json"}, _dumps(error)


def _dumps(value):
    return json.dumps(value).encode()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients that go away mid-answer are part of the tests


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API
    timeout = 20  # idle keep-alive connections end eventually

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        with self.server.owner._lock:
            self.server.owner.open_connections += 1
            self.server.owner.connections_opened += 1

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.owner._lock:
                self.server.owner.open_connections -= 1

    def _handle(self):
        owner = self.server.owner
        body = self._read_body()
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            json=parsed,
        )
        answer = owner._take(request)
        try:
            if answer.delay and self._client_left_within(answer.delay):
                request.cancelled = True
                answer = Answer(drop=True)
            if answer.drop:
                self.close_connection = True
                return
            if answer.status is None:
                status, headers, payload = owner._default(request)
            else:
                status, headers, payload = answer.status, answer.headers, answer.body
        finally:
            # Before the answer goes out: the client may send its next request as soon as it has it.
            owner._done()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status >= 200 and status not in (204, 304):
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _handle

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _client_left_within(self, seconds):
        """Wait up to `seconds`; return True as soon as the client closes the connection."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self.server.owner.stopping.is_set():
                return True
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if not self.connection.recv(1, socket.MSG_PEEK):
                        return True
                except OSError:
                    return True
                time.sleep(min(left, 0.05))  # unexpected extra bytes: keep waiting
        return False

"""A real `redis-server` for the tests of the shared budget (`rate_limit_store`), and small socket servers that
play a broken store.

    from _redis import redis_server          # the fixture: a fresh server per test, killed at the end

    def test_x(redis_server):
        client = cryptomate.Client(key, rate_limit_store=redis_server.url, ...)
        redis_server.command("KEYS", "*")    # RESP over a raw socket: no Python Redis package needed
        redis_server.stop(); redis_server.start()   # an outage, and the same server back on the same port

The server listens on 127.0.0.1 only, keeps nothing on disk (`--save '' --appendonly no`) and runs in a
temporary directory. A missing `redis-server` is a failure, not a skip: the README's test command installs it.
Every wait here is bounded.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

START_TIMEOUT = 10.0  # the longest a server may take to answer PING
COMMAND_TIMEOUT = 5.0  # the longest one command of the tests' own may take

MISSING = (
    "redis-server not found on PATH: the shared-budget tests need a real Redis server. Install it "
    "(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) as the README's test command does."
)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisError(Exception):
    """An error answer of the server (`-ERR ...`)."""


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("redis closed the connection")
        self.buffer += chunk

    def line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def exactly(self, n):
        while len(self.buffer) < n + 2:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n + 2:]
        return data

    def reply(self):
        """One RESP2 reply: str for status, int, bytes/None for bulk, list/None for arrays; errors are returned
        as RedisError instances (not raised) so that a caller can decide."""
        line = self.line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.exactly(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError(f"not RESP: {line!r}")


class RedisConnection:
    """One connection to the server, for the tests' own commands."""

    def __init__(self, port, password=None, timeout=COMMAND_TIMEOUT, tls_context=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls_context is not None:
            self.sock = tls_context.wrap_socket(self.sock, server_hostname="127.0.0.1")
        self.reader = _Reader(self.sock)
        if password is not None:
            self.command("AUTH", password)

    def send(self, *args):
        self.sock.sendall(_encode(args))

    def command(self, *args):
        self.send(*args)
        reply = self.reader.reply()
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


class RedisServer:
    """A `redis-server` process on 127.0.0.1:`port`. `stop()` kills it (an outage: SIGKILL, no goodbye to its
    clients); `start()` runs it again on the same port, empty."""

    def __init__(self, directory, password=None, unix_socket=False, tls=None):
        """`tls`: a trustme.CA; the server then speaks TLS only, with a certificate for 127.0.0.1 from it."""
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.fail(MISSING, pytrace=False)
        self.directory = directory
        self.password = password
        self.port = free_port()
        self.socket_path = os.path.join(directory, "redis.sock") if unix_socket else None
        self.tls_context = None
        self.tls_args = []
        if tls is not None:
            import ssl

            cert, key, ca = (os.path.join(directory, name) for name in ("cert.pem", "key.pem", "ca.pem"))
            issued = tls.issue_cert("127.0.0.1")
            issued.cert_chain_pems[0].write_to_path(cert)
            issued.private_key_pem.write_to_path(key)
            tls.cert_pem.write_to_path(ca)
            self.ca_file = ca
            self.tls_args = ["--tls-port", str(self.port), "--port", "0", "--tls-cert-file", cert,
                             "--tls-key-file", key, "--tls-ca-cert-file", ca, "--tls-auth-clients", "no"]
            self.tls_context = ssl.create_default_context()
            tls.configure_trust(self.tls_context)
        self.proc = None
        self.starts = 0

    @property
    def url(self):
        auth = f":{self.password}@" if self.password is not None else ""
        scheme = "rediss" if self.tls_context is not None else "redis"
        return f"{scheme}://{auth}127.0.0.1:{self.port}/0"

    def url_with_password(self, password):
        return f"redis://:{password}@127.0.0.1:{self.port}/0"

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout=START_TIMEOUT):
        assert not self.running, "already running"
        args = [self.binary, "--port", str(self.port), *self.tls_args, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", self.directory, "--daemonize", "no", "--loglevel", "warning",
                "--logfile", os.path.join(self.directory, f"redis-{self.starts}.log")]
        if self.password is not None:
            args += ["--requirepass", self.password]
        if self.socket_path is not None:
            args += ["--unixsocket", self.socket_path, "--unixsocketperm", "700"]
        self.starts += 1
        self.proc = subprocess.Popen(args, cwd=self.directory, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        last_error = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if self.command("PING") == "PONG":
                    return self
            except (OSError, ConnectionError, RedisError) as e:
                last_error = e
            time.sleep(0.02)
        stderr = b""
        if self.proc.poll() is not None:
            stderr = self.proc.stderr.read() if self.proc.stderr else b""
        log = self.log()
        self.stop()
        pytest.fail(f"redis-server on port {self.port} did not answer PING within {timeout} s "
                    f"(last error: {last_error!r}; stderr: {stderr[-1000:]!r}; log: {log[-1000:]!r})", pytrace=False)

    def stop(self):
        """Kill the server (SIGKILL) and wait for it; a no-op when it is not running."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        try:
            self.proc.wait(timeout=10)
        finally:
            if self.proc.stderr:
                self.proc.stderr.close()
            self.proc = None

    def log(self):
        logs = sorted(f for f in os.listdir(self.directory) if f.startswith("redis-"))
        if not logs:
            return ""
        with open(os.path.join(self.directory, logs[-1]), errors="replace") as f:
            return f.read()

    # -- commands ---------------------------------------------------------------------------------------------

    def connect(self, db=0):
        conn = RedisConnection(self.port, self.password, tls_context=self.tls_context)
        if db:
            conn.command("SELECT", db)
        return conn

    def command(self, *args, db=0):
        """Runs one command on a new connection to database `db` (authenticated when the server has a
        password)."""
        conn = self.connect(db)
        try:
            return conn.command(*args)
        finally:
            conn.close()

    def keys(self, pattern="*", db=0):
        return sorted(k.decode() for k in self.command("KEYS", pattern, db=db))

    def dump(self):
        """{key: (type, value)} for every key: a zset as [(member, score), ...], a string as bytes; any other
        type as its TYPE name only (the budget uses no other)."""
        out = {}
        for key in self.keys():
            kind = self.command("TYPE", key)
            if kind == "zset":
                flat = self.command("ZRANGE", key, 0, -1, "WITHSCORES")
                value = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
            elif kind == "string":
                value = self.command("GET", key)
            elif kind == "none":  # expired meanwhile
                continue
            else:
                value = None
            out[key] = (kind, value)
        return out

    def command_calls(self, name):
        """How many times the server ran `name` (INFO commandstats), 0 if never."""
        info = self.command("INFO", "commandstats").decode()
        for line in info.splitlines():
            if line.startswith(f"cmdstat_{name.lower()}:"):
                fields = dict(part.split("=", 1) for part in line.split(":", 1)[1].split(","))
                return int(fields["calls"])
        return 0

    @contextlib.contextmanager
    def monitor(self):
        """Records every command the server runs meanwhile (MONITOR): yields a list of raw lines (bytes)."""
        conn = self.connect()
        conn.command("MONITOR")
        seen = []
        stop = threading.Event()

        def read():
            conn.sock.settimeout(0.1)
            while not stop.is_set():
                try:
                    seen.append(conn.reader.line())
                except socket.timeout:
                    continue
                except (OSError, ConnectionError):
                    return

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        try:
            yield seen
        finally:
            time.sleep(0.2)  # let the last commands arrive
            stop.set()
            thread.join(timeout=5)
            conn.close()


class SilentStore:
    """A TCP server on 127.0.0.1 that accepts connections and reads whatever comes, but never answers: a store
    that hangs. `connections` counts the connections accepted; `received` holds the bytes read."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.connections = 0
        self.received = bytearray()
        self._open = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                self._drain()
                continue
            except OSError:
                return
            conn.setblocking(False)
            with self._lock:
                self.connections += 1
                self._open.append(conn)
            self._drain()

    def _drain(self):
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(BlockingIOError, OSError):
                    while chunk := conn.recv(65536):
                        self.received += chunk

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        self.listener.close()
        with self._lock:
            for conn in self._open:
                conn.close()


@contextlib.contextmanager
def _running(prefix="cryptomate-redis-", **options):
    """A RedisServer(**options) started in a temporary directory, stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        server = RedisServer(directory, **options)
        try:
            yield server.start()
        finally:
            server.stop()


@pytest.fixture
def redis_server():
    """A fresh redis-server on a free port of 127.0.0.1, killed after the test."""
    with _running() as server:
        yield server


@pytest.fixture
def redis_with_password():
    """Like `redis_server`, with `--requirepass` (server.password)."""
    with _running(password="S3rver-Pw-9f7e") as server:
        yield server


@pytest.fixture
def redis_unix():
    """Like `redis_server`, also listening on a Unix socket (server.socket_path)."""
    # A short directory name: a Unix socket's path is limited to about 100 bytes.
    with _running(prefix="cm-redis-", unix_socket=True) as server:
        yield server


@pytest.fixture
def redis_tls():
    """Like `redis_server`, speaking TLS only (rediss://), its certificate from a test CA (server.ca_file)."""
    trustme = pytest.importorskip("trustme")  # part of the test extras
    with _running(tls=trustme.CA()) as server:
        yield server


@pytest.fixture
def silent_store():
    store = SilentStore()
    yield store
    store.close()

"""Quickstart: update a client through the SDK against a small local stand-in for the API.

Run: python examples/quickstart.py
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cryptomate

RECORDS = {"client_123": {"id": "client_123", "type": "individual", "status": "ACTIVE",
                          "first_name": "Jon", "sms": True, "created_at": "2026-04-15T10:30:00Z"}}


class LocalAPI(BaseHTTPRequestHandler):
    """Answers GET and PUT /management/clients/{id} from RECORDS, like the API's documented examples."""

    def _answer(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> dict | None:
        return RECORDS.get(self.path.rsplit("/", 1)[-1])

    def do_GET(self) -> None:
        record = self._record()
        if record is None:
            self._answer(404, {"code": "NOT_FOUND", "message": f"Company client not found with id: {self.path}"})
        else:
            self._answer(200, record)

    def do_PUT(self) -> None:
        record = self._record()
        if record is None:
            return self.do_GET()
        record.update(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        record["updated_at"] = "2026-11-29T12:00:00Z"
        self._answer(200, record)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), LocalAPI)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    with cryptomate.Client("demo-key", base_url=base_url) as client:
        before = client.get_client("client_123")
        print("before:", before)
        after = client.update_client("client_123", first_name="John", sms=False)
        print("after: ", after)
        try:
            client.get_client("client_999")
        except cryptomate.NotFoundError as error:
            print("error: ", error)
    server.shutdown()


if __name__ == "__main__":
    main()

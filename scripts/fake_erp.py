"""A fake ERP for trying the integration: it receives the portal's webhooks on a real HTTP
server (http.server, localhost only), verifies each signature, and ships accepted orders back
through the portal's REST API. The tests use it end to end (tests/events/test_fake_erp.py).

    python scripts/fake_erp.py --port 8765 --secret <the endpoint's secret> \\
        --portal http://127.0.0.1:8000 --token <an API token with orders:write>

It answers 204 to a verified event, 401 to a bad or old signature, 400 to a body that is not
JSON. An event delivered twice (a replay) is kept once, by its id. It imports nothing from the
portal: what it does is what any receiver has to do (docs/integration.md).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOLERANCE_SECONDS = 300


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """The check docs/integration.md shows: HMAC-SHA256 over "<timestamp>.<body>"."""
    try:
        moment = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(time.time() - moment) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), f"{moment}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("sha256=" + expected.hexdigest(), signature or "")


class FakeErp:
    """The receiver and its memory; ``start``/``stop`` it, ``go_down``/``come_back`` to test
    an outage (the port refuses connections meanwhile)."""

    def __init__(self, *, secret: str, portal: str = "", token: str = "", port: int = 0) -> None:
        self.secret, self.portal, self.token = secret, portal.rstrip("/"), token
        self.port = port
        self.events: list[dict[str, Any]] = []  # verified, once each, in arrival order
        self.rejected = 0
        self.duplicates = 0
        self.to_ship: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- the HTTP server -------------------------------------------------------------------
    def start(self) -> FakeErp:
        erp = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = erp.receive(
                    body,
                    self.headers.get("X-Portal-Timestamp", ""),
                    self.headers.get("X-Portal-Signature", ""),
                )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    go_down = stop

    def come_back(self) -> None:
        self.start()  # the same port: ThreadingHTTPServer allows reusing the address

    # --- receiving -------------------------------------------------------------------------
    def receive(self, body: bytes, timestamp: str, signature: str) -> int:
        if not verify(self.secret, timestamp, body, signature):
            with self._lock:
                self.rejected += 1
            return 401
        try:
            event = json.loads(body)
        except ValueError:
            return 400
        with self._lock:
            if any(seen["id"] == event["id"] for seen in self.events):
                self.duplicates += 1
                return 204
            self.events.append(event)
            if event["type"] == "order.accepted":
                self.to_ship.append(event["data"])
        return 204

    # --- writing back through the API -------------------------------------------------------
    def _call(self, method: str, path: str, payload: dict[str, Any]) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 (the portal's URL, given by the user)
            self.portal + path,
            data=json.dumps(payload).encode(),
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def ship_accepted_orders(self, *, carrier: str = "BRT", packages: int = 1) -> list[int]:
        """Ship every accepted order received, all its lines in one shipment, once (the ERP's
        reference makes a second run harmless). Returns the API's status codes."""
        with self._lock:
            pending, self.to_ship = self.to_ship, []
        answers = []
        for data in pending:
            order = data["order"]
            status, _body = self._call(
                "PUT",
                f"/api/v1/shipments/by-reference/ERP-{order['code']}/",
                {
                    "order": order["id"],
                    "date": time.strftime("%Y-%m-%d"),
                    "carrier": carrier,
                    "packages": packages,
                    "lines": [
                        {"order_line": line["id"], "quantity": line["quantity"]}
                        for line in data["lines"]
                    ],
                },
            )
            answers.append(status)
        return answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--portal", default="http://127.0.0.1:8000")
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    erp = FakeErp(secret=args.secret, portal=args.portal, token=args.token, port=args.port)
    erp.start()
    print(f"Fake ERP listening on {erp.url}")  # noqa: T201
    try:
        while True:
            time.sleep(2)
            if args.token:
                for status in erp.ship_accepted_orders():
                    print(f"shipment written back: HTTP {status}")  # noqa: T201
    except KeyboardInterrupt:
        erp.stop()


if __name__ == "__main__":
    main()

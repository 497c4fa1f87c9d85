"""A fake Mollie: the subset of the Payments API the wallet uses, served over real HTTP, so the
wallet's adapter runs the official mollie-api-python client against it unchanged.

    python -m aww_devtools.fakes.payments --port 8765

- `POST /v2/payments` (Bearer test_… key, JSON: amount {currency, value "50.00"}, description,
  method, redirectUrl, webhookUrl, metadata; Idempotency-Key honoured) → 201 payment, status open,
  `_links.checkout.href` = this server's checkout page;
- `GET /v2/payments/{id}` → the payment as it is now (404 in Mollie's error format if unknown);
- `GET /checkout/{id}`: a page where the payer chooses the outcome (paid, failed, canceled,
  expired); `POST /checkout/{id}` sets it, then calls the webhook (form body `id=tr_…`, nothing
  else, like Mollie) and redirects the browser to redirectUrl. Failed webhook calls are retried a
  few times in the background, as Mollie does;
- test control: `POST /_control/payments/{id}` JSON {"status", "amount", "webhook": true, "repeat": n}
  sets any status (out-of-order tests) or amount (a provider answering another currency or sum)
  and calls the webhook n times, answering with the HTTP codes it got; `GET /_control/payments`
  lists them; `GET /_health`.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aww_devtools.fakes import Fake

API_KEY = "test_fakeMollieKeyForDevelopmentOnly00"
STATUSES = ("open", "pending", "authorized", "paid", "failed", "canceled", "expired")
FINAL = ("paid", "failed", "canceled", "expired")
_AMOUNT = re.compile(r"^\d{1,10}\.\d{2}$")


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.payments: dict[str, dict] = {}
        self.by_key: dict[str, str] = {}
        self.webhook_calls: list[dict] = []


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeMollie/1.0"
    store: Store
    base_url: str

    def log_message(self, fmt, *args):  # quiet: the stack keeps one log per process
        pass

    # ---- plumbing ----------------------------------------------------------------------------

    def _send(self, status: int, body, content_type="application/hal+json", headers=None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, title: str, detail: str, field: str | None = None) -> None:
        body = {
            "status": status,
            "title": title,
            "detail": detail,
            "_links": {
                "documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}
            },
        }
        if field:
            body["field"] = field
        self._send(status, body)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _authorised(self) -> bool:
        if self.headers.get("Authorization", "") != f"Bearer {API_KEY}":
            self._error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate")
            return False
        return True

    def _resource(self, payment: dict) -> dict:
        resource = {k: v for k, v in payment.items() if not k.startswith("_")}
        resource["_links"] = {
            "self": {"href": f"{self.base_url}/v2/payments/{payment['id']}", "type": "application/hal+json"},
            "dashboard": {"href": f"{self.base_url}/dashboard/{payment['id']}", "type": "text/html"},
        }
        if payment["status"] == "open":
            resource["_links"]["checkout"] = {"href": f"{self.base_url}/checkout/{payment['id']}", "type": "text/html"}
        return resource

    # ---- routes ------------------------------------------------------------------------------

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/_health":
            return self._send(200, {"status": "ok"}, "application/json")
        if path == "/_control/payments":
            with self.store.lock:
                return self._send(
                    200,
                    {"payments": list(self.store.payments.values()), "webhook_calls": self.store.webhook_calls},
                    "application/json",
                )
        match = re.fullmatch(r"/v2/payments/([A-Za-z0-9_]+)", path)
        if match:
            if not self._authorised():
                return None
            payment = self.store.payments.get(match.group(1))
            if payment is None:
                return self._error(404, "Not Found", f"No payment exists with token {match.group(1)}.")
            return self._send(200, self._resource(payment))
        match = re.fullmatch(r"/checkout/(tr_[A-Za-z0-9]+)", path)
        if match:
            return self._checkout_page(match.group(1))
        return self._error(404, "Not Found", "The requested resource does not exist")

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/v2/payments":
            return self._create()
        match = re.fullmatch(r"/checkout/(tr_[A-Za-z0-9]+)", path)
        if match:
            form = urllib.parse.parse_qs(self._body().decode())
            return self._choose(match.group(1), (form.get("status") or [""])[0])
        match = re.fullmatch(r"/_control/payments/(tr_[A-Za-z0-9]+)", path)
        if match:
            return self._control(match.group(1), json.loads(self._body() or b"{}"))
        return self._error(404, "Not Found", "The requested resource does not exist")

    def _create(self):
        if not self._authorised():
            return None
        try:
            data = json.loads(self._body() or b"{}")
        except ValueError:
            return self._error(400, "Bad Request", "The request body is not valid JSON")
        key = self.headers.get("Idempotency-Key")
        with self.store.lock:
            if key and key in self.store.by_key:
                payment = self.store.payments[self.store.by_key[key]]
                return self._send(201, self._resource(payment), headers={"Idempotent-Replayed": "true"})
        amount = data.get("amount") or {}
        if not isinstance(amount, dict) or not _AMOUNT.match(str(amount.get("value", ""))):
            return self._error(422, "Unprocessable Entity", "The amount is invalid", "amount.value")
        if amount.get("currency") != "EUR":
            return self._error(422, "Unprocessable Entity", "The currency is not supported", "amount.currency")
        if not data.get("description"):
            return self._error(422, "Unprocessable Entity", "The description is invalid", "description")
        if not data.get("redirectUrl"):
            return self._error(422, "Unprocessable Entity", "The redirect URL is invalid", "redirectUrl")
        if data.get("method") not in (None, "bancontact", "creditcard"):
            return self._error(422, "Unprocessable Entity", "The payment method is invalid", "method")
        payment_id = "tr_" + secrets.token_hex(5)
        payment = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": _now(),
            "amount": {"currency": "EUR", "value": amount["value"]},
            "description": data["description"],
            "method": data.get("method"),
            "metadata": data.get("metadata"),
            "status": "open",
            "isCancelable": False,
            "expiresAt": (datetime.now(UTC) + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "profileId": "pfl_fakeprofile",
            "sequenceType": "oneoff",
            "redirectUrl": data["redirectUrl"],
            "webhookUrl": data.get("webhookUrl"),
        }
        with self.store.lock:
            self.store.payments[payment_id] = payment
            if key:
                self.store.by_key[key] = payment_id
        return self._send(201, self._resource(payment))

    def _checkout_page(self, payment_id: str):
        payment = self.store.payments.get(payment_id)
        if payment is None:
            return self._send(404, b"<h1>Unknown payment</h1>", "text/html; charset=utf-8")
        buttons = "".join(
            f'<button name="status" value="{s}" type="submit">{label}</button> '
            for s, label in (("paid", "Pay"), ("failed", "Fail"), ("canceled", "Cancel"), ("expired", "Let expire"))
        )
        page = (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Fake payment provider</title></head>"
            f"<body><h1>Fake payment provider</h1><p>{html.escape(payment['description'])}</p>"
            f"<p>Amount: EUR <strong>{payment['amount']['value']}</strong> ({payment['method']})</p>"
            f"<p>Status: <span id='status'>{payment['status']}</span></p>"
            f"<form method='post' action='/checkout/{payment_id}'>{buttons}</form></body></html>"
        )
        return self._send(200, page.encode(), "text/html; charset=utf-8")

    def _choose(self, payment_id: str, status: str):
        payment = self.store.payments.get(payment_id)
        if payment is None or status not in FINAL:
            return self._send(400, b"<h1>Invalid choice</h1>", "text/html; charset=utf-8")
        with self.store.lock:
            if payment["status"] in FINAL:  # a payment's outcome never changes once reached
                status = payment["status"]
            else:
                payment["status"] = status
                payment[f"{status}At"] = _now()
        results = deliver(self.store, payment, 1)
        if results and results[0] >= 300:
            retry_in_background(self.store, payment)
        self.send_response(303)
        self.send_header("Location", payment["redirectUrl"])
        self.send_header("Content-Length", "0")
        self.end_headers()
        return None

    def _control(self, payment_id: str, data: dict):
        payment = self.store.payments.get(payment_id)
        if payment is None:
            return self._error(404, "Not Found", f"No payment exists with token {payment_id}.")
        status = data.get("status")
        if status is not None:
            if status not in STATUSES:
                return self._error(422, "Unprocessable Entity", "unknown status", "status")
            with self.store.lock:
                payment["status"] = status
        if isinstance(data.get("amount"), dict):
            with self.store.lock:
                payment["amount"] = {
                    "currency": str(data["amount"].get("currency")),
                    "value": str(data["amount"].get("value")),
                }
        codes = deliver(self.store, payment, int(data.get("repeat", 1))) if data.get("webhook", True) else []
        return self._send(200, {"payment": self._resource(payment), "webhook_codes": codes}, "application/json")


def deliver(store: Store, payment: dict, times: int) -> list[int]:
    """POST id=tr_… to the webhook URL, like Mollie: nothing but the id."""
    codes = []
    url = payment.get("webhookUrl")
    if not url:
        return codes
    body = urllib.parse.urlencode({"id": payment["id"]}).encode()
    for _ in range(times):
        if not url.startswith(("http://", "https://")):
            break
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 - http(s) checked above
                codes.append(response.status)
        except urllib.error.HTTPError as exc:
            codes.append(exc.code)
        except OSError:
            codes.append(599)
        with store.lock:
            store.webhook_calls.append({"id": payment["id"], "status": payment["status"], "code": codes[-1]})
    return codes


def retry_in_background(store: Store, payment: dict, attempts: int = 5) -> None:
    def run():
        for attempt in range(attempts):
            time.sleep(min(2**attempt, 10))
            if deliver(store, payment, 1)[0] < 300:
                return

    threading.Thread(target=run, daemon=True).start()


def serve(port: int, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    store = Store()
    handler = type("BoundHandler", (Handler,), {"store": store, "base_url": f"http://{host}:{port}"})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main() -> None:
    parser = argparse.ArgumentParser(prog="aww_devtools.fakes.payments")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = serve(args.port)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


FAKE = Fake(
    name="payments",
    argv=["-m", "aww_devtools.fakes.payments", "--port", "{port}"],
    service_env=lambda port, var: {"MOLLIE_API_ENDPOINT": f"http://127.0.0.1:{port}", "MOLLIE_API_KEY": API_KEY},
    health_path="/_health",
)

if __name__ == "__main__":
    main()

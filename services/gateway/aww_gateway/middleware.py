"""One pure-ASGI middleware for what every request needs: a correlation id, the body size limit,
security headers, RED metrics and the last line of defence against a 500 with a stack trace."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from aww_gateway import metrics
from aww_gateway.problems import MEDIA_TYPE, problem_body
from aww_gateway.settings import Settings
from servicekit.logs import correlation_id as correlation_var

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    ),
]


class BodyTooLarge(Exception):
    pass


class GatewayMiddleware:
    def __init__(self, app, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-type" and value.startswith(b"multipart/form-data"):
                return self.settings.max_upload_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        incoming = headers.get(b"x-correlation-id", b"").decode("latin-1")
        cid = incoming if _SAFE_ID.match(incoming) else str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = cid
        token = correlation_var.set(cid)
        started = time.perf_counter()
        status_holder = {"status": 500, "started": False}
        limit = self._limit(scope)

        declared = headers.get(b"content-length")
        try:
            if declared is not None and int(declared) > limit:
                await self._problem(send, "payload_too_large", f"The body may not exceed {limit} bytes", cid)
                status_holder["status"] = 413
                return
        except ValueError:
            await self._problem(send, "validation_failed", "Content-Length is not a number", cid)
            status_holder["status"] = 400
            return

        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracking_send(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                status_holder["started"] = True
                message["headers"] = (
                    list(message.get("headers", [])) + SECURITY_HEADERS + [(b"x-correlation-id", cid.encode())]
                )
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not status_holder["started"]:
                status_holder["status"] = 413
                await self._problem(send, "payload_too_large", f"The body may not exceed {limit} bytes", cid)
        except Exception:
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            if not status_holder["started"]:
                status_holder["status"] = 500
                await self._problem(send, "internal_error", "An unexpected error occurred", cid)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            metrics.child(metrics.HTTP_REQUESTS, scope["method"], label, str(status_holder["status"])).inc()
            metrics.child(metrics.HTTP_DURATION, scope["method"], label).observe(elapsed)
            correlation_var.reset(token)

    @staticmethod
    async def _problem(send, code: str, detail: str, cid: str) -> None:
        body = json.dumps(problem_body(code, detail, cid)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": problem_body(code, detail)["status"],
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"x-correlation-id", cid.encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

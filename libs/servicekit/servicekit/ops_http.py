"""/metrics, /healthz and /readyz of a service process, on their own green thread.

Readiness is "the container finished starting (every entrypoint's consumer is registered) and the
database answers", not "the process answers HTTP": a queue declared with other arguments makes
Nameko retry forever inside container.start() while this server would still answer (DESIGN.md §5).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import eventlet
from eventlet import wsgi
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)


class OpsServer:
    def __init__(self, service: str, port: int, readiness: Callable[[], dict]) -> None:
        self.service = service
        self.port = port
        self.readiness = readiness
        self.started = False

    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest()]
        if path == "/healthz":
            return self._json(start_response, 200, {"service": self.service, "status": "alive"})
        if path == "/readyz":
            checks = {"started": self.started}
            if self.started:
                checks.update(self.readiness())
            ready = all(value is True for value in checks.values())
            return self._json(start_response, 200 if ready else 503, {"service": self.service, "checks": checks})
        return self._json(start_response, 404, {"error": "not found"})

    @staticmethod
    def _json(start_response, status, body):
        reasons = {200: "OK", 404: "Not Found", 503: "Service Unavailable"}
        start_response(f"{status} {reasons[status]}", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def serve(self) -> None:
        sock = eventlet.listen(("0.0.0.0", self.port))  # noqa: S104 - probed by the orchestrator from outside the pod
        eventlet.spawn_n(wsgi.server, sock, self.app, log_output=False, log=log)

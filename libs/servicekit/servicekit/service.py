"""What every back-end service class starts from: database, context, metrics, health, outbox relay."""

from __future__ import annotations

from nameko.extensions import DependencyProvider
from sqlalchemy import text

from servicekit.config import env_float
from servicekit.context import RequestContext
from servicekit.database import Database
from servicekit.entrypoints import rpc, timer
from servicekit.metrics import WorkerMetrics
from servicekit.outbox import OutboxRelay

OUTBOX_SWEEP_SECONDS = env_float("OUTBOX_SWEEP_SECONDS", 1.0)
PRUNE_EVERY_SWEEPS = 3600


class Outbox(DependencyProvider):
    relay = OutboxRelay()

    def get_dependency(self, worker_ctx):
        return self.relay


class ServiceBase:
    """Subclass it and set `name`; add your own @rpc, @event_handler and @timer methods."""

    name: str
    # every event type the service publishes; each needs a schema in contracts/events
    publishes: tuple[str, ...] = ()

    db = Database()
    context = RequestContext()
    metrics = WorkerMetrics()
    outbox = Outbox()

    _sweeps = 0

    @rpc
    def ping(self):
        """One round trip, no database: is an instance consuming this service's requests?"""
        return {"service": self.name, "status": "ok"}

    @rpc
    def health(self):
        self.db.execute(text("SELECT 1"))
        pending, lag = self.outbox.measure_lag()
        return {"service": self.name, "status": "ok", "outbox_pending": pending, "outbox_lag_seconds": lag}

    @timer(interval=OUTBOX_SWEEP_SECONDS)
    def relay_outbox(self):
        """The sweep behind the post-commit nudge: catches what a failed or lost nudge left."""
        self.outbox.publish_pending()
        self.outbox.measure_lag()
        type(self)._sweeps += 1
        if type(self)._sweeps % PRUNE_EVERY_SWEEPS == 0:
            self.outbox.prune()

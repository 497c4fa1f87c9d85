"""The organisation service starts against its own migrated database and answers its health RPC."""

from nameko.testing.services import entrypoint_hook

from aww_organisation.service import OrganisationService


def test_health_answers_with_an_empty_outbox(container_factory, service_database):
    container = container_factory(OrganisationService, service_database("aww_organisation"))
    with entrypoint_hook(container, "health") as health:
        assert health() == {"service": "organisation", "status": "ok", "outbox_pending": 0, "outbox_lag_seconds": 0.0}

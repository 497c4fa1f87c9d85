"""The aml-workflow service starts against its own migrated database and answers its health RPC."""

from nameko.testing.services import entrypoint_hook

from aww_aml_workflow.service import AmlWorkflowService


def test_health_answers_with_an_empty_outbox(container_factory, service_database):
    container = container_factory(AmlWorkflowService, service_database("aww_aml_workflow"))
    with entrypoint_hook(container, "health") as health:
        assert health() == {"service": "aml_workflow", "status": "ok", "outbox_pending": 0, "outbox_lag_seconds": 0.0}

"""Entrypoints of the annual package, mixed into AmlWorkflowService (see service.py)."""


class AnnualReportEntrypoints:
    EVENTS: tuple[str, ...] = ()  # event types this package publishes (each needs a schema in contracts/events)

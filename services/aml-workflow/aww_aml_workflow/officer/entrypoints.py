"""Entrypoints of the officer package, mixed into AmlWorkflowService (see service.py)."""


class OfficerEntrypoints:
    EVENTS: tuple[str, ...] = ()  # event types this package publishes (each needs a schema in contracts/events)

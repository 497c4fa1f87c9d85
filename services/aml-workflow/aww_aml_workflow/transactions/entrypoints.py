"""Entrypoints of the transactions package, mixed into AmlWorkflowService (see service.py)."""


class TransactionEntrypoints:
    EVENTS: tuple[str, ...] = ()  # event types this package publishes (each needs a schema in contracts/events)

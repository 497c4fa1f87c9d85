"""The case-handling part of the aml-workflow service's RPC and event entrypoints (a mixin)."""


class CaseEntrypoints:
    pass

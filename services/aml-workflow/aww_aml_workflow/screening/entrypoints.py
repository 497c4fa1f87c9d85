"""The screening part of the aml-workflow service's RPC and event entrypoints (a mixin)."""


class ScreeningEntrypoints:
    pass

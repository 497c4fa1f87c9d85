"""The aml-workflow service (DESIGN.md §2)."""

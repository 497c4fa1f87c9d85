"""The reporting service (DESIGN.md §2)."""

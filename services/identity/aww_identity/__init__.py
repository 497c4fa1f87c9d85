"""The identity service (DESIGN.md §2)."""

"""The organisation service (DESIGN.md §2)."""

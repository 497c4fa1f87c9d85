"""The wallet service (DESIGN.md §2)."""

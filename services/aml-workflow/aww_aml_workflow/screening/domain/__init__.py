"""The screening rules as plain Python: list parsing, name normalisation, the candidate index, scoring
with explanations, decisions. No Nameko, no SQLAlchemy, no I/O (parsers take bytes)."""

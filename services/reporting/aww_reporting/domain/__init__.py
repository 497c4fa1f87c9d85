"""The rules of the reporting service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

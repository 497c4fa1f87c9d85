"""The rules of the organisation service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

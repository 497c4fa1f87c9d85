"""The rules of the identity service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

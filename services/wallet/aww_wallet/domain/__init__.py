"""The rules of the wallet service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

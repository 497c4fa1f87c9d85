"""The rules of the aml-workflow service, as plain Python: no Nameko, no SQLAlchemy, no I/O."""

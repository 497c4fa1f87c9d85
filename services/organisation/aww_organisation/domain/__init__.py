"""The rules of the organisation service, as plain Python: no Nameko, no SQLAlchemy, no I/O.

identifiers: enterprise number and simple field rules; catalogue: the tools and the accreditations
they need; rules: membership, admins, tool roles, the AML officer and authorization decisions.
"""

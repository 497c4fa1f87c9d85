"""The rules of case handling, as plain Python: no Nameko, no SQLAlchemy, no I/O.

contacts (identification data and its validation), identifiers (check digits), ubo (beneficial
owners through ownership chains), uploads (what a proof document may be), rules (the vigilance
rules engine over versioned data files), wizard (which questions and proofs a contact still
needs), lifecycle (states of contact versions and risk profiles, review dates).
"""

"""The rules of the wallet service, as plain Python: no Nameko, no SQLAlchemy, no I/O.

money (cents, VAT, limits), identifiers (OGM, IBAN, enterprise number), products and prices,
bank statements (camt.053, CODA) and how their entries are matched, invoices, CSV export.
"""

"""Contacts, identification documents, vigilance, risk profiles, transactions and decisions."""

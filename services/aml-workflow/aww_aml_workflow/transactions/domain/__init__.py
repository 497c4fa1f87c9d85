"""The rules of transactions, as plain Python: no Nameko, no SQLAlchemy, no I/O.

model (the transaction's data, payment terms and the cash rule, who may be a party), lifecycle
(states and moves, paying included), assessment (the transaction rulebook and its facts), report
(what a goAML transaction report needs).
"""

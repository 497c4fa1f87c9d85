"""The AML officer: decisions on escalated risk profiles and transactions, CTIF-CFI reports (goAML)
and their answers, notifications."""

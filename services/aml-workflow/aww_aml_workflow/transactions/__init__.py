"""Transactions: parties, payment of the vigilance calculation, assessment and the employee's decisions."""

"""Screening engine: sanctions, PEP and country lists, matching, decisions, ongoing monitoring.

Other parts of the service use it only through `aww_aml_workflow.screening.api`.
"""

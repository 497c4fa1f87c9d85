"""The Nameko entrypoints of the aml-workflow service: thin, they call domain and store.

The class is assembled from mixins so each part of the AML tool (screening, cases, transactions,
the officer's work, the annual report and retention) keeps its entrypoints in its own package.
"""

from aww_aml_workflow.annual.entrypoints import AnnualReportEntrypoints
from aww_aml_workflow.cases.entrypoints import CaseEntrypoints
from aww_aml_workflow.officer.entrypoints import OfficerEntrypoints
from aww_aml_workflow.screening.entrypoints import ScreeningEntrypoints
from aww_aml_workflow.transactions.entrypoints import TransactionEntrypoints
from servicekit.access import AccessReadModel
from servicekit.mail import MailSender
from servicekit.service import ServiceBase


class AmlWorkflowService(
    CaseEntrypoints,
    ScreeningEntrypoints,
    TransactionEntrypoints,
    OfficerEntrypoints,
    AnnualReportEntrypoints,
    AccessReadModel,
    MailSender,
    ServiceBase,
):
    name = "aml_workflow"
    publishes = (
        "screening_new_hits",
        "contact_decided",
        "risk_profile_escalated",
        "risk_profile_decided",
        *TransactionEntrypoints.EVENTS,
        *OfficerEntrypoints.EVENTS,
        *AnnualReportEntrypoints.EVENTS,
    )

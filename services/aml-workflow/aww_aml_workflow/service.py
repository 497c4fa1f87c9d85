"""The Nameko entrypoints of the aml-workflow service: thin, they call domain and store.

The class is assembled from mixins so the screening engine and the case handling keep their
entrypoints in their own packages.
"""

from aww_aml_workflow.cases.entrypoints import CaseEntrypoints
from aww_aml_workflow.screening.entrypoints import ScreeningEntrypoints
from servicekit.access import AccessReadModel
from servicekit.mail import MailSender
from servicekit.service import ServiceBase


class AmlWorkflowService(CaseEntrypoints, ScreeningEntrypoints, AccessReadModel, MailSender, ServiceBase):
    name = "aml_workflow"
    publishes = (
        "screening_new_hits",
        "contact_decided",
        "risk_profile_escalated",
        "risk_profile_decided",
    )

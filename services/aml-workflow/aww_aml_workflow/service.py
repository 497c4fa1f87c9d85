"""The Nameko entrypoints of the aml-workflow service: thin, they call domain and store."""

from servicekit.service import ServiceBase


class AmlWorkflowService(ServiceBase):
    name = "aml_workflow"

"""Display texts of the AML officer pages for the codes the service answers with (translated with _())."""

from aww_gateway.areas.aml import labels as contact_labels
from aww_gateway.areas.aml_transactions import labels as transaction_labels
from aww_gateway.i18n import N_

KINDS = {"risk_profile": N_("Risk profile"), "transaction": N_("Transaction"), "contact": N_("Contact")}
CASE_STATES = {
    "assessed": N_("Assessed"),
    "accepted": N_("Accepted"),
    "refused": N_("Refused (closed)"),
    "awaiting_officer": N_("Awaiting the AML officer"),
    "reported": N_("Reported to CTIF-CFI: blocked"),
}
REPORT_STATES = {
    "draft": N_("Draft"),
    "validated": N_("Validated"),
    "downloaded": N_("Downloaded"),
    "submitted": N_("Submitted to CTIF-CFI"),
    "answered": N_("Answered by CTIF-CFI"),
}
ANSWERS = {"continue": N_("Continue"), "stop": N_("Do not continue")}
PROPOSALS = {"accept": N_("Accept"), "refuse": N_("Refuse")}
# a case's timeline also holds the contact's and the transaction's own steps: their areas word them
ACTIONS = {
    **contact_labels.ACTIONS,
    **transaction_labels.ACTIONS,
    "officer_accept": N_("The AML officer accepted"),
    "officer_refuse": N_("The AML officer refused"),
    "officer_report": N_("The AML officer reported to CTIF-CFI"),
    "cfi_continue": N_("CTIF-CFI answered: continue"),
    "cfi_stop": N_("CTIF-CFI answered: do not continue"),
    "officer_accepted": N_("Accepted by the AML officer"),
    "officer_refused": N_("Refused by the AML officer"),
    "reported_to_cfi": N_("Reported to CTIF-CFI"),
    "cfi_report_drafted": N_("CTIF-CFI report drafted"),
    "cfi_report_edited": N_("CTIF-CFI report changed"),
    "cfi_report_validated": N_("goAML file validated"),
    "cfi_report_downloaded": N_("goAML file downloaded"),
    "cfi_report_submitted": N_("Submitted on the goAML portal"),
    "cfi_answer_recorded": N_("CTIF-CFI's answer recorded"),
    "cfi_answer_continue": N_("CTIF-CFI: continue"),
    "cfi_answer_stop": N_("CTIF-CFI: do not continue"),
    "officer_notified": N_("AML officers notified"),
    "risk_profile_escalated": N_("Escalated to the AML officer"),
    "risk_profile_assessed": N_("Risk profile assessed"),
    "risk_profile_accepted": N_("Risk profile accepted"),
    "risk_profile_refused": N_("Risk profile refused"),
    "contact_created": N_("Contact created"),
    "contact_accepted": N_("Contact accepted"),
    "contact_refused": N_("Contact refused"),
    "screened": N_("Screened"),
    "document_uploaded": N_("Proof uploaded"),
    "transaction_escalated": N_("Escalated to the AML officer"),
}
FLASH = {
    "decided": N_("The decision is recorded."),
    "reported": N_("The case is reported to CTIF-CFI and blocked until CTIF-CFI answers. Complete the report below."),
    "edited": N_("The report is changed: validate it again."),
    "validated": N_("The goAML file validates against the goAML schema: you can download it."),
    "submitted": N_("The submission on the goAML portal is recorded."),
    "answered": N_("CTIF-CFI's answer is recorded."),
    "saved": N_("The settings are saved."),
}

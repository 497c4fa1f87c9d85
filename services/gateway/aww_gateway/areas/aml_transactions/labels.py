"""Display texts of the transaction pages for the codes the service answers with (translated with _())."""

from aww_gateway.i18n import N_

TYPES = {
    "sale": N_("Sale"),
    "rental": N_("Rental"),
    "long_lease": N_("Long lease or building right"),
    "other": N_("Other transaction"),
}
ROLES = {
    "seller": N_("Seller"),
    "buyer": N_("Buyer"),
    "landlord": N_("Landlord"),
    "tenant": N_("Tenant"),
    "representative": N_("Representative"),
}
ROLES_BY_TYPE = {
    "sale": ("seller", "buyer", "representative"),
    "long_lease": ("seller", "buyer", "representative"),
    "rental": ("landlord", "tenant", "representative"),
    "other": tuple(ROLES),
}
STATES = {
    "draft": N_("Draft"),
    "payment_pending": N_("Payment being confirmed"),
    "assessed": N_("Waiting for your decision"),
    "accepted": N_("Accepted"),
    "refused": N_("Refused (closed)"),
    "awaiting_officer": N_("Awaiting the AML officer"),
    "reported": N_("Reported to CTIF-CFI"),
}
LEVELS = {
    "simplified": N_("Simplified vigilance"),
    "standard": N_("Standard vigilance"),
    "enhanced": N_("Enhanced vigilance"),
}
METHODS = {
    "transfer": N_("Bank transfer"),
    "cheque": N_("Cheque"),
    "cash": N_("Cash"),
    "crypto": N_("Crypto-assets"),
    "other": N_("Other"),
}
ACTIONS = {
    "transaction_created": N_("Transaction created"),
    "transaction_changed": N_("Transaction changed"),
    "transaction_questions_answered": N_("Questionnaire answered"),
    "party_added": N_("Party added"),
    "party_removed": N_("Party removed"),
    "payment_started": N_("Payment started"),
    "payment_refused": N_("Payment refused by the wallet"),
    "transaction_assessed": N_("Vigilance calculated (paid)"),
    "transaction_accepted": N_("Accepted"),
    "transaction_refused": N_("Refused"),
    "transaction_escalated": N_("Escalated to the AML officer"),
    "officer_notified": N_("AML officers notified"),
    "transaction_officer_accepted": N_("Accepted by the AML officer"),
    "transaction_officer_refused": N_("Refused by the AML officer"),
    "transaction_reported_to_cfi": N_("Reported to CTIF-CFI"),
    "transaction_cfi_cleared": N_("CTIF-CFI: the transaction may continue"),
    "transaction_cfi_refused": N_("CTIF-CFI: the transaction may not continue"),
}
ROLE_OF_ACTOR = {"employee": N_("employee"), "aml_officer": N_("AML officer"), "system": N_("system")}
FLASH = {
    "created": N_("The transaction was created."),
    "saved": N_("The changes were saved."),
    "party_added": N_("The party was added."),
    "party_removed": N_("The party was removed."),
    "answers_saved": N_("The answers were saved."),
    "paid": N_("Paid: the vigilance level was calculated."),
    "accepted": N_("The transaction was accepted."),
    "refused": N_("The transaction was refused and is closed."),
    "escalated": N_("Your motivation and proposal were recorded."),
}

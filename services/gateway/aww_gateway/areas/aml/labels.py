"""Display texts of the AML pages for the codes the service answers with (translated with _())."""

from aww_gateway.i18n import N_

LEVELS = {
    "simplified": N_("Simplified vigilance"),
    "standard": N_("Standard vigilance"),
    "enhanced": N_("Enhanced vigilance"),
}
STATUSES = {"draft": N_("Being identified"), "accepted": N_("Accepted"), "refused": N_("Refused")}
KINDS = {"person": N_("Natural person"), "organisation": N_("Organisation")}
ROLES = {
    "client": N_("Client (seller, landlord)"),
    "counterparty": N_("Counterparty (buyer, tenant)"),
    "other": N_("Other"),
}
PROFILE_STATES = {
    "assessed": N_("Waiting for your decision"),
    "accepted": N_("Accepted"),
    "refused": N_("Refused (closed)"),
    "awaiting_officer": N_("Awaiting the AML officer"),
    "reported": N_("Reported to CTIF-CFI"),
}
STEPS = {
    "identification": N_("Identification"),
    "proofs": N_("Proofs"),
    "questions": N_("Questions"),
    "screening": N_("Screening"),
    "decision": N_("Decision"),
}
BLOCKERS = {
    "missing_fields": N_("The identification is not complete"),
    "missing_proofs": N_("Proof documents are still missing"),
    "unanswered_questions": N_("Some questions are not answered yet"),
    "not_screened": N_("Screen the contact first"),
    "open_hits": N_("Decide every screening hit first"),
    "blocking_factor": N_("The contact is on a sanctions list and may not be accepted"),
}
ID_TYPES = {
    "id_card": N_("Identity card"),
    "passport": N_("Passport"),
    "residence_permit": N_("Residence permit"),
    "foreign_id_card": N_("Foreign identity card"),
}
PEP_FUNCTIONS = {
    "head_of_state_or_government": N_("Head of state or government"),
    "minister_or_state_secretary": N_("Minister or state secretary"),
    "member_of_parliament": N_("Member of parliament"),
    "party_governing_body": N_("Governing body of a political party"),
    "supreme_court_judge": N_("Judge of a supreme or constitutional court"),
    "court_of_auditors_or_central_bank": N_("Court of auditors or central bank board"),
    "ambassador_or_senior_officer": N_("Ambassador or high-ranking officer"),
    "state_enterprise_board": N_("Board of a state-owned enterprise"),
    "international_organisation_director": N_("Director of an international organisation"),
    "other": N_("Other public function"),
}
PEP_RELATIONS = {"family": N_("Family member of a PEP"), "close_associate": N_("Close associate of a PEP")}
LEGAL_FORMS = {
    "srl_bv": N_("BV / SRL (private limited company)"),
    "sa_nv": N_("NV / SA (public limited company)"),
    "sc_cv": N_("CV / SC (cooperative)"),
    "snc_vof": N_("VOF / SNC (general partnership)"),
    "scomm_commv": N_("CommV / SComm (limited partnership)"),
    "asbl_vzw": N_("VZW / ASBL (non-profit association)"),
    "aisbl_ivzw": N_("IVZW / AISBL (international non-profit)"),
    "foundation": N_("Foundation"),
    "public_body": N_("Public body"),
    "trust": N_("Trust"),
    "foreign_company": N_("Foreign company"),
    "other": N_("Other"),
}
HIT_DECISIONS = {"true_match": N_("True match"), "false_positive": N_("False positive")}
UBO_REASONS = {
    "ownership": N_("holds more than 25 %"),
    "control": N_("control by other means"),
    "control_through_chain": N_("controls an intermediate holder"),
}
ACTIONS = {
    "contact_created": N_("Contact created"),
    "identification_changed": N_("Identification changed"),
    "questions_answered": N_("Questions answered"),
    "version_created": N_("New version (Edit)"),
    "document_uploaded": N_("Proof uploaded"),
    "document_withdrawn": N_("Proof withdrawn"),
    "screened": N_("Screened"),
    "contact_accepted": N_("Contact accepted"),
    "contact_refused": N_("Contact refused"),
    "officer_notified": N_("AML officer notified"),
    "risk_profile_assessed": N_("Risk profile assessed"),
    "risk_profile_accepted": N_("Risk profile accepted"),
    "risk_profile_refused": N_("Risk profile refused"),
    "risk_profile_escalated": N_("Escalated to the AML officer"),
    "acceptance_document_generated": N_("Acceptance document made"),
}
FLASH = {
    "created": N_("The contact was created."),
    "saved": N_("Saved."),
    "uploaded": N_("The proof was uploaded."),
    "withdrawn": N_("The proof was withdrawn."),
    "screened": N_("The contact was screened."),
    "hit_decided": N_("Your decision on the hit was recorded."),
    "accepted": N_("The contact was accepted."),
    "refused": N_("The contact was refused."),
    "edited": N_("A new version was made: change it and redo screening and risk profile."),
    "profile_saved": N_("The risk profile was assessed."),
    "profile_accepted": N_("The risk profile was accepted."),
    "profile_refused": N_("The risk profile was refused and is closed."),
    "escalated": N_("The risk profile was escalated to the AML officer."),
}

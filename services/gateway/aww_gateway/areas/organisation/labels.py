"""Texts for codes the service answers with (translated when rendered)."""

from aww_gateway.i18n import N_

ROLES = {
    "none": N_("No access"),
    "user": N_("User"),
    "aml_officer": N_("AML officer"),
    "blocked": N_("Blocked"),
}
STATUSES = {
    "pending": N_("Awaiting confirmation"),
    "confirmed": N_("Member"),
    "blocked": N_("Blocked"),
    "removed": N_("Removed"),
}
ACCREDITATIONS = {
    "biv": N_("BIV number"),
    "sf323": N_("SF323 verified employee"),
    "cib": N_("CIB membership"),
    "eid": N_("Linked eID"),
}
TOOLS = {
    "aml": N_("AML tool"),
    "kbo_syndic": N_("KBO syndic registration"),
}
TOOL_DESCRIPTIONS = {
    "aml": N_(
        "Identify and screen clients and counterparties, risk profiles, transactions, escalations to the AML "
        "officer and reports to CTIF-CFI."
    ),
    "kbo_syndic": N_("Register syndics of associations of co-owners in the KBO through an enterprise counter."),
}
ACTIVITY = {
    "organisation_created": N_("created the organisation"),
    "organisation_edited": N_("edited the organisation's details"),
    "join_requested": N_("asked to join"),
    "join_withdrawn": N_("withdrew the request to join"),
    "member_confirmed": N_("confirmed the membership of"),
    "member_refused": N_("refused the request of"),
    "admin_granted": N_("made admin:"),
    "admin_revoked": N_("took the admin right from"),
    "member_edited": N_("edited the details of"),
    "member_blocked": N_("blocked"),
    "member_unblocked": N_("unblocked"),
    "member_removed": N_("removed"),
    "member_left": N_("left the organisation:"),
    "member_anonymised": N_("an account was anonymised:"),
    "branch_created": N_("added a branch"),
    "branch_edited": N_("edited a branch"),
    "tool_registered": N_("registered a tool"),
    "tool_role_changed": N_("changed the tool access of"),
    "officer_appointed": N_("became AML officer:"),
    "officer_requested": N_("asked to become AML officer:"),
    "officer_refused": N_("refused the AML officer request of"),
    "officer_ended": N_("ended the AML officer role of"),
    "allow_listed": N_("the platform operator allowed the AML tool"),
    "allow_list_removed": N_("the platform operator suspended the AML tool"),
}
FLASH = {
    "created": N_("The organisation is created. You are its admin."),
    "requested": N_("Your request is sent. An admin of the organisation will confirm it."),
    "withdrawn": N_("Your request is withdrawn."),
    "switched": N_("You now work in this organisation."),
    "starred": N_("This organisation is now used by default when you log in."),
    "saved": N_("The changes are saved."),
    "confirmed": N_("The member is confirmed and e-mailed."),
    "refused": N_("The request is refused and the person e-mailed."),
    "removed": N_("The member is removed."),
    "left": N_("You left the organisation."),
    "registered": N_("The tool is registered."),
    "appointed": N_("You are now the AML officer of this organisation."),
    "officer_requested": N_("Your request is sent to the admins for approval."),
    "officer_approved": N_("The member is now AML officer."),
    "officer_refused": N_("The request is refused."),
    "officer_ended": N_("The AML officer role is ended."),
    "listed": N_("The enterprise number is on the allow-list."),
    "unlisted": N_("The enterprise number is taken off the allow-list."),
}

"""Tables of case handling (on the service's one MetaData) and the queries on them.

- aml_contacts: one row per contact with the searchable, filterable state of its current version
  (name, numbers, status, level, employee, review date), so the contacts page is one indexed query.
  `search_text` is folded by the database (lower + unaccent, function aww_fold) and indexed with
  pg_trgm: partial, accent- and case-insensitive search.
- aml_contact_versions: every version of a contact; a decided version never changes again.
- aml_document_blobs / aml_contact_documents: proof documents (content stored once per office,
  linked to each version that carries them); withdrawn documents stay (retention), only marked.
- aml_assessments: every published vigilance assessment (level, factors, rules version, facts).
- aml_risk_profiles: risk profiles per contact version, their state, escalation and review date.
- aml_timeline: who did what on a contact (and later on transactions), oldest first.
- aml_acceptance_documents: the archived acceptance documents (reporting's document ids).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from aww_aml_workflow.store import metadata

contacts = Table(
    "aml_contacts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("current_version", Integer, nullable=False),
    Column("status", Text, nullable=False),  # of the current version: draft | accepted | refused
    Column("level", Text),  # vigilance level of the current version once assessed
    Column("display_name", Text, nullable=False),
    Column("number", Text),  # national register / BIS or enterprise number (digits)
    Column("search_text", Text, nullable=False),
    Column("sort_name", Text, nullable=False),
    Column("employee_id", Uuid, nullable=False),  # who created the contact
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("profile_state", Text),  # of the latest risk profile
    Column("review_due_on", Date),  # of the latest accepted risk profile
)

versions = Table(
    "aml_contact_versions",
    metadata,
    Column("contact_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("state", Text, nullable=False),
    Column("data", JSONB, nullable=False),
    Column("answers", JSONB, nullable=False),
    Column("based_on", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("screening_run_id", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Uuid),
    Column("decision_reason", Text),
    Column("assessment_id", Uuid),
    PrimaryKeyConstraint("contact_id", "version_no"),
    ForeignKeyConstraint(["contact_id"], ["aml_contacts.id"]),
)

blobs = Table(
    "aml_document_blobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

documents = Table(
    "aml_contact_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("proof_kind", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("blob_id", Uuid, nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("uploaded_by", Uuid, nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
    Column("withdrawn_by", Uuid),
    ForeignKeyConstraint(
        ["contact_id", "version_no"], ["aml_contact_versions.contact_id", "aml_contact_versions.version_no"]
    ),
    ForeignKeyConstraint(["blob_id"], ["aml_document_blobs.id"]),
)

assessments = Table(
    "aml_assessments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("risk_profile_id", Uuid),
    Column("subject", Text, nullable=False),  # contact | risk_profile (part 2: transaction)
    Column("level", Text, nullable=False),
    Column("rules_version", Text, nullable=False),
    Column("factors", JSONB, nullable=False),
    Column("decided_by_rule", Text, nullable=False),
    Column("higher_weight", Integer, nullable=False),
    Column("lower_weight", Integer, nullable=False),
    Column("facts", JSONB, nullable=False),
    Column("screening", JSONB),  # run id and list versions the level rests on
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Column("assessed_by", Uuid),
)

risk_profiles = Table(
    "aml_risk_profiles",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("answers", JSONB, nullable=False),
    Column("skipped", Boolean, nullable=False),
    Column("level", Text, nullable=False),
    Column("assessment_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Uuid, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Uuid),
    Column("decision_reason", Text),
    Column("escalated_at", DateTime(timezone=True)),
    Column("escalated_by", Uuid),
    Column("motivation", Text),
    Column("proposal", Text),
    Column("review_due_on", Date),
    Column("review_of", Uuid),  # the accepted profile this one reviews
)

timeline = Table(
    "aml_timeline",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Uuid),
    Column("risk_profile_id", Uuid),
    Column("transaction_id", Uuid),  # part 2
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid),
    Column("actor_role", Text, nullable=False),  # employee | aml_officer | system
    Column("action", Text, nullable=False),
    Column("details", JSONB, nullable=False),
    Column("marker", Text),  # officer | cfi: how the notifications page marks the entry
)

acceptance_documents = Table(
    "aml_acceptance_documents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("contact_id", Uuid, nullable=False),
    Column("version_no", Integer, nullable=False),
    Column("language", Text, nullable=False),
    Column("document_id", Uuid, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
    Column("generated_by", Uuid, nullable=False),
)

"""The screening engine against its real PostgreSQL database: snapshots, atomic imports, the audit
record, remembered decisions, ongoing monitoring and tenant isolation; then through the service's
RPC and timer entrypoints with a Nameko container on the real broker."""

import base64
import time
import uuid
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from aww_aml_workflow.screening import api, engine, store
from aww_aml_workflow.screening.api import Subject
from aww_aml_workflow.screening.domain import countries as country_lists
from aww_aml_workflow.screening.monitoring import rescreen_step
from aww_aml_workflow.service import AmlWorkflowService
from aww_contracts.errors import DomainError
from servicekit import access

SAMPLES = Path(__file__).parent / "screening_samples"
UN_FILE = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "sanctions" / "UN_consolidated.xml"
ADMIN = str(uuid.uuid4())


def un_xml(*people, generated="2026-03-01T00:00:00Z") -> bytes:
    """A UN-shaped list: people are (reference, first, second, year, nationality)."""
    rows = []
    for reference, first, second, year, nationality in people:
        rows.append(
            f"<INDIVIDUAL><DATAID>{abs(hash(reference)) % 10**7}</DATAID><FIRST_NAME>{escape(first)}</FIRST_NAME>"
            f"<SECOND_NAME>{escape(second)}</SECOND_NAME><UN_LIST_TYPE>Test</UN_LIST_TYPE>"
            f"<REFERENCE_NUMBER>{reference}</REFERENCE_NUMBER><LISTED_ON>2020-01-01</LISTED_ON>"
            f"<NATIONALITY><VALUE>{nationality}</VALUE></NATIONALITY>"
            f"<INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><YEAR>{year}</YEAR></INDIVIDUAL_DATE_OF_BIRTH>"
            "</INDIVIDUAL>"
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><CONSOLIDATED_LIST dateGenerated="{generated}">'
        f"<INDIVIDUALS>{''.join(rows)}</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"
    ).encode()


BADEGE = ("CDi.001", "ERIC", "BADEGE", 1971, "Democratic Republic of the Congo")
KAINA = ("CDi.022", "INNOCENT", "KAINA", 1980, "Democratic Republic of the Congo")


@pytest.fixture
def db_url(service_database):
    url = service_database("aww_aml_workflow")
    bind = create_engine(url)
    with bind.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(t.name for t in store.TABLES) + ", outbox CASCADE"))
    bind.dispose()
    engine.forget()
    return url


@pytest.fixture
def session(db_url):
    bind = create_engine(db_url)
    with Session(bind) as session:
        session.info.update(service="aml_workflow", publishes=frozenset(AmlWorkflowService.publishes))
        yield session
    bind.dispose()


def import_un(session, content: bytes) -> dict:
    snapshot = api.import_list(session, source="un", content=content, filename="un.xml", imported_by=ADMIN)
    session.commit()
    return snapshot


def person(subject_id="p1", *names, **values) -> Subject:
    return Subject(subject_id, "person", list(names) or ["Erik Badeg"], **values)


def current(session, source="un"):
    return session.execute(
        select(store.snapshots).where(store.snapshots.c.source == source, store.snapshots.c.status == "current")
    ).all()


# ---- snapshots --------------------------------------------------------------------------------


def test_import_makes_a_versioned_snapshot_and_the_same_file_again_changes_nothing(session):
    first = import_un(session, un_xml(BADEGE, KAINA))
    assert (first["source"], first["entry_count"], first["list_date"]) == ("un", 2, "2026-03-01T00:00:00Z")
    assert first["counts"] == {"persons": 2, "organisations": 0, "names": 2} and len(first["checksum"]) == 64
    again = import_un(session, un_xml(BADEGE, KAINA))
    assert again["unchanged"] and again["snapshot_id"] == first["snapshot_id"]
    second = import_un(session, un_xml(BADEGE, generated="2026-03-08T00:00:00Z"))
    statuses = {s["snapshot_id"]: s["status"] for s in api.list_snapshots(session)}
    assert statuses == {first["snapshot_id"]: "superseded", second["snapshot_id"]: "current"}


def test_the_real_un_export_imports(session):
    snapshot = import_un(session, UN_FILE.read_bytes())
    assert snapshot["entry_count"] == 1003 and snapshot["counts"]["persons"] == 730


def test_a_broken_file_is_refused_and_the_previous_snapshot_stays_in_force(session):
    kept = import_un(session, un_xml(BADEGE))
    with pytest.raises(DomainError) as refused:
        api.import_list(session, source="un", content=un_xml(KAINA)[:-40], filename="cut.xml", imported_by=ADMIN)
    session.rollback()
    assert refused.value.code == "validation_failed" and "not well-formed" in refused.value.message
    assert [row.id for row in current(session)] == [uuid.UUID(kept["snapshot_id"])]


def test_an_import_that_fails_halfway_leaves_the_previous_snapshot_in_force(session):
    kept = import_un(session, un_xml(BADEGE))
    # a real failure in the middle of the entries: the database refuses one row of the second batch
    session.execute(
        text(
            "CREATE FUNCTION refuse_entry() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.entry_id = 'T.2500' THEN RAISE EXCEPTION 'disk full'; END IF; RETURN NEW; END $$; "
            "CREATE TRIGGER refuse_entry BEFORE INSERT ON screening_list_entries "
            "FOR EACH ROW EXECUTE FUNCTION refuse_entry()"
        )
    )
    session.commit()
    try:
        big = un_xml(*[(f"T.{n}", "PERSON", f"NUMBER{n}", 1970, "Iraq") for n in range(3000)])
        with pytest.raises(Exception, match="disk full"):
            api.import_list(session, source="un", content=big, filename="big.xml", imported_by=ADMIN)
        session.rollback()
    finally:
        session.execute(text("DROP TRIGGER refuse_entry ON screening_list_entries; DROP FUNCTION refuse_entry()"))
        session.commit()
    assert [row.id for row in current(session)] == [uuid.UUID(kept["snapshot_id"])]
    assert session.execute(select(func.count()).select_from(store.snapshots)).scalar() == 1
    assert session.execute(select(func.count()).select_from(store.entries)).scalar() == 1
    run = api.screen(session, organisation_id=uuid.uuid4(), contact_id="c", subjects=[person()], screened_by=ADMIN)
    assert [h.entry_id for h in run.hits] == ["CDi.001"]  # screening still uses the kept snapshot


# ---- screening, audit, decisions ------------------------------------------------------------


def test_a_screening_records_lists_threshold_hits_scores_and_explanations(session):
    snapshot = import_un(session, un_xml(BADEGE, KAINA))
    org = uuid.uuid4()
    run = api.screen(
        session,
        organisation_id=org,
        contact_id="contact-1",
        subjects=[person("p1", "Erik Badeg", birth_year=1971, nationalities=["CD"]), person("ubo", "Jan Peeters")],
        screened_by=ADMIN,
    )
    session.commit()
    assert run.threshold == api.DEFAULT_THRESHOLD
    assert [v["snapshot_id"] for v in run.list_versions] == [snapshot["snapshot_id"]]
    (hit,) = run.hits
    assert (hit.subject_id, hit.source, hit.entry_id, hit.matched_name) == ("p1", "un", "CDi.001", "ERIC BADEGE")
    assert hit.list_version == "2026-03-01T00:00:00Z" and 0.9 < hit.score <= 1
    assert [p["how"] for p in hit.explanation["parts"]] == ["phonetic", "typo"]
    assert {e["kind"] for e in hit.explanation["evidence"]} == {"birth_date", "nationality"}
    assert hit.decision is None and not hit.is_new
    assert api.run(session, org, run.run_id).as_dict() == run.as_dict()
    assert api.runs_of_contact(session, org, "contact-1")[0]["hit_count"] == 1
    assert api.screening_facts(session, org, "contact-1")["open_hits"] == 1


def test_subjects_are_validated_field_by_field(session):
    with pytest.raises(DomainError) as refused:
        api.screen(
            session,
            organisation_id=uuid.uuid4(),
            contact_id="c",
            subjects=[person("p1", "Eric", nationalities=["Belgium"])],
            screened_by=ADMIN,
        )
    assert refused.value.details["errors"][0]["field"] == "subjects[0].nationalities"


def test_a_false_positive_is_reapplied_until_the_entry_changes(session):
    import_un(session, un_xml(BADEGE))
    org, employee = uuid.uuid4(), uuid.uuid4()
    subjects = [person("p1", "Eric Badege", birth_date=date(1990, 3, 3))]
    first = api.screen(session, organisation_id=org, contact_id="c1", subjects=subjects, screened_by=employee)
    decided = api.decide_hit(
        session,
        organisation_id=org,
        hit_id=first.hits[0].hit_id,
        decision="false_positive",
        reason="born 1990 in Leuven, never lived in the DRC",
        decided_by=employee,
    )
    session.commit()
    assert decided.decision["decision"] == "false_positive" and not decided.decision["reapplied"]
    again = api.screen(session, organisation_id=org, contact_id="c1", subjects=subjects, screened_by=employee)
    assert (
        again.hits[0].decision["reapplied"] and again.hits[0].decision["decision_id"] == decided.decision["decision_id"]
    )
    assert api.screening_facts(session, org, "c1")["open_hits"] == 0
    # the same decision does not cover another contact
    other = api.screen(session, organisation_id=org, contact_id="c2", subjects=subjects, screened_by=employee)
    assert other.hits[0].decision is None
    # the list changes what it says about the entry: the decision lapses, the hit is open again
    import_un(session, un_xml(("CDi.001", "ERIC", "BADEGE", 1971, "Rwanda")))
    changed = api.screen(session, organisation_id=org, contact_id="c1", subjects=subjects, screened_by=employee)
    assert changed.hits[0].decision is None
    assert [d["decision"] for d in api.hit_decisions(session, org, "c1")] == ["false_positive"]


def test_a_true_match_marks_the_sanctions_fact_and_pep_hits_give_their_function(session):
    import_un(session, un_xml(BADEGE))
    api.import_list(
        session, source="pep", content=(SAMPLES / "pep_sample.csv").read_bytes(), filename="pep.csv", imported_by=ADMIN
    )
    org = uuid.uuid4()
    run = api.screen(
        session,
        organisation_id=org,
        contact_id="c1",
        subjects=[person("p1", "Eric Badege"), person("ubo", "Hendrik Van Lierde", birth_date=date(1961, 3, 2))],
        screened_by=ADMIN,
    )
    by_source = {h.source: h for h in run.hits}
    assert by_source["pep"].entry["pep_category"] == "minister"
    for hit in run.hits:
        api.decide_hit(
            session,
            organisation_id=org,
            hit_id=hit.hit_id,
            decision="true_match",
            reason="same person",
            decided_by=ADMIN,
        )
    facts = api.screening_facts(session, org, "c1")
    assert facts["sanctions_true_match"] and facts["pep_true_match"] and facts["open_hits"] == 0
    assert facts["pep_functions"] == ["Minister of Finance of the Walloon Region (2019-09-13)"]
    assert {v["source"] for v in facts["list_versions"]} == {"un", "pep"}


def test_decisions_need_a_known_decision_and_a_reason(session):
    import_un(session, un_xml(BADEGE))
    org = uuid.uuid4()
    hit = api.screen(session, organisation_id=org, contact_id="c", subjects=[person()], screened_by=ADMIN).hits[0]
    for decision, reason, field in (("maybe", "x", "decision"), ("false_positive", "  ", "reason")):
        with pytest.raises(DomainError) as refused:
            api.decide_hit(
                session, organisation_id=org, hit_id=hit.hit_id, decision=decision, reason=reason, decided_by=ADMIN
            )
        assert refused.value.details["errors"][0]["field"] == field


# ---- tenant isolation ---------------------------------------------------------------------------


def test_another_organisation_finds_nothing(session):
    import_un(session, un_xml(BADEGE))
    ours, theirs = uuid.uuid4(), uuid.uuid4()
    run = api.screen(session, organisation_id=ours, contact_id="c1", subjects=[person()], screened_by=ADMIN)
    session.commit()
    for attempt in (
        lambda: api.run(session, theirs, run.run_id),
        lambda: api.decide_hit(
            session,
            organisation_id=theirs,
            hit_id=run.hits[0].hit_id,
            decision="false_positive",
            reason="x",
            decided_by=ADMIN,
        ),
        lambda: api.run(session, ours, "not-a-uuid"),
    ):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "not_found"
    assert api.latest_run(session, theirs, "c1") is None
    assert api.screening_facts(session, theirs, "c1")["screened"] is False
    assert api.runs_of_contact(session, theirs, "c1") == [] and api.hit_decisions(session, theirs, "c1") == []


# ---- country lists ------------------------------------------------------------------------------


def test_an_imported_country_list_replaces_the_shipped_version(session):
    assert api.country_risk(session, "bg")["fatf_increased_monitoring"]
    newer = (
        b'{"list": "fatf", "version": "2026-06-20", '
        b'"categories": {"call_for_action": ["KP"], "increased_monitoring": ["NG"]}}'
    )
    api.import_country_list(session, content=newer, imported_by=ADMIN)
    risk = api.country_risk(session, "BG")
    assert not risk["fatf_increased_monitoring"] and api.country_risk(session, "NG")["fatf_increased_monitoring"]
    assert {"list": "fatf", "version": "2026-06-20", "in_force_from": None} in risk["list_versions"]
    with pytest.raises(DomainError):
        api.country_risk(session, "Belgium")


def test_country_risks_reads_the_lists_in_force_once_and_answers_as_country_risk(session):
    """One assessment reads the lists once for all its countries; an import after that is seen by
    the next reading, and never changes the shipped versions kept in memory."""
    before = api.country_risks(session)
    for code in ("BG", "ng", "BE", "KP"):
        assert before(code) == api.country_risk(session, code)
    newer = (
        b'{"list": "fatf", "version": "2026-07-01", '
        b'"categories": {"call_for_action": ["KP"], "increased_monitoring": ["BE"]}}'
    )
    api.import_country_list(session, content=newer, imported_by=ADMIN)
    after = api.country_risks(session)
    assert after("BE")["fatf_increased_monitoring"] and not after("BG")["fatf_increased_monitoring"]
    assert not before("BE")["fatf_increased_monitoring"]  # read before the import
    shipped = country_lists.shipped_lists()["fatf"]
    assert shipped.version != "2026-07-01" and "BG" in shipped.categories["increased_monitoring"]
    with pytest.raises(DomainError):
        after("Belgium")


# ---- ongoing monitoring -------------------------------------------------------------------------


def test_monitored_contacts_are_rescreened_after_an_import_and_new_hits_notify(session):
    import_un(session, un_xml(BADEGE))
    org = uuid.uuid4()
    for contact, name in (("watched", "Innocent Kaina"), ("closed", "Innocent Kaina"), ("clean", "Jan Peeters")):
        api.screen(session, organisation_id=org, contact_id=contact, subjects=[person("p", name)], screened_by=ADMIN)
    api.set_monitored(session, organisation_id=org, contact_id="watched", monitored=True)
    api.set_monitored(session, organisation_id=org, contact_id="clean", monitored=True)
    api.set_monitored(session, organisation_id=org, contact_id="closed", monitored=True)
    api.set_monitored(session, organisation_id=org, contact_id="closed", monitored=False)
    session.commit()
    while (step := rescreen_step(session)) and not step["done"]:  # the job of the first import
        session.commit()
    import_un(session, un_xml(BADEGE, KAINA, generated="2026-03-09T00:00:00Z"))
    steps = []
    while (step := rescreen_step(session, chunk=1)) and not step["done"]:
        session.commit()
        steps.append(step)
    session.commit()
    assert [s["processed"] for s in steps] == [1, 1] and sum(s["new_hits"] for s in steps) == 1
    watched = api.latest_run(session, org, "watched")
    assert watched.trigger == "monitoring" and watched.hits[0].is_new and watched.hits[0].entry_id == "CDi.022"
    assert api.latest_run(session, org, "closed").trigger == "request"  # no longer monitored
    (alert,) = api.alerts(session, org)
    assert (alert["contact_id"], alert["new_hits"]) == ("watched", 1)
    events = (
        session.execute(text("SELECT envelope FROM outbox WHERE event_type = 'screening_new_hits'")).scalars().all()
    )
    assert [e["data"]["contact_id"] for e in events] == ["watched"]
    assert events[0]["data"]["hit_ids"] == [watched.hits[0].hit_id]
    # a second import with nothing new for these contacts notifies nobody
    import_un(session, un_xml(BADEGE, KAINA, generated="2026-03-10T00:00:00Z"))
    while (step := rescreen_step(session)) and not step["done"]:
        session.commit()
    assert len(api.alerts(session, org)) == 1


# ---- through the service ------------------------------------------------------------------------


def principal(account, org=None, admin=False):
    return {
        "principal": {"account_id": str(account), "organisation_id": str(org) if org else None, "platform_admin": admin}
    }


def test_rpc_checks_roles_imports_and_rescreens_in_the_background(container_factory, db_url, session):
    container = container_factory(AmlWorkflowService, db_url)
    org, employee, outsider = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    access.apply_access_changed(
        session,
        {
            "organisation_id": str(org),
            "account_id": str(employee),
            "membership_status": "confirmed",
            "admin": False,
            "tools": {"aml": "user"},
            "version": 1,
        },
    )
    session.commit()
    content = base64.b64encode(un_xml(BADEGE)).decode()
    with entrypoint_hook(container, "screening_import_list", context_data=principal(employee, org)) as import_list:
        with pytest.raises(DomainError) as refused:
            import_list(source="un", content_base64=content)
        assert refused.value.code == "forbidden"
    with entrypoint_hook(
        container, "screening_import_list", context_data=principal(uuid.uuid4(), admin=True)
    ) as import_list:
        with pytest.raises(DomainError) as refused:
            import_list(source="un", content_base64="%%%")
        assert refused.value.details["errors"][0]["field"] == "content"
        snapshot = import_list(source="un", content_base64=content, filename="un.xml")
    assert snapshot["entry_count"] == 1
    run = api.screen(
        session, organisation_id=org, contact_id="c1", subjects=[person("p", "Innocent Kaina")], screened_by=employee
    )
    api.set_monitored(session, organisation_id=org, contact_id="c1", monitored=True)
    session.commit()
    assert run.hits == []
    with entrypoint_hook(container, "screening_contact_results", context_data=principal(outsider, org)) as results:
        with pytest.raises(DomainError) as refused:
            results(contact_id="c1")
        assert refused.value.code == "forbidden"
    with entrypoint_hook(
        container, "screening_import_list", context_data=principal(uuid.uuid4(), admin=True)
    ) as import_list:
        import_list(source="un", content_base64=base64.b64encode(un_xml(BADEGE, KAINA)).decode())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not api.alerts(session, org):
        session.rollback()
        time.sleep(0.2)
    with entrypoint_hook(container, "screening_alerts", context_data=principal(employee, org)) as alerts:
        assert [a["contact_id"] for a in alerts()] == ["c1"]
    with entrypoint_hook(container, "screening_contact_results", context_data=principal(employee, org)) as results:
        found = results(contact_id="c1")
    hit = found["latest"]["hits"][0]
    assert found["latest"]["trigger"] == "monitoring" and hit["entry_id"] == "CDi.022" and hit["is_new"]
    with entrypoint_hook(container, "screening_decide_hit", context_data=principal(employee, org)) as decide:
        decided = decide(hit_id=hit["hit_id"], decision="false_positive", reason="another birth date")
    assert decided["decision"]["decided_by"] == str(employee)
    with entrypoint_hook(container, "screening_lists", context_data=principal(employee, org)) as lists:
        listed = lists()
    assert [s["status"] for s in listed["snapshots"]] == ["current", "superseded"]
    assert listed["monitored_contacts"] == 1 and len(listed["country_lists"]) == 3


def test_the_migrations_create_the_tables_the_code_declares(db_url):
    from sqlalchemy import inspect

    inspector = inspect(create_engine(db_url))
    for table in store.TABLES:
        columns = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(columns) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert columns[column.name]["nullable"] == column.nullable, (table.name, column.name)
        declared = {i.name for i in table.indexes}
        assert declared <= {i["name"] for i in inspector.get_indexes(table.name)}, table.name

"""The organisation-access read model: fed by access_changed events, newest version wins."""

import uuid

import kombu
import pytest
from sk_helpers import wait_until
from sqlalchemy import create_engine

from aww_contracts.envelope import make_envelope
from aww_contracts.errors import DomainError
from servicekit import access
from servicekit.context import Principal
from servicekit.entrypoints import rpc
from servicekit.outbox import create_tables
from servicekit.service import ServiceBase


class Guarded(access.AccessReadModel, ServiceBase):
    name = "guarded"

    @rpc
    def role_of(self, organisation_id, account_id, tool):
        found = access.access_of(self.db, organisation_id, account_id)
        return None if found is None else found.role(tool)


@pytest.fixture(scope="module")
def guarded_db(run_id):
    from servicekit.testing.infra import create_database, drop_database

    name = f"awwt_{run_id}_guarded"
    url = create_database(name)
    engine = create_engine(url)
    create_tables(engine)
    access.create_tables(engine)
    engine.dispose()
    yield url
    drop_database(name)


def publish(amqp_uri, data):
    envelope = make_envelope("organisation", "access_changed", data)
    with kombu.Connection(amqp_uri) as conn:
        conn.Producer(serializer="json").publish(envelope, exchange="organisation.events", routing_key="access_changed")


def member(org, account, version, role="user", status="confirmed"):
    return {
        "organisation_id": org,
        "account_id": account,
        "membership_status": status,
        "admin": False,
        "tools": {"aml": role},
        "display_name": "Test Member",
        "version": version,
    }


def test_newer_version_wins_and_older_is_ignored(container_factory, guarded_db, amqp_uri, rpc_proxy):
    container_factory(Guarded, guarded_db)
    org, account = str(uuid.uuid4()), str(uuid.uuid4())
    publish(amqp_uri, member(org, account, 5, role="aml_officer"))
    wait_until(lambda: rpc_proxy("guarded").role_of(org, account, "aml") == "aml_officer", what="first state")
    publish(amqp_uri, member(org, account, 3, role="none"))  # late, older event
    publish(amqp_uri, member(org, account, 7, role="user"))
    wait_until(lambda: rpc_proxy("guarded").role_of(org, account, "aml") == "user", what="newest state")
    publish(amqp_uri, member(org, account, 6, role="blocked"))
    import time

    time.sleep(0.5)
    assert rpc_proxy("guarded").role_of(org, account, "aml") == "user"


def test_role_checks_refuse_without_saying_why_the_record_is_missing(guarded_db):
    from sqlalchemy.orm import Session

    engine = create_engine(guarded_db)
    org, account, outsider = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    with Session(engine) as session:
        access.apply_access_changed(session, member(org, account, 1, role="user"))
        session.commit()
        assert access.require_tool_role(session, Principal(account, organisation_id=org), "aml").role("aml") == "user"
        with pytest.raises(DomainError) as refused:
            access.require_tool_role(session, Principal(account, organisation_id=org), "aml", roles=("aml_officer",))
        assert refused.value.code == "forbidden"
        with pytest.raises(DomainError) as outside:
            access.require_member(session, Principal(outsider, organisation_id=org))
        assert outside.value.code == "forbidden"
        with pytest.raises(DomainError) as no_org:
            access.require_member(session, Principal(account))
        assert no_org.value.code == "forbidden"
        with pytest.raises(DomainError) as anonymous:
            access.require_member(session, None)
        assert anonymous.value.code == "unauthenticated"
        access.apply_access_changed(session, member(org, account, 2, role="user", status="blocked"))
        session.commit()
        with pytest.raises(DomainError):
            access.require_tool_role(session, Principal(account, organisation_id=org), "aml")
    engine.dispose()

"""The session lookup's own connections, against the real identity database."""

import pytest
from sqlalchemy import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from aww_identity.lookup import SessionLookup, conninfo_of

NOBODY = b"\x00" * 32


@pytest.fixture
def lookup(identity_db):
    found = SessionLookup(conninfo_of(identity_db), keep=2)
    yield found
    found.close()


def test_one_connection_is_kept_and_reused(lookup):
    assert lookup.resolve(NOBODY, 3600) is None
    kept = list(lookup._idle)
    assert lookup.resolve(b"\x01" * 32, 3600) is None
    assert lookup._idle == kept and len(kept) == 1


def test_a_failing_statement_is_a_dbapi_error_and_the_connection_stays_usable(lookup):
    with pytest.raises(ProgrammingError) as failure:
        lookup._run("SELECT no_such_column FROM sessions", {}, fetch=True)
    assert not failure.value.connection_invalidated
    assert len(lookup._idle) == 1
    assert lookup.resolve(NOBODY, 3600) is None


def test_a_dead_connection_is_replaced_once(lookup):
    dead = lookup._connect()
    dead.close()
    lookup._idle.append(dead)
    assert lookup.resolve(NOBODY, 3600) is None
    assert len(lookup._idle) == 1 and lookup._idle[0] is not dead


def test_two_dead_connections_in_a_row_are_a_lost_database_connection(lookup):
    for _ in range(2):
        dead = lookup._connect()
        dead.close()
        lookup._idle.append(dead)
    with pytest.raises(DBAPIError) as failure:
        lookup.resolve(NOBODY, 3600)
    assert failure.value.connection_invalidated  # answered as service_unavailable by the entrypoint


def test_a_database_that_cannot_be_reached_is_a_dbapi_error(identity_db):
    lookup = SessionLookup(conninfo_of(str(make_url(identity_db).set(port=1))), keep=1)
    with pytest.raises(OperationalError):
        lookup.resolve(NOBODY, 3600)

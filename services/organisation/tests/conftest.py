import itertools

import pytest
from org_helpers import Database, Person, StandInIdentity, enterprise_number, publish_identity, wait_until

from aww_organisation.service import OrganisationService

_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def org_db_url(service_database):
    return service_database("aww_organisation")


@pytest.fixture(scope="session")
def db(org_db_url):
    database = Database(org_db_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def organisation_service(container_factory, org_db_url):
    return container_factory(OrganisationService, org_db_url, SMTP_PORT="1", MAIL_SWEEP_SECONDS="60")


@pytest.fixture
def identity_stand_in(container_factory):
    StandInIdentity.calls.clear()
    StandInIdentity.refusal = None
    return container_factory(StandInIdentity)


@pytest.fixture
def new_number():
    return lambda: enterprise_number(next(_numbers) * 31 + 7)


@pytest.fixture
def people(organisation_service, rpc_proxy, amqp_uri, db):
    """people("Ann Admin", biv=True, eid=True) → a Person identity has told the service about."""

    def make(name, *, biv=False, sf323=False, eid=False, platform_admin=False, language="nl"):
        person = Person(name, platform_admin=platform_admin, language=language, proxy_factory=rpc_proxy)
        first, _, last = name.partition(" ")
        publish_identity(
            amqp_uri,
            "account_registered",
            {
                "account_id": person.account_id,
                "username": first.lower() + person.account_id[:6],
                "first_name": first,
                "last_name": last or "Tester",
                "language": language,
            },
        )
        accreditations = []
        if biv:
            accreditations.append({"kind": "biv", "number": "512345"})
        if sf323:
            accreditations.append({"kind": "sf323", "number": "SF-1"})
        publish_identity(
            amqp_uri,
            "accreditations_changed",
            {"account_id": person.account_id, "eid_linked": eid, "accreditations": accreditations},
        )
        wait_until(
            lambda: db.scalar(
                "SELECT count(*) FROM accounts WHERE account_id = :a AND first_name IS NOT NULL "
                "AND accreditations_at IS NOT NULL",
                a=person.account_id,
            ),
            what=f"identity events about {name}",
        )
        return person

    return make

import uuid
from dataclasses import dataclass

import pytest
from nameko.exceptions import RemoteError
from sqlalchemy import create_engine, text
from wallet_helpers import context, publish_access, publish_organisation, wait_until

from aww_reporting.service import ReportingService
from aww_wallet.service import WalletService


@dataclass
class Office:
    organisation_id: str
    account_id: str
    wallet: object  # rpc proxy as the member


@pytest.fixture(scope="session")
def wallet_url(service_database):
    return service_database("aww_wallet")


@pytest.fixture
def wallet_container(container_factory, wallet_url, service_database):
    container_factory(ReportingService, service_database("aww_reporting"))
    return container_factory(WalletService, wallet_url)


@pytest.fixture
def db(wallet_url):
    engine = create_engine(wallet_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sql(db):
    def run(statement, **params):
        with db.begin() as conn:
            result = conn.execute(text(statement), params)
            return result.all() if result.returns_rows else None

    return run


@pytest.fixture
def make_office(wallet_container, amqp_uri, rpc_proxy):
    def make(role="user", admin=False, name="Immo Test"):
        organisation_id, account_id = str(uuid.uuid4()), str(uuid.uuid4())
        publish_access(amqp_uri, organisation_id, account_id, tools={"aml": role}, admin=admin, name="Anne Agent")
        publish_organisation(amqp_uri, organisation_id, name=name)
        proxy = rpc_proxy("wallet", context(account_id, organisation_id))

        def known():
            try:
                return proxy.get_wallet()["balance_cents"] == 0
            except RemoteError as exc:  # a member without a tool role is known but may not see the wallet
                if "Your role" in exc.value:
                    return True
                raise

        wait_until(known, what="membership in the read model")
        return Office(organisation_id, account_id, proxy)

    return make


@pytest.fixture
def fund(sql):
    """Credit a wallet as a bank transfer would (a balanced journal entry), for tests of spending."""

    def credit(organisation_id, cents):
        entry = str(uuid.uuid4())
        sql(
            "INSERT INTO journal_entries (entry_id, kind, organisation_id, reference, description, actor, "
            "idempotency_key) VALUES (:e, 'test_funding', :o, 'test', 'test funding', 'system', :k)",
            e=entry,
            k=f"test-funding:{entry}",
            o=organisation_id,
        )
        account = sql("SELECT account_id FROM wallets WHERE organisation_id = :o", o=organisation_id)[0][0]
        with_entry = {"e": entry}
        sql(
            "INSERT INTO postings (entry_id, account_id, amount_cents) VALUES (:e, :a, :x), (:e, :b, :y)",
            **with_entry,
            a=account,
            x=cents,
            b="00000000-0000-4000-8000-000000000002",
            y=-cents,
        )

    return credit

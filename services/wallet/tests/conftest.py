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


@pytest.fixture(scope="session")
def fake_mollie():
    """The fake payment provider as its own process, as the stack runs it."""
    import subprocess
    import sys

    import httpx

    from aww_devtools.fakes.payments import API_KEY
    from aww_devtools.stack import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "aww_devtools.fakes.payments", "--port", str(port)])
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: httpx.get(f"{url}/_health").status_code == 200, what="the fake payment provider")
    yield {"url": url, "key": API_KEY}
    process.terminate()
    process.wait(10)


@pytest.fixture
def wallet_container(container_factory, wallet_url, service_database, fake_mollie, monkeypatch):
    monkeypatch.setenv("MOLLIE_API_ENDPOINT", fake_mollie["url"])
    monkeypatch.setenv("MOLLIE_API_KEY", fake_mollie["key"])
    monkeypatch.setenv("PUBLIC_URL", "http://127.0.0.1:9")  # no gateway in these tests: tests call the webhook RPC
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
def admin(wallet_container, rpc_proxy):
    return rpc_proxy("wallet", context(str(uuid.uuid4()), None, platform_admin=True))


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
def fund(sql, admin):
    """Credit a wallet the way money really arrives: a bank statement with its structured
    communication, imported by a platform admin (so the ledger reconciles afterwards)."""
    import base64

    from wallet_helpers import camt053

    def credit(organisation_id, cents):
        ogm = sql("SELECT ogm FROM wallets WHERE organisation_id = :o", o=organisation_id)[0][0]
        chunks = [500_000] * (cents // 500_000) + ([cents % 500_000] if cents % 500_000 else [])
        content = camt053([(ogm, chunk, "EUR", "CRDT") for chunk in chunks])
        result = admin.import_statement(filename="funding.xml", content_b64=base64.b64encode(content).decode())
        assert result["booked"] == len(chunks), result

    return credit

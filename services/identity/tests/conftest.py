import re

import pytest
from nameko.exceptions import RemoteError, registry
from sqlalchemy import create_engine, text

from aww_contracts.errors import DOMAIN_ERROR_PATH
from aww_identity.service import IdentityService


class RemoteDomainError(RemoteError):
    """A DomainError as the standalone proxy receives it: code, message and details kept."""

    def __init__(self, code, message, details=None):
        super().__init__("DomainError", message)
        self.exc_args = [code, message, details or {}]


registry[DOMAIN_ERROR_PATH] = RemoteDomainError


@pytest.fixture(scope="session")
def identity_db(service_database):
    return service_database("aww_identity")


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    from aww_devtools.pki import ensure

    return ensure(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def identity(container_factory, identity_db, pki, monkeypatch):
    from aww_identity import config

    monkeypatch.setenv("IDENTITY_EID_TRUST_STORE", str(pki.trust_store))
    monkeypatch.setenv("IDENTITY_PLATFORM_ADMINS", "boss")
    config.trust_store.cache_clear()
    return container_factory(IdentityService, identity_db)


class Db:
    def __init__(self, url):
        self.engine = create_engine(url)

    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def mails_to(self, address):
        return self.rows("SELECT subject, body_text FROM mail_outbox WHERE recipient = :r ORDER BY id", r=address)

    def last_code(self, address):
        body = self.mails_to(address)[-1].body_text
        return re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", body).group(1)

    def reset_link_token(self, address):
        body = self.mails_to(address)[-1].body_text
        return re.search(r"token=(\S+)", body).group(1)

    def events(self, event_type):
        return [
            r.envelope["data"]
            for r in self.rows("SELECT envelope FROM outbox WHERE event_type = :t ORDER BY id", t=event_type)
        ]


@pytest.fixture(scope="session")
def db(identity_db):
    found = Db(identity_db)
    yield found
    found.engine.dispose()

"""Linking a Belgian eID card, logging in with it, and fetching accreditations from the register."""

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from nameko.exceptions import RemoteError
from test_identity_accounts import PASSWORD, active_user, as_user

from aww_devtools.pki import ensure
from servicekit.testing.infra import free_port


@pytest.fixture(scope="module")
def register_url(tmp_path_factory):
    port = free_port()
    var = tmp_path_factory.mktemp("register")
    process = subprocess.Popen(
        [sys.executable, "-m", "aww_devtools.fakes.accreditations", "--port", str(port), "--var", str(var)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz").status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield url
    process.terminate()


@pytest.fixture
def eid_identity(identity, register_url, monkeypatch):
    monkeypatch.setenv("IDENTITY_ACCREDITATION_REGISTER_URL", register_url)
    return identity


def logged_in(rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _ = as_user(rpc_proxy, session)
    return proxy, session


def refusal(call):
    with pytest.raises(RemoteError) as failure:
        call()
    return failure.value.exc_args


def test_link_takes_names_from_the_card_locks_them_and_fetches_accreditations(
    eid_identity, rpc_proxy, db, pki, register_url
):
    card = pki.issue("Marie Claire", "Dubois", gender="female", save=False)
    httpx.put(
        f"{register_url}/persons/{card.national_number}/accreditations",
        json={"accreditations": [{"kind": "biv", "number": "512345", "valid_until": "2030-12-31"}]},
    )
    proxy, session = logged_in(rpc_proxy, db)
    profile = proxy.link_eid(certificate=card.pem)
    assert (profile["first_name"], profile["last_name"]) == ("Marie Claire", "Dubois")
    assert profile["eid"]["linked"] and profile["profile_locked"]
    assert profile["eid"]["national_number"] == "*******" + card.national_number[-4:]
    assert profile["gender"] == "female" and profile["birth_date"]
    assert profile["accreditations"] == [{"kind": "biv", "number": "512345", "valid_until": "2030-12-31"}]
    linked = db.events("eid_linked")[-1]
    assert linked["account_id"] == session["account_id"] and card.national_number not in str(linked)
    changed = db.events("accreditations_changed")[-1]
    assert changed == {
        "account_id": session["account_id"],
        "eid_linked": True,
        "accreditations": [{"kind": "biv", "number": "512345", "valid_until": "2030-12-31"}],
    }
    args = refusal(lambda: proxy.update_profile(last_name="Other"))
    assert args[0] == "profile_locked"
    assert proxy.update_profile(phone="+32 2 123 45 67", language="en")["language"] == "en"


def test_eid_login_opens_a_session_without_password(eid_identity, rpc_proxy, db, pki):
    card = pki.issue("Luc", "Janssens", gender="male", save=False)
    proxy, session = logged_in(rpc_proxy, db)
    proxy.link_eid(certificate=card.pem)
    opened = rpc_proxy("identity").login_eid(certificate=card.pem)
    principal = rpc_proxy("identity").resolve_session(token=opened["token"])
    assert principal["account_id"] == session["account_id"]
    assert [s["method"] for s in proxy.list_sessions()].count("eid") == 1


def test_one_card_per_account(eid_identity, rpc_proxy, db, pki):
    card = pki.issue("Els", "Maes", save=False)
    first, _ = logged_in(rpc_proxy, db)
    first.link_eid(certificate=card.pem)
    second, _ = logged_in(rpc_proxy, db)
    assert refusal(lambda: second.link_eid(certificate=card.pem))[0] == "eid_already_linked"
    other_card = pki.issue("Els", "Peeters", save=False)
    assert refusal(lambda: first.link_eid(certificate=other_card.pem))[0] == "eid_already_linked"


def test_refused_certificates_name_the_reason_and_change_nothing(eid_identity, rpc_proxy, db, pki, tmp_path):
    proxy, _ = logged_in(rpc_proxy, db)
    now = datetime.now(UTC)
    expired = pki.issue(
        "Old", "Card", valid_from=now - timedelta(days=900), valid_until=now - timedelta(days=1), save=False
    )
    stranger = ensure(tmp_path / "other-pki").issue("Eve", "Stranger", save=False)
    bad_number = pki.issue("Bad", "Number", number="12345678901", save=False)
    genuine = pki.issue("Tom", "Tamper", save=False)
    tampered = genuine.pem.replace(genuine.pem.splitlines()[5], genuine.pem.splitlines()[5][:-4] + "AAAA")
    cases = {
        "expired": expired.pem,
        "unknown_ca": stranger.pem,
        "invalid_national_number": bad_number.pem,
        "malformed": "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----",
        "missing": "",
    }
    for reason, pem in cases.items():
        args = refusal(lambda pem=pem: proxy.link_eid(certificate=pem))
        assert (args[0], args[2]["reason"]) == ("eid_refused", reason)
        assert bad_number.national_number not in args[1]
    args = refusal(lambda: proxy.link_eid(certificate=tampered))
    assert args[0] == "eid_refused" and args[2]["reason"] in ("tampered", "malformed")
    assert proxy.get_profile()["eid"]["linked"] is False


def test_signature_certificate_is_not_an_authentication_certificate(eid_identity, rpc_proxy, db, pki):
    from aww_identity.domain.eid import CertificateRefused, TrustStore

    card = pki.issue("Sig", "Nature", save=False)
    store = TrustStore.from_paths([pki.trust_store])
    holder = store.verify(card.pem)
    assert holder.first_name == "Sig"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    ca_key = load_pem_private_key((pki.directory / "citizen-ca.key.pem").read_bytes(), None)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Sig Nature (Signature)"),
            x509.NameAttribute(NameOID.SURNAME, "Nature"),
            x509.NameAttribute(NameOID.GIVEN_NAME, "Sig"),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, card.national_number),
        ]
    )
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(pki.citizen_ca().subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .sign(ca_key, hashes.SHA256())
    )
    from cryptography.hazmat.primitives.serialization import Encoding

    with pytest.raises(CertificateRefused) as refused:
        store.verify(cert.public_bytes(Encoding.PEM))
    assert refused.value.reason == "not_authentication"


def test_unknown_card_cannot_log_in(eid_identity, rpc_proxy, pki):
    card = pki.issue("No", "Account", save=False)
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login_eid(certificate=card.pem)
    assert failure.value.exc_args[0] == "eid_unknown"


def test_refresh_publishes_only_when_accreditations_change(eid_identity, rpc_proxy, db, pki, register_url):
    card = pki.issue("Sofie", "Claes", save=False)
    proxy, session = logged_in(rpc_proxy, db)
    assert refusal(lambda: proxy.refresh_accreditations())[0] == "eid_required"
    proxy.link_eid(certificate=card.pem)
    before = len(db.events("accreditations_changed"))
    assert proxy.refresh_accreditations() == []
    assert len(db.events("accreditations_changed")) == before
    httpx.put(
        f"{register_url}/persons/{card.national_number}/accreditations",
        json={"accreditations": [{"kind": "sf323", "number": "SF-77"}, {"kind": "unknown", "number": "x"}]},
    )
    assert proxy.refresh_accreditations() == [{"kind": "sf323", "number": "SF-77", "valid_until": None}]
    assert db.events("accreditations_changed")[-1]["accreditations"] == [
        {"kind": "sf323", "number": "SF-77", "valid_until": None}
    ]
    assert rpc_proxy("identity").get_account(account_id=session["account_id"])["eid_linked"] is True


def test_belgian_trust_store_loads_and_refuses_test_cards(pki):
    from pathlib import Path

    from aww_identity.domain.eid import CertificateRefused, TrustStore

    specs = Path(__file__).resolve().parents[3].parent / "shared" / "specs" / "eid"
    store = TrustStore.from_paths([specs])
    assert len(store) == 5
    with pytest.raises(CertificateRefused) as refused:
        store.verify(pki.issue("Test", "Card", save=False).pem)
    assert refused.value.reason == "unknown_ca"


def test_national_number_rules():
    from datetime import date

    from aww_identity.domain import national_number as nn

    assert nn.parse("85073003328").birth_date == date(1985, 7, 30)
    assert nn.parse("85073003328").gender == "male"
    assert nn.parse("17073003384").birth_date == date(2017, 7, 30)
    assert nn.parse("98472899765").bis is True
    for bad in ("12345678901", "8507300332", "85073003329", "abcdefghijk"):
        assert not nn.is_valid(bad)
    for _ in range(200):
        born = date(1950 + uuid.uuid4().int % 70, 1 + uuid.uuid4().int % 12, 1 + uuid.uuid4().int % 28)
        made = nn.parse(nn.make(born, "female"))
        assert made.birth_date == born and made.gender == "female"

"""Accounts, activation, login, lockout, sessions and passwords against the real broker and database."""

import uuid

import eventlet
import pytest
from nameko.exceptions import RemoteError

PASSWORD = "correct horse battery"


def new_user(prefix="ann"):
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def register(rpc_proxy, username, email=None, **extra):
    data = dict(
        username=username,
        first_name="Ann",
        last_name="Peeters",
        email=email or f"{username}@example.com",
        password=PASSWORD,
        password_confirmation=PASSWORD,
        language="fr",
    )
    data.update(extra)
    return rpc_proxy("identity").register(**data)


def active_user(rpc_proxy, db, prefix="ann", **extra):
    username = new_user(prefix)
    register(rpc_proxy, username, **extra)
    rpc_proxy("identity").activate(username=username, code=db.last_code(f"{username}@example.com"))
    return username


def as_user(rpc_proxy, session):
    principal = rpc_proxy("identity").resolve_session(token=session["token"])
    return rpc_proxy("identity", context_data={"principal": principal}), principal


def test_register_sends_an_activation_code_in_the_accounts_language(identity, rpc_proxy, db):
    username = new_user()
    account = register(rpc_proxy, username)
    assert account["status"] == "pending"
    mails = db.mails_to(f"{username}@example.com")
    assert mails[0].subject == "Activez votre compte"
    assert username in mails[0].body_text
    assert db.events("account_registered")[-1]["username"] == username


def test_registration_errors_name_every_field_and_change_nothing(identity, rpc_proxy, db):
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").register(
            username="X",
            first_name="",
            last_name="P",
            email="not-an-address",
            password="short",
            password_confirmation="short",
            language="de",
        )
    assert failure.value.exc_type == "DomainError"
    fields = {error["field"] for error in failure.value.exc_args[2]["errors"]}
    assert fields == {"username", "first_name", "email", "password", "language"}
    assert db.rows("SELECT 1 FROM accounts WHERE username = 'x'") == []


def test_taken_username_is_a_conflict(identity, rpc_proxy):
    username = new_user()
    register(rpc_proxy, username)
    with pytest.raises(RemoteError) as failure:
        register(rpc_proxy, username)
    assert failure.value.exc_args[0] == "conflict"
    assert failure.value.exc_args[2]["errors"][0]["field"] == "username"


def test_account_is_usable_only_after_activation(identity, rpc_proxy, db):
    username = new_user()
    register(rpc_proxy, username)
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=username, password=PASSWORD)
    assert failure.value.exc_args[0] == "account_not_activated"
    rpc_proxy("identity").activate(username=username, code=db.last_code(f"{username}@example.com"))
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    assert session["token"].startswith("aww_s_")


def test_activation_code_is_single_use_and_limited_in_attempts(identity, rpc_proxy, db):
    username = new_user()
    register(rpc_proxy, username)
    code = db.last_code(f"{username}@example.com")
    for _ in range(5):
        with pytest.raises(RemoteError) as failure:
            rpc_proxy("identity").activate(username=username, code="AAAA-AAAA")
        assert failure.value.exc_args[0] == "invalid_code"
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").activate(username=username, code=code)  # right, but too late
    assert failure.value.exc_args[0] == "code_expired"
    rpc_proxy("identity").resend_activation(username=username)
    rpc_proxy("identity").activate(username=username, code=db.last_code(f"{username}@example.com"))
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").activate(username=username, code=db.last_code(f"{username}@example.com"))
    assert failure.value.exc_args[0] == "invalid_code"


def test_expired_activation_code_is_refused(identity, rpc_proxy, db):
    username = new_user()
    register(rpc_proxy, username)
    with db.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text(
                "UPDATE account_codes SET expires_at = now() - interval '1 minute' "
                "WHERE account_id = (SELECT id FROM accounts WHERE username = :u)"
            ),
            {"u": username},
        )
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").activate(username=username, code=db.last_code(f"{username}@example.com"))
    assert failure.value.exc_args[0] == "code_expired"


def test_wrong_password_and_unknown_user_look_the_same(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    for name, password in ((username, "wrong password!"), ("nobody-" + username, PASSWORD)):
        with pytest.raises(RemoteError) as failure:
            rpc_proxy("identity").login(username=name, password=password)
        assert failure.value.exc_args[:2] == ["invalid_credentials", "The username or password is wrong"]


def test_parallel_guesses_cannot_pass_the_lockout(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    outcomes = []

    def guess(i):
        try:
            rpc_proxy("identity", timeout=30).login(username=username, password=f"guess number {i}")
        except RemoteError as exc:
            outcomes.append(exc.exc_args[0])

    pool = eventlet.GreenPool(20)
    for i in range(20):
        pool.spawn(guess, i)
    pool.waitall()
    assert outcomes.count("invalid_credentials") == 5
    assert outcomes.count("account_locked") == 15
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=username, password=PASSWORD)  # even the right one waits
    assert failure.value.exc_args[0] == "account_locked"
    assert 0 < int(failure.value.exc_args[2]["retry_after"]) <= 15 * 60  # Nameko sends numbers as text


def test_lock_ends_by_itself_and_a_password_reset_lifts_it(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    for _ in range(5):
        with pytest.raises(RemoteError):
            rpc_proxy("identity").login(username=username, password="not the password")
    with db.engine.begin() as conn:
        from sqlalchemy import text

        conn.execute(
            text("UPDATE accounts SET locked_until = now() - interval '1 second' WHERE username = :u"), {"u": username}
        )
    assert rpc_proxy("identity").login(username=username, password=PASSWORD)["token"]
    for _ in range(5):
        with pytest.raises(RemoteError):
            rpc_proxy("identity").login(username=username, password="not the password")
    rpc_proxy("identity").request_password_reset(email=f"{username}@example.com")
    token = db.reset_link_token(f"{username}@example.com")
    rpc_proxy("identity").reset_password(
        token=token, new_password="a brand new secret", new_password_confirmation="a brand new secret"
    )
    assert rpc_proxy("identity").login(username=username, password="a brand new secret")["token"]


def test_session_resolves_until_logout(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, principal = as_user(rpc_proxy, session)
    assert principal["username"] == username and principal["display_name"] == "Ann Peeters"
    assert principal["organisation_id"] is None and principal["platform_admin"] is False
    assert principal["language"] == "fr"
    proxy.logout()
    assert rpc_proxy("identity").resolve_session(token=session["token"]) is None
    assert rpc_proxy("identity").resolve_session(token="aww_s_made-up") is None
    assert rpc_proxy("identity").resolve_session(token=None) is None


def test_idle_and_absolute_expiry(identity, rpc_proxy, db):
    from sqlalchemy import text

    username = active_user(rpc_proxy, db)
    idle = rpc_proxy("identity").login(username=username, password=PASSWORD)
    old = rpc_proxy("identity").login(username=username, password=PASSWORD)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE sessions SET last_seen_at = now() - interval '61 minutes' WHERE id = :i"),
            {"i": idle["session_id"]},
        )
        conn.execute(
            text("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = :i"), {"i": old["session_id"]}
        )
    assert rpc_proxy("identity").resolve_session(token=idle["token"]) is None
    assert rpc_proxy("identity").resolve_session(token=old["token"]) is None


def test_a_resolved_session_is_kept_alive_at_most_once_a_minute(identity, rpc_proxy, db):
    from sqlalchemy import text

    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE sessions SET last_seen_at = now() - interval '59 minutes' WHERE id = :i"),
            {"i": session["session_id"]},
        )
    assert rpc_proxy("identity").resolve_session(token=session["token"])["username"] == username
    seen = db.rows("SELECT now() - last_seen_at AS ago FROM sessions WHERE id = :i", i=session["session_id"])
    assert seen[0].ago.total_seconds() < 60  # touched: the session stays alive for another hour
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE sessions SET last_seen_at = now() - interval '30 seconds' WHERE id = :i"),
            {"i": session["session_id"]},
        )
    assert rpc_proxy("identity").resolve_session(token=session["token"])["username"] == username
    seen = db.rows("SELECT now() - last_seen_at AS ago FROM sessions WHERE id = :i", i=session["session_id"])
    assert seen[0].ago.total_seconds() >= 30  # seen less than a minute ago: not written again


def test_session_lookup_survives_the_database_closing_its_connections(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    for _ in range(3):  # the lookup keeps its connections open between calls
        assert rpc_proxy("identity").resolve_session(token=session["token"])["username"] == username
    closed = db.rows(
        "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    assert closed and all(row.done for row in closed)
    assert rpc_proxy("identity").resolve_session(token=session["token"])["username"] == username
    assert rpc_proxy("identity").resolve_session(token="aww_s_made-up") is None


def test_log_out_everywhere_and_password_change_revoke_every_session(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    first = rpc_proxy("identity").login(username=username, password=PASSWORD)
    second = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _ = as_user(rpc_proxy, first)
    assert len(proxy.list_sessions()) == 2
    with pytest.raises(RemoteError) as failure:
        proxy.change_password(current_password="wrong one", new_password="another good secret")
    assert failure.value.exc_args[2]["errors"][0]["field"] == "current_password"
    fresh = proxy.change_password(
        current_password=PASSWORD, new_password="another good secret", new_password_confirmation="another good secret"
    )
    assert rpc_proxy("identity").resolve_session(token=first["token"]) is None
    assert rpc_proxy("identity").resolve_session(token=second["token"]) is None
    assert rpc_proxy("identity").resolve_session(token=fresh["token"]) is not None
    assert db.mails_to(f"{username}@example.com")[-1].subject == "Votre mot de passe a été modifié"
    proxy, _ = as_user(rpc_proxy, fresh)
    proxy.logout_everywhere()
    assert rpc_proxy("identity").resolve_session(token=fresh["token"]) is None


def test_password_reset_never_says_whether_an_address_exists(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    assert rpc_proxy("identity").request_password_reset(email=f"{username}@example.com") is None
    assert rpc_proxy("identity").request_password_reset(email="nobody-at-all@example.com") is None
    assert db.mails_to("nobody-at-all@example.com") == []
    token = db.reset_link_token(f"{username}@example.com")
    rpc_proxy("identity").reset_password(
        token=token, new_password="reset secret 123", new_password_confirmation="reset secret 123"
    )
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").reset_password(token=token, new_password="another reset 123")
    assert failure.value.exc_args[0] == "code_expired"


def test_email_change_needs_the_code_sent_to_the_new_address(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    proxy, _ = as_user(rpc_proxy, rpc_proxy("identity").login(username=username, password=PASSWORD))
    new_address = f"new-{username}@example.org"
    proxy.request_email_change(new_email=new_address)
    assert proxy.get_profile()["email"] == f"{username}@example.com"  # the old one stays in force
    assert db.mails_to(f"{username}@example.com")[-1].subject == "Votre adresse e-mail va changer"
    with pytest.raises(RemoteError) as failure:
        proxy.confirm_email_change(code="ZZZZ-ZZZZ")
    assert failure.value.exc_args[0] == "invalid_code"
    proxy.confirm_email_change(code=db.last_code(new_address))
    profile = proxy.get_profile()
    assert profile["email"] == new_address and profile["pending_email"] is None


def test_profile_edit_and_events(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    proxy, _ = as_user(rpc_proxy, rpc_proxy("identity").login(username=username, password=PASSWORD))
    profile = proxy.update_profile(first_name="Anna", language="nl", phone="+32 470 12 34 56")
    assert (profile["first_name"], profile["language"]) == ("Anna", "nl")
    event = db.events("account_profile_changed")[-1]
    assert event == {
        "account_id": profile["account_id"],
        "first_name": "Anna",
        "last_name": "Peeters",
        "language": "nl",
    }
    with pytest.raises(RemoteError) as failure:
        proxy.update_profile(email="sneaky@example.com")
    assert failure.value.exc_args[2]["errors"][0]["field"] == "email"


def test_platform_administrator_from_configuration(identity, rpc_proxy, db):
    username = "boss"
    register(rpc_proxy, username, email="boss@example.com")
    rpc_proxy("identity").activate(username=username, code=db.last_code("boss@example.com"))
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    assert rpc_proxy("identity").resolve_session(token=session["token"])["platform_admin"] is True


def test_active_organisation_is_set_only_for_the_callers_session_and_cleared_on_removal(identity, rpc_proxy, db):
    from servicekit.outbox import add_event  # noqa: F401  (documentation: organisation publishes the event)

    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    other = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _principal = as_user(rpc_proxy, session)
    organisation = str(uuid.uuid4())
    with pytest.raises(RemoteError) as failure:
        proxy.set_session_organisation(session_id=other["session_id"], organisation_id=organisation)
    assert failure.value.exc_args[0] == "forbidden"
    proxy.set_session_organisation(session_id=session["session_id"], organisation_id=organisation)
    assert rpc_proxy("identity").resolve_session(token=session["token"])["organisation_id"] == organisation


def test_get_accounts_for_other_services(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    account_id = session["account_id"]
    found = rpc_proxy("identity").get_accounts(account_ids=[account_id, str(uuid.uuid4())])
    assert found == [
        {
            "account_id": account_id,
            "username": username,
            "first_name": "Ann",
            "last_name": "Peeters",
            "email": f"{username}@example.com",
            "language": "fr",
            "status": "active",
            "eid_linked": False,
            "accreditations": [],
        }
    ]
    assert rpc_proxy("identity").get_account(account_id=account_id)["username"] == username


def test_deactivate_then_reactivate_by_password_reset(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _ = as_user(rpc_proxy, session)
    proxy.deactivate_account(password=PASSWORD)
    assert rpc_proxy("identity").resolve_session(token=session["token"]) is None
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=username, password=PASSWORD)
    assert failure.value.exc_args[0] == "account_deactivated"
    assert db.events("account_deactivated")[-1] == {"account_id": session["account_id"]}


def test_delete_anonymises_an_account_that_was_active(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _ = as_user(rpc_proxy, session)
    assert proxy.delete_account(password=PASSWORD) == {"outcome": "anonymised"}
    row = db.rows(
        "SELECT username, email, first_name, status, password_hash FROM accounts WHERE id = :i", i=session["account_id"]
    )[0]
    assert row.username.startswith("anonymised-") and row.email is None and row.password_hash is None
    assert row.status == "anonymised" and row.first_name == "Anonymised"
    assert db.events("account_anonymised")[-1] == {"account_id": session["account_id"]}
    assert rpc_proxy("identity").resolve_session(token=session["token"]) is None


def test_ended_membership_clears_the_active_organisation_of_every_session(identity, rpc_proxy, db, amqp_uri):
    import time

    import kombu

    from aww_contracts.envelope import make_envelope

    username = active_user(rpc_proxy, db)
    session = rpc_proxy("identity").login(username=username, password=PASSWORD)
    proxy, _ = as_user(rpc_proxy, session)
    organisation = str(uuid.uuid4())
    proxy.set_session_organisation(session_id=session["session_id"], organisation_id=organisation)

    def publish(status, version):
        data = {
            "organisation_id": organisation,
            "account_id": session["account_id"],
            "membership_status": status,
            "admin": False,
            "tools": {},
            "version": version,
        }
        envelope = make_envelope("organisation", "access_changed", data, correlation_id="test")
        with kombu.Connection(amqp_uri) as conn:
            exchange = kombu.Exchange("organisation.events", type="topic", durable=True)
            conn.Producer(serializer="json").publish(
                envelope, exchange=exchange, routing_key="access_changed", declare=[exchange]
            )
        return envelope

    publish("confirmed", 1)
    time.sleep(0.5)
    assert rpc_proxy("identity").resolve_session(token=session["token"])["organisation_id"] == organisation
    publish("removed", 2)
    deadline = time.monotonic() + 10
    while rpc_proxy("identity").resolve_session(token=session["token"])["organisation_id"] is not None:
        assert time.monotonic() < deadline, "the active organisation was not cleared"
        time.sleep(0.1)


def test_proposed_username_is_free_and_made_from_the_names(identity, rpc_proxy, db):
    first = rpc_proxy("identity").propose_username(first_name="Zoë", last_name="D'Hondt")["username"]
    assert first == "zoe.dhondt"
    register(rpc_proxy, first)
    assert rpc_proxy("identity").propose_username(first_name="Zoë", last_name="D'Hondt")["username"] == "zoe.dhondt2"


def test_a_stranger_cannot_lock_the_owner_out_of_a_known_device(identity, rpc_proxy, db):
    username = active_user(rpc_proxy, db)
    device_token = rpc_proxy("identity").login(username=username, password=PASSWORD)["device_token"]
    assert device_token.startswith("aww_d_")
    for _ in range(5):
        with pytest.raises(RemoteError):
            rpc_proxy("identity").login(username=username, password="a stranger guessing")
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=username, password=PASSWORD)
    assert failure.value.exc_args[0] == "account_locked"  # for clients the account does not know
    session = rpc_proxy("identity").login(username=username, password=PASSWORD, device_token=device_token)
    assert session["device_token"] is None  # the browser keeps the one it has
    assert rpc_proxy("identity").resolve_session(token=session["token"])["username"] == username
    # the known device has its own counter: guessing from it locks it too
    for _ in range(5):
        with pytest.raises(RemoteError):
            rpc_proxy("identity").login(username=username, password="typo typo typo", device_token=device_token)
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=username, password=PASSWORD, device_token=device_token)
    assert failure.value.exc_args[0] == "account_locked"
    other_user = active_user(rpc_proxy, db)  # a device token of another account counts as no device
    with pytest.raises(RemoteError) as failure:
        rpc_proxy("identity").login(username=other_user, password="wrong wrong wrong", device_token=device_token)
    assert failure.value.exc_args[0] == "invalid_credentials"


def test_registrations_never_activated_are_deleted_after_a_week(identity, rpc_proxy, db):
    from nameko.testing.services import entrypoint_hook
    from sqlalchemy import text

    username = new_user("stale")
    account = register(rpc_proxy, username)
    fresh = register(rpc_proxy, new_user("fresh"))
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE accounts SET created_at = now() - interval '8 days' WHERE username = :u"), {"u": username}
        )
    with entrypoint_hook(identity, "purge_unactivated") as purge:
        purge()
    assert db.rows("SELECT 1 FROM accounts WHERE id = :i", i=account["account_id"]) == []
    assert db.rows("SELECT 1 FROM accounts WHERE id = :i", i=fresh["account_id"]) != []
    assert {"account_id": account["account_id"]} in db.events("account_anonymised")

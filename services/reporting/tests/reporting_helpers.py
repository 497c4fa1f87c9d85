"""Shared helpers of the reporting tests: feed the access read model, wait for a condition."""

from __future__ import annotations

import time
import uuid

import kombu

from aww_contracts.envelope import make_envelope

RECEIPT = {
    "reference": "C-0001",
    "operation": "charge",
    "issued_at": "2026-11-26T10:00:00+00:00",
    "description": {"nl": "Waakzaamheidsberekening", "fr": "Calcul de vigilance", "en": "Vigilance calculation"},
    "amount_excl_vat_cents": 1900,
    "vat_cents": 399,
    "amount_incl_vat_cents": 2299,
    "vat_rate": "21",
    "paid_by": "wallet",
    "balance_after_cents": 7701,
    "organisation": {"name": "Immo Zoë", "enterprise_number": "0403019261"},
}


def publish_access(amqp_uri, organisation_id, account_id, *, version=None, status="confirmed", tools=None, admin=False):
    data = {
        "organisation_id": organisation_id,
        "account_id": account_id,
        "membership_status": status,
        "admin": admin,
        "tools": tools if tools is not None else {"aml": "user"},
        "display_name": "Test Member",
        "version": version or time.time_ns() // 1000,
    }
    envelope = make_envelope("organisation", "access_changed", data)
    with kombu.Connection(amqp_uri) as conn:
        conn.Producer(serializer="json").publish(envelope, exchange="organisation.events", routing_key="access_changed")


def wait_until(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # the condition may not hold yet
            last = exc
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}: {last!r}")


def principal(account_id, organisation_id=None, platform_admin=False):
    return {
        "principal": {
            "account_id": account_id,
            "session_id": str(uuid.uuid4()),
            "organisation_id": organisation_id,
            "platform_admin": platform_admin,
        }
    }


def new_office_member(amqp_uri, rpc_proxy):
    """A fresh organisation with one confirmed member, known to reporting's read model."""
    organisation, member = str(uuid.uuid4()), str(uuid.uuid4())
    publish_access(amqp_uri, organisation, member)
    as_member = rpc_proxy("reporting", principal(member, organisation))
    wait_until(lambda: as_member.list_documents(organisation_id=organisation) == [], what="membership")
    return organisation, member, as_member

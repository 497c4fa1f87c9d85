"""How the gateway answers a service's error (contracts/RPC.md, Errors): documented domain errors
with their own status and details, Nameko's own errors with theirs, anything else as a 500 that
shows nothing of the exception."""

import logging

import pytest

from aww_gateway.problems import problem_from_rpc_error
from aww_gateway.rpc_client import RemoteError, RpcTimeout, ServiceUnavailable


def remote(exc_type: str, exc_path: str, exc_args: list, value: str = "") -> RemoteError:
    error = {"exc_type": exc_type, "exc_path": exc_path, "exc_args": exc_args, "value": value}
    return RemoteError("wallet", "charge", error)


def test_a_documented_domain_error_keeps_its_status_message_and_details():
    problem = problem_from_rpc_error(
        remote(
            "DomainError",
            "aww_contracts.errors.DomainError",
            ["insufficient_funds", "The wallet lacks EUR 12.30", {"missing_cents": 1230}],
        )
    )
    assert (problem.code, problem.status, problem.detail) == ("insufficient_funds", 402, "The wallet lacks EUR 12.30")
    assert problem.extra == {"missing_cents": 1230}


@pytest.mark.parametrize(
    ("exc_type", "code", "status"),
    [("MethodNotFound", "bad_gateway", 502), ("IncorrectSignature", "invalid_arguments", 400),
     ("MalformedRequest", "invalid_arguments", 400)],
)  # fmt: skip
def test_namekos_own_errors_have_their_own_answer(exc_type, code, status):
    problem = problem_from_rpc_error(remote(exc_type, f"nameko.exceptions.{exc_type}", ["charge"]))
    assert (problem.code, problem.status) == (code, status)


@pytest.mark.parametrize(
    "error",
    [
        remote("KeyError", "builtins.KeyError", ["secret-column"], "secret-column"),
        remote("DomainError", "aww_contracts.errors.DomainError", ["made_up_code", "leaks?", {}]),
    ],
)
def test_anything_else_is_a_500_that_shows_nothing_of_the_exception(error, caplog):
    with caplog.at_level(logging.ERROR):
        problem = problem_from_rpc_error(error)
    assert (problem.code, problem.status) == ("internal_error", 500)
    assert problem.detail == "An unexpected error occurred" and problem.extra == {}
    assert "wallet.charge" in caplog.text  # the log names where it came from


def test_transport_failures_name_the_service():
    unavailable = problem_from_rpc_error(ServiceUnavailable("wallet", "the service is not running"))
    late = problem_from_rpc_error(RpcTimeout("wallet", "charge", 2.0))
    assert (unavailable.code, unavailable.status, unavailable.extra) == (
        "service_unavailable",
        503,
        {"service": "wallet"},
    )
    assert (late.code, late.status, late.extra) == ("upstream_timeout", 504, {"service": "wallet"})

"""Wire contracts of the platform: pure data plus a tiny validation helper.

Nothing here imports Nameko or eventlet: the gateway, the services and other tools all read it.
"""

from aww_contracts.envelope import make_envelope, validate_envelope, validate_event
from aww_contracts.errors import DomainError, error_spec, known_error_codes

__all__ = [
    "DomainError",
    "error_spec",
    "known_error_codes",
    "make_envelope",
    "validate_envelope",
    "validate_event",
]

"""No credential or session id in logs, inventories, gap details or error messages."""

from __future__ import annotations

import logging

import pytest

from scanner.errors import AuthenticationError
from tests.adapters.salesforce.conftest import SCOPE, Progress, make_adapter
from tests.emulators.salesforce import Fault, SalesforceEmulator


def test_no_secret_in_logs_inventory_or_gaps(
    emulator: SalesforceEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    creds = emulator.credentials
    # The org echoes the session id back in an error message; it must not reach a gap.
    emulator.faults.append(
        Fault(
            "FROM UserRole",
            status=400,
            code="MALFORMED_QUERY",
            message=f"bad session {creds.access_token} in request",
        )
    )
    caplog.set_level(logging.DEBUG)
    inventories = [
        make_adapter(emulator).collect(SCOPE, Progress()),
        make_adapter(
            emulator,
            username=creds.username,
            password=creds.password,
            security_token=creds.security_token,
        ).collect(SCOPE, Progress()),
    ]
    issued = {r.authorization[len("Bearer ") :] for r in emulator.log if r.authorization}
    assert len(issued) == 2  # the given token and the session from the SOAP login
    secrets = issued | {creds.access_token, creds.password, creds.security_token}
    gap = inventories[0].gap_for("roles")
    assert gap is not None and "[REDACTED]" in gap.detail
    dumps = [inv.model_dump_json() for inv in inventories]
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret not in dump for dump in dumps)
    assert caplog.records  # something was logged, and none of it held a secret


def test_no_secret_in_authentication_errors(emulator: SalesforceEmulator) -> None:
    creds = emulator.credentials
    adapter = make_adapter(
        emulator,
        username=creds.username,
        password="wrong-password-123",
        security_token=creds.security_token,
    )
    with pytest.raises(AuthenticationError) as caught:
        adapter.collect(SCOPE, Progress())
    message = str(caught.value)
    assert "INVALID_LOGIN" in message
    for secret in ("wrong-password-123", creds.security_token, creds.password):
        assert secret not in message

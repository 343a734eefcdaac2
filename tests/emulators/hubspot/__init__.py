"""A loopback emulator of the HubSpot APIs the HubSpot adapter reads."""

from tests.emulators.hubspot.account import (
    SERVICE_KEY,
    TOKEN,
    Account,
    large_account,
    sample_account,
)
from tests.emulators.hubspot.server import (
    HubSpotEmulator,
    error_body,
    missing_scopes_body,
    rate_limit_body,
)

__all__ = [
    "SERVICE_KEY",
    "TOKEN",
    "Account",
    "HubSpotEmulator",
    "error_body",
    "large_account",
    "missing_scopes_body",
    "rate_limit_body",
    "sample_account",
]

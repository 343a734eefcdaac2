"""Every error crmscan raises on purpose, in one small hierarchy.

::

    CrmscanError                    base class; `exit_code` says how the CLI ends
    ├── ConfigError                 bad usage or configuration (exit 2)
    │   ├── InputFileError          a check, policy, snapshot or config file is malformed:
    │   │                           names the file, line and field
    │   ├── OutputFileError         a report, snapshot, history, evidence or key file cannot
    │   │                           be written safely (a planted link, an existing key)
    │   └── UnreachableHostError    no connection to the CRM host before any call succeeded
    │                               (DNS, refused, TLS handshake, connect timeout)
    ├── AuthenticationError         the CRM refused the credentials (exit 2)
    ├── WriteRefusedError           a request that is not an allowlisted read was stopped
    │                               before it was sent (an adapter bug; exit 2)
    ├── TargetBusyError             another worker or process holds the target's scan lock
    │                               (posture store; nothing was scanned, retry later; exit 2)
    └── CollectionError             an adapter could not collect something (becomes a gap)
        ├── PermissionMissingError  the API user lacks a permission or scope
        ├── RateLimitedError        rate limit or API allowance exhausted after retries
        ├── ApiReserveReachedError  stopped to keep the policy's share of the daily API calls
        ├── ApiError                HTTP error, timeout or unreachable host
        │   └── DeadlineReachedError  the scan's --timeout passed before this was collected
        ├── MalformedResponseError  truncated or invalid API response
        └── NotAvailableError       the object, field or feature does not exist there

Adapters turn `CollectionError`s into inventory gaps and keep collecting; the engine turns
gaps into ERROR findings. `ConfigError` and `AuthenticationError` stop a scan before it
starts. Messages never contain secrets: build them with `scanner.redact.redact` when they
quote anything that came from a request.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model.inventory import GapReason

EXIT_OK = 0
EXIT_GATE_FAILED = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3


class CrmscanError(Exception):
    """Base class of every error crmscan raises deliberately."""

    exit_code: int = EXIT_USAGE


class ConfigError(CrmscanError):
    """Bad command-line usage or configuration; nothing was scanned."""


@dataclass(frozen=True)
class FileLocation:
    """Where in an input file a problem is: file path, 1-based line, JSON pointer."""

    path: str
    line: int | None = None
    pointer: str = ""

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.pointer:
            where += f" at {self.pointer}"
        return where


class InputFileError(ConfigError):
    """A check, policy, snapshot or targets file is malformed."""

    def __init__(self, location: FileLocation, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"{location}: {problem}")


class OutputFileError(ConfigError):
    """A file cannot be written, or only by following a link planted where it goes."""


class UnreachableHostError(ConfigError):
    """No connection could be made to the CRM host, and no call had succeeded yet.

    Nothing was scanned: a wrong ``--base-url``, DNS, a firewall or an untrusted
    certificate. Retrying would only delay the same answer.
    """


class AuthenticationError(CrmscanError):
    """The CRM rejected the credentials, or none were given."""


class WriteRefusedError(CrmscanError):
    """A request that is not a GET or an allowlisted read was stopped before it was sent.

    crmscan never writes to a CRM; reaching this is a bug in an adapter.
    """


class TargetBusyError(CrmscanError):
    """The target is being scanned elsewhere: its lock in the posture store is taken.

    Raised at once (the lock is never waited for) by
    `scanner.store.PostureStore.target_lock`; nothing was scanned, so retry later.
    """


class CollectionError(CrmscanError):
    """An adapter could not collect one part of the inventory.

    `gap_reason` is the inventory gap reason the adapter records for it.
    """

    gap_reason: GapReason = GapReason.API_ERROR


class PermissionMissingError(CollectionError):
    """The scanning identity lacks an API permission or OAuth scope."""

    gap_reason = GapReason.PERMISSION_MISSING


class RateLimitedError(CollectionError):
    """A rate limit or the daily API allowance stopped collection, after retries."""

    gap_reason = GapReason.RATE_LIMITED


class ApiReserveReachedError(CollectionError):
    """Collection stopped so the tenant keeps its configured share of the daily API calls."""

    gap_reason = GapReason.API_LIMIT_RESERVE


class NotAvailableError(CollectionError):
    """The object, field or feature does not exist on this tenant, edition or API version."""

    gap_reason = GapReason.NOT_AVAILABLE


class ApiError(CollectionError):
    """HTTP error, timeout or unreachable host, after retries."""

    gap_reason = GapReason.API_ERROR


class DeadlineReachedError(ApiError):
    """The whole-scan deadline (``--timeout``) passed; what was left is not collected."""


class MalformedResponseError(CollectionError):
    """The API answered with truncated or invalid data."""

    gap_reason = GapReason.MALFORMED_RESPONSE


__all__ = [
    "EXIT_GATE_FAILED",
    "EXIT_INCOMPLETE",
    "EXIT_OK",
    "EXIT_USAGE",
    "ApiError",
    "ApiReserveReachedError",
    "AuthenticationError",
    "CollectionError",
    "ConfigError",
    "CrmscanError",
    "DeadlineReachedError",
    "FileLocation",
    "InputFileError",
    "MalformedResponseError",
    "NotAvailableError",
    "OutputFileError",
    "PermissionMissingError",
    "RateLimitedError",
    "TargetBusyError",
    "UnreachableHostError",
    "WriteRefusedError",
]

"""A wire-faithful Fxiaoke (纷享销客) open-API emulator on loopback HTTPS."""

from __future__ import annotations

from tests.emulators.fxiaoke.api import (
    DEPARTMENT_LIST,
    READ_PATHS,
    ROLE_LIST,
    ROLE_USERS,
    TOKEN_PATH,
    USER_LIST,
    WRITE_PATHS,
    FakeClock,
    OpenApi,
    envelope,
)
from tests.emulators.fxiaoke.enterprise import (
    ROOT_DEPARTMENT_ID,
    Credentials,
    CrmRole,
    Department,
    Employee,
    Enterprise,
    large_enterprise,
    sample_enterprise,
)
from tests.emulators.fxiaoke.server import FxiaokeEmulator, Request

__all__ = [
    "DEPARTMENT_LIST",
    "READ_PATHS",
    "ROLE_LIST",
    "ROLE_USERS",
    "ROOT_DEPARTMENT_ID",
    "TOKEN_PATH",
    "USER_LIST",
    "WRITE_PATHS",
    "Credentials",
    "CrmRole",
    "Department",
    "Employee",
    "Enterprise",
    "FakeClock",
    "FxiaokeEmulator",
    "OpenApi",
    "Request",
    "envelope",
    "large_enterprise",
    "sample_enterprise",
]

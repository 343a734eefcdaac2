"""Generate a normalized inventory of any size, with a few planted problems.

Used by the engine benchmark (100,000 users, 5,000 permission sets) and by tests that
need a large inventory. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from scanner.model.inventory import (
    Auth,
    Encryption,
    EncryptionKey,
    FieldEncryption,
    HealthCheck,
    HealthCheckRisk,
    Integration,
    Inventory,
    IpRange,
    LoginSummary,
    Mfa,
    Monitoring,
    PasswordPolicy,
    PermissionSet,
    Role,
    SessionPolicy,
    Tenant,
    User,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
ADMIN = ["users.manage", "setup.customize", "data.modify_all", "data.view_all", "api.enabled"]
STANDARD = ["api.enabled", "data.export"]


def make_inventory(users: int = 50, permission_sets: int = 12, seed: int = 7) -> Inventory:
    """An inventory with ``users`` users and ``permission_sets`` permission sets."""
    rng = random.Random(seed)
    sets = [
        PermissionSet(
            id=f"0PS{i:012d}",
            name=f"PermSet {i}",
            kind="profile" if i < 4 else "permission_set",
            custom=i >= 2,
            permissions=ADMIN if i == 0 else rng.sample(STANDARD + ["data.view_all"], 2),
            assignee_count=rng.randint(0, 50),
            active_assignee_count=rng.randint(0, 40),
            login_ip_ranges=[IpRange(start="10.0.0.0", end="10.0.255.255")] if i == 0 else [],
        )
        for i in range(permission_sets)
    ]
    population = [
        _user(i, rng, admin=(i % 20 == 0), integration=(i % 97 == 5)) for i in range(users)
    ]
    return Inventory(
        tenant=Tenant(
            platform="salesforce",
            id="00D000000000001",
            name="Synthetic Org",
            edition="Enterprise Edition",
            is_sandbox=False,
            collected_at=NOW,
        ),
        users=population,
        permission_sets=sets,
        roles=[Role(id=f"00E{i:012d}", name=f"Role {i}", parent_id=None) for i in range(10)],
        field_permissions=[],
        auth=Auth(
            mfa_enforced=True,
            sso_enforced=False,
            password_policy=PasswordPolicy(
                min_length=12,
                complexity="upper_lower_numeric",
                expiry_days=90,
                history=5,
                lockout_attempts=5,
                lockout_minutes=30,
            ),
            session_policy=SessionPolicy(
                timeout_minutes=720,
                lock_to_ip=False,
                lock_to_domain=True,
                http_only=True,
                force_logout_on_timeout=True,
                require_https=True,
            ),
            trusted_networks=[],
        ),
        encryption=Encryption(
            at_rest_enabled=True,
            deterministic_enabled=False,
            keys=[
                EncryptionKey(
                    id="02G1",
                    type="Data",
                    status="active",
                    version=1,
                    created_at=NOW - timedelta(days=100),
                )
            ],
            fields=[
                FieldEncryption(name="Contact.SSN__c", encrypted=False, scheme="none", exists=True),
                FieldEncryption(
                    name="Account.BankAccount__c",
                    encrypted=True,
                    scheme="probabilistic",
                    exists=True,
                ),
            ],
        ),
        integrations=[
            Integration(
                id="0H41",
                name="Data Loader",
                kind="connected_app",
                admin_approved_only=False,
                refresh_token_policy="infinite",
            )
        ],
        health_check=HealthCheck(
            score=72.0,
            risks=[
                HealthCheckRisk(
                    setting="SessionTimeout",
                    risk_type="HIGH_RISK",
                    org_value="12 hours",
                    standard_value="2 hours",
                )
            ],
        ),
        monitoring=Monitoring(login_history_days=180, audit_log_days=180),
    )


def _user(i: int, rng: random.Random, admin: bool, integration: bool) -> User:
    stale = i % 50 == 0
    last = NOW - timedelta(days=200 if stale else rng.randint(0, 30))
    permissions = list(ADMIN) if admin or integration else list(STANDARD)
    enrolled = rng.random() > 0.05 and not (admin and i % 40 == 0)
    return User(
        id=f"005{i:012d}",
        username=f"user{i}@synthetic.example",
        name=f"User {i}",
        email=f"user{i}@synthetic.example",
        active=True,
        kind="integration" if integration else "human",
        created_at=NOW - timedelta(days=400),
        last_login_at=last,
        never_logged_in=False,
        profile="System Administrator" if admin else "Sales User",
        permission_sets=[],
        permissions=permissions,
        raw_permissions=[],
        grants=[],
        mfa=Mfa(
            status="enrolled" if enrolled else "not_enrolled",
            methods=["totp"] if enrolled else [],
            phishing_resistant=False,
        ),
        sso=False,
        login=LoginSummary(
            window_days=30,
            successes=rng.randint(1, 60),
            successes_without_mfa=0,
            failures=rng.randint(0, 3),
            max_failures_per_hour=rng.randint(0, 3),
        ),
    )

"""How many requests the Dynamics 365 adapter sends for a large environment, against the minimum.

Serves the sample tenant grown to ``--users`` system users (each with an Entra user, a
registration record and sign-in activity) from the loopback emulator, runs a full
collection, and prints per listing the pages requested and the fewest pages the services'
page sizes allow (Dataverse 5,000 rows, Graph users 120 with signInActivity,
registration details as the emulator serves them), plus the time taken. Run from the
repository root::

    python benchmarks/bench_dynamics_collect.py [--users N]
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.dynamics import DynamicsAdapter  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.dynamics import DynamicsEmulator, Environment  # noqa: E402
from tests.emulators.dynamics import graph as emulated_graph  # noqa: E402


def grow(env: Environment, users: int) -> None:
    """Add salespeople until the environment has ``users`` system users."""
    template = next(u for u in env.tables["systemusers"] if u["fullname"] == "Maya Cohen")
    roles = [r for u, r in env.pairs["systemuserroles"] if u == template["systemuserid"]]
    graph_user = next(
        g for g in env.graph_users if g["id"] == template["azureactivedirectoryobjectid"]
    )  # noqa: E501
    registration = next(r for r in env.registrations if r["id"] == graph_user["id"])
    for index in range(users - len(env.tables["systemusers"])):
        user_id, object_id = str(uuid.uuid4()), str(uuid.uuid4())
        upn = f"seller{index}@fabrikam-outdoors.example"
        env.tables["systemusers"].append(
            {**template, "systemuserid": user_id, "domainname": upn,
             "internalemailaddress": upn, "azureactivedirectoryobjectid": object_id}
        )  # fmt: skip
        env.pairs["systemuserroles"].extend((user_id, role) for role in roles)
        env.graph_users.append(
            {**copy.deepcopy(graph_user), "id": object_id, "userPrincipalName": upn}
        )  # noqa: E501
        env.registrations.append({**registration, "id": object_id, "userPrincipalName": upn})


def pages(rows: int, size: int) -> int:
    """The fewest pages for ``rows`` (an empty listing is one page)."""
    return max(1, math.ceil(rows / size))


def main() -> int:
    """Run the benchmark; exit 1 when a listing used more pages than the minimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=12_000)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    env = Environment.sample(now)
    grow(env, args.users)
    with DynamicsEmulator(env) as emulator, tempfile.TemporaryDirectory() as tmp:
        os.environ["SSL_CERT_FILE"] = os.environ["REQUESTS_CA_BUNDLE"] = emulator.ca_file(tmp)
        settings = {
            "environment_url": emulator.environment_url,
            "authority_host": emulator.authority_url,
            "graph_url": emulator.graph_url,
            "tenant_id": env.tenant_id,
            "client_id": env.app.client_id,
            "client_secret": env.app.client_secret,
        }
        adapter = DynamicsAdapter(AdapterSettings(settings), clock=lambda: now)
        started = time.perf_counter()
        inventory = adapter.collect(CollectionScope(), NullProgress())
        elapsed = time.perf_counter() - started
    got = inventory.extra["dynamics"]["pages"]
    expected = {
        "systemusers": pages(len(env.tables["systemusers"]), 5000),
        "roleprivilegescollection": pages(len(env.tables["roleprivilegescollection"]), 5000),
        "teams": pages(len(env.tables["teams"]), 5000),
        "/v1.0/users": pages(len(env.graph_users), emulated_graph.SIGN_IN_MAX_PAGE),
        "/v1.0/reports/authenticationMethods/userRegistrationDetails": pages(
            len(env.registrations), emulated_graph.REGISTRATION_PAGE
        ),
    }
    print(f"{len(inventory.users or [])} users collected in {elapsed:.2f} s, "
          f"{inventory.api_usage.requests if inventory.api_usage else '?'} requests, "
          f"{len(inventory.gaps)} gaps")  # fmt: skip
    worse = 0
    for listing, minimum in expected.items():
        used = got.get(listing, 0)
        worse += used > minimum
        print(f"  {listing:60} pages {used:4}  minimum {minimum:4}")
    return 1 if worse else 0


if __name__ == "__main__":
    raise SystemExit(main())

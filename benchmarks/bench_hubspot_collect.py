"""How many API pages the HubSpot adapter uses for a large account, against the minimum.

Serves an account with 20,000 users (each a CRM owner) and 90 days of login activity
from the loopback emulator, which enforces HubSpot's burst limit (190 requests per
rolling 10 seconds) in real time, runs a full collection and prints, per paged
collection, the pages requested and the fewest pages the page sizes allow (users and
owners 100 per page, login and security activity 200 per page), and the time spent
waiting for the burst window. Run from the repository root::

    python benchmarks/bench_hubspot_collect.py [--users N] [--logins N]
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.hubspot import HubSpotAdapter  # noqa: E402
from adapters.hubspot.adapter import ACTIVITY_PAGE_LIMIT, OWNERS_PAGE_LIMIT  # noqa: E402
from adapters.hubspot.sdk import USERS_PAGE_LIMIT  # noqa: E402
from scanner.adapter_api import AdapterSettings, CollectionScope, NullProgress  # noqa: E402
from tests.emulators.hubspot import TOKEN, HubSpotEmulator, large_account  # noqa: E402


def minimum_pages(items: int, page_limit: int) -> int:
    """The fewest pages that can carry ``items`` results (an empty listing is one page)."""
    return max(1, math.ceil(items / page_limit))


def main() -> int:
    """Run the benchmark; exit 1 if any collection used more pages than the minimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--logins", type=int, default=150_000, help="login events in 90 days")
    args = parser.parse_args()

    now = datetime.now(timezone.utc)
    emulator = HubSpotEmulator(large_account(now, users=args.users, logins=args.logins)).start()
    ca_dir = tempfile.TemporaryDirectory()
    os.environ["SSL_CERT_FILE"] = emulator.ca_file(ca_dir.name)  # HTTPS only: trust its CA
    os.environ.pop("REQUESTS_CA_BUNDLE", None)
    waited = [0.0]

    def sleep(seconds: float) -> None:
        waited[0] += seconds
        time.sleep(seconds)

    try:
        adapter = HubSpotAdapter(
            AdapterSettings({"access_token": TOKEN, "base_url": emulator.url}),
            clock=lambda: now,
            sleep=sleep,
        )
        started = time.perf_counter()
        inventory = adapter.collect(CollectionScope(), NullProgress())
        elapsed = time.perf_counter() - started
        owners = [r for r in emulator.requests if r.path == "/crm/v3/owners"]
        served = {
            "users": emulator.pages_served("/settings/v3/users"),
            "owners": sum(1 for r in owners if r.query.get("archived") != "true"),
            "owners_archived": sum(1 for r in owners if r.query.get("archived") == "true"),
            "login_activity": emulator.pages_served("/account-info/v3/activity/login"),
            "security_activity": emulator.pages_served("/account-info/v3/activity/security"),
        }
        account = emulator.account
    finally:
        emulator.stop()
        ca_dir.cleanup()

    archived = sum(1 for o in account.owners if o.get("archived"))
    rows = [
        ("users", args.users, USERS_PAGE_LIMIT),
        ("owners", len(account.owners) - archived, OWNERS_PAGE_LIMIT),
        ("owners_archived", archived, OWNERS_PAGE_LIMIT),
        ("login_activity", args.logins, ACTIVITY_PAGE_LIMIT),
        ("security_activity", len(account.security), ACTIVITY_PAGE_LIMIT),
    ]
    print(f"HubSpot collection: {args.users:,} users, {args.logins:,} login events (90 days)")
    print(f"{'collection':<18}{'items':>10}{'per page':>10}{'pages used':>12}{'minimum':>10}")
    over = False
    for name, items, limit in rows:
        used = adapter.calls.pages.get(name, 0)
        minimum = minimum_pages(items, limit)
        over |= used > minimum or served[name] != used
        print(f"{name:<18}{items:>10,}{limit:>10}{used:>12,}{minimum:>10,}")
    print(f"requests: {adapter.calls.requests:,}  retries: {adapter.calls.retries}  "
          f"time: {elapsed:.1f}s (of which {waited[0]:.0f}s waiting for the burst window)  "
          f"users collected: {len(inventory.users or []):,}")  # fmt: skip
    print("gaps:", ", ".join(sorted(g.collection for g in inventory.gaps if g.reason.value
                                    not in ("no_api", "not_available"))) or "none")  # fmt: skip
    print("RESULT:", "more pages than the minimum" if over else "minimum pages")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The issue's end-to-end check: a fleet of emulated orgs scanned by two Celery workers
into PostgreSQL; after a planted change the second scan reports exactly the new and fixed
findings, and a webhook receiver on loopback gets the new critical finding.

Everything real: Redis and PostgreSQL on loopback, `crmscan worker` processes, `crmscan
enqueue`, the HubSpot adapter over HTTPS to the emulators, webhooks over HTTP.
"""

from __future__ import annotations

from pathlib import Path

import trustme

from scanner.store import open_store
from scanner.store.queries import diff_scans
from tests.emulators.hubspot import TOKEN, HubSpotEmulator
from tests.emulators.webhook import WebhookReceiver
from tests.scanner.workers.conftest import targets_file
from tests.scanner.workers.harness import Broker, Workers, crmscan, wait_until, worker_env

BOB, CAROL = "1003", "1004"  # sample account users (tests.emulators.hubspot.account)


def _keys(findings: list[dict]) -> set[tuple[str, str, str]]:
    return {(f["check_id"], f["resource"]["type"], str(f["resource"]["id"])) for f in findings}


def test_two_workers_postgres_planted_change_and_webhook(
    orgs: list[HubSpotEmulator],
    ca: tuple[trustme.CA, str],
    store_url: str,
    broker: Broker,
    tmp_path: Path,
    workers_dir: Path,
    workers_factory: list[Workers],
) -> None:
    with WebhookReceiver() as hook:
        env = worker_env(
            store_url,
            broker,
            ca[1],
            {"FLEET_HS_TOKEN": TOKEN, "CRMSCAN_WEBHOOK_URL": hook.url},
        )
        workers = Workers(env, workers_dir)
        workers_factory.append(workers)
        workers.start("one")
        workers.start("two")
        notify = (
            "notify:\n  - {webhook_url_env: CRMSCAN_WEBHOOK_URL, min_severity: critical,"
            " include_resources: true}\n"
        )
        config = targets_file(tmp_path / "targets.yaml", orgs, notify)
        enqueue_env = {k: v for k, v in env.items() if k not in ("FLEET_HS_TOKEN",)}

        def finished() -> list:
            with open_store(store_url) as store:
                return [s for s in store.scans() if s.state == "finished"]

        queued = crmscan(enqueue_env, "enqueue", "--config", str(config))
        assert queued.returncode == 0, queued.stderr
        wait_until(lambda: len(finished()) == 4, 150, workers.logs, "the first round")
        first = {s.target: s.id for s in finished()}
        # First scans: every failure is new; each org has critical PRIV-002 failures.
        round_one = hook.wait_for(4)
        assert sorted(b["target"] for b in round_one) == [f"org-{i}" for i in range(4)]

        # Planted change in org-2: Bob becomes a super admin, Carol stops being one.
        users = {u["id"]: u for u in orgs[2].account.users}
        users[BOB]["superAdmin"] = True
        users[CAROL]["superAdmin"] = False

        queued = crmscan(enqueue_env, "enqueue", "--config", str(config))
        assert queued.returncode == 0, queued.stderr
        wait_until(lambda: len(finished()) == 8, 150, workers.logs, "the second round")
        second = {s.target: s.id for s in finished() if s.id not in first.values()}
        assert sorted(second) == [f"org-{i}" for i in range(4)]
        with open_store(store_url) as store:
            changes = {t: diff_scans(store, first[t], second[t]) for t in first}
            assert not [s for s in store.scans() if s.state != "finished"], workers.logs()
        assert _keys(changes["org-2"].new_failures) == {
            ("PRIV-002", "users", BOB),  # critical: a super admin off the allowlist
            ("PRIV-011", "users", BOB),  # medium: super admins can export
        }
        assert _keys(changes["org-2"].fixed) == {
            ("PRIV-002", "users", CAROL),
            ("PRIV-011", "users", CAROL),
            ("PRIV-005", "users", CAROL),  # a stale privileged user no longer privileged
        }
        for name in ("org-0", "org-1", "org-3"):
            assert not changes[name].new_failures and not changes[name].fixed, name

        # The webhook got exactly the new critical finding, nothing for unchanged orgs.
        bodies = hook.wait_for(5)
        wait_until(lambda: all(e.requests for e in orgs), 5, workers.logs, "HTTP requests")
        assert len(bodies) == 5, bodies
        latest = bodies[4]
        assert latest["event"] == "new_failures" and latest["target"] == "org-2"
        assert latest["findings"] == [
            {
                "check_id": "PRIV-002",
                "title": latest["findings"][0]["title"],
                "severity": "critical",
                "resource": {"type": "users", "id": BOB, "name": "bob@acme.test"},
            }
        ]
        assert TOKEN not in b"".join(hook.raw).decode()

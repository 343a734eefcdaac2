"""docs/api/zoho.md names every endpoint, parameter and response key the adapter uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from scanner.model.inventory import Inventory
from tests.emulators.zoho import Credentials, ZohoEmulator

ROOT = Path(__file__).resolve().parents[3]
TABLE = (ROOT / "docs/api/zoho.md").read_text(encoding="utf-8")
ADAPTER = ROOT / "adapters/zoho"
_ID = re.compile(r"/\d{6,}")
#: ``record.get("key")`` / ``body["key"]`` reads in the adapter's modules.
_READS = re.compile(r"""(?:\.get\(|\[)"([A-Za-z_$][A-Za-z0-9_$]*)"[\])]""")


def _documented(term: str) -> bool:
    return f"`{term}`" in TABLE or f"`{term} " in TABLE or f" `{term}`" in TABLE


def test_every_request_is_documented(
    collect: Callable[..., Inventory], emulator: ZohoEmulator
) -> None:
    emulator.credentials = Credentials(
        scopes=(*emulator.credentials.scopes, "ZohoCRM.settings.audit_logs.CREATE")
    )
    collect(audit_log_export="True")
    seen = {(r.method, _ID.sub("/{id}", r.path)) for r in emulator.requests if r.path != "/"}
    assert ("POST", "/crm/v8/settings/audit_log_export") in seen
    for method, path in sorted(seen):
        assert _documented(f"{method} {path}"), f"{method} {path} is not in docs/api/zoho.md"
    params = {key for r in emulator.requests for key in (*r.query, *r.form)}
    for name in sorted(params):
        assert _documented(name), f"parameter {name} is not in docs/api/zoho.md"


def test_every_response_key_read_is_documented() -> None:
    keys: set[str] = set()
    for module in ("normalize.py", "collect_access.py", "collect_settings.py", "client.py",
                   "auth.py", "wire.py", "collection.py"):  # fmt: skip
        for line in (ADAPTER / module).read_text(encoding="utf-8").splitlines():
            if "self.zoho" not in line and ".extra" not in line:  # the adapter's own notes
                keys.update(_READS.findall(line))
    assert {"confirm", "status", "permissions_details", "more_records"} <= keys
    missing = sorted(k for k in keys if k not in TABLE)
    assert not missing, f"response keys read but not in docs/api/zoho.md: {missing}"

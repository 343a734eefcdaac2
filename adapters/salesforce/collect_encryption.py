"""Shield Platform Encryption: tenant secrets, encrypted fields and their schemes."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree as ET

from adapters.salesforce.client import METADATA_NS, SfClient
from adapters.salesforce.collect_users import parse_datetime
from scanner.errors import NotAvailableError
from scanner.model.inventory import EncryptionKey, FieldEncryption

_NS = f"{{{METADATA_NS}}}"
SCHEMES = {
    "None": "none",
    "ProbabilisticEncryption": "probabilistic",
    "CaseSensitiveDeterministicEncryption": "deterministic",
    "CaseInsensitiveDeterministicEncryption": "deterministic",
}
DATA_KEY_TYPES = {"Data", "DeterministicData"}


def fetch_keys(client: SfClient) -> list[EncryptionKey]:
    """Every tenant secret (the key material of Shield Platform Encryption)."""
    rows = client.query(
        "TenantSecret", ["Id", "Type", "Status", "Version", "CreatedDate"], optional=("Source",)
    )
    return [
        EncryptionKey(
            id=row["Id"],
            type=row.get("Type"),
            status=(row.get("Status") or "").lower() or None,
            version=row.get("Version"),
            created_at=parse_datetime(row.get("CreatedDate")),
            customer_managed=(
                None if row.get("Source") is None else row["Source"] in ("UPLOADED", "REMOTE")
            ),
        )
        for row in rows
    ]


def at_rest_enabled(keys: list[EncryptionKey]) -> bool:
    """Whether an active data key exists."""
    return any(k.status == "active" and (k.type or "Data") in DATA_KEY_TYPES for k in keys)


def fetch_deterministic_setting(client: SfClient) -> bool | None:
    """PlatformEncryptionSettings.enableDeterministicEncryption, None if unreadable."""
    records = client.read_metadata("PlatformEncryptionSettings", ["PlatformEncryption"])
    value = records[0].findtext(f"{_NS}enableDeterministicEncryption") if records else None
    return None if value is None else value.strip().lower() == "true"


def fetch_field_encryption(client: SfClient, fields: tuple[str, ...]) -> list[FieldEncryption]:
    """Encryption state of each sensitive field (``Object.Field``).

    The object's describe says whether the field exists and is encrypted; the field's
    CustomField metadata says with which scheme.
    """
    by_object: dict[str, list[str]] = defaultdict(list)
    for name in fields:
        obj, _, fld = name.partition(".")
        by_object[obj].append(fld)
    described: dict[str, dict[str, bool]] = {}
    for obj in by_object:
        try:
            described[obj] = {
                f["name"]: bool(f.get("encrypted")) for f in client.describe(obj)["fields"]
            }
        except NotAvailableError:
            described[obj] = {}
    existing = [f"{o}.{f}" for o, flds in by_object.items() for f in flds if f in described[o]]
    schemes: dict[str, str] = {}
    for record in client.read_metadata("CustomField", existing) if existing else []:
        scheme = _scheme(record)
        if scheme:
            schemes[record.findtext(f"{_NS}fullName") or ""] = scheme
    out = []
    for name in fields:
        obj, _, fld = name.partition(".")
        if fld not in described[obj]:
            out.append(FieldEncryption(name=name, exists=False, encrypted=None, scheme=None))
            continue
        scheme = schemes.get(name) or ("probabilistic" if described[obj][fld] else "none")
        out.append(
            FieldEncryption(name=name, exists=True, encrypted=scheme != "none", scheme=scheme)
        )
    return out


def _scheme(record: ET.Element) -> str | None:
    value = record.findtext(f"{_NS}encryptionScheme")
    return SCHEMES.get(value.strip()) if value else None

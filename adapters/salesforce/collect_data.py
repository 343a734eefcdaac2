"""Data integrity, privacy and retention settings (the DATA checks), read-only.

Every fact here is in docs/api/salesforce.md with its source:

* objects: Tooling ``EntityDefinition`` (``DurableId`` is what ``ValidationRule`` and
  ``FieldDefinition`` call ``EntityDefinitionId``). EntityDefinition and FieldDefinition
  take no COUNT(), GROUP BY, LIMIT, OR or NOT: equality and IN filters only;
* validation rules: Tooling ``ValidationRule`` (``Active``, ``ValidationName``);
* duplicate management: ``DuplicateRule.IsActive`` and ``MatchingRule.RuleStatus =
  'Active'`` (both need View Setup and Configuration);
* field history: Tooling ``FieldDefinition.IsFieldHistoryTracked``; how long it is kept:
  the Metadata API ``CustomObject.historyRetentionPolicy`` (Field Audit Trail) or, without
  one, the 18 months Salesforce keeps field history;
* consent: the ``Individual`` object exists when Data Protection and Privacy is enabled,
  and then ``Contact.IndividualId`` / ``Lead.IndividualId`` link records to it; e-mail
  opt-out is ``HasOptedOutOfEmail`` on Contact and Lead;
* retention: ``SELECT COUNT() FROM <object> WHERE LastModifiedDate < LAST_N_DAYS:n``
  answers ``totalSize`` with no records: the records are never read.

Salesforce has no API for the weekly data export or Salesforce Backup: the adapter
declares ``data.backup`` as ``no_api`` in its capabilities (a MANUAL that an attestation
decides), and never fills it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar
from xml.etree import ElementTree as ET

from adapters.salesforce.client import METADATA_NS, SfClient
from scanner.adapter_api import CollectionScope
from scanner.errors import CollectionError, MalformedResponseError, NotAvailableError
from scanner.model.inventory import (
    Consent,
    FieldHistory,
    HistoryRetention,
    Inventory,
    ObjectDataQuality,
    RetentionCount,
)

#: Objects whose records can be linked to Individual (data protection) records.
CONSENT_OBJECTS = ("Contact", "Lead")
CONSENT_LINK_FIELD = "IndividualId"
OPT_OUT_FIELD = "HasOptedOutOfEmail"
#: "Field history data is retained for up to 18 months through your org" without Field
#: Audit Trail; archiveAfterMonths defaults to 18 too.
DEFAULT_HISTORY_MONTHS = 18
#: The date the retention count measures age on.
RETENTION_DATE_FIELD = "LastModifiedDate"
_M = f"{{{METADATA_NS}}}"
T = TypeVar("T")


def _quoted(names: Iterable[str]) -> str:
    values = sorted({n for n in names if n})
    for name in values:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not an API name: {name!r}")
    return "(" + ", ".join(f"'{n}'" for n in values) + ")"


@dataclass(frozen=True)
class Entities:
    """API name -> EntityDefinition DurableId, for the objects the org has."""

    ids: dict[str, str]

    def id_of(self, name: str) -> str | None:
        """The DurableId of ``name``, or None when the org has no such object."""
        return self.ids.get(name)

    def names(self) -> dict[str, str]:
        """DurableId -> API name."""
        return {v: k for k, v in self.ids.items()}


def fetch_entities(client: SfClient, objects: Iterable[str]) -> Entities:
    """The EntityDefinitions of ``objects`` (those the org lacks are absent)."""
    wanted = sorted(set(objects))
    if not wanted:
        return Entities({})
    rows = client.query(
        "EntityDefinition",
        ["DurableId", "QualifiedApiName"],
        f"QualifiedApiName IN {_quoted(wanted)}",
        tooling=True,
        required=("DurableId", "QualifiedApiName"),
    )
    return Entities({str(r["QualifiedApiName"]): str(r["DurableId"]) for r in rows})


def fetch_data_quality(
    client: SfClient, entities: Entities, objects: tuple[str, ...]
) -> list[ObjectDataQuality]:
    """Active validation, duplicate and matching rules of each object in ``objects``."""
    present = [o for o in objects if entities.id_of(o)]
    validation: dict[str, list[str]] = {o: [] for o in present}
    duplicate: dict[str, list[str]] = {o: [] for o in present}
    matching: dict[str, list[str]] = {o: [] for o in present}
    if present:
        by_id = entities.names()
        ids = [entities.id_of(o) or "" for o in present]
        for row in client.query(
            "ValidationRule",
            ["ValidationName", "EntityDefinitionId"],
            f"Active = true AND EntityDefinitionId IN {_quoted(ids)}",
            tooling=True,
            required=("ValidationName", "EntityDefinitionId"),
        ):
            obj = by_id.get(str(row["EntityDefinitionId"]))
            if obj in validation:
                validation[obj].append(str(row["ValidationName"]))
        for obj_name, target, where in (
            ("DuplicateRule", duplicate, "IsActive = true"),
            ("MatchingRule", matching, "RuleStatus = 'Active'"),
        ):
            for row in client.query(
                obj_name,
                ["DeveloperName", "SobjectType"],
                f"{where} AND SobjectType IN {_quoted(present)}",
                required=("DeveloperName", "SobjectType"),
            ):
                if row["SobjectType"] in target:
                    target[str(row["SobjectType"])].append(str(row["DeveloperName"]))
    out = []
    for obj in objects:
        if obj not in validation:
            out.append(ObjectDataQuality(object=obj, exists=False))
            continue
        out.append(
            ObjectDataQuality(
                object=obj,
                exists=True,
                validation_rules=sorted(validation[obj]),
                duplicate_rules=sorted(duplicate[obj]),
                matching_rules=sorted(matching[obj]),
            )
        )
    return out


@dataclass(frozen=True)
class FieldFacts:
    """What FieldDefinition says of the fields asked for: tracked or not, by Object.Field."""

    tracked: dict[str, bool]


def fetch_field_facts(client: SfClient, entities: Entities, fields: Iterable[str]) -> FieldFacts:
    """``IsFieldHistoryTracked`` of each ``Object.Field`` the org has (one query)."""
    by_object: dict[str, set[str]] = {}
    for name in fields:
        obj, _, field = name.partition(".")
        if field and entities.id_of(obj):
            by_object.setdefault(obj, set()).add(field)
    if not by_object:
        return FieldFacts({})
    ids = [entities.id_of(o) or "" for o in by_object]
    names = {f for group in by_object.values() for f in group}
    rows = client.query(
        "FieldDefinition",
        ["EntityDefinitionId", "QualifiedApiName", "IsFieldHistoryTracked"],
        f"EntityDefinitionId IN {_quoted(ids)} AND QualifiedApiName IN {_quoted(names)}",
        tooling=True,
        required=("EntityDefinitionId", "QualifiedApiName"),
    )
    by_id = entities.names()
    tracked: dict[str, bool] = {}
    for row in rows:
        owner = by_id.get(str(row["EntityDefinitionId"]))
        value = row["IsFieldHistoryTracked"]
        if owner is None:
            continue
        if not isinstance(value, bool):
            raise MalformedResponseError(
                f"FieldDefinition {owner}.{row['QualifiedApiName']}: IsFieldHistoryTracked is "
                f"{value!r}, not a boolean"
            )
        tracked[f"{owner}.{row['QualifiedApiName']}"] = value
    return FieldFacts(tracked)


def field_history(facts: FieldFacts, fields: Iterable[str]) -> list[FieldHistory]:
    """One entry per policy field: tracked, or ``exists: false`` when the org lacks it."""
    out = []
    for name in dict.fromkeys(fields):
        if name in facts.tracked:
            out.append(FieldHistory(name=name, exists=True, tracked=facts.tracked[name]))
        else:
            out.append(FieldHistory(name=name, exists=False))
    return out


def fetch_history_retention(
    client: SfClient, entities: Entities, objects: Iterable[str]
) -> list[HistoryRetention]:
    """Each object's field history retention: its Field Audit Trail policy, or 18 months."""
    present = sorted({o for o in objects if entities.id_of(o)})
    if not present:
        return []
    found: dict[str, ET.Element] = {}
    for element in client.read_metadata("CustomObject", present):
        name = element.findtext(f"{_M}fullName")
        if name:
            found[name] = element
    out = []
    for obj in present:
        record = found.get(obj)
        policy = record.find(f"{_M}historyRetentionPolicy") if record is not None else None
        if policy is None:
            out.append(
                HistoryRetention(
                    object=obj,
                    months=DEFAULT_HISTORY_MONTHS,
                    archive_policy=False,
                    source="no Field Audit Trail retention policy: Salesforce keeps 18 months",
                )
            )
            continue
        after = _int(policy.findtext(f"{_M}archiveAfterMonths"), DEFAULT_HISTORY_MONTHS)
        years = _int(policy.findtext(f"{_M}archiveRetentionYears"), 0)
        out.append(
            HistoryRetention(
                object=obj,
                months=after + 12 * years,
                archive_policy=True,
                source=f"HistoryRetentionPolicy: archive after {after} months, keep {years} years",
            )
        )
    return out


def _int(text: str | None, default: int) -> int:
    if text is None or not text.strip():
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise MalformedResponseError(
            f"historyRetentionPolicy value {text!r} is not a number"
        ) from None


def count(client: SfClient, obj: str, where: str = "") -> int:
    """``SELECT COUNT() FROM obj [WHERE ...]``: the ``totalSize``; no record is read."""
    soql = f"SELECT COUNT() FROM {obj}" + (f" WHERE {where}" if where else "")
    return client.count_query(soql)


def consent_fields() -> list[str]:
    """The fields whose existence shows the consent model and e-mail opt-out."""
    return [f"{o}.{f}" for o in CONSENT_OBJECTS for f in (CONSENT_LINK_FIELD, OPT_OUT_FIELD)]


def fetch_consent(client: SfClient, entities: Entities, facts: FieldFacts) -> Consent:
    """Whether Data Protection and Privacy is on and used, and the opt-out fields."""
    linked = [o for o in CONSENT_OBJECTS if entities.id_of(o)]
    try:
        individuals = count(client, "Individual")
        enabled = any(f"{o}.{CONSENT_LINK_FIELD}" in facts.tracked for o in linked)
    except NotAvailableError:  # INVALID_TYPE: Data Protection and Privacy is off
        individuals, enabled = 0, False
    return Consent(
        model_enabled=enabled,
        opt_out_fields=sorted(f for f in facts.tracked if f.endswith(f".{OPT_OUT_FIELD}")),
        consent_records=individuals,
    )


def fetch_retention(
    client: SfClient, entities: Entities, objects: tuple[str, ...], days: int
) -> list[RetentionCount]:
    """How many records of each object were last modified more than ``days`` ago."""
    out = []
    for obj in objects:
        if not entities.id_of(obj):
            continue
        older = count(client, obj, f"{RETENTION_DATE_FIELD} < LAST_N_DAYS:{int(days)}")
        out.append(
            RetentionCount(
                object=obj, older_than_days=days, count=older, date_field=RETENTION_DATE_FIELD
            )
        )
    return out


#: Salesforce has no API for the weekly data export or for Salesforce Backup policies.
BACKUP_REVIEW = (
    "Salesforce has no API for the weekly or monthly data export or for Salesforce Backup: "
    "review Setup > Data Export (the last export and the schedule) or Setup > Backup (the "
    "backup policy and its last run), and attest DATA-006 with the date and evidence"
)


@dataclass
class DataResult:
    """Each DATA collection's value, or the error that stopped it."""

    quality: list[ObjectDataQuality] | CollectionError
    field_history: list[FieldHistory] | CollectionError
    history_retention: list[HistoryRetention] | CollectionError
    consent: Consent | CollectionError
    retention: list[RetentionCount] | CollectionError


def _attempt(fn: Callable[[], T]) -> T | CollectionError:
    try:
        return fn()
    except CollectionError as exc:
        return exc


def fetch_all(client: SfClient, scope: CollectionScope) -> DataResult:
    """Every DATA collection; one failing does not stop the others."""
    fields = tuple(scope.sensitive_fields)
    field_objects = tuple(dict.fromkeys(f.partition(".")[0] for f in fields))
    wanted = set(scope.key_objects) | set(field_objects) | set(scope.personal_data_objects)
    entities = _attempt(lambda: fetch_entities(client, wanted | set(CONSENT_OBJECTS)))
    if isinstance(entities, CollectionError):
        return DataResult(entities, entities, entities, entities, entities)
    known = entities
    # One FieldDefinition query for the sensitive fields and the consent fields.
    facts = _attempt(lambda: fetch_field_facts(client, known, [*fields, *consent_fields()]))
    if isinstance(facts, CollectionError):
        history: list[FieldHistory] | CollectionError = facts
        consent: Consent | CollectionError = facts
    else:
        history = field_history(facts, fields)
        read = facts
        consent = _attempt(lambda: fetch_consent(client, known, read))
    return DataResult(
        quality=_attempt(lambda: fetch_data_quality(client, known, tuple(scope.key_objects))),
        field_history=history,
        history_retention=_attempt(lambda: fetch_history_retention(client, known, field_objects)),
        consent=consent,
        retention=_attempt(
            lambda: fetch_retention(
                client, known, tuple(scope.personal_data_objects), scope.retention_days
            )
        ),
    )


def assemble_data(inventory: Inventory, result: DataResult | CollectionError) -> None:
    """Put ``result`` into ``inventory.data``; each failure becomes its collection's gap."""
    parts = (  # (collection, DataResult attribute, Inventory.data attribute)
        ("data.quality", "quality", "objects"),
        ("data.field_history", "field_history", "field_history"),
        ("data.history_retention", "history_retention", "history_retention"),
        ("data.consent", "consent", "consent"),
        ("data.retention", "retention", "retention"),
    )
    for collection, source, attribute in parts:
        value = result if isinstance(result, CollectionError) else getattr(result, source)
        if isinstance(value, CollectionError):
            inventory.add_gap(collection, value.gap_reason, str(value))
        else:
            setattr(inventory.data, attribute, value)
    # data.backup stays None: the capability table declares it no_api (BACKUP_REVIEW).

"""The data the HTML report embeds, compact enough for 100,000 users.

The report shows every finding that is not PASS (FAIL, ERROR, MANUAL, NOT_APPLICABLE) in
full, and PASS as counts per check with the passing resources listed on demand. A large
org has hundreds of thousands of such findings that differ only in the resource: one
check's message and evidence name the resource and otherwise repeat. So the payload is:

- ``resources``: every resource once, as columns ``t`` (index into ``types``), ``i`` (id)
  and ``n`` (name), sorted by type and id;
- ``shapes``: the distinct findings with the resource taken out: the resource's name and
  id in ``message`` and ``evidence`` are replaced by the placeholders ``\\u0000`` and
  ``\\u0001`` (``tpl`` is true; a finding whose text already holds a placeholder keeps
  its text as is and ``tpl`` false), ``remediation`` an index into ``remediations``;
- ``rows``: the findings in report order (status, then severity), columns ``s`` (shape)
  and ``r`` (resource index), so a finding is its shape with its resource put back;
- ``passing``: per check id, the sorted indices of its passing resources as runs
  ``[start, length, gap, length, ...]`` (``gap`` counted from the end of the run before).

`decode_payload` is the exact inverse (the report's script does the same), so nothing a
finding says is lost. `embed` writes the payload as gzip-compressed JSON in base64 for a
``<script>`` element that is never run (`unembed` reads it back); no CRM text can close
the element, and the script puts CRM text into the page as text only.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from scanner.engine.findings import REPORT_ORDER
from scanner.language.check_spec import SEVERITIES
from scanner.results.reader import ResultReader

NAME, ID = "\x00", "\x01"
_NAME_JSON, _ID_JSON = b"\\u0000", b"\\u0001"
PAYLOAD_VERSION = 1
_RESOURCE_KEYS = frozenset({"type", "id", "name"})
_STATUS_RANK = {status: rank for rank, status in enumerate(REPORT_ORDER)}
_SEVERITY_RANK: dict[Any, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}

Resource = tuple[str | None, str | None, str | None]


@dataclass
class ReportView:
    """What the report renders: findings that are not PASS in full, PASS per check."""

    findings: list[Mapping[str, Any]] = field(default_factory=list)
    passing: dict[str, list[Resource]] = field(default_factory=dict)


def _resource(finding: Mapping[str, Any]) -> Resource:
    resource = finding.get("resource") or {}
    return (resource.get("type"), resource.get("id"), resource.get("name"))


def view_of(document: Mapping[str, Any]) -> ReportView:
    """The report's view of a result document of any schema version (`ResultReader`)."""
    reader = ResultReader(document)
    view = ReportView(findings=list(reader.attention()))
    for entry in reader.passed():
        listed = view.passing.setdefault(entry.check_id, [])
        listed.extend((entry.resource_type, ident, name) for ident, name in entry.resources)
    return view


def _template(value: Any, name: str | None, ident: str | None) -> Any:
    """``value`` with ``name`` and then ``ident`` replaced by their placeholders."""
    if isinstance(value, str):
        if name:
            value = value.replace(name, NAME)
        if ident:
            value = value.replace(ident, ID)
        return value
    if isinstance(value, dict):
        return {k: _template(v, name, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [_template(v, name, ident) for v in value]
    return value


def _fill(value: Any, name: str | None, ident: str | None) -> Any:
    """The inverse of `_template`."""
    if isinstance(value, str):
        if ID in value:
            value = value.replace(ID, ident or "")
        if NAME in value:
            value = value.replace(NAME, name or "")
        return value
    if isinstance(value, dict):
        return {k: _fill(v, name, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, name, ident) for v in value]
    return value


def _runs(indices: Iterable[int]) -> list[int]:
    ordered = sorted(set(indices))
    if not ordered:
        return []
    pairs = zip(ordered, ordered[1:], strict=False)
    breaks = [i for i, (a, b) in enumerate(pairs, 1) if b != a + 1]
    runs: list[int] = []
    end = 0
    for first, last in zip([0, *breaks], [*breaks, len(ordered)], strict=True):
        runs += [ordered[first] - end, last - first]
        end = ordered[first] + last - first
    return runs


def _unruns(runs: list[int]) -> list[int]:
    indices: list[int] = []
    end = 0
    for position in range(0, len(runs), 2):
        start = end + runs[position]
        end = start + runs[position + 1]
        indices.extend(range(start, end))
    return indices


def _sort_key(finding: Mapping[str, Any]) -> tuple[int, int]:
    return (
        _STATUS_RANK.get(finding["status"], len(_STATUS_RANK)),
        _SEVERITY_RANK.get(finding.get("severity"), len(_SEVERITY_RANK)),
    )


def _json(value: Any) -> bytes:
    """Canonical JSON (sorted keys) of ``value``, as a key to compare values by."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, an integer beyond 64 bits
        return json.dumps(value, sort_keys=True, default=str).encode("ascii")


def _escaped(text: str) -> bytes:
    """``text`` as it appears inside a JSON string written by `_json`."""
    return _json(text)[1:-1]


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else _json(value)


def _safe(value: str | None) -> bool:
    return not value or (NAME not in value and ID not in value)


def _templated_evidence(
    evidence: Any,
    text: bytes,
    name: str | None,
    ident: str | None,
    seen: dict[bytes, tuple[Any, bytes]],
) -> Any:
    """`_template` of ``evidence`` (whose `_json` is ``text``), reusing an equal template.

    A string holding the name or id holds its JSON escape, so ``text`` without them
    needs no template. Otherwise ``text`` with them replaced in place is a hint at a
    template seen before; it is taken only if filling its JSON gives ``text`` back,
    which proves filling the template gives ``evidence`` back.
    """
    hint = text
    escaped_name = _escaped(name) if name else b""
    escaped_id = _escaped(ident) if ident else b""
    if escaped_name:
        hint = hint.replace(escaped_name, _NAME_JSON)
    if escaped_id:
        hint = hint.replace(escaped_id, _ID_JSON)
    if hint == text:
        return evidence
    known = seen.get(hint)
    if known is not None:
        filled = known[1].replace(_ID_JSON, escaped_id).replace(_NAME_JSON, escaped_name)
        if filled == text:
            return known[0]
    template = _template(evidence, name, ident)
    seen[hint] = (template, _json(template))
    return template


def encode_payload(view: ReportView) -> dict[str, Any]:
    """The compact payload (module docstring) of ``view``."""
    rows = sorted(view.findings, key=_sort_key)
    row_resources = [_resource(f) for f in rows]
    resources = set(row_resources)
    for listed in view.passing.values():
        resources.update(listed)
    table = sorted(resources, key=lambda r: (r[0] or "", r[1] or "", r[2] or ""))
    position = {resource: index for index, resource in enumerate(table)}
    types = sorted({t or "" for t, _, _ in table})
    type_index = {t: i for i, t in enumerate(types)}
    shapes: list[dict[str, Any]] = []
    shape_index: dict[bytes, int] = {}
    remediations: list[Any] = []
    remediation_index: dict[Any, int] = {}
    templated: dict[bytes, tuple[Any, bytes]] = {}
    shape_column: list[int] = []
    for finding, (_, ident, name) in zip(rows, row_resources, strict=True):
        message, evidence = finding.get("message"), finding.get("evidence")
        evidence_text = _json(evidence)
        tpl = (
            _safe(name)
            and _safe(ident)
            and _safe(message if isinstance(message, str) else _json(message).decode())
            and _NAME_JSON not in evidence_text
            and _ID_JSON not in evidence_text
        )
        if tpl:
            message = _template(message, name, ident)
            evidence = _templated_evidence(evidence, evidence_text, name, ident, templated)
        remediation = finding.get("remediation")
        remediation_key = _hashable(remediation)
        remediation_at = remediation_index.get(remediation_key)
        if remediation_at is None:
            remediation_at = remediation_index[remediation_key] = len(remediations)
            remediations.append(remediation)
        shape = dict(finding)
        where = shape.pop("resource", None) or {}
        if where.keys() - _RESOURCE_KEYS:
            shape["resource"] = {k: v for k, v in where.items() if k not in _RESOURCE_KEYS}
        shape["message"], shape["evidence"], shape["tpl"] = message, evidence, tpl
        shape["remediation"] = remediation_at
        key = _json(shape)
        shape_at = shape_index.get(key)
        if shape_at is None:
            shape_at = shape_index[key] = len(shapes)
            shapes.append(shape)
        shape_column.append(shape_at)
    at = position.__getitem__
    return {
        "v": PAYLOAD_VERSION,
        "types": types,
        "resources": {
            "t": [type_index[t or ""] for t, _, _ in table],
            "i": [i for _, i, _ in table],
            "n": [n for _, _, n in table],
        },
        "shapes": shapes,
        "remediations": remediations,
        "rows": {"s": shape_column, "r": list(map(at, row_resources))},
        "passing": {check: _runs(map(at, listed)) for check, listed in view.passing.items()},
    }


def _resource_at(payload: Mapping[str, Any], index: int) -> dict[str, Any]:
    columns = payload["resources"]
    kind = payload["types"][columns["t"][index]]
    return {"type": kind or None, "id": columns["i"][index], "name": columns["n"][index]}


def decode_payload(payload: Mapping[str, Any]) -> ReportView:
    """The view `encode_payload` was given (findings in report order, PASS by resource)."""
    view = ReportView()
    rows = payload["rows"]
    for shape_at, resource_at in zip(rows["s"], rows["r"], strict=True):
        shape = dict(payload["shapes"][shape_at])
        resource = _resource_at(payload, resource_at)
        resource.update(shape.pop("resource", {}))
        shape["remediation"] = payload["remediations"][shape["remediation"]]
        if shape.pop("tpl"):
            for key in ("message", "evidence"):
                shape[key] = _fill(shape[key], resource["name"], resource["id"])
        view.findings.append({**shape, "resource": resource})
    for check, runs in payload["passing"].items():
        listed = [_resource_at(payload, i) for i in _unruns(runs)]
        view.passing[check] = [(r["type"], r["id"], r["name"]) for r in listed]
    return view


def embed(payload: Any) -> str:
    """``payload`` as the report embeds it: JSON, gzip-compressed, in base64.

    Compressed, the data of 100,000 users is a fifth of its size, so the browser reads and
    parses the file that much faster; base64 has no character that could end the
    ``<script>`` element holding it, whatever the CRM text says.
    """
    try:
        text = orjson.dumps(payload)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, an integer beyond 64 bits
        text = json.dumps(payload, ensure_ascii=True, default=str).encode("ascii")
    packed = gzip.compress(text, compresslevel=6, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def unembed(text: str) -> Any:
    """The payload `embed` wrote into ``text``."""
    return json.loads(gzip.decompress(base64.b64decode(text)))

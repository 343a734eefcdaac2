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
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import orjson

from scanner.outputs.html_encode import (
    ID,
    NAME,
    SEVERITY_RANK,
    STATUS_RANK,
    Encoder,
    Resource,
    encode,
    passing_of,
    sort_key,
)
from scanner.results.reader import PASS, ResultReader

_sort_key = sort_key


@dataclass
class ReportView:
    """What the report renders: findings that are not PASS in full, PASS per check."""

    findings: list[Mapping[str, Any]] = field(default_factory=list)
    passing: dict[str, list[Resource]] = field(default_factory=dict)


def view_of(document: Mapping[str, Any]) -> ReportView:
    """The report's view of a result document of any schema version (`ResultReader`)."""
    reader = ResultReader(document)
    return ReportView(findings=list(reader.attention()), passing=passing_of(reader))


def _fill(value: Any, name: str | None, ident: str | None) -> Any:
    """The inverse of `html_encode.template`."""
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


def _unruns(runs: list[int]) -> list[int]:
    indices: list[int] = []
    end = 0
    for position in range(0, len(runs), 2):
        start = end + runs[position]
        end = start + runs[position + 1]
        indices.extend(range(start, end))
    return indices


def encode_payload(view: ReportView) -> dict[str, Any]:
    """The compact payload (module docstring) of ``view``."""
    return encode(view.findings, view.passing)


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


def _report_order(reader: ResultReader, stored: list[Any]) -> list[list[Any]]:
    """``stored`` in report order (as `sort_key` of the complete findings sorts them), in
    runs: a finding with neither ``severity`` nor ``title`` completes to its check's
    severity, so the findings of one check and status share a run."""
    runs: dict[tuple[int, int], list[Any]] = {}
    by_check: dict[Any, list[Any]] = {}
    severities: dict[Any, int] = {}
    no_status, no_severity = len(STATUS_RANK), len(SEVERITY_RANK)
    for finding in stored:
        if "severity" in finding or "title" in finding:
            runs.setdefault(sort_key(reader.complete(finding)), []).append(finding)
            continue
        pair = (finding["check_id"], finding["status"])
        run = by_check.get(pair)
        if run is None:
            severity = severities.get(pair[0])
            if severity is None:
                severity = reader.complete(finding).get("severity")
                severity = severities[pair[0]] = SEVERITY_RANK.get(severity, no_severity)
            rank = (STATUS_RANK.get(pair[1], no_status), severity)
            run = by_check[pair] = runs.setdefault(rank, [])
        run.append(finding)
    return [runs[rank] for rank in sorted(runs)]


def stored_payload(
    document: Mapping[str, Any],
) -> tuple[dict[str, Any], list[Mapping[str, Any]], dict[str, int]]:
    """``encode_payload(view_of(document))``, built from the stored findings (most 2.0
    ones are not completed: `Encoder.add_stored`); with it the document's findings that
    are not PASS, as stored, and per check how many resources passed."""
    reader = ResultReader(document)
    stored = [f for f in document["findings"] if f["status"] != PASS]
    encoder = Encoder(reader)
    encoder.add_stored(chain.from_iterable(_report_order(reader, stored)))
    passed = list(reader.passed())
    passing = {entry.check_id: entry.count for entry in passed}
    return encoder.passed_payload(passed), stored, passing

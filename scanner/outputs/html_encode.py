"""Building the HTML report's payload (the format is described in `scanner.outputs.html_data`).

`encode` takes findings in the complete 1.x shape, as `html_data.view_of` gives them. With a
`ResultReader` it takes a document's stored findings instead (`html_data.stored_payload`), and a
2.0 finding that holds only ``check_id``, ``status``, ``resource``, ``message`` and
``evidence`` (nearly all of a large org's) is encoded without being completed: what it
does not hold is its check's, so its shape is known from its status, message and
evidence. Such a finding is looked up by ``(check, status, tpl, message, evidence JSON)``;
the first finding with a given key is encoded by the exact path, whose shape JSON (the
key the exact path dedupes by) is what the key stands for, and the key is kept only when
that JSON is orjson's (then every finding with the key has that same shape JSON). Every
other finding, and every finding of a reader-less call, takes the exact path, which
shares the shape table, so the payload is the one `encode` gives the completed findings.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, compress, count, islice
from operator import itemgetter
from typing import Any

import orjson

from scanner.engine.findings import REPORT_ORDER
from scanner.language.check_spec import SEVERITIES
from scanner.results.reader import PassedResources, ResultReader

NAME, ID = "\x00", "\x01"
_NAME_JSON, _ID_JSON = b"\\u0000", b"\\u0001"
PAYLOAD_VERSION = 1
_RESOURCE_KEYS = frozenset({"type", "id", "name"})
_STORED_KEYS = frozenset({"check_id", "status", "resource", "message", "evidence"})
STATUS_RANK = {status: rank for rank, status in enumerate(REPORT_ORDER)}  # report order
SEVERITY_RANK: dict[Any, int] = {severity: rank for rank, severity in enumerate(SEVERITIES)}
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
_FIRST = itemgetter(0)

Resource = tuple[str | None, str | None, str | None]


def _resource(finding: Mapping[str, Any]) -> Resource:
    resource = finding.get("resource") or {}
    return (resource.get("type"), resource.get("id"), resource.get("name"))


def sort_key(finding: Mapping[str, Any]) -> tuple[int, int]:
    """Report order of a complete finding: status, then severity."""
    return (
        STATUS_RANK.get(finding["status"], len(STATUS_RANK)),
        SEVERITY_RANK.get(finding.get("severity"), len(SEVERITY_RANK)),
    )


def template(value: Any, name: str | None, ident: str | None) -> Any:
    """``value`` with ``name`` and then ``ident`` replaced by their placeholders."""
    if isinstance(value, str):
        if name:
            value = value.replace(name, NAME)
        if ident:
            value = value.replace(ident, ID)
        return value
    if isinstance(value, dict):
        return {k: template(v, name, ident) for k, v in value.items()}
    if isinstance(value, list):
        return [template(v, name, ident) for v in value]
    return value


def _json(value: Any) -> bytes:
    """Canonical JSON (sorted keys) of ``value``, as a key to compare values by."""
    try:
        return orjson.dumps(value, option=_JSON_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):  # a lone surrogate, an integer beyond 64 bits
        return json.dumps(value, sort_keys=True, default=str).encode("ascii")


def _escaped(text: str) -> bytes:
    """``text`` as it appears inside a JSON string written by `_json`."""
    return _json(text)[1:-1]


def _hashable(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float)) else _json(value)


def _safe(value: str | None) -> bool:
    return not value or (NAME not in value and ID not in value)


def _runs(indices: Iterable[int]) -> list[int]:
    """Sorted distinct ``indices`` as ``[start, length, gap, length, ...]``."""
    ordered = sorted(set(indices))
    if not ordered:
        return []
    # a run breaks after i where the next index is not ordered[i] + 1
    steps = map(operator.sub, islice(ordered, 1, None), ordered)
    breaks = list(compress(count(1), map((1).__ne__, steps)))
    runs: list[int] = []
    end = 0
    for first, last in zip([0, *breaks], [*breaks, len(ordered)], strict=True):
        runs += [ordered[first] - end, last - first]
        end = ordered[first] + last - first
    return runs


Pairs = list[tuple[Any, Any]]


def _looked_up(positions: dict[Any, int], by_id: bool) -> Callable[[Pairs], Iterator[int]]:
    """The positions of ``(id, name)`` pairs, looked up by the pair or by its id only."""
    at = positions.__getitem__
    if by_id:
        return lambda pairs: map(at, map(_FIRST, pairs))
    return lambda pairs: map(at, pairs)


class Encoder:
    """The shapes, remediations and rows of findings added in report order (`add`, or
    `add_stored` with the findings' `ResultReader`), then their `payload`."""

    def __init__(self, reader: ResultReader | None) -> None:
        self.reader = reader
        self.shapes: list[dict[str, Any]] = []
        self.shape_index: dict[bytes, int] = {}
        self.known: dict[tuple[Any, ...], int] = {}
        self.remediations: list[Any] = []
        self.remediation_index: dict[Any, int] = {}
        self.templated: dict[bytes, tuple[Any, bytes]] = {}
        self.escapes: dict[str, bytes] = {}
        self.check_remediation: dict[str, int] = {}
        self.shape_column: list[int] = []
        self.row_resources: list[Resource] = []

    def _escape(self, text: str) -> bytes:
        escaped = self.escapes.get(text)
        if escaped is None:
            escaped = self.escapes[text] = _escaped(text)
        return escaped

    def _take_out(
        self,
        value: str | None,
        placeholder: str,
        escaped_placeholder: bytes,
        message: str,
        hint: bytes,
    ) -> tuple[str, bytes, bytes]:
        """``message`` and the evidence JSON ``hint`` with ``value`` (a resource's name or
        id) replaced by its placeholder, and ``value``'s JSON escape (empty when none)."""
        if not value:
            return message, hint, b""
        escaped = self._escape(value)
        return (
            message.replace(value, placeholder),
            hint.replace(escaped, escaped_placeholder),
            escaped,
        )

    def _templated_evidence(
        self, evidence: Any, text: bytes, name: str | None, ident: str | None
    ) -> tuple[Any, bytes]:
        """`template` of ``evidence`` (whose `_json` is ``text``) and its `_json`,
        reusing an equal template.

        A string holding the name or id holds its JSON escape, so ``text`` without them
        needs no template. Otherwise ``text`` with them replaced in place is a hint at a
        template seen before; it is taken only if filling its JSON gives ``text`` back,
        which proves filling the template gives ``evidence`` back.
        """
        hint = text
        escaped_name = self._escape(name) if name else b""
        escaped_id = self._escape(ident) if ident else b""
        if escaped_name:
            hint = hint.replace(escaped_name, _NAME_JSON)
        if escaped_id:
            hint = hint.replace(escaped_id, _ID_JSON)
        if hint == text:
            return evidence, text
        known = self.templated.get(hint)
        if known is not None:
            filled = known[1].replace(_ID_JSON, escaped_id).replace(_NAME_JSON, escaped_name)
            if filled == text:
                return known
        shaped = template(evidence, name, ident)
        entry = self.templated[hint] = (shaped, _json(shaped))
        return entry

    def _remediation_at(self, remediation: Any) -> int:
        key = _hashable(remediation)
        at = self.remediation_index.get(key)
        if at is None:
            at = self.remediation_index[key] = len(self.remediations)
            self.remediations.append(remediation)
        return at

    def _shape_at(
        self, finding: Mapping[str, Any], message: Any, evidence: Any, tpl: bool
    ) -> tuple[int, bool]:
        """The index of the shape of complete ``finding`` (``message`` and ``evidence``
        templated) and whether its `_json` is orjson's (not the fallback)."""
        remediation_at = self._remediation_at(finding.get("remediation"))
        shape = dict(finding)
        where = shape.pop("resource", None) or {}
        if where.keys() - _RESOURCE_KEYS:
            shape["resource"] = {k: v for k, v in where.items() if k not in _RESOURCE_KEYS}
        shape["message"], shape["evidence"], shape["tpl"] = message, evidence, tpl
        shape["remediation"] = remediation_at
        try:
            key, exact = orjson.dumps(shape, option=_JSON_OPTIONS), True
        except (orjson.JSONEncodeError, TypeError):
            key, exact = _json(shape), False
        shape_at = self.shape_index.get(key)
        if shape_at is None:
            shape_at = self.shape_index[key] = len(self.shapes)
            self.shapes.append(shape)
        return shape_at, exact

    def add(self, finding: Mapping[str, Any]) -> None:
        """Encode complete ``finding`` (the exact path)."""
        resource = _resource(finding)
        _, ident, name = resource
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
            message = template(message, name, ident)
            evidence = self._templated_evidence(evidence, evidence_text, name, ident)[0]
        self.shape_column.append(self._shape_at(finding, message, evidence, tpl)[0])
        self.row_resources.append(resource)

    def add_stored(self, findings: Iterable[Any]) -> None:
        """Encode a document's stored ``findings`` in report order: a 2.0 finding that
        holds exactly `_STORED_KEYS`, a resource without other keys than
        `_RESOURCE_KEYS`, and ``check_id``, ``status`` and ``message`` as strings as
        stored (see the module docstring), any other one completed, by the exact path."""
        assert self.reader is not None
        check = self.reader.check
        complete = self.reader.complete
        known, templated = self.known, self.templated
        shape_column, row_resources = self.shape_column, self.row_resources
        dumps, options, exact_path = orjson.dumps, _JSON_OPTIONS, self.add
        kinds: dict[str, Any] = {}
        for finding in findings:
            if type(finding) is not dict or finding.keys() != _STORED_KEYS:
                exact_path(complete(finding))
                continue
            where, message = finding["resource"], finding["message"]
            check_id = finding["check_id"]
            if (
                type(where) is not dict
                or not where.keys() <= _RESOURCE_KEYS
                or type(message) is not str
                or type(finding["status"]) is not str
                or type(check_id) is not str
            ):
                exact_path(complete(finding))
                continue
            kind = kinds.get(check_id, kinds)
            if kind is kinds:
                kind = kinds[check_id] = (check(check_id) or {}).get("resource")
            name, ident = where.get("name"), where.get("id")
            evidence = finding["evidence"]
            try:
                evidence_text = dumps(evidence, option=options)
            except (orjson.JSONEncodeError, TypeError):
                exact_path(complete(finding))
                continue
            tpl = (
                (not name or (NAME not in name and ID not in name))
                and (not ident or (NAME not in ident and ID not in ident))
                and NAME not in message
                and ID not in message
                and _NAME_JSON not in evidence_text
                and _ID_JSON not in evidence_text
            )
            if tpl:
                message, hint, escaped_name = self._take_out(
                    name, NAME, _NAME_JSON, message, evidence_text
                )
                message, hint, escaped_id = self._take_out(ident, ID, _ID_JSON, message, hint)
                if hint != evidence_text:  # as _templated_evidence does
                    seen = templated.get(hint)
                    if seen is not None and evidence_text == seen[1].replace(
                        _ID_JSON, escaped_id
                    ).replace(_NAME_JSON, escaped_name):
                        evidence, evidence_text = seen
                    else:
                        evidence = template(evidence, name, ident)
                        seen = templated[hint] = (evidence, _json(evidence))
                        evidence_text = seen[1]
            key = (finding["check_id"], finding["status"], tpl, message, evidence_text)
            shape_at = known.get(key)
            if shape_at is None:
                shape_at, exact = self._shape_at(complete(finding), message, evidence, tpl)
                if exact:  # the fallback's JSON does not tell apart all that orjson's does
                    known[key] = shape_at
            shape_column.append(shape_at)
            row_resources.append((where.get("type", kind), ident, name))

    def payload(self, passing: Mapping[str, list[Resource]]) -> dict[str, Any]:
        """The payload of the findings added and of ``passing``."""
        resources = set(self.row_resources)
        for listed in passing.values():
            resources.update(listed)
        payload, position = self._payload(resources)
        at = position.__getitem__
        payload["passing"] = {check: _runs(map(at, listed)) for check, listed in passing.items()}
        return payload

    def passed_payload(self, passed: list[PassedResources]) -> dict[str, Any]:
        """`payload` of the passing resources `ResultReader.passed` gives (one entry per
        check), each resource looked up by its ``(id, name)`` among its type's."""
        pairs: dict[str, set[tuple[str | None, str | None]]] = {}
        for entry in passed:
            pairs.setdefault(entry.resource_type, set()).update(entry.resources)
        resources = set(self.row_resources)
        for kind, distinct in pairs.items():
            resources.update([(kind, ident, name) for ident, name in distinct])
        payload, position = self._payload(resources)
        lookups = {}
        for kind, distinct in pairs.items():
            by_id = {ident: position[kind, ident, name] for ident, name in distinct}
            if len(by_id) == len(distinct):  # one name per id: the id tells the resource
                lookups[kind] = _looked_up(by_id, True)
            else:
                by_pair = {(ident, name): position[kind, ident, name] for ident, name in distinct}
                lookups[kind] = _looked_up(by_pair, False)
        payload["passing"] = {
            entry.check_id: _runs(lookups[entry.resource_type](entry.resources)) for entry in passed
        }
        return payload

    def _payload(self, resources: set[Resource]) -> tuple[dict[str, Any], dict[Resource, int]]:
        """The payload without ``passing``, and the index of each resource in its table."""
        if set(map(type, chain.from_iterable(resources))) <= {str}:
            table = sorted(resources)  # the key below is the resource itself
        else:
            table = sorted(resources, key=lambda r: (r[0] or "", r[1] or "", r[2] or ""))
        position = {resource: index for index, resource in enumerate(table)}
        types = sorted({t or "" for t, _, _ in table})
        type_index = {t: i for i, t in enumerate(types)}
        payload = {
            "v": PAYLOAD_VERSION,
            "types": types,
            "resources": {
                "t": [type_index[t or ""] for t, _, _ in table],
                "i": [i for _, i, _ in table],
                "n": [n for _, _, n in table],
            },
            "shapes": self.shapes,
            "remediations": self.remediations,
            "rows": {
                "s": self.shape_column,
                "r": list(map(position.__getitem__, self.row_resources)),
            },
            "passing": {},
        }
        return payload, position


def encode(
    findings: Iterable[Mapping[str, Any]], passing: Mapping[str, list[Resource]]
) -> dict[str, Any]:
    """The payload of complete ``findings`` (any order) and ``passing`` per check."""
    encoder = Encoder(None)
    for finding in sorted(findings, key=sort_key):
        encoder.add(finding)
    return encoder.payload(passing)


def passing_of(reader: ResultReader) -> dict[str, list[Resource]]:
    """Per check, the resources that passed, as ``(type, id, name)``."""
    passing: dict[str, list[Resource]] = {}
    for entry in reader.passed():
        listed = passing.setdefault(entry.check_id, [])
        kind = entry.resource_type
        listed.extend([(kind, ident, name) for ident, name in entry.resources])
    return passing

"""Just enough SOQL for the queries the crmscan Salesforce adapter sends.

Supported: ``SELECT f1, f2, FUNC(f) alias FROM Obj [WHERE c AND c ...] [GROUP BY ...]
[ORDER BY f] [LIMIT n]``; conditions ``=, !=, <, <=, >, >=, IN (...), NOT IN (...)`` with
string, boolean, null, number, datetime and ``LAST_N_DAYS:n`` literals; aggregate
functions COUNT, COUNT_DISTINCT, MAX, MIN and the date functions DAY_ONLY and HOUR_IN_DAY.
Anything else is a ``MALFORMED_QUERY``, as on a real org.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

_QUERY = re.compile(
    r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<obj>\w+)"
    r"(?:\s+WHERE\s+(?P<where>.+?))?"
    r"(?:\s+GROUP\s+BY\s+(?P<group>.+?))?"
    r"(?:\s+ORDER\s+BY\s+(?P<order>.+?))?"
    r"(?:\s+LIMIT\s+(?P<limit>\d+))?"
    r"(?:\s+OFFSET\s+(?P<offset>\d+))?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_COND = re.compile(
    r"^\s*(?P<field>[\w.]+)\s*(?P<op>!=|<=|>=|=|<|>|\bNOT\s+IN\b|\bIN\b)\s*(?P<value>.+?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
_FUNC = re.compile(r"^(?P<func>\w+)\(\s*(?P<arg>[\w.]*)\s*\)$")
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)$")

SF_DATETIME = "%Y-%m-%dT%H:%M:%S.000+0000"
_AGGREGATES = ("COUNT", "COUNT_DISTINCT", "MAX", "MIN")


class SoqlError(Exception):
    """A query the emulated org rejects; ``code`` is the Salesforce errorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class SelectItem:
    """One item of the SELECT list."""

    expr: str  # field name, or FUNC(arg)
    alias: str | None
    func: str | None = None
    arg: str | None = None


@dataclass
class Query:
    """A parsed query."""

    obj: str
    items: list[SelectItem]
    where: list[tuple[str, str, Any]] = field(default_factory=list)
    group_by: list[str] = field(default_factory=list)
    order_by: str | None = None
    limit: int | None = None
    offset: int = 0
    descending: bool = False


def parse_datetime(value: str) -> datetime:
    """Parse a Salesforce datetime (``2026-01-01T10:00:00.000+0000`` or ISO 8601)."""
    text = value.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def _split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == sep and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _literal(text: str, now: datetime) -> Any:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return [_literal(part, now) for part in _split_top(text[1:-1])]
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'")
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered == "null":
        return None
    match = re.fullmatch(r"LAST_N_DAYS:(\d+)", text, re.IGNORECASE)
    if match:
        start = (now - timedelta(days=int(match.group(1)))).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        return ("range", start)
    if _DATETIME.match(text):
        return parse_datetime(text)
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{text}'") from None


def parse(soql: str, now: datetime) -> Query:
    """Parse ``soql`` or raise `SoqlError`."""
    match = _QUERY.match(soql)
    if not match:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token in query: {soql[:80]}")
    items = []
    for raw in _split_top(match.group("fields")):
        parts = raw.split()
        expr, alias = parts[0], parts[1] if len(parts) > 1 else None
        func = _FUNC.match(expr)
        if func:
            items.append(SelectItem(expr, alias, func.group("func").upper(), func.group("arg")))
        else:
            items.append(SelectItem(expr, alias))
    where = []
    if match.group("where"):
        for cond in re.split(r"\s+AND\s+", match.group("where"), flags=re.IGNORECASE):
            parsed = _COND.match(cond)
            if not parsed:
                raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{cond[:40]}'")
            op = " ".join(parsed.group("op").upper().split())
            where.append((parsed.group("field"), op, _literal(parsed.group("value"), now)))
    group_by = _split_top(match.group("group")) if match.group("group") else []
    limit = int(match.group("limit")) if match.group("limit") else None
    order_parts = match.group("order").split() if match.group("order") else []
    order = order_parts[0] if order_parts else None
    descending = len(order_parts) > 1 and order_parts[1].upper() == "DESC"
    offset = int(match.group("offset")) if match.group("offset") else 0
    return Query(match.group("obj"), items, where, group_by, order, limit, offset, descending)


def _compare(value: Any, op: str, target: Any) -> bool:
    if isinstance(target, tuple) and target and target[0] == "range":
        if value is None:
            return False
        # LAST_N_DAYS:n is the range from n days ago to now: "<" is before its start.
        before = parse_datetime(value) < target[1]
        return before if op in ("<", "<=") else not before
    if isinstance(target, datetime):
        if value is None:
            return False
        value = parse_datetime(value)
    if op == "=":
        return bool(value == target)
    if op == "!=":
        return bool(value != target)
    if op == "IN":
        return value in target
    if op == "NOT IN":
        return value not in target
    if value is None or target is None:
        return False
    return bool(
        {"<": value < target, "<=": value <= target, ">": value > target, ">=": value >= target}[op]
    )


def _date_func(func: str, value: Any) -> Any:
    if value is None:
        return None
    moment = parse_datetime(value).astimezone(timezone.utc)
    if func == "DAY_ONLY":
        return moment.date().isoformat()
    if func == "HOUR_IN_DAY":
        return moment.hour
    raise SoqlError("MALFORMED_QUERY", f"unknown function {func}")


def _group_value(expr: str, record: dict[str, Any]) -> Any:
    func = _FUNC.match(expr)
    if func:
        return _date_func(func.group("func").upper(), record.get(func.group("arg")))
    return record.get(expr)


def is_aggregate(query: Query) -> bool:
    """Whether the query groups or aggregates (its rows are built at once)."""
    return bool(query.group_by) or any(item.func in _AGGREGATES for item in query.items)


def project(query: Query, record: dict[str, Any], obj_type: str) -> dict[str, Any]:
    """One result row of a plain (non-aggregate) query."""
    row: dict[str, Any] = {
        "attributes": {"type": obj_type, "url": f"/sobjects/{obj_type}/{record.get('Id')}"}
    }
    for item in query.items:
        row[item.expr] = record.get(item.expr)
    return row


def count_rows(query: Query, records: list[dict[str, Any]]) -> int:
    """How many records match the query's filter (``SELECT COUNT()``)."""
    return sum(1 for r in records if all(_compare(r.get(f), op, v) for f, op, v in query.where))


def execute(query: Query, records: list[dict[str, Any]], obj_type: str) -> list[dict[str, Any]]:
    """Matching records of a plain query (project them page by page), or aggregate rows."""
    rows = [r for r in records if all(_compare(r.get(f), op, v) for f, op, v in query.where)]
    if query.order_by:
        key = query.order_by
        rows.sort(key=lambda r: (r.get(key) is None, str(r.get(key))), reverse=query.descending)
    result = _aggregate(query, rows) if is_aggregate(query) else rows
    result = result[query.offset :]
    if query.limit is not None:
        result = result[: query.limit]
    return result


def _aggregate(query: Query, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(_group_value(g, row) for g in query.group_by), []).append(row)
    if not query.group_by:
        groups = {(): rows}
    out = []
    for members in groups.values():
        result: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
        expr_index = 0
        for item in query.items:
            if item.func in _AGGREGATES:
                name = item.alias or f"expr{expr_index}"
                expr_index += 1
                values = [m.get(item.arg) for m in members if m.get(item.arg or "Id") is not None]
                if item.func == "COUNT_DISTINCT":
                    if not item.arg:
                        raise SoqlError("MALFORMED_QUERY", "COUNT_DISTINCT() needs a field")
                    result[name] = len(set(values))  # nulls are not counted, as in SOQL
                elif item.func == "COUNT":
                    result[name] = len(values) if item.arg else len(members)
                else:
                    pick = max if item.func == "MAX" else min
                    result[name] = pick(values) if values else None
            elif item.func:
                name = item.alias or f"expr{expr_index}"
                expr_index += 1
                result[name] = _group_value(item.expr, members[0])
            else:
                result[item.alias or item.expr] = members[0].get(item.expr)
        out.append(result)
    return out


def is_count_only(query: Query) -> bool:
    """``SELECT COUNT() FROM ...``: the answer is ``totalSize`` with no records."""
    return (
        len(query.items) == 1
        and query.items[0].func == "COUNT"
        and not query.items[0].arg
        and not query.group_by
    )


def referenced_fields(query: Query) -> set[str]:
    """Every plain field name the query mentions (to check they exist)."""
    names = {item.arg if item.func else item.expr for item in query.items}
    names |= {f for f, _, _ in query.where}
    for expr in query.group_by:
        func = _FUNC.match(expr)
        names.add(func.group("arg") if func else expr)
    names.discard(None)
    names.discard("")
    return {n for n in names if n}

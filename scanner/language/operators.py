"""The comparison operators of the check language.

Each operator is a factory: given the (already resolved) value from the check, it returns
a predicate over the observed field value. Predicates are only called with a non-null
observed value; the condition compiler turns a null into *unknown* first. A predicate
that cannot compare (wrong type) raises `TypeError`, which the engine reports as ERROR.

Regular expressions (``regex``) run on RE2, whose matching time is linear in the length
of the text: a pattern such as ``^(a+)+$`` cannot hang a scan on a long CRM value, in a
shipped check or a custom one. What RE2 cannot run (backreferences, lookaround) is
refused when the check is compiled, naming the file, line and field.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import re2

Predicate = Callable[[Any], bool]


def _as_set(value: Any) -> frozenset[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(value)
    return frozenset([value])


def _items(observed: Any) -> Iterable[Any]:
    if isinstance(observed, (list, tuple, set, frozenset)):
        return observed
    raise TypeError(f"expected a list, got {type(observed).__name__}")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:
        raise TypeError(f"number too large: {str(value)[:20]}...") from None
    if math.isnan(number):
        raise TypeError("expected a number, got NaN")
    return number


#: Longest span of days a time comparison accepts (about 27,000 years; beyond it the
#: date arithmetic overflows).
MAX_DAYS = 10_000_000.0


def _shifted(now: datetime, value: Any, sign: int) -> datetime:
    """``now`` moved by ``value`` days (times ``sign``), clamped to the datetime range."""
    days = _number(value)
    if abs(days) > MAX_DAYS:
        raise ValueError(f"{days:g} days is beyond ±{MAX_DAYS:g}")
    try:
        return now + sign * timedelta(days=days)
    except OverflowError:
        edge = datetime.max if sign * days > 0 else datetime.min
        return edge.replace(tzinfo=now.tzinfo)


def _eq(value: Any) -> Predicate:
    return lambda observed: bool(observed == value)


def _ne(value: Any) -> Predicate:
    return lambda observed: bool(observed != value)


def _ordered(compare: Callable[[Any, Any], bool]) -> Callable[[Any], Predicate]:
    def factory(value: Any) -> Predicate:
        def predicate(observed: Any) -> bool:
            if isinstance(observed, bool) or not isinstance(observed, (int, float, str)):
                raise TypeError(f"cannot compare {type(observed).__name__} with {value!r}")
            return compare(observed, value)

        return predicate

    return factory


def _in(value: Any) -> Predicate:
    allowed = _as_set(value)
    return lambda observed: observed in allowed


def _not_in(value: Any) -> Predicate:
    allowed = _as_set(value)
    return lambda observed: observed not in allowed


def _contains(value: Any) -> Predicate:
    def predicate(observed: Any) -> bool:
        if isinstance(observed, str):
            return str(value) in observed
        return value in _items(observed)

    return predicate


def _not_contains(value: Any) -> Predicate:
    contains = _contains(value)
    return lambda observed: not contains(observed)


def _contains_any(value: Any) -> Predicate:
    wanted = _as_set(value)

    def predicate(observed: Any) -> bool:
        if isinstance(observed, str):
            return any(str(w) in observed for w in wanted)
        return not wanted.isdisjoint(_items(observed))

    return predicate


def _contains_all(value: Any) -> Predicate:
    wanted = _as_set(value)

    def predicate(observed: Any) -> bool:
        if isinstance(observed, str):
            return all(str(w) in observed for w in wanted)
        return wanted.issubset(_items(observed))

    return predicate


def _contains_all_of_any(value: Any) -> Predicate:
    groups = [frozenset(group) for group in _items(value)]

    def predicate(observed: Any) -> bool:
        present = frozenset(_items(observed))
        return any(group <= present for group in groups)

    return predicate


def _intersects(value: Any) -> Predicate:
    wanted = _as_set(value)
    return lambda observed: not wanted.isdisjoint(_items(observed))


def _subset_of(value: Any) -> Predicate:
    allowed = _as_set(value)
    return lambda observed: allowed.issuperset(_items(observed))


#: RE2 refuses a pattern whose compiled program would need more memory than this.
REGEX_MAX_MEMORY = 8 << 20
#: Longest pattern accepted.
REGEX_MAX_LENGTH = 10_000


def _re2_options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern on stderr
    options.max_mem = REGEX_MAX_MEMORY
    return options


_RE2_OPTIONS = _re2_options()


def compile_regex(pattern: Any) -> Any:
    """``pattern`` compiled with RE2; `ValueError` naming the problem when RE2 cannot run it."""
    if not isinstance(pattern, str):
        raise TypeError(f"a regular expression must be a string, got {pattern!r}")
    if len(pattern) > REGEX_MAX_LENGTH:
        raise ValueError(f"regular expression longer than {REGEX_MAX_LENGTH:,} characters")
    try:
        return re2.compile(pattern, _RE2_OPTIONS)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise ValueError(
            f"regular expression {pattern[:80]!r} cannot be used: {detail} (crmscan runs "
            "regular expressions on RE2, which has no backreferences or lookaround)"
        ) from None


def _regex(value: Any) -> Predicate:
    pattern = compile_regex(value)

    def predicate(observed: Any) -> bool:
        if isinstance(observed, str):
            return pattern.search(observed) is not None
        return any(isinstance(i, str) and pattern.search(i) for i in _items(observed))

    return predicate


def _length(compare: Callable[[int, float], bool]) -> Callable[[Any], Predicate]:
    def factory(value: Any) -> Predicate:
        limit = _number(value)
        return lambda observed: compare(len(observed), limit)

    return factory


def _empty(_: Any) -> Predicate:
    return lambda observed: len(observed) == 0


def _not_empty(_: Any) -> Predicate:
    return lambda observed: len(observed) > 0


def _age(now: datetime, older: bool) -> Callable[[Any], Predicate]:
    def factory(value: Any) -> Predicate:
        cutoff = _shifted(now, value, -1)

        def predicate(observed: Any) -> bool:
            if not isinstance(observed, datetime):
                raise TypeError(f"expected a timestamp, got {observed!r}")
            return observed < cutoff if older else observed >= cutoff

        return predicate

    return factory


def _ahead(now: datetime) -> Callable[[Any], Predicate]:
    """``more_than_days_ahead``: the timestamp lies more than N days after ``now``.

    For expiry dates (certificates, tokens): ``not_after`` must be at least N days away.
    """

    def factory(value: Any) -> Predicate:
        cutoff = _shifted(now, value, +1)

        def predicate(observed: Any) -> bool:
            if not isinstance(observed, datetime):
                raise TypeError(f"expected a timestamp, got {observed!r}")
            return observed > cutoff

        return predicate

    return factory


def range_prefix(start: str, end: str) -> int:
    """The prefix length of the smallest network as wide as the range start..end.

    IPv6 widths are expressed on the IPv4 scale (prefix - 96), so one policy number
    bounds both families.
    """
    first, last = ipaddress.ip_address(start), ipaddress.ip_address(end)
    if first.version != last.version:
        raise TypeError(f"range {start}-{end} mixes IPv4 and IPv6")
    size = abs(int(last) - int(first)) + 1
    host_bits = (size - 1).bit_length()
    bits = 32 if first.version == 4 else 128
    return bits - host_bits - (0 if first.version == 4 else 96)


def _range_bounds(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        network = ipaddress.ip_network(item, strict=False)
        return str(network[0]), str(network[-1])
    start, end = getattr(item, "start", None), getattr(item, "end", None)
    if isinstance(item, dict):
        start, end = item.get("start"), item.get("end")
    if not isinstance(start, str) or not isinstance(end, str):
        raise TypeError(f"not an IP range: {item!r}")
    return start, end


def _ip_prefix_ge(value: Any) -> Predicate:
    minimum = _number(value)

    def predicate(observed: Any) -> bool:
        return all(range_prefix(*_range_bounds(item)) >= minimum for item in _items(observed))

    return predicate


def operator_factories(now: datetime) -> dict[str, Callable[[Any], Predicate]]:
    """Every value operator, with time-relative ones anchored at ``now``."""
    return {
        "eq": _eq,
        "ne": _ne,
        "gt": _ordered(lambda a, b: a > b),
        "ge": _ordered(lambda a, b: a >= b),
        "lt": _ordered(lambda a, b: a < b),
        "le": _ordered(lambda a, b: a <= b),
        "in": _in,
        "not_in": _not_in,
        "contains": _contains,
        "not_contains": _not_contains,
        "contains_any": _contains_any,
        "contains_all": _contains_all,
        "contains_all_of_any": _contains_all_of_any,
        "intersects": _intersects,
        "subset_of": _subset_of,
        "regex": _regex,
        "empty": _empty,
        "not_empty": _not_empty,
        "length_le": _length(lambda n, limit: n <= limit),
        "length_ge": _length(lambda n, limit: n >= limit),
        "older_than_days": _age(now, older=True),
        "newer_than_days": _age(now, older=False),
        "more_than_days_ahead": _ahead(now),
        "ip_prefix_ge": _ip_prefix_ge,
    }


#: Operators that test presence and are therefore never *unknown*.
PRESENCE_OPERATORS = frozenset({"exists", "absent"})
#: Operators that apply a nested condition to the items of a list field.
QUANTIFIERS = frozenset({"any_match", "all_match", "none_match"})

"""Compile `all`/`any`/`not` condition trees into Python callables, once per scan.

Evaluation is three-valued: a compiled condition returns True, False or None (unknown).
A leaf whose field is null — not collected — is unknown; `all`/`any`/`not` follow
Kleene logic, so an unknown only decides the result when the known parts cannot. The
engine reports an unknown result as ERROR, never as PASS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from scanner.language.operators import PRESENCE_OPERATORS, QUANTIFIERS, operator_factories
from scanner.model.resources import field_names, field_type, getter

Tri = bool | None
Compiled = Callable[[Any], Tri]


class ConditionError(Exception):
    """A condition that cannot compile; ``path`` locates it inside the check document."""

    def __init__(self, path: Sequence[str | int], problem: str) -> None:
        super().__init__(problem)
        self.path = list(path)
        self.problem = problem


def lookup_param(params: Mapping[str, Any], name: str) -> Any:
    """The policy parameter ``name`` (dotted); KeyError when it is not set."""
    current: Any = params
    for step in name.split("."):
        if not isinstance(current, Mapping) or step not in current:
            raise KeyError(name)
        current = current[step]
    return current


def resolve_value(value: Any, params: Mapping[str, Any], path: Sequence[str | int]) -> Any:
    """``value`` with a ``{param: name}`` reference replaced by the parameter's value."""
    if isinstance(value, dict) and set(value) == {"param"}:
        try:
            return lookup_param(params, value["param"])
        except KeyError:
            raise ConditionError(
                path, f"policy parameter '{value['param']}' is not set by the policy"
            ) from None
    return value


class ConditionCompiler:
    """Compiles conditions over one resource model with one policy's parameters."""

    def __init__(self, model: type[BaseModel], params: Mapping[str, Any], now: datetime) -> None:
        self.model = model
        self.params = params
        self.now = now
        self.factories = operator_factories(now)
        self.fields: list[str] = []  # every field path the compiled conditions read

    def compile(self, node: Any, path: Sequence[str | int]) -> Compiled:
        """Compile the condition ``node`` found at ``path`` in the check document."""
        if "all" in node:
            return _all([self.compile(c, [*path, "all", i]) for i, c in enumerate(node["all"])])
        if "any" in node:
            return _any([self.compile(c, [*path, "any", i]) for i, c in enumerate(node["any"])])
        if "not" in node:
            return _not(self.compile(node["not"], [*path, "not"]))
        return self._leaf(node, path)

    def _check_field(self, field: str, path: Sequence[str | int]) -> tuple[Any, bool]:
        try:
            return field_type(self.model, field)
        except ValueError as exc:
            raise ConditionError([*path, "field"], str(exc)) from None
        except KeyError as exc:
            known = [n for n in field_names(self.model) if n.count(".") <= field.count(".")]
            hint = ", ".join(known[:40])
            raise ConditionError(
                [*path, "field"],
                f"unknown field '{field}' (no '{exc.args[0]}' on {self.model.__name__}; "
                f"known: {hint})",
            ) from None

    def _leaf(self, node: Mapping[str, Any], path: Sequence[str | int]) -> Compiled:
        field, op = node["field"], node["op"]
        inner, _ = self._check_field(field, path)
        if field not in self.fields:
            self.fields.append(field)
        read = getter(field)
        if op in PRESENCE_OPERATORS:
            present = op == "exists"
            return lambda obj: (read(obj) is not None) is present
        if op in QUANTIFIERS:
            if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
                raise ConditionError(
                    [*path, "op"], f"{op} needs a list of objects; '{field}' is not"
                )
            nested = ConditionCompiler(inner, self.params, self.now)
            return _quantifier(op, read, nested.compile(node["match"], [*path, "match"]))
        value = resolve_value(node.get("value"), self.params, [*path, "value"])
        try:
            predicate = self.factories[op](value)
        except (TypeError, ValueError) as exc:
            raise ConditionError([*path, "value"], f"invalid value for {op}: {exc}") from None
        return _leaf(field, op, value, predicate)


def _leaf(field: str, op: str, value: Any, predicate: Callable[[Any], bool]) -> Compiled:
    # The hot path of every scan: the attribute read and the common comparisons are
    # inlined rather than layered as calls. A specialised leaf gives the operator's own
    # answer (same verdicts, same TypeError for a value of the wrong type): it only
    # skips the call for the usual case of a plain value or a list.
    get = attrgetter(field)
    if op == "eq" and isinstance(value, (str, bool, int, float)):

        def leaf_eq(obj: Any) -> Tri:
            try:
                observed = get(obj)
            except AttributeError:
                return None
            return None if observed is None else observed == value

        return leaf_eq
    special = _SPECIAL.get(op)
    if special is not None:
        return special(get, value, predicate)

    def leaf(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        return None if observed is None else predicate(observed)

    return leaf


def _leaf_in(get: Callable[[Any], Any], value: Any, predicate: Callable[[Any], bool]) -> Compiled:
    allowed = frozenset(value) if isinstance(value, (list, tuple, set, frozenset)) else None
    if allowed is None:
        return _generic(get, predicate)

    def leaf_in(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        if observed is None:
            return None
        if type(observed) is str:
            return observed in allowed
        return predicate(observed)

    return leaf_in


def _leaf_contains(
    get: Callable[[Any], Any], value: Any, predicate: Callable[[Any], bool]
) -> Compiled:
    def leaf_contains(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        if observed is None:
            return None
        if type(observed) is list:
            return value in observed
        return predicate(observed)

    return leaf_contains


def _leaf_intersects(
    get: Callable[[Any], Any], value: Any, predicate: Callable[[Any], bool]
) -> Compiled:
    if not isinstance(value, (list, tuple, set, frozenset)):
        return _generic(get, predicate)
    wanted = frozenset(value)

    def leaf_intersects(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        if observed is None:
            return None
        if type(observed) is list:
            return not wanted.isdisjoint(observed)
        return predicate(observed)

    return leaf_intersects


def _leaf_all_of_any(
    get: Callable[[Any], Any], value: Any, predicate: Callable[[Any], bool]
) -> Compiled:
    if not isinstance(value, list) or not all(isinstance(g, list) for g in value):
        return _generic(get, predicate)
    groups = tuple(frozenset(group) for group in value)

    def leaf_all_of_any(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        if observed is None:
            return None
        if type(observed) is not list:
            return predicate(observed)
        present = frozenset(observed)
        for group in groups:
            if group <= present:
                return True
        return False

    return leaf_all_of_any


def _generic(get: Callable[[Any], Any], predicate: Callable[[Any], bool]) -> Compiled:
    def leaf(obj: Any) -> Tri:
        try:
            observed = get(obj)
        except AttributeError:
            return None
        return None if observed is None else predicate(observed)

    return leaf


_SPECIAL: dict[str, Callable[[Callable[[Any], Any], Any, Callable[[Any], bool]], Compiled]] = {
    "in": _leaf_in,
    "contains": _leaf_contains,
    "intersects": _leaf_intersects,
    "contains_all_of_any": _leaf_all_of_any,
}


def _combine(results: Iterable[Tri], decisive: bool) -> Tri:
    """Kleene and (decisive=False) or or (decisive=True) of ``results``."""
    unknown = False
    for result in results:
        if result is decisive:
            return decisive
        if result is None:
            unknown = True
    return None if unknown else not decisive


def _negate(result: Tri) -> Tri:
    return None if result is None else not result


def _junction(children: list[Compiled], decisive: bool) -> Compiled:
    # The same loop as _combine, over calls rather than a generator: this is the hot path.
    members = tuple(children)
    if len(members) == 2:
        return _pair(members[0], members[1], decisive)

    def evaluate(obj: Any) -> Tri:
        unknown = False
        for child in members:
            result = child(obj)
            if result is decisive:
                return decisive
            if result is None:
                unknown = True
        return None if unknown else not decisive

    return evaluate


def _pair(first: Compiled, second: Compiled, decisive: bool) -> Compiled:
    """`_junction` of two conditions, unrolled (most ``all``/``any`` have two)."""

    def pair(obj: Any) -> Tri:
        one = first(obj)
        if one is decisive:
            return decisive
        two = second(obj)
        if two is decisive:
            return decisive
        return None if one is None or two is None else not decisive

    return pair


def _all(children: list[Compiled]) -> Compiled:
    return _junction(children, decisive=False)


def _any(children: list[Compiled]) -> Compiled:
    return _junction(children, decisive=True)


def _not(child: Compiled) -> Compiled:
    def negated(obj: Any) -> Tri:
        result = child(obj)
        return None if result is None else not result

    return negated


def _quantifier(op: str, read: Callable[[Any], Any], match: Compiled) -> Compiled:
    def evaluate(obj: Any) -> Tri:
        items = read(obj)
        if items is None:
            return None
        results = (match(item) for item in items)
        if op == "all_match":
            return _combine(results, decisive=False)
        found = _combine(results, decisive=True)
        return found if op == "any_match" else _negate(found)

    return evaluate

"""Bind check specs to a policy: resolve parameters, check field paths, build callables.

Compilation happens once per scan; evaluating a resource never re-parses anything.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from scanner.language.check_spec import CheckSpec
from scanner.language.conditions import Compiled, ConditionCompiler, ConditionError, resolve_value
from scanner.language.policy import Policy, PolicyException
from scanner.model.resources import RESOURCE_KINDS, ResourceKind, field_type, getter
from scanner.model.values import display

COUNT_FIELDS = ("count", "min", "max")


@dataclass(frozen=True)
class MessageTemplate:
    """A message with ``{field.path}`` placeholders, parsed once."""

    parts: tuple[tuple[str, str | None], ...]  # (literal text, field or None)

    @classmethod
    def parse(cls, text: str) -> MessageTemplate:
        """Split ``text`` into literals and field placeholders."""
        parts = tuple(
            (literal, name or None) for literal, name, _, _ in string.Formatter().parse(text)
        )
        return cls(parts)

    def fields(self) -> list[str]:
        """The placeholder names."""
        return [name for _, name in self.parts if name]

    def render(self, resource: Any, extra: dict[str, Any] | None = None) -> str:
        """Fill the placeholders from ``resource`` (and ``extra`` for count fields)."""
        out: list[str] = []
        for literal, name in self.parts:
            out.append(literal)
            if name:
                if extra and name in extra:
                    out.append(display(extra[name]))
                else:
                    out.append(display(getter(name)(resource)))
        return "".join(out)


@dataclass
class CompiledCheck:
    """A check ready to evaluate under one policy."""

    spec: CheckSpec
    severity: str
    kind: ResourceKind
    where: Compiled | None
    assertion: Compiled | None
    count_min: float | None
    count_max: float | None
    fields: tuple[str, ...]
    message: MessageTemplate
    attestation_max_age_days: float | None
    parameters: dict[str, Any]
    exceptions: list[PolicyException] = field(default_factory=list)
    #: The check id (``spec.id``; an attribute: a large scan reads it millions of times).
    id: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.id = self.spec.id

    @property
    def requires(self) -> tuple[str, ...]:
        """Collections whose gaps decide the check: the declared ones and the resource's."""
        declared = self.spec.requires
        return declared if self.kind.collection in declared else (self.kind.collection, *declared)


def parameter_names(node: Any) -> list[str]:
    """Every ``{param: name}`` referenced anywhere in a check document fragment."""
    found: list[str] = []
    if isinstance(node, dict):
        if set(node) == {"param"} and isinstance(node["param"], str):
            return [node["param"]]
        for value in node.values():
            found.extend(parameter_names(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(parameter_names(value))
    return found


def _number(spec: CheckSpec, value: Any, policy: Policy, path: list[str | int]) -> float | None:
    if value is None:
        return None
    try:
        resolved = resolve_value(value, policy.parameters, path)
    except ConditionError as exc:
        raise spec.error(exc.path, exc.problem) from None
    if isinstance(resolved, bool) or not isinstance(resolved, (int, float)):
        raise spec.error(path, f"expected a number, policy gives {resolved!r}")
    return float(resolved)


def compile_check(spec: CheckSpec, policy: Policy, now: datetime) -> CompiledCheck:
    """Compile ``spec`` with ``policy``'s parameters; raises InputFileError on mistakes."""
    kind = RESOURCE_KINDS[spec.resource]
    compiler = ConditionCompiler(kind.model, policy.parameters, now)
    try:
        where = compiler.compile(spec.where, ["where"]) if spec.where is not None else None
        assertion = (
            compiler.compile(spec.assertion, ["assert"]) if spec.assertion is not None else None
        )
    except ConditionError as exc:
        raise spec.error(exc.path, exc.problem) from None
    try:
        message = MessageTemplate.parse(spec.message.strip())
    except ValueError as exc:  # unbalanced or stray braces
        raise spec.error(["message"], f"not a valid message template: {exc}") from None
    special = COUNT_FIELDS if spec.count else ()
    for name in message.fields():
        if name in special:
            continue
        try:
            field_type(kind.model, name)
        except (KeyError, ValueError):
            raise spec.error(["message"], f"placeholder '{{{name}}}' is not a field") from None
    count = spec.count or {}
    attestation = spec.attestation or {}
    params = {name: _param_value(policy, name) for name in parameter_names(_raw(spec))}
    return CompiledCheck(
        spec=spec,
        severity=policy.severity.get(spec.id, spec.severity),
        kind=kind,
        where=where,
        assertion=assertion,
        count_min=_number(spec, count.get("min"), policy, ["count", "min"]),
        count_max=_number(spec, count.get("max"), policy, ["count", "max"]),
        fields=tuple(compiler.fields),
        message=message,
        attestation_max_age_days=_number(
            spec, attestation.get("max_age_days"), policy, ["attestation", "max_age_days"]
        ),
        parameters=params,
        exceptions=[e for e in policy.exceptions if _could_match(e, spec.id)],
    )


def _raw(spec: CheckSpec) -> Any:
    return [spec.where, spec.assertion, spec.count, spec.attestation]


def _param_value(policy: Policy, name: str) -> Any:
    try:
        return resolve_value({"param": name}, policy.parameters, [])
    except ConditionError:
        return None


def _could_match(exception: PolicyException, check_id: str) -> bool:
    return fnmatchcase(check_id, exception.check)


def compile_checks(
    specs: Iterable[CheckSpec], policy: Policy, now: datetime
) -> list[CompiledCheck]:
    """Compile every spec, in id order."""
    return [compile_check(s, policy, now) for s in sorted(specs, key=lambda s: s.id)]

"""Property-based fuzzing of every loader a user's file goes through.

Hypothesis builds documents (valid ones with fields replaced by arbitrary JSON values,
and arbitrary text), writes them to a file and loads them as a check, a policy, a
snapshot and a targets file. The property: the loader either accepts the file or raises
a `CrmscanError` (exit 2 with a location) — never anything else.

The budget is fixed (``derandomize=True``, a bounded number of examples per test), so
CI time is predictable and a failure reproduces on every run.
"""

from __future__ import annotations

import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scanner.documents import parse_text
from scanner.errors import CrmscanError, InputFileError
from scanner.fleet.targets import load_targets
from scanner.language.check_spec import load_check_file
from scanner.language.compiler import compile_check
from scanner.language.policy import load_policy
from scanner.model.snapshot import load_snapshot

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
BUDGET = settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Values that break naive code: non-finite and huge numbers, empty and brace text.
hostile_scalars = st.sampled_from(
    [
        float("inf"),
        float("-inf"),
        float("nan"),
        1e308,
        2**64,
        -(2**64),
        -1,
        0,
        10**7,
        "",
        "abc",
        "{",
        "(",
        "2099-01-01",
        True,
        None,
        [],
        {},
        [[]],
        ["x"],
    ]
)
scalars = (
    hostile_scalars
    | st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["", "{", "}", "{username", "(a)\\1", "^(a+)+$", "2099-01-01", "..", "*"])
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)

VALID_CHECK: dict[str, Any] = {
    "id": "FUZZ-001",
    "title": "Fuzzed check",
    "severity": "high",
    "resource": "users",
    "message": "{username} fails",
    "remediation": "Fix it.",
    "where": {"field": "active", "op": "eq", "value": True},
    "assert": {"field": "email", "op": "regex", "value": "@acme\\.example$"},
}
VALID_POLICY: dict[str, Any] = {
    "name": "fuzz",
    "extends": "baseline",
    "parameters": {"identity": {"stale_after_days": 90}, "collection": {"max_workers": 2}},
    "exceptions": [
        {
            "check": "PRIV-002",
            "resources": ["*"],
            "reason": "fuzz",
            "approved_by": "a",
            "expires": "2027-01-01",
        }
    ],
    "attestations": [
        {
            "control": "GOV-001",
            "statement": "done it",
            "date": "2026-01-01",
            "attested_by": "a",
            "outcome": "pass",
        }
    ],
}
VALID_TARGETS: dict[str, Any] = {
    "targets": [
        {"name": "acme", "platform": "hubspot", "env": {"access_token": "FUZZ_TOKEN"}},
        {
            "name": "acme-sf",
            "platform": "salesforce",
            "options": {"instance_url": "https://acme.my.salesforce.com"},
            "env": {"access_token": "FUZZ_TOKEN"},
        },
    ]
}
VALID_SNAPSHOT: dict[str, Any] = json.loads((CORPUS / "snapshots/tiny.json").read_text("utf-8"))


def _with(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(document)), **changes}


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into ``value`` (keys and indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn, valid: dict[str, Any]) -> Any:
    """``valid`` with one to three of its values (at any depth) replaced."""
    document = json.loads(json.dumps(valid))
    paths = [p for p in _paths(document) if p]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        parent = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier replacement removed this path
    if draw(st.booleans()):
        document[draw(st.text(max_size=8))] = draw(json_values)
    return document


def _as_file(document: Any, suffix: str, folder: Path) -> Path:
    path = folder / f"fuzzed{suffix}"
    if suffix == ".json":
        text = json.dumps(document, allow_nan=True)
    else:  # YAML spells numbers its own way (.inf, .nan, 1.0e+300)
        text = yaml.safe_dump(document, allow_unicode=True, width=1000)
    path.write_text(text, encoding="utf-8")
    return path


def _loads_or_refuses(load: Any, path: Path) -> None:
    try:
        load(path)
    except CrmscanError:
        pass


@BUDGET
@example(_with(VALID_CHECK, message="{username"), ".yaml")
@example(_with(VALID_CHECK, count={"max": float("inf")}, where=VALID_CHECK["where"]), ".yaml")
@example(
    _with(VALID_CHECK, **{"assert": {"field": "email", "op": "regex", "value": "(a)\\1"}}), ".yaml"
)
@given(mutated(VALID_CHECK), st.sampled_from([".yaml", ".json"]))
def test_check_loader_accepts_or_refuses(document: Any, suffix: str) -> None:
    policy = load_policy()
    with tempfile.TemporaryDirectory() as folder:
        path = _as_file(document, suffix, Path(folder))

        def load(p: Path) -> None:
            compile_check(load_check_file(p), policy, NOW)

        _loads_or_refuses(load, path)


def _baseline_parameter_paths() -> list[tuple[str, ...]]:
    baseline = yaml.safe_load((Path(__file__).parents[2] / "policies/baseline.yaml").read_text())
    parameters = baseline["parameters"]
    leaves = []
    for path in _paths(parameters):
        node = parameters
        for step in path:
            node = node[step]
        if path and not isinstance(node, dict) and all(isinstance(s, str) for s in path):
            leaves.append(tuple(path))
    return leaves


PARAMETER_PATHS = _baseline_parameter_paths()


@st.composite
def fuzzed_parameters(draw: st.DrawFn) -> dict[str, Any]:
    """A pack extending baseline that sets one to four baseline parameters to anything."""
    document = json.loads(json.dumps(VALID_POLICY))
    parameters: dict[str, Any] = {}
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(PARAMETER_PATHS))
        node = parameters
        for step in path[:-1]:
            child = node.setdefault(step, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node[path[-1]] = draw(hostile_scalars | json_values)
    document["parameters"] = parameters
    return document


# Known-hostile inputs run on every run besides the generated ones.
@settings(BUDGET, max_examples=30)
@example(_with(VALID_POLICY, parameters={"identity": {"stale_after_days": float("inf")}}))
@example(_with(VALID_POLICY, parameters={"identity": {"stale_after_days": 1e300}}))
@example(_with(VALID_POLICY, parameters={"collection": {"max_workers": "many"}}))
@example(_with(VALID_POLICY, parameters={"monitoring": {"login_window_days": float("nan")}}))
@given(mutated(VALID_POLICY) | fuzzed_parameters())
def test_policy_loader_accepts_or_refuses(document: Any) -> None:
    from scanner.engine.scan import collection_scope
    from scanner.language.check_spec import load_checks
    from scanner.language.compiler import compile_checks

    checks = list(load_checks().values())
    with tempfile.TemporaryDirectory() as folder:
        path = _as_file(document, ".yaml", Path(folder))

        def load(p: Path) -> None:
            policy = load_policy(str(p))
            compile_checks([c for c in checks if policy.selects(c.id)], policy, NOW)
            collection_scope(policy)

        _loads_or_refuses(load, path)


@BUDGET
@example({**VALID_SNAPSHOT, "users": [{"id": "005A", "last_login_at": 2**80}]}, ".json")
@example({**VALID_SNAPSHOT, "extra": {"x": "\ud800"}}, ".json")
@given(mutated(VALID_SNAPSHOT), st.sampled_from([".json", ".yaml"]))
def test_snapshot_loader_accepts_or_refuses(document: Any, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _loads_or_refuses(load_snapshot, _as_file(document, suffix, Path(folder)))


@BUDGET
@example({"targets": [{"name": "..", "platform": "hubspot", "env": {"access_token": "T"}}]})
@given(mutated(VALID_TARGETS))
def test_targets_loader_accepts_or_refuses(document: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _as_file(document, ".yaml", Path(folder))
        try:
            targets = load_targets(path)
        except CrmscanError:
            return
        for target in targets:  # an accepted name can only name a folder below --out
            assert "/" not in target.name and target.name not in (".", "..")


yaml_text = st.text(
    alphabet=st.sampled_from(list("ab:-[]{}&*!|>'\"#\n\t ,?%@`.0123456789~\\")), max_size=200
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(yaml_text)
def test_yaml_text_parses_or_is_located(text: str) -> None:
    """Arbitrary YAML-ish text either parses or is refused with the file named."""
    try:
        parse_text(text, "fuzz.yaml")
    except InputFileError as exc:
        assert exc.location.path == "fuzz.yaml"

"""Write the hostile inputs that are too large (or too derived) to keep as files.

    python -m tests.hostile.generate DIR

writes them into DIR (the tests call `generate` into a temporary folder once per
session). Small inputs live in ``tests/hostile/corpus/``; these are made here because
they are large (megabytes, thousands of files) or are built from a real result document
that must follow the current result schema.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).parent / "corpus"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)

GENERATORS: dict[str, Callable[[Path], None]] = {}


def _generator(name: str) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(func: Callable[[Path], None]) -> Callable[[Path], None]:
        GENERATORS[name] = func
        return func

    return register


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@_generator("yaml/deep-flow.yaml")
def deep_flow(path: Path) -> None:
    """500 nested flow sequences (the parser's own limit is 1,000)."""
    _write(path, "name: x\nparameters: {deep: " + "[" * 500 + "]" * 500 + "}\n")


@_generator("yaml/deep-block.yaml")
def deep_block(path: Path) -> None:
    """200 nested block mappings, one per line."""
    lines = ["name: x", "parameters:"]
    lines += ["  " * (i + 1) + f"k{i}:" for i in range(200)]
    _write(path, "\n".join(lines) + "\n" + "  " * 201 + "leaf: 1\n")


@_generator("yaml/large.yaml")
def large(path: Path) -> None:
    """A 5 MiB YAML file (over the 4 MiB bound)."""
    row = "  - {id: '005000000000001', username: someone@acme.example, active: true}\n"
    _write(path, "name: x\nparameters:\n rows:\n" + row * (5 * 2**20 // len(row) + 1))


@_generator("yaml/integer-5000-digits.yaml")
def yaml_big_integer(path: Path) -> None:
    """An integer beyond Python's 4,300-digit conversion limit."""
    _write(path, "name: x\nparameters:\n  n: " + "9" * 5000 + "\n")


@_generator("json/deep-5000.json")
def json_deep(path: Path) -> None:
    """5,000 nested arrays: past the JSON parser's recursion limit."""
    _write(path, '{"schema_version": "1.0", "extra": ' + "[" * 5000 + "]" * 5000 + "}\n")


@_generator("json/integer-5000-digits.json")
def json_big_integer(path: Path) -> None:
    """A JSON integer beyond Python's 4,300-digit conversion limit."""
    _write(path, '{"schema_version": "1.0",\n "health_check": {"score": ' + "9" * 5000 + "}}\n")


@_generator("checks/deep-conditions.yaml")
def deep_conditions(path: Path) -> None:
    """A check whose assertion nests 200 ``not`` conditions."""
    condition = "{field: active, op: eq, value: true}"
    for _ in range(200):
        condition = "{not: " + condition + "}"
    _write(
        path,
        "id: HOST-100\ntitle: Deep conditions\nseverity: low\nresource: users\n"
        f"message: deep\nremediation: none\nassert: {condition}\n",
    )


@_generator("policies/extends-chain/p0000.yaml")
def extends_chain(path: Path) -> None:
    """1,200 packs, each extending the next."""
    folder = path.parent
    for i in range(1200):
        body = f"name: p{i:04d}\n" + (f"extends: p{i + 1:04d}.yaml\n" if i < 1199 else "")
        _write(folder / f"p{i:04d}.yaml", body)


@_generator("snapshots/long-email.json")
def long_email(path: Path) -> None:
    """A user whose email is 50,000 'a' then '!': ``^(a+)+$`` backtracks forever on it."""
    data = json.loads((CORPUS / "snapshots/tiny.json").read_text(encoding="utf-8"))
    data["users"][0]["email"] = "a" * 50_000 + "!"
    _write(path, json.dumps(data, indent=1) + "\n")


def base_result() -> dict[str, Any]:
    """A real native result document of the tiny snapshot (current result schema)."""
    from scanner.language.policy import load_policy
    from scanner.model.snapshot import load_snapshot
    from scanner.pipeline import ScanRequest, run_scan

    inventory = load_snapshot(CORPUS / "snapshots/tiny.json")
    outcome = run_scan(inventory, load_policy(), ScanRequest(now=NOW))
    return copy.deepcopy(outcome.document)


def _result_variant(name: str, change: Callable[[dict[str, Any]], None]) -> None:
    def write(path: Path) -> None:
        document = base_result()
        change(document)
        _write(path, json.dumps(document, indent=2) + "\n")

    GENERATORS[f"results/{name}"] = write


def _other_platform(document: dict[str, Any]) -> None:
    document["tenant"]["platform"] = "hubspot"


def _null_tenant(document: dict[str, Any]) -> None:
    document["tenant"]["id"] = None


def _other_tenant(document: dict[str, Any]) -> None:
    document["tenant"]["id"] = "00D000000000999"


def _unknown_check(document: dict[str, Any]) -> None:
    document["findings"][0]["check_id"] = "GHOST-001"


def _deep_evidence(document: dict[str, Any]) -> None:
    document["findings"][0]["evidence"] = {"deep": json.loads("[" * 900 + "]" * 900)}


def _escapes(document: dict[str, Any]) -> None:
    finding = document["findings"][0]
    finding["status"] = "FAIL"
    finding["resource"]["name"] = "\x1b[2J\x1b]8;;https://evil.example\x07x\x1b]8;;\x07\u202eforged"
    finding["message"] = "fine\r\nPASS  forged line \x1b[8mhidden"


_result_variant("base.json", lambda document: None)
_result_variant("other-platform.json", _other_platform)
_result_variant("null-tenant-id.json", _null_tenant)
_result_variant("other-tenant.json", _other_tenant)
_result_variant("findings-for-unknown-check.json", _unknown_check)
_result_variant("deep-evidence.json", _deep_evidence)
_result_variant("escape-sequences.json", _escapes)


def generate(folder: Path) -> Path:
    """Write every generated input under ``folder``; returns it."""
    for name, write in GENERATORS.items():
        write(folder / name)
    return folder


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-inputs")
    print(f"wrote {len(GENERATORS)} generated inputs under {generate(target)}")

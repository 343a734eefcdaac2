"""Snapshots: round trip, validation with file/line/field, no secrets, schema up to date."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from benchmarks.synthetic_org import make_inventory
from scanner.documents import schema
from scanner.errors import InputFileError
from scanner.model.snapshot import load_snapshot, save_snapshot
from scanner.redact import register_secret
from scanner.schemas.__main__ import render


def test_round_trip(tmp_path: Path) -> None:
    inventory = make_inventory(users=20)
    path = save_snapshot(inventory, tmp_path / "snap.json")
    assert load_snapshot(path) == inventory


def test_saved_snapshot_matches_json_schema(tmp_path: Path) -> None:
    path = save_snapshot(make_inventory(users=5), tmp_path / "snap.json")
    Draft202012Validator(schema("inventory")).validate(json.loads(path.read_text()))


def test_inventory_schema_file_is_up_to_date() -> None:
    shipped = (Path(__file__).parents[3] / "scanner/schemas/inventory.schema.json").read_text()
    assert shipped == render(), "run: python -m scanner.schemas"


def test_null_is_kept_distinct_from_false(tmp_path: Path) -> None:
    inventory = make_inventory(users=2)
    assert inventory.users is not None
    inventory.users[0].mfa = None
    inventory.users[1].sso = False
    loaded = load_snapshot(save_snapshot(inventory, tmp_path / "s.json"))
    assert loaded.users is not None
    assert loaded.users[0].mfa is None and loaded.users[1].sso is False


def test_secret_never_written(tmp_path: Path) -> None:
    secret = "00DXX0000001abc!AQ8AQJ2x.verysecretsessionidvalue_1234567890"
    register_secret("s3cr3t-token-value")
    inventory = make_inventory(users=2)
    assert inventory.users is not None
    inventory.users[0].name = f"leak {secret} s3cr3t-token-value"
    text = save_snapshot(inventory, tmp_path / "s.json").read_text()
    assert secret not in text and "s3cr3t-token-value" not in text


@pytest.mark.parametrize(
    ("mutate", "line", "field"),
    [
        (lambda d: d["users"][1].__setitem__("active", "maybe"), None, "active"),
        (lambda d: d["tenant"].pop("platform"), None, "platform"),
        (lambda d: d["users"][0]["mfa"].__setitem__("status", "sometimes"), None, "status"),
    ],
)
def test_malformed_snapshot_names_file_line_field(tmp_path: Path, mutate, line, field) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(make_inventory(users=3).model_dump_json())
    mutate(data)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        load_snapshot(path)
    message = str(info.value)
    assert message.startswith(f"{path}:"), message
    assert f"'{field}'" in message
    assert info.value.location.line is not None and info.value.location.line > 1


def test_truncated_snapshot(tmp_path: Path) -> None:
    text = make_inventory(users=3).model_dump_json(indent=2)
    path = tmp_path / "cut.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputFileError, match="not valid JSON"):
        load_snapshot(path)

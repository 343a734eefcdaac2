"""Snapshots: round trip, validation with file/line/field, no secrets, schema up to date."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from benchmarks.synthetic_org import make_inventory
from scanner import redact as redact_module
from scanner.documents import load_file, schema
from scanner.errors import InputFileError
from scanner.model.inventory import Inventory, Tenant
from scanner.model.snapshot import (
    _nothing_to_redact,
    inventory_from_document,
    load_snapshot,
    redacted_inventory,
    save_snapshot,
)
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


# --- The fast path of load_snapshot: no re-serialization when the text proves nothing
# --- needs redacting (`_nothing_to_redact`). It must agree with the exact path.

SESSION_ID = "00DXX0000001abc!AQ8AQJ2x.verysecretsessionidvalue_1234567890"


@pytest.fixture
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """No secret registered (other tests register theirs process-wide)."""
    monkeypatch.setattr(redact_module, "_secrets", set())
    monkeypatch.setattr(redact_module, "_gated", {})
    monkeypatch.setattr(redact_module, "_patterns", redact_module._build({}))
    monkeypatch.setattr(redact_module, "_stale", False)


def _exact(path: Path) -> Inventory:
    """load_snapshot as it was: validate, then redact the re-serialized inventory."""
    return redacted_inventory(inventory_from_document(load_file(path)))


def _outcome(load: Callable[[Path], Inventory], path: Path) -> str:
    try:
        return load(path).model_dump_json()
    except InputFileError as exc:
        return f"refused: {exc}"


def _snapshot_text(name: str, extra: str = "") -> str:
    """A small snapshot whose first user's name is the JSON string ``name`` (written
    as given: escapes stay escapes), with ``extra`` as the inventory's ``extra``."""
    data = json.loads(make_inventory(users=3).model_dump_json())
    data["users"][0]["name"] = "@NAME@"
    data["extra"] = "@EXTRA@"
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace('"@NAME@"', name).replace('"@EXTRA@"', extra or "{}")


HOSTILE = {
    "plain": '"User 0"',
    "session id": f'"leak {SESSION_ID}"',
    "session id, ! escaped": '"00DXX0000001abc\\u0021AQ8AQJ2x.verysecretsessionidvalue_123"',
    "session id, 0 escaped": '"\\u0030\\u0030DXX0000001abc!AQ8AQJ2x.verysecretsessionidvalue"',
    "session id, solidus escaped": '"00DXX0000001abc!AQ8AQJ2x\\/verysecretsessionidvalue_12"',
    "bearer": '"Bearer abcdefghijklmnop"',
    "bearer, space escaped": '"Bearer\\u0020abcdefghijklmnop"',
    "bearer, tab escaped": '"Bearer\\tabcdefghijklmnop"',
    "bearer, no-break space": '"Bearer\u00a0abcdefghijklmnop"',
    "bearer, mixed case": '"BeArer abcdefghijklmnop and a bearer"',
    "bearer, letters escaped": '"B\\u0065\\u0061r\\u0065r abcdefghijklmnop"',
    "bearer, no gate": '"BeArEr abcdefghijklmnop"',
    "hubspot token": '"pat-na1-0123abcd-0123456789abcdef0123"',
    "hubspot token, escaped": '"pat\\u002dna1-0123abcd-0123456789abcdef0123"',
    "private key": '"-----BEGIN RSA PRIVATE KEY-----\\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX"',
    "private key, raw spaces": '"-----BEGIN PRIVATE KEY----- MIIBOgIBAAJBAKj34GkxFhD90vc"',
    "control characters": '"a\\u0000b\\u001fc\\n\\r\\t"',
    "quote and backslash": '"say \\"hi\\" \\\\ there"',
    "lone surrogate": '"\\ud800"',
    "surrogate pair": '"\\ud83d\\ude00"',
    "non-ASCII": '"Zoë 李 \u2028 \ufeff \U0001f600"',
    "not a string": "12",
    "huge int in extra": '"x"',
    "NaN in extra": '"x"',
    "deep extra": '"x"',
    "shape in extra key": '"x"',
}
EXTRA = {
    "huge int in extra": '{"n": 123456789012345678901234567890}',
    "NaN in extra": '{"n": NaN}',
    "deep extra": '{"n": ' + "[" * 80 + "]" * 80 + "}",
    "shape in extra key": '{"Bearer abcdefghijklmnop": 1}',
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_fast_load_agrees_with_the_exact_path(tmp_path: Path, no_secrets: None, case: str) -> None:
    path = tmp_path / "snap.json"
    path.write_text(_snapshot_text(HOSTILE[case], EXTRA.get(case, "")), encoding="utf-8")
    assert _outcome(load_snapshot, path) == _outcome(_exact, path)


def test_fast_load_skips_the_dump_only_when_nothing_is_there(
    tmp_path: Path, no_secrets: None
) -> None:
    assert _nothing_to_redact(_snapshot_text(HOSTILE["plain"]))
    for case in (
        "session id",
        "session id, ! escaped",
        "bearer, no-break space",
        "quote and backslash",
    ):
        assert not _nothing_to_redact(_snapshot_text(HOSTILE[case]))
    path = tmp_path / "snap.json"
    path.write_text(_snapshot_text(HOSTILE["session id, ! escaped"]), encoding="utf-8")
    loaded = load_snapshot(path)
    assert loaded.users is not None and loaded.users[0].name == "[REDACTED]"


def test_fast_load_is_not_taken_once_a_secret_is_registered(tmp_path: Path) -> None:
    register_secret("w1ld-s3cret-value")
    text = _snapshot_text('"w1ld\\u002ds3cret-value"')  # escaped: only the dump shows it
    assert not _nothing_to_redact(text)
    path = tmp_path / "snap.json"
    path.write_text(text, encoding="utf-8")
    loaded = load_snapshot(path)
    assert loaded.users is not None and loaded.users[0].name == "[REDACTED]"


@pytest.mark.parametrize("seed", range(40))
def test_fast_load_agrees_on_mixed_fragments(tmp_path: Path, no_secrets: None, seed: int) -> None:
    fragments = [
        "00D",
        "XX0000001abc",
        "!",
        "%21",
        "\\u0021",
        "AQ8AQJ2x.verysecretsessionid_1234",
        "Bearer",
        "bEaReR",
        " ",
        "\\u0020",
        "%20",
        "+",
        "\u00a0",
        "abcdefghijkl",
        "pat-",
        "na1-",
        "0123abcd-",
        "0123456789abcdef0123",
        "-----BEGIN ",
        "RSA ",
        "PRIVATE KEY-----",
        "\\n",
        "MIIBOgIBAAJBAKj34",
        "\\\\",
        '\\"',
        "é",
        ",",
        ":",
        "[",
        "}",
    ]
    rng = random.Random(seed)
    name = '"' + "".join(rng.choice(fragments) for _ in range(rng.randint(1, 12))) + '"'
    path = tmp_path / "snap.json"
    path.write_text(_snapshot_text(name), encoding="utf-8")
    assert _outcome(load_snapshot, path) == _outcome(_exact, path)


def _schema_strings(node: object) -> Iterator[str]:
    """Field names, enumerated values, constants and defaults of the inventory schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            if key in ("enum", "const", "default"):
                yield from (v for v in (value if isinstance(value, list) else [value]))
            yield from _schema_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_strings(item)


def test_no_shape_literal_comes_from_the_model_itself() -> None:
    """What the dump writes that is not in the loaded text (field names, enumerated
    values, defaults) holds no literal a secret shape needs (`_nothing_to_redact`)."""
    literals = [lit for gates, _ in redact_module._SHAPE_CHECKS for lit in gates]
    written = [str(s) for s in _schema_strings(schema("inventory"))]
    written.append(Inventory(tenant=Tenant(platform="p")).model_dump_json())
    assert len(written) > 100
    assert not [(w, lit) for w in written for lit in literals if lit in w]


def test_dump_writes_strings_without_escapes_as_they_are() -> None:
    """A string with no quote, backslash or control character is dumped as is."""
    chars = [chr(c) for c in range(0x20, 0x3000) if chr(c) not in '"\\' and not 0xD800 <= c]
    chars += ["\ufeff", "\uffff", "\U0001f600", "\U0010ffff", "\x7f", "\u2028", "\u2029"]
    text = "".join(chars)
    assert f'"platform":"{text}"' in Tenant(platform=text).model_dump_json()


def _set(data: dict[str, Any], pointer: str, value: Any) -> None:
    *parents, last = [int(p) if p.isdigit() else p for p in pointer.strip("/").split("/")]
    for part in parents:
        if isinstance(part, str) and data.get(part) is None:
            data[part] = {}
        data = data[part]
    data[last] = value


@pytest.mark.parametrize(
    ("numbers", "refused_at"),
    [
        ({"/tenant/collected_at": 1700000000}, "/tenant/collected_at"),
        ({"/users/2/created_at": 1.5}, "/users/2/created_at"),
        ({"/users/1/login/last_failure_at": 0}, "/users/1/login/last_failure_at"),
        ({"/users/0/last_login_at": 5, "/tenant/collected_at": 6}, "/tenant/collected_at"),
        ({"/users/0/last_login_at": 5, "/users/0/created_at": 6}, "/users/0/created_at"),
        ({"/users/0/login": 5, "/users/1/created_at": 3}, "/users/1/created_at"),
        (
            {"/users/0/login/last_failure_at": -1, "/users/1/created_at": 3},
            "/users/0/login/last_failure_at",
        ),
        (
            {"/encryption/transport/certificate/not_after": 9},
            "/encryption/transport/certificate/not_after",
        ),
        ({"/data/backup/last_completed_at": 2}, "/data/backup/last_completed_at"),
        ({"/monitoring/audit_log_oldest_at": 2.0}, "/monitoring/audit_log_oldest_at"),
        ({"/users/0/created_at": True}, None),
        ({"/users/0/login": [1]}, None),
        ({"/users": {"created_at": 1}}, None),
    ],
)
def test_timestamp_given_as_a_number_is_refused_where_it_is(
    tmp_path: Path, numbers: dict[str, Any], refused_at: str | None
) -> None:
    data = json.loads(make_inventory(users=3).model_dump_json())
    for pointer, value in numbers.items():
        _set(data, pointer, value)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_snapshot(path)
    error = caught.value
    if refused_at is None:  # not a number, or not where a timestamp goes: the model says
        assert "ISO 8601" not in error.problem
        return
    assert error.location.pointer == refused_at
    assert error.problem == (
        "a timestamp must be an ISO 8601 string (e.g. 2026-11-23T12:00:00Z), not a number"
    )
    assert error.location.line is not None and error.location.line > 1

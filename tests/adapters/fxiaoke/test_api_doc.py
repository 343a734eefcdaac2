"""docs/api/fxiaoke.md lists every endpoint and request field the adapter sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.fxiaoke.client import READ_CALLS
from scanner.model.inventory import Inventory
from tests.emulators.fxiaoke import FxiaokeEmulator

DOC = Path(__file__).resolve().parents[3] / "docs" / "api" / "fxiaoke.md"


def _documented() -> set[str]:
    """Every backticked token of the page, split on dots and spaces."""
    tokens: set[str] = set()
    for quoted in re.findall(r"`([^`]+)`", DOC.read_text(encoding="utf-8")):
        tokens.add(quoted)
        tokens.update(re.split(r"[\s.=]+", quoted))
    return tokens


def _fields(body: Any, prefix: str = "") -> set[str]:
    names: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            names.add(key)
            names.update(_fields(value, f"{prefix}{key}."))
    return names


def test_every_request_is_documented(
    scan: Callable[..., Inventory], emulator: FxiaokeEmulator
) -> None:
    scan()
    documented = _documented()
    api = [r for r in emulator.requests if r.path != "/"]
    assert api
    for request in api:
        assert f"POST {request.path}" in documented, request.path
        for field in _fields(request.body):
            assert field in documented, (
                f"{request.path}: request field {field} is not in {DOC.name}"
            )
        for name in request.query:
            assert name in documented, name


def test_the_allowlist_is_the_documented_reads() -> None:
    documented = _documented()
    assert all(f"POST {path}" in documented for path in READ_CALLS)
    text = DOC.read_text(encoding="utf-8")
    assert "allowlists exactly these five" in text and len(READ_CALLS) == 5

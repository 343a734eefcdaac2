"""Everything the HubSpot adapter asks for or reads is in docs/api/hubspot.md.

Nothing here is taken from the adapter's constants: the endpoints and query parameters
come from the emulator's request log, and the response fields from what the adapter's
code actually read during a full scan. JSON bodies decoded by the shared HTTP layer are
handed to the adapter as recording mappings; the SDK's models (users, roles, teams)
record the attributes the adapter reads, mapped back to their JSON names. A field the
table lacks fails here: look it up in HubSpot's documentation and add its row.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hubspot.settings.users import models as user_models

from adapters.http import answers
from adapters.hubspot import evidence
from scanner.adapter_api import CollectionScope, NullProgress
from tests.adapters.hubspot.conftest import NOW
from tests.emulators.hubspot import HubSpotEmulator, large_account, sample_account, schema

TABLE = Path(__file__).resolve().parents[3] / "docs/api/hubspot.md"
_ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def documented() -> set[str]:
    """The items of the table's first column."""
    return {m.group(1) for line in TABLE.read_text().splitlines() if (m := _ROW.match(line))}


def _from_adapter(depth: int = 2) -> bool:
    return str(sys._getframe(depth).f_globals.get("__name__", "")).startswith("adapters.")


class _Read(dict[str, Any]):
    """A JSON object that notes each key the adapter's code reads from it."""

    def __init__(self, data: dict[str, Any], where: str, seen: set[str]) -> None:
        super().__init__({k: _wrap(v, f"{where}{k}", seen) for k, v in data.items()})
        self._where, self._seen = where, seen

    def _note(self, key: object) -> None:
        if _from_adapter(3):
            self._seen.add(f"{self._where}{key}")

    def get(self, key: str, default: Any = None) -> Any:
        self._note(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)


def _wrap(value: Any, where: str, seen: set[str]) -> Any:
    if isinstance(value, dict):
        return _Read(value, where if where.endswith(": ") else f"{where}.", seen)
    if isinstance(value, list):
        return [_wrap(v, f"{where}[]", seen) for v in value]
    return value


#: SDK model → the JSON path it stands for (endpoint and position in the body).
SDK_MODELS: dict[str, tuple[str, str]] = {
    "CollectionResponsePublicUserForwardPaging": ("/settings/v3/users", ""),
    "PublicUser": ("/settings/v3/users", "results[]."),
    "ForwardPaging": ("/settings/v3/users", "paging."),
    "NextPage": ("/settings/v3/users", "paging.next."),
    "CollectionResponsePublicPermissionSetNoPaging": ("/settings/v3/users/roles", ""),
    "PublicPermissionSet": ("/settings/v3/users/roles", "results[]."),
    "CollectionResponsePublicTeamNoPaging": ("/settings/v3/users/teams", ""),
    "PublicTeam": ("/settings/v3/users/teams", "results[]."),
}


@pytest.fixture
def read_fields(monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """Every ``"<path>: <json path>"`` the adapter reads during the test."""
    seen: set[str] = set()
    current = [""]
    original = json.loads

    class _Json:
        @staticmethod
        def loads(text: Any, *args: Any, **kwargs: Any) -> Any:
            return _wrap(original(text, *args, **kwargs), f"{current[0]}: ", seen)

    monkeypatch.setattr(answers, "json", _Json)
    for name, (path, prefix) in SDK_MODELS.items():
        model = getattr(user_models, name)
        names = dict(model.attribute_map)
        base = model.__getattribute__

        def getattribute(
            obj: Any,
            attr: str,
            _names: dict[str, str] = names,
            _at: str = f"{path}: {prefix}",
            _base: Callable[[Any, str], Any] = base,
        ) -> Any:
            if attr in _names and _from_adapter():
                seen.add(f"{_at}{_names[attr]}")
            return _base(obj, attr)

        monkeypatch.setattr(model, "__getattribute__", getattribute)

    def observe(exchange: Any) -> None:
        current[0] = urlsplit(exchange.url).path or exchange.url

    import adapters.hubspot.wire as wire

    real_core = wire.retry_core

    def core_with_observer(*args: Any, **kwargs: Any) -> Any:
        made = real_core(*args, **kwargs)
        made.observe(observe)
        return made

    monkeypatch.setattr("adapters.hubspot.adapter.retry_core", core_with_observer)
    yield seen


def _scan(emulator: HubSpotEmulator, make_adapter: Callable[..., Any]) -> None:
    """The sample Enterprise account, then one large enough to page every listing."""
    emulator.account = sample_account(NOW, enterprise=True)
    make_adapter().collect(CollectionScope(), NullProgress())
    emulator.account = large_account(NOW, users=250, logins=450)
    make_adapter().collect(CollectionScope(), NullProgress())


def test_every_endpoint_parameter_and_field_read_is_documented(
    emulator: HubSpotEmulator, make_adapter: Callable[..., Any], read_fields: set[str]
) -> None:
    _scan(emulator, make_adapter)
    items = documented()
    asked = {f"{r.method} {r.path}" for r in emulator.requests}
    params = {f"{r.path} ?{name}" for r in emulator.requests for name in r.query}
    missing = sorted((asked | params | read_fields) - items)
    assert len(asked) >= 10 and len(read_fields) >= 30, (asked, read_fields)
    assert not missing, "\n".join(missing)


def test_every_security_event_type_the_adapter_interprets_is_documented() -> None:
    items = documented()
    interpreted = {
        evidence.ADD_USER,
        *evidence.STATUS_EVENTS,
        *evidence.FACTOR_EVENTS,
        *evidence.SSO_EVENTS,
        *evidence.IP_RESTRICTION_EVENTS,
    }
    assert interpreted <= schema.SECURITY_EVENT_TYPES, interpreted - schema.SECURITY_EVENT_TYPES
    assert not [t for t in interpreted if f"HydratedCriticalAction.type = {t}" not in items]
    for prefix in evidence.CREDENTIAL_EVENT_PREFIXES:
        assert any(t.startswith(prefix) for t in schema.SECURITY_EVENT_TYPES), prefix
        assert f"HydratedCriticalAction.type = {prefix}*" in items

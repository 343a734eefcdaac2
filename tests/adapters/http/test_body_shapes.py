"""`as_shaped` / `as_model`: the typed record check every adapter uses where a record enters."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from adapters.http import as_model, as_shaped
from scanner.errors import MalformedResponseError


class _Ref(BaseModel):
    id: str


class _Record(BaseModel):
    id: str
    active: bool | None = None
    ref: _Ref | None = None


def test_a_record_of_the_documented_shape_is_returned_as_it_is() -> None:
    record = {"id": "1", "active": False, "ref": {"id": "2"}, "extra": [1]}
    assert as_shaped(record, _Record, "users") is record
    assert as_model(record, _Record, "users").ref == _Ref(id="2")


@pytest.mark.parametrize(
    ("record", "problem"),
    [
        ({"id": 7}, "field id is a number, expected text"),
        ({"id": "1", "active": "false"}, "field active is text, expected a boolean"),
        ({"id": "1", "ref": ["x"]}, "field ref is an array, expected an object"),
        ({"id": "1", "ref": {"id": None}}, "field ref.id is null, expected text"),
        ({"active": True}, "field id is missing"),
        ("s3cr3t-value", "expected an object, got str"),
    ],
)
def test_a_misfit_is_malformed_and_named_without_its_value(record: object, problem: str) -> None:
    with pytest.raises(MalformedResponseError) as caught:
        as_shaped(record, _Record, "users entry 3")
    message = str(caught.value)
    assert message == f"users entry 3: malformed response: {problem}"
    assert "s3cr3t" not in message and "false'" not in message

"""FAIL messages and review texts: a value that was not collected never shows."""

from __future__ import annotations

import pytest

from scanner.engine.messages import placeholders, render_template


def _from(values: dict[str, str | None]):  # type: ignore[no-untyped-def]
    return lambda name: values.get(name)


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{u} ({p}) can export", {"u": "bob", "p": "Sales"}, "bob (Sales) can export"),
        ("{u} ({p}) can export", {"u": "bob", "p": None}, "bob can export"),
        ("{u} (a: {a}; b: {b})", {"u": "x", "a": None, "b": "2"}, "x (b: 2)"),
        ("{u} (a: {a}; b: {b})", {"u": "x", "a": None, "b": None}, "x"),
        ("{u} ({k}, {p})", {"u": "svc", "k": "integration", "p": None}, "svc (integration)"),
        ("last signed in {t}", {"t": None}, "last signed in unknown"),
        ("keep (literal) text", {}, "keep (literal) text"),
    ],
)
def test_missing_values_drop_their_part(
    template: str, values: dict[str, str | None], expected: str
) -> None:
    assert render_template(template, _from(values)) == expected


def test_values_with_parentheses_are_not_taken_apart() -> None:
    text = render_template("{u} ({p}) x", _from({"u": "a (b) c", "p": None}))
    assert text == "a (b) c x"


def test_never_says_not_collected() -> None:
    text = render_template("{u} ({p}) holds {q}", _from({"u": "bob", "p": None, "q": None}))
    assert "not collected" not in text and text == "bob holds unknown"


def test_placeholders_and_bad_braces() -> None:
    assert placeholders("review {name} in {place}") == ["name", "place"]
    assert render_template("a { b", _from({})) == "a { b"

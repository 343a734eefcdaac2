"""Loading is bounded whatever a document holds: each bound is refused with file and line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from scanner import documents
from scanner.documents import MAX_DEPTH, load_file, parse_text
from scanner.errors import InputFileError


def _refused(text: str, name: str = "doc.yaml") -> InputFileError:
    with pytest.raises(InputFileError) as caught:
        parse_text(text, name)
    return caught.value


def test_nested_alias_bomb_is_refused_at_once() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"{b}: &{b} [" + ",".join([f"*{a}"] * 9) + "]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    started = time.monotonic()
    error = _refused("\n".join(lines) + "\n")
    assert time.monotonic() - started < 1.0
    assert error.location.line is not None and "aliases expand" in error.problem


def test_a_few_aliases_are_fine() -> None:
    document = parse_text("base: &b {x: 1}\none: *b\ntwo: {<<: *b, y: 2}\n", "ok.yaml")
    assert document.data["two"] == {"x": 1, "y": 2}


def test_recursive_alias_is_refused() -> None:
    assert "recursive alias" in _refused("a: &a [1, *a]\n").problem


def test_depth_is_bounded_with_the_line() -> None:
    text = (
        "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
        + "  " * (MAX_DEPTH + 5)
        + "x: 1\n"
    )
    error = _refused(text)
    assert error.location.line == MAX_DEPTH + 1 and "deeper" in error.problem


def test_depth_counts_aliases_expanded() -> None:
    inner = "[" * 40 + "]" * 40
    error = _refused(f"a: &a {inner}\nb: " + "[" * 40 + "*a" + "]" * 40 + "\n")
    assert "aliases expanded" in error.problem


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("a: 1\nb: .nan\n", 2, "non-finite"),
        ("a: 1\nb: -.inf\n", 2, "non-finite"),
        ("a: " + "9" * 5000 + "\n", 1, "integer beyond"),
        ("a: 123456789012345678901234567890\n", 1, "integer beyond"),
        ("a: 1\n2: b\n", 1, "not a string"),
        ("a: !!binary aGk=\n", 1, "bytes"),
        ('a: "\\ud800"\n', 1, "nicode"),  # libyaml: invalid Unicode escape; else: surrogate
        ("a: b\nc: \x00\n", 2, "not allowed"),
    ],
)
def test_values_no_check_can_use_are_refused(text: str, line: int, problem: str) -> None:
    error = _refused(text)
    assert error.location.line == line
    assert problem in error.problem or (problem == "nicode" and "surrogate" in error.problem)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"a": NaN}', "non-finite"),
        ('{"a": 1e999}', "non-finite"),
        ('{"a": ' + "9" * 5000 + "}", "integer beyond"),
        ("[" * 5000 + "]" * 5000, "deeper"),
        ('{"a": "\\ud800"}', "surrogate"),
    ],
)
def test_json_values_are_refused(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        load_file(path)
    assert problem in caught.value.problem and caught.value.location.line == 1


def test_yaml_size_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * (documents.MAX_YAML_BYTES + 1), encoding="utf-8")
    with pytest.raises(InputFileError, match="larger than"):
        load_file(path)


def test_json_size_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "MAX_JSON_BYTES", 100)
    path = tmp_path / "big.json"
    path.write_text('{"a": "' + "x" * 200 + '"}', encoding="utf-8")
    with pytest.raises(InputFileError, match="larger than"):
        load_file(path)


def test_special_files_are_not_read(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="not a regular file"):
        load_file(fifo)


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputFileError) as caught:
        load_file(path)
    assert caught.value.location.line == 2

"""Load YAML/JSON documents and validate them against crmscan's JSON Schemas.

Every error names the file, the line and the JSON pointer of the failing field, so a user
can fix a check, policy or snapshot file without reading a traceback.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from scanner.errors import FileLocation, InputFileError

SCHEMA_NAMES = ("check", "policy", "inventory", "framework", "result")


@cache
def schema(name: str) -> dict[str, Any]:
    """The JSON Schema called ``name`` (``check``, ``policy``, ``inventory``, ...)."""
    text = resources.files("scanner").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def validator(name: str) -> Draft202012Validator:
    """A compiled validator for schema ``name``."""
    return Draft202012Validator(schema(name), format_checker=Draft202012Validator.FORMAT_CHECKER)


class _PlainLoader(yaml.SafeLoader):
    """A SafeLoader that keeps dates and times as strings, as JSON would see them."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _index_lines(node: yaml.Node, path: list[str | int], lines: dict[str, int]) -> None:
    lines[_pointer(path)] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            _index_lines(value_node, [*path, key], lines)
            lines[_pointer([*path, key])] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, [*path, index], lines)


class LoadedDocument:
    """A parsed document with a JSON-pointer → line map for error messages."""

    def __init__(
        self, path: str, data: Any, lines: dict[str, int] | None, text: str | None = None
    ) -> None:
        self.path = path
        self.data = data
        self._lines = lines
        self._text = text  # indexed for line numbers only when an error needs them

    def _line_map(self) -> dict[str, int]:
        if self._lines is None:
            self._lines = _json_line_map(self._text or "")
        return self._lines

    def location(self, parts: list[str | int] | tuple[str | int, ...] = ()) -> FileLocation:
        """Where ``parts`` (a path into the document) is, falling back to its parents."""
        parts = list(parts)
        lines = self._line_map()
        while True:
            line = lines.get(_pointer(parts))
            if line is not None or not parts:
                return FileLocation(self.path, line, _pointer(list(parts)) or "/")
            parts.pop()

    def error(self, parts: list[str | int] | tuple[str | int, ...], problem: str) -> InputFileError:
        """An `InputFileError` located at ``parts``."""
        location = self.location(parts)
        return InputFileError(
            FileLocation(location.path, location.line, _pointer(list(parts)) or "/"), problem
        )


def parse_text(text: str, path: str) -> LoadedDocument:
    """Parse YAML (a superset of JSON) text into a `LoadedDocument`."""
    loader = _PlainLoader(text)
    try:
        # One parse: the node tree gives the line numbers, the data is built from it.
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise InputFileError(
            FileLocation(path, line), f"not valid YAML: {exc.problem or exc}"
        ) from None
    except yaml.YAMLError as exc:
        raise InputFileError(FileLocation(path), f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _index_lines(node, [], lines)
    return LoadedDocument(path, data, lines)


def load_file(path: Path | str) -> LoadedDocument:
    """Read and parse a YAML or JSON file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError(FileLocation(str(path)), "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputFileError(FileLocation(str(path)), f"cannot read file: {exc}") from None
    if path.suffix == ".json":
        return _parse_json(text, str(path))
    return parse_text(text, str(path))


def _parse_json(text: str, path: str) -> LoadedDocument:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputFileError(FileLocation(path, exc.lineno), f"not valid JSON: {exc.msg}") from None
    return LoadedDocument(path, data, None, text)


def _json_line_map(text: str) -> dict[str, int]:
    """JSON is YAML: reuse the YAML line index (only for files small enough to be quick)."""
    lines: dict[str, int] = {}
    if len(text) < 2_000_000:
        try:
            node = yaml.compose(text, Loader=_PlainLoader)
            if node is not None:
                _index_lines(node, [], lines)
        except yaml.YAMLError:
            return {}
    return lines


def describe_error(error: ValidationError) -> str:
    """A one-line explanation of a schema error, naming the field."""
    field = error.absolute_path[-1] if error.absolute_path else None
    message = error.message
    if len(message) > 300:
        message = message[:300] + "..."
    if field is not None and not isinstance(field, int):
        return f"field '{field}': {message}"
    return str(message)


def validate(document: LoadedDocument, schema_name: str) -> None:
    """Raise `InputFileError` at the narrowest failing field if ``document`` is invalid."""
    errors = list(validator(schema_name).iter_errors(document.data))
    if not errors:
        return
    error = best_match(errors)
    # Descend to the most specific sub-error of oneOf/anyOf failures.
    while error.context:
        error = best_match(error.context)
    raise document.error(list(error.absolute_path), describe_error(error))

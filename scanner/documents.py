"""Load YAML/JSON documents and validate them against crmscan's JSON Schemas.

Every error names the file, the line and the JSON pointer of the failing field, so a user
can fix a check, policy or snapshot file without reading a traceback.

Loading is bounded in time and memory whatever a file holds. Every check, policy,
targets, framework and snapshot file goes through `load_file`, which refuses, with the
file and line:

* files larger than `MAX_YAML_BYTES` (YAML) or `MAX_JSON_BYTES` (JSON), and anything
  that is not a regular file (a FIFO or device would block or never end);
* nesting deeper than `MAX_DEPTH` levels, counted with aliases expanded;
* aliases that expand to more than `MAX_ALIAS_NODES` extra nodes ("billion laughs"),
  and recursive aliases;
* integers beyond ±`MAX_INTEGER` and non-finite numbers (``.nan``, ``.inf``, ``NaN``,
  ``Infinity``, ``1e999``), which no check, policy or inventory field can use.
"""

from __future__ import annotations

import json
import math
import re
import stat
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from scanner.errors import FileLocation, InputFileError

SCHEMA_NAMES = ("check", "policy", "inventory", "framework", "result")

#: Largest YAML file read (parsing YAML in Python takes seconds per megabyte).
MAX_YAML_BYTES = 4 * 1024 * 1024
#: Largest JSON file read (snapshots and results of very large orgs are JSON).
MAX_JSON_BYTES = 1024 * 1024 * 1024
#: Deepest nesting of mappings and sequences, aliases expanded.
MAX_DEPTH = 64
#: How many nodes aliases may add to a YAML document when expanded.
MAX_ALIAS_NODES = 100_000
#: Largest integer magnitude a document may hold (beyond it floats lose it and
#: JSON tools disagree).
MAX_INTEGER = 2**63 - 1
#: Documents up to this size are also walked for integer bounds and depth after
#: parsing; larger JSON (big snapshots) relies on the parser's own limits.
_WALKED_BYTES = MAX_YAML_BYTES


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


class _Exceeded(yaml.MarkedYAMLError):
    """A bound of this module was exceeded at a node."""


class _BoundedComposer(Composer):
    """PyYAML's composer with a depth limit, recursive aliases refused."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._open_anchors: set[str] = set()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        mark: Any = event.start_mark
        if isinstance(event, AliasEvent) and event.anchor in self._open_anchors:
            raise _Exceeded(None, None, f"recursive alias *{event.anchor}", mark)
        if not isinstance(event, CollectionStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Exceeded(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
        anchor = event.anchor
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            if anchor is not None:
                self._open_anchors.discard(anchor)


class _PlainResolver(Resolver):
    """Keeps dates and times as strings, as JSON would see them."""


_PlainResolver.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}


class _Constructor(SafeConstructor):
    """SafeConstructor whose integers cannot exceed Python's digit limit unnoticed."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise ConstructorError(
                None,
                None,
                f"integer beyond ±{MAX_INTEGER} is not supported",
                node.start_mark,
            ) from None


_Constructor.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:int", _Constructor.construct_yaml_int
)


class _PythonLoader(Reader, Scanner, Parser, _BoundedComposer, _Constructor, _PlainResolver):
    """The pure-Python loader (always available)."""

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _BoundedComposer.__init__(self)
        _Constructor.__init__(self)
        _PlainResolver.__init__(self)


def _loader_class() -> Any:
    """libyaml's parser with the bounded Python composer on top when available (about
    four times faster: scanning and parsing are the slow part), else pure Python."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # PyYAML built without libyaml
        return _PythonLoader

    class _LibyamlLoader(_BoundedComposer, CParser, _Constructor, _PlainResolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _BoundedComposer.__init__(self)
            _Constructor.__init__(self)
            _PlainResolver.__init__(self)

    return _LibyamlLoader


_Loader = _loader_class()


def _pointer(parts: list[str | int]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def _alias_bounds(root: Node, path: str) -> None:
    """Refuse documents whose aliases expand too deep or to too many nodes.

    Expanded sizes and depths are computed once per distinct node (iteratively: the
    expansion may be far deeper than Python's stack), so this is linear in the file.
    """
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if key in size and not done:
            continue
        children = _children(node)
        if not done:
            distinct += 1
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in size)
            size[key] = 0  # placeholder: in progress
            continue
        size[key] = 1 + sum(size[id(c)] for c in children)
        depth[key] = (1 + max((depth[id(c)] for c in children), default=0)) if children else 0
        if depth[key] > MAX_DEPTH:
            raise InputFileError(
                FileLocation(path, node.start_mark.line + 1),
                f"nested deeper than {MAX_DEPTH} levels (aliases expanded)",
            )
        if size[key] - distinct > MAX_ALIAS_NODES:
            raise InputFileError(
                FileLocation(path, node.start_mark.line + 1),
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes",
            )


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


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

    @property
    def text(self) -> str | None:
        """The JSON text the document was parsed from (None for YAML)."""
        return self._text

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


def _yaml_error(exc: yaml.YAMLError, path: str, text: str) -> InputFileError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    position = getattr(exc, "position", None)  # ReaderError: bad character
    if line is None and isinstance(position, int):
        line = text.count("\n", 0, position) + 1
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
    context = getattr(exc, "context", None)
    if context:
        problem = f"{problem} ({context})"
    if isinstance(exc, yaml.reader.ReaderError):
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        problem = f"character {character!r} is not allowed ({exc.reason})"
    if isinstance(exc, _Exceeded):
        return InputFileError(FileLocation(path, line), str(problem))
    return InputFileError(FileLocation(path, line), f"not valid YAML: {problem}")


def parse_text(text: str, path: str) -> LoadedDocument:
    """Parse YAML (a superset of JSON) text into a `LoadedDocument`, within the bounds."""
    if len(text) > MAX_YAML_BYTES:
        raise InputFileError(
            FileLocation(path), f"YAML larger than {MAX_YAML_BYTES // 2**20} MiB (save it as JSON)"
        )
    loader = _Loader(text)
    try:
        # One parse: the node tree gives the line numbers, the data is built from it.
        node = loader.get_single_node()
        if node is not None:
            _alias_bounds(node, path)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, path, text) from None
    finally:
        loader.dispose()
    lines: dict[str, int] = {"": 1}  # an empty document: its first line
    if node is not None:
        _index_lines(node, [], lines)
    document = LoadedDocument(path, data, lines)
    _check_values(document)
    return document


def read_text(path: Path, limit: int) -> str:
    """The UTF-8 text of the regular file ``path``, refusing more than ``limit`` bytes."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError(FileLocation(str(path)), "file not found") from None
    except (OSError, ValueError) as exc:
        raise InputFileError(FileLocation(str(path)), f"cannot read file: {exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError(FileLocation(str(path)), "not a regular file")
    try:
        with open(path, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(FileLocation(str(path)), f"cannot read file: {exc}") from None
    if len(raw) > limit:
        raise InputFileError(
            FileLocation(str(path)), f"file larger than {limit // 2**20} MiB: refused"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise InputFileError(
            FileLocation(str(path), line), f"not UTF-8 text (byte {raw[exc.start]:#04x})"
        ) from None


def load_file(path: Path | str) -> LoadedDocument:
    """Read and parse a YAML or JSON file, within the bounds of this module."""
    path = Path(path)
    if path.suffix == ".json":
        return parse_json(read_text(path, MAX_JSON_BYTES), str(path))
    return parse_text(read_text(path, MAX_YAML_BYTES), str(path))


class _NotFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise _NotFinite(token)
    return value


def _refuse_constant(token: str) -> float:
    raise _NotFinite(token)


def _line_of(text: str, pattern: str) -> int | None:
    match = re.search(pattern, text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def parse_json(text: str, path: str) -> LoadedDocument:
    """Parse JSON text into a `LoadedDocument`, within the bounds of this module."""
    try:
        data = json.loads(text, parse_float=_finite_float, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(FileLocation(path, exc.lineno), f"not valid JSON: {exc.msg}") from None
    except _NotFinite as exc:
        line = _line_of(text, r"(?<![\w.])" + re.escape(exc.token) + r"(?![\w.])")
        raise InputFileError(
            FileLocation(path, line), f"non-finite number {exc.token} is not allowed"
        ) from None
    except RecursionError:
        raise InputFileError(
            FileLocation(path, _line_too_deep(text)), f"nested deeper than {MAX_DEPTH} levels"
        ) from None
    except ValueError as exc:  # Python's limit on digits of an integer
        if "digits" not in str(exc):
            raise
        line = _line_of(text, r"\d{4000,}")
        raise InputFileError(
            FileLocation(path, line), f"integer beyond ±{MAX_INTEGER} is not supported"
        ) from None
    document = LoadedDocument(path, data, None, text)
    if len(text) <= _WALKED_BYTES or _ESCAPED_SURROGATE.search(text) is not None:
        _check_values(document)
    return document


_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")


def _line_too_deep(text: str) -> int | None:
    """The line where nesting first exceeds `MAX_DEPTH` (strings skipped)."""
    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth -= 1
    return None


def _check_values(document: LoadedDocument) -> None:
    """Refuse too-deep nesting, huge integers and non-finite numbers (iteratively)."""
    stack: list[tuple[Any, list[str | int]]] = [(document.data, [])]
    seen: set[int] = set()  # YAML aliases share objects: visit each container once
    while stack:
        value, parts = stack.pop()
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                raise document.error(parts, f"integer beyond ±{MAX_INTEGER} is not supported")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise document.error(parts, f"non-finite number {value} is not allowed")
        elif isinstance(value, str):
            if _SURROGATE.search(value) is not None:
                problem = "a lone UTF-16 surrogate (\\ud800-\\udfff) is not text"
                line = document.location(parts).line
                if line is None and document._text is not None:
                    line = _line_of(document._text, _ESCAPED_SURROGATE.pattern)
                raise InputFileError(FileLocation(document.path, line, _pointer(parts)), problem)
        elif value is None:
            continue
        elif isinstance(value, (dict, list)):
            if len(parts) >= MAX_DEPTH:
                raise _too_deep(document, parts)
            if id(value) in seen:
                continue
            seen.add(id(value))
            if isinstance(value, dict):
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise document.error(
                            parts, f"key {key!r} is not a string (quote it: '{key}')"
                        )
                    stack.append((item, [*parts, key]))
            else:
                stack.extend((item, [*parts, i]) for i, item in enumerate(value))
        else:
            raise document.error(
                parts, f"a {type(value).__name__} value (from a YAML tag) is not allowed here"
            )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _too_deep(document: LoadedDocument, parts: list[str | int]) -> InputFileError:
    """Nesting beyond `MAX_DEPTH` at ``parts`` (pointer shortened: it is mostly /0/0/0)."""
    line = document.location(parts).line
    if line is None and document._text is not None:
        line = _line_too_deep(document._text)
    pointer = _pointer(parts[:8]) + "/..."
    return InputFileError(
        FileLocation(document.path, line, pointer), f"nested deeper than {MAX_DEPTH} levels"
    )


def _json_line_map(text: str) -> dict[str, int]:
    """JSON is YAML: reuse the YAML line index (only for files small enough to be quick)."""
    lines: dict[str, int] = {}
    if len(text) < 2_000_000:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                _alias_bounds(node, "")
                _index_lines(node, [], lines)
        except (yaml.YAMLError, InputFileError):
            return {}
        finally:
            loader.dispose()
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
    try:
        errors = list(validator(schema_name).iter_errors(document.data))
    except RecursionError:
        raise document.error([], "nested too deeply to validate") from None
    if not errors:
        return
    error = best_match(errors)
    # Descend to the most specific sub-error of oneOf/anyOf failures.
    while error.context:
        error = best_match(error.context)
    raise document.error(list(error.absolute_path), describe_error(error))


__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_INTEGER",
    "MAX_JSON_BYTES",
    "MAX_YAML_BYTES",
    "SCHEMA_NAMES",
    "LoadedDocument",
    "describe_error",
    "load_file",
    "parse_json",
    "parse_text",
    "read_text",
    "schema",
    "validate",
    "validator",
]

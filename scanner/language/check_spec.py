"""Check files: find them, validate them against the check schema, index them by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.documents import LoadedDocument, load_file, validate
from scanner.errors import FileLocation, InputFileError

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES))}


@dataclass(frozen=True)
class CheckSpec:
    """A validated check file, not yet bound to a policy."""

    id: str
    title: str
    severity: str
    resource: str
    message: str
    remediation: str
    description: str = ""
    risk: str = ""
    domain: str = ""
    platforms: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    where: Any = None
    assertion: Any = None
    count: dict[str, Any] | None = None
    manual: bool = False
    attestation: dict[str, Any] | None = None
    pass_message: str | None = None
    references: tuple[Any, ...] = ()
    tags: tuple[str, ...] = ()
    source: LoadedDocument | None = field(default=None, compare=False, repr=False)

    @property
    def path(self) -> str:
        """The file the check was loaded from."""
        return self.source.path if self.source else "<memory>"

    def error(self, parts: list[str | int], problem: str) -> InputFileError:
        """An error located at ``parts`` inside this check's file."""
        if self.source is None:
            return InputFileError(FileLocation("<memory>"), problem)
        return self.source.error(parts, problem)


def spec_from_document(document: LoadedDocument) -> CheckSpec:
    """Validate ``document`` against the check schema and build a `CheckSpec`."""
    validate(document, "check")
    data: dict[str, Any] = document.data
    return CheckSpec(
        id=data["id"],
        title=data["title"],
        severity=data["severity"],
        resource=data["resource"],
        message=data["message"],
        remediation=data["remediation"],
        description=data.get("description", ""),
        risk=data.get("risk", ""),
        domain=data.get("domain", data["id"].split("-", 1)[0]),
        platforms=tuple(data.get("platforms", ())),
        requires=tuple(data.get("requires", ())),
        where=data.get("where"),
        assertion=data.get("assert"),
        count=data.get("count"),
        manual=bool(data.get("manual", False)),
        attestation=data.get("attestation"),
        pass_message=data.get("pass_message"),
        references=tuple(data.get("references", ())),
        tags=tuple(data.get("tags", ())),
        source=document,
    )


def load_check_file(path: Path | str) -> CheckSpec:
    """Load and validate one check file."""
    document = load_file(path)
    if not isinstance(document.data, dict):
        raise document.error([], "a check file must be a mapping of fields")
    return spec_from_document(document)


def builtin_checks_dir() -> Path:
    """The folder of the checks crmscan ships."""
    return Path(str(resources.files("checks")))


def _check_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise InputFileError(FileLocation(str(directory)), "checks directory not found")
    return sorted(
        p
        for p in directory.rglob("*.y*ml")
        if p.suffix in (".yaml", ".yml") and "frameworks" not in p.relative_to(directory).parts
    )


def load_checks(extra_dirs: Iterable[Path | str] = ()) -> dict[str, CheckSpec]:
    """The shipped checks plus those in ``extra_dirs``, by id. Duplicate ids are an error."""
    checks: dict[str, CheckSpec] = {}
    directories = [builtin_checks_dir(), *(Path(d) for d in extra_dirs)]
    for directory in directories:
        for path in _check_files(directory):
            spec = load_check_file(path)
            if spec.id in checks:
                raise spec.error(
                    ["id"], f"check id {spec.id} is already defined in {checks[spec.id].path}"
                )
            checks[spec.id] = spec
    return checks

"""Compliance frameworks: which checks evidence which requirement, and its status.

A framework file (``checks/frameworks/<id>.yaml``, schema ``framework.schema.json``)
lists every requirement of a framework with the check ids that evidence it. A
requirement's status is the worst outcome of its checks: FAIL > ERROR > MANUAL > PASS;
NOT_APPLICABLE only when every check was not applicable; MANUAL when it has no
automated check (or none of its checks ran), so a report covers every requirement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from scanner.documents import load_file, validate
from scanner.errors import ConfigError, FileLocation, InputFileError
from scanner.language.check_spec import builtin_checks_dir

#: Requirement statuses from worst to best (NOT_APPLICABLE only when all checks are N/A).
STATUS_ORDER = ("FAIL", "ERROR", "MANUAL", "PASS", "NOT_APPLICABLE")
FRAMEWORKS_FOLDER = "frameworks"


@dataclass(frozen=True)
class Requirement:
    """One requirement of a framework and the checks that evidence it."""

    id: str
    title: str
    checks: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Framework:
    """A validated framework mapping."""

    id: str
    name: str
    version: str
    requirements: tuple[Requirement, ...]
    url: str = ""
    description: str = ""
    path: str = "<memory>"

    def check_ids(self) -> list[str]:
        """Every check id the framework refers to, sorted, once each."""
        return sorted({c for r in self.requirements for c in r.checks})

    def manual_requirements(self) -> list[Requirement]:
        """Requirements with no automated check."""
        return [r for r in self.requirements if not r.checks]


def builtin_frameworks_dir() -> Path:
    """The folder of the framework mappings crmscan ships."""
    return builtin_checks_dir() / FRAMEWORKS_FOLDER


def load_framework_file(path: Path | str, known_checks: Collection[str] | None = None) -> Framework:
    """Load and validate one framework file; with ``known_checks``, reject unknown ids."""
    document = load_file(path)
    if not isinstance(document.data, dict):
        raise document.error([], "a framework file must be a mapping of fields")
    validate(document, "framework")
    data: dict[str, Any] = document.data
    seen: set[str] = set()
    requirements: list[Requirement] = []
    for index, item in enumerate(data["requirements"]):
        if item["id"] in seen:
            raise document.error(
                ["requirements", index, "id"], f"requirement {item['id']} is listed twice"
            )
        seen.add(item["id"])
        if known_checks is not None:
            for position, check_id in enumerate(item["checks"]):
                if check_id not in known_checks:
                    raise document.error(
                        ["requirements", index, "checks", position],
                        f"requirement {item['id']} refers to unknown check {check_id}",
                    )
        requirements.append(
            Requirement(
                id=item["id"],
                title=item["title"],
                checks=tuple(item["checks"]),
                description=item.get("description", ""),
            )
        )
    return Framework(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        requirements=tuple(requirements),
        url=data.get("url", ""),
        description=data.get("description", ""),
        path=str(path),
    )


def _framework_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def load_frameworks(
    known_checks: Collection[str], extra_dirs: Iterable[Path | str] = ()
) -> dict[str, Framework]:
    """The shipped frameworks plus ``<dir>/frameworks/*.yaml`` of each extra checks folder.

    Every check id a framework names must be in ``known_checks``; framework ids are unique.
    """
    folders = [builtin_frameworks_dir()]
    folders += [Path(d) / FRAMEWORKS_FOLDER for d in extra_dirs]
    frameworks: dict[str, Framework] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in _framework_files(folder):
            framework = load_framework_file(path, known_checks)
            if framework.id in frameworks:
                raise InputFileError(
                    FileLocation(str(path), None, "/id"),
                    f"framework id {framework.id} is already defined in "
                    f"{frameworks[framework.id].path}",
                )
            frameworks[framework.id] = framework
    return frameworks


def find_framework(frameworks: Mapping[str, Framework], name: str) -> Framework:
    """The framework whose id is ``name`` (case-insensitive); ConfigError otherwise."""
    wanted = name.strip().lower()
    for framework in frameworks.values():
        if framework.id.lower() == wanted:
            return framework
    known = ", ".join(sorted(frameworks)) or "none"
    raise ConfigError(f"no framework {name!r} (known: {known}; see 'crmscan frameworks list')")


def check_mappings(frameworks: Iterable[Framework]) -> dict[str, list[dict[str, str]]]:
    """check id -> the requirements it evidences, as ``{framework, requirement, title}``."""
    mapping: dict[str, list[dict[str, str]]] = {}
    for framework in sorted(frameworks, key=lambda f: f.id):
        for requirement in framework.requirements:
            for check_id in requirement.checks:
                mapping.setdefault(check_id, []).append(
                    {
                        "framework": framework.id,
                        "requirement": requirement.id,
                        "title": requirement.title,
                    }
                )
    return mapping


def worst(outcomes: Iterable[str]) -> str:
    """The requirement status for these check outcomes (MANUAL when there are none)."""
    present = set(outcomes)
    if not present:
        return "MANUAL"
    if present == {"NOT_APPLICABLE"}:
        return "NOT_APPLICABLE"
    for status in STATUS_ORDER:
        if status in present:
            return status
    raise ValueError(f"unknown check outcome(s): {sorted(present)}")


def requirement_report(requirement: Requirement, outcomes: Mapping[str, str]) -> dict[str, Any]:
    """A requirement's status from the outcomes of the checks that ran."""
    ran = [c for c in requirement.checks if c in outcomes]
    not_run = [c for c in requirement.checks if c not in outcomes]
    if not requirement.checks:
        note = "no automated check: assess and attest manually"
    elif not ran:
        note = "none of its checks ran in this scan"
    else:
        note = ""
    return {
        "id": requirement.id,
        "title": requirement.title,
        "status": worst(outcomes[c] for c in ran),
        "checks": [{"id": c, "outcome": outcomes[c]} for c in ran],
        "not_run": not_run,
        "note": note,
    }


def framework_report(framework: Framework, outcomes: Mapping[str, str]) -> dict[str, Any]:
    """Per-requirement status of ``framework`` given check id -> outcome of a scan."""
    requirements = [requirement_report(r, outcomes) for r in framework.requirements]
    counts = Counter(r["status"] for r in requirements)
    return {
        "id": framework.id,
        "name": framework.name,
        "version": framework.version,
        "url": framework.url,
        "summary": {status: counts.get(status, 0) for status in STATUS_ORDER},
        "requirements": requirements,
    }


@cache
def shipped_frameworks() -> dict[str, Framework]:
    """The shipped frameworks, validated against the shipped checks (loaded once)."""
    from scanner.language.check_spec import load_checks

    return load_frameworks(load_checks())

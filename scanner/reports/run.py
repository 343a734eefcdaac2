"""Build the auditor reports ``crmscan report --framework`` asks for, from files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.language.check_spec import load_checks
from scanner.language.frameworks import find_framework, load_frameworks
from scanner.reports.framework_report import AuditReport, build_report
from scanner.reports.proof import bundle_files
from scanner.reports.source import read_result


def audit_reports(
    result: Path,
    framework_names: Sequence[str],
    check_dirs: Sequence[Path] = (),
    evidence: Path | None = None,
) -> list[AuditReport]:
    """One `AuditReport` per framework named, for the result document at ``result``.

    The frameworks are the shipped ones plus ``<dir>/frameworks/*.yaml`` of each checks
    folder; ``evidence`` (a bundle folder or archive) marks which proof files it holds.
    Unknown frameworks, bad files and unreadable bundles raise user errors (exit 2).
    """
    catalog = load_checks(check_dirs)
    frameworks = load_frameworks(catalog, check_dirs)
    chosen = [find_framework(frameworks, name) for name in framework_names]
    view = read_result(result)
    names = bundle_files(evidence) if evidence is not None else None
    bundle = str(evidence) if evidence is not None else None
    return [build_report(fw, view, catalog, bundle, names) for fw in chosen]

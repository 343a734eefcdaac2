"""Build the auditor reports ``crmscan report --framework`` asks for, from files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.errors import ConfigError
from scanner.language.check_spec import load_checks
from scanner.language.frameworks import Framework, find_framework, load_frameworks
from scanner.language.policy import load_policy
from scanner.reports.framework_report import AuditReport, build_report, requirement_control
from scanner.reports.proof import bundle_files
from scanner.reports.source import ResultView, read_result


def _attestations(
    policy_ref: str | None, view: ResultView, frameworks: Sequence[Framework]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per framework id: requirement id -> the policy's attestation of that requirement.

    The policy must be the one that judged the scan: its digest must equal the result's
    ``policy.digest``, so a report cannot be closed by attestations written afterwards.
    """
    if policy_ref is None:
        return {}
    policy = load_policy(policy_ref)
    judged = (view.meta("policy") or {}).get("digest")
    if policy.digest() != judged:
        raise ConfigError(
            f"--policy {policy_ref}: its digest {policy.digest()} is not the result's "
            f"{judged}; only the policy that judged the scan can attest its requirements"
        )
    tenant = (view.meta("tenant") or {}).get("id")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for framework in frameworks:
        mine = found.setdefault(framework.id, {})
        for requirement in framework.requirements:
            control = requirement_control(framework.id, requirement.id)
            attestation = policy.attestation_for(control, tenant)
            if attestation is not None:
                mine[requirement.id] = attestation.as_dict()
    return found


def audit_reports(
    result: Path,
    framework_names: Sequence[str],
    check_dirs: Sequence[Path] = (),
    evidence: Path | None = None,
    policy: str | None = None,
) -> list[AuditReport]:
    """One `AuditReport` per framework named, for the result document at ``result``.

    The frameworks are the shipped ones plus ``<dir>/frameworks/*.yaml`` of each checks
    folder; ``evidence`` (a bundle folder or archive) marks which proof files it holds;
    ``policy`` (the pack that judged the scan) supplies attestations of manual requirements.
    Unknown frameworks, bad files and unreadable bundles raise user errors (exit 2).
    """
    catalog = load_checks(check_dirs)
    frameworks = load_frameworks(catalog, check_dirs)
    chosen = [find_framework(frameworks, name) for name in framework_names]
    view = read_result(result)
    names = bundle_files(evidence) if evidence is not None else None
    bundle = str(evidence) if evidence is not None else None
    attested = _attestations(policy, view, chosen)
    return [build_report(fw, view, catalog, bundle, names, attested.get(fw.id)) for fw in chosen]

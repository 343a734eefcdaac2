"""Proof locations: which bundle files prove a check, and whether the bundle has them."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

import pytest

from scanner.errors import ConfigError, InputFileError
from scanner.language.check_spec import load_checks
from scanner.reports.framework_report import build_report
from scanner.reports.proof import bundle_files, proof_locations, raw_file
from scanner.reports.source import read_result
from tests.scanner.reports.builders import document, exception, finding, framework, save

BUNDLE = [
    "attestation.intoto.jsonl",
    "checks/AUTH-002.yaml",
    "results.json",
    "inventory.json",
    "policy/00-baseline.yaml",
    "raw/roles.jsonl",
]


def test_locations_name_results_raw_inventory_and_policy() -> None:
    links = proof_locations("AUTH-002", ["users.mfa", "users"], ["baseline.yaml"], True)
    assert [link.path for link in links] == [
        "results.json",
        "checks/AUTH-002.yaml",
        "raw/users.jsonl",
        "raw/users.mfa.jsonl",
        "inventory.json",
        "policy/00-baseline.yaml",
    ]
    assert all(link.checks == ("AUTH-002",) for link in links)
    plain = proof_locations("GOV-001", [], ["baseline.yaml", "acme.yaml"], False)
    assert [link.path for link in plain] == ["results.json", "checks/GOV-001.yaml"]
    extended = proof_locations("GOV-001", [], ["baseline.yaml", "acme.yaml"], True)
    assert [link.path for link in extended][-2:] == [
        "policy/00-baseline.yaml",
        "policy/01-acme.yaml",
    ]


def test_collections_come_from_the_catalog_and_the_finding_records(tmp_path: Path) -> None:
    records = {"records": [{"collection": "users.login", "id": "005A"}]}
    doc = document(
        [finding("AUTH-002", "FAIL", evidence=records, exception=exception(expired=True))]
    )
    view = read_result(save(doc, tmp_path))
    report = build_report(framework(("R", ["AUTH-002"])), view, load_checks())
    paths = [link.path for link in report.requirements[0].proof]
    requires = load_checks()["AUTH-002"].requires
    assert {f"raw/{c}.jsonl" for c in requires} | {"raw/users.login.jsonl"} <= set(paths)
    assert "policy/00-baseline.yaml" in paths  # an exception (even expired) decided a finding
    assert all(link.present is None for link in report.requirements[0].proof)


def _folder(tmp_path: Path) -> Path:
    bundle = tmp_path / "bundle"
    for name in BUNDLE:
        (bundle / name).parent.mkdir(parents=True, exist_ok=True)
        (bundle / name).write_text("{}", "utf-8")
    return bundle


def test_folder_zip_and_tar_bundles_list_the_same_files(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    zipped = tmp_path / "bundle.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for name in BUNDLE:
            archive.write(folder / name, f"evidence-2026-11-23/{name}")
    tarred = tmp_path / "bundle.tar.gz"
    with tarfile.open(tarred, "w:gz") as archive:
        for name in BUNDLE:
            archive.add(folder / name, f"./{name}")
    expected = frozenset(BUNDLE)
    assert bundle_files(folder) == bundle_files(zipped) == bundle_files(tarred) == expected


def test_links_are_marked_present_or_missing(tmp_path: Path) -> None:
    doc = document([finding("AUTH-002", "FAIL", exception=exception())])
    view = read_result(save(doc, tmp_path))
    catalog = load_checks()
    names = bundle_files(_folder(tmp_path))
    report = build_report(framework(("R", ["AUTH-002"])), view, catalog, "bundle", names)
    marks = {link.path: link.present for link in report.requirements[0].proof}
    assert marks["results.json"] is True and marks["policy/00-baseline.yaml"] is True
    missing = [p for p, present in marks.items() if present is False]
    assert missing and all(p.startswith("raw/") for p in missing)


@pytest.mark.parametrize("name", ["nothing-here", "notes.txt"])
def test_a_bundle_that_is_not_one_is_a_user_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("x", "utf-8")
    with pytest.raises(ConfigError, match="not an evidence bundle"):
        bundle_files(path)


def test_a_damaged_archive_is_a_user_error(tmp_path: Path) -> None:
    broken = tmp_path / "bundle.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ConfigError, match="cannot read the archive"):
        bundle_files(broken)


def test_a_requirement_lists_each_file_once_with_every_check_it_proves(tmp_path: Path) -> None:
    doc = document([finding("AUTH-002", "FAIL"), finding("AUTH-003", "FAIL", "u2")])
    view = read_result(save(doc, tmp_path))
    report = build_report(framework(("R", ["AUTH-002", "AUTH-003"])), view, load_checks())
    proof = report.requirements[0].proof
    assert [link.path for link in proof].count("results.json") == 1
    assert proof[0].checks == ("AUTH-002", "AUTH-003")


def test_raw_file_is_the_collections_own_else_its_nearest_parents() -> None:
    files = frozenset({"raw/auth.jsonl", "raw/users.jsonl", "raw/users.mfa.jsonl"})
    assert raw_file("users.mfa", files) == "raw/users.mfa.jsonl"
    assert raw_file("users.login", files) == "raw/users.jsonl"
    assert raw_file("auth.session_policy", files) == "raw/auth.jsonl"
    assert raw_file("data.quality", files) == "raw/data.quality.jsonl"  # missing: own name
    with_tenant = files | {"raw/tenant.jsonl"}
    assert raw_file("encryption.transport", with_tenant) == "raw/tenant.jsonl"
    assert raw_file("auth.mfa", None) == "raw/auth.mfa.jsonl"
    links = proof_locations("AUTH-001", ["auth.mfa", "auth.sso"], [], False, files)
    raw = [link for link in links if link.path.startswith("raw/")]
    assert [(link.path, link.what, link.present) for link in raw] == [
        ("raw/auth.jsonl", "API responses of auth.mfa, auth.sso", True)
    ]


def test_malformed_record_pointers_are_refused_with_their_location(tmp_path: Path) -> None:
    """The result schema types ``evidence.records``: a hand-edited pointer without an id
    is a clear input error (file, line, field), never a crash or a silent skip."""
    records = {
        "records": [{"id": "x"}, "users", {"collection": 7}, {"collection": "roles", "id": "r"}]
    }
    doc = document([finding("PRIV-005", "FAIL", evidence=records)])
    with pytest.raises(InputFileError, match="evidence/records"):
        read_result(save(doc, tmp_path))

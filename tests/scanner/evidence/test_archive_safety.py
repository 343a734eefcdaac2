"""Archives are read without extracting: links, absolute and ``..`` names, devices,
duplicates are refused, sizes are bounded; nothing is written outside."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.evidence import archive
from scanner.evidence.verify import verify_bundle
from tests.scanner.evidence.kit import read_members, scan_bundle


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w") as out:
        for info, data in members:
            out.writestr(info, data)


def _tar(path: Path, members: list[tarfile.TarInfo], data: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as out:
        for info in members:
            payload = data.get(info.name) if info.isreg() else None
            if payload is not None:
                info.size = len(payload)
            out.addfile(info, io.BytesIO(payload) if payload is not None else None)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    scan_bundle(tmp_path / "good.zip", None)
    return read_members(tmp_path / "good.zip")


def _link(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("../outside.json", "path outside the bundle"),
        ("/etc/passwd", "path outside the bundle"),
        ("raw/../../x", "path outside the bundle"),
        ("C:/Windows/x", "path outside the bundle"),
        ("a\\..\\b", "path outside the bundle"),
    ],
)
def test_zip_members_outside_the_bundle_are_refused(
    tmp_path: Path, files: dict[str, bytes], member: str, expected: str
) -> None:
    path = tmp_path / "hostile.zip"
    _zip(path, [*files.items(), (member, b"planted")])
    outcome = verify_bundle(path)
    assert any(expected in p for p in outcome.problems), outcome.problems
    assert not (tmp_path.parent / "outside.json").exists()


def test_zip_symlinks_and_duplicates_are_refused(tmp_path: Path, files: dict[str, bytes]) -> None:
    path = tmp_path / "hostile.zip"
    others = [(n, d) for n, d in files.items() if n != "results.json"]
    _zip(path, [*others, (_link("results.json", "/etc/passwd"), b"/etc/passwd")])
    outcome = verify_bundle(path)
    assert (
        "results.json: is a symbolic link (refused: only regular files are read)"
        in outcome.problems
    )
    with pytest.warns(UserWarning, match="Duplicate name"):
        _zip(path, [*files.items(), ("inventory.json", b"{}")])  # a second, different copy
    outcome = verify_bundle(path)
    assert "inventory.json: appears twice in the archive (refused)" in outcome.problems


def test_tar_links_devices_and_traversal_are_refused(
    tmp_path: Path, files: dict[str, bytes]
) -> None:
    path = tmp_path / "hostile.tar.gz"
    regular = [tarfile.TarInfo(n) for n in files if n != "results.json"]
    link = tarfile.TarInfo("results.json")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("raw/hard.jsonl")
    hard.type, hard.linkname = tarfile.LNKTYPE, "inventory.json"
    device = tarfile.TarInfo("dev")
    device.type = tarfile.CHRTYPE
    dotdot = tarfile.TarInfo("../escape.txt")
    _tar(path, [*regular, link, hard, device, dotdot], {**files, "../escape.txt": b"x"})
    problems = verify_bundle(path).problems
    assert "results.json: is a symbolic link (refused: only regular files are read)" in problems
    assert "raw/hard.jsonl: is a hard link (refused: only regular files are read)" in problems
    assert "dev: is a special file (refused: only regular files are read)" in problems
    assert "../escape.txt: path outside the bundle (refused)" in problems
    assert not (tmp_path / "escape.txt").exists()


def test_sizes_and_member_counts_are_bounded(
    tmp_path: Path, files: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in files.items():
            out.writestr(name, data)
        out.writestr("raw/zeros.jsonl", b"\0" * 5_000_000)  # 5 MB that compress to a few KB
    assert path.stat().st_size < 200_000
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 4_000_000)
    with pytest.raises(ConfigError, match="larger than 4000000 bytes"):
        verify_bundle(path)
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 10**9)
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    with pytest.raises(ConfigError, match="more than 5 members"):
        verify_bundle(path)


def test_something_that_is_not_a_bundle_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ConfigError, match="not an evidence bundle"):
        verify_bundle(tmp_path / "notes.txt")
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04garbage")
    with pytest.raises(ConfigError, match="not a readable zip archive"):
        verify_bundle(tmp_path / "broken.zip")
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8bgarbage")
    with pytest.raises(ConfigError, match="not a readable .tar.gz archive"):
        verify_bundle(tmp_path / "broken.tar.gz")
    with pytest.raises(ConfigError, match="no such evidence bundle"):
        verify_bundle(tmp_path / "missing.zip")

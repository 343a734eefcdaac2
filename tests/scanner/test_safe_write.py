"""The safe-write helper follows no link planted below the folder it is given."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner.errors import OutputFileError
from scanner.safe_write import PRIVATE_MODE, remove_file, write_file


def test_writes_and_replaces(tmp_path: Path) -> None:
    write_file(tmp_path / "out", "a/b.txt", "one")
    path = write_file(tmp_path / "out", "a/b.txt", "two")
    assert path.read_text() == "two"
    assert sorted(p.name for p in (tmp_path / "out" / "a").iterdir()) == ["b.txt"]  # no temp left


def test_a_planted_file_link_is_replaced_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.json").symlink_to(victim)
    write_file(tmp_path / "out", "report.json", "{}")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "out" / "report.json").is_symlink()


def test_a_planted_folder_link_is_refused(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.mkdir()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "policy").symlink_to(victim, target_is_directory=True)
    with pytest.raises(OutputFileError, match="symbolic link"):
        write_file(tmp_path / "out", "policy/00-baseline.yaml", "x")
    assert not any(victim.iterdir())


def test_exclusive_refuses_existing_names_and_dangling_links(tmp_path: Path) -> None:
    (tmp_path / "key.pem").symlink_to(tmp_path / "elsewhere.pem")
    with pytest.raises(OutputFileError, match="exists"):
        write_file(tmp_path, "key.pem", b"secret", mode=PRIVATE_MODE, exclusive=True)
    assert not (tmp_path / "elsewhere.pem").exists()


def test_private_mode_holds_from_creation_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        path = write_file(tmp_path, "key.pem", b"secret", mode=PRIVATE_MODE, exclusive=True)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("name", ["../x", "/etc/x", "a/../b", "", "a\0b"])
def test_only_plain_relative_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputFileError):
        write_file(tmp_path, name, "x")


def test_remove_file_removes_a_link_not_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "manifest.sig").symlink_to(victim)
    remove_file(tmp_path, "manifest.sig")
    assert victim.read_text() == "precious" and not (tmp_path / "manifest.sig").exists()

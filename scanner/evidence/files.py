"""Reading a bundle's files, from a folder or an archive, without leaving the bundle.

`open_bundle` returns a `BundleFiles`: the regular files it holds (bundle-relative,
``/``-separated names), the entries it refused (links, special files, unsafe archive
members) as problems, and bounded reads. Nothing is ever followed or extracted: a folder
is walked without following links and each file is opened with ``O_NOFOLLOW``; an
archive is read member by member in memory (`scanner.evidence.archive`).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Protocol

from scanner.errors import ConfigError, FileLocation, InputFileError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
#: Largest single file read from a bundle.
MAX_FILE_BYTES = 1024 * 1024 * 1024


def unsafe_name(name: str) -> bool:
    """True for a name that could point outside the bundle (absolute, ``..``, ``\\``)."""
    segments = name.split("/")
    return (
        PurePosixPath(name).is_absolute()
        or "\\" in name
        or "\0" in name
        or (len(name) > 1 and name[1] == ":")
        or any(s in ("", ".", "..") for s in segments)
    )


class BundleFiles(Protocol):
    """The files of a bundle, wherever it is stored."""

    label: str
    #: Regular files, bundle-relative.
    names: set[str]
    #: Entries refused while listing, name → why (links, special files, unsafe members).
    refused: dict[str, str]

    def read(self, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of regular file ``name``; more than ``limit`` is an error."""
        ...

    def sha256(self, name: str) -> str:
        """Hex SHA-256 of regular file ``name``, streamed."""
        ...


class FolderBundle:
    """A bundle written as a folder."""

    def __init__(self, directory: Path) -> None:
        self.label = str(directory)
        self.directory = directory
        self.names: set[str] = set()
        self.refused: dict[str, str] = {}
        for root, dirs, files in os.walk(directory, followlinks=False):
            for entry in sorted(dirs + files):
                path = Path(root, entry)
                relative = path.relative_to(directory).as_posix()
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    self.refused[relative] = "is a symbolic link (refused: it may point outside)"
                elif stat.S_ISREG(mode):
                    self.names.add(relative)
                elif not stat.S_ISDIR(mode):
                    self.refused[relative] = "not a regular file (refused)"

    def _open(self, name: str) -> int:
        if name not in self.names:
            raise InputFileError(FileLocation(f"{self.label}/{name}"), "missing from the bundle")
        fd = os.open(self.directory / name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise InputFileError(FileLocation(f"{self.label}/{name}"), "not a regular file")
        return fd

    def read(self, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of ``name``, opened without following a link."""
        with os.fdopen(self._open(name), "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise InputFileError(
                FileLocation(f"{self.label}/{name}"), f"larger than {limit} bytes: refused"
            )
        return data

    def sha256(self, name: str) -> str:
        """Hex SHA-256 of ``name``, opened without following a link."""
        digest = hashlib.sha256()
        with os.fdopen(self._open(name), "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()


def open_bundle(path: Path) -> BundleFiles:
    """The bundle at ``path``: a folder, a ``.zip`` or a ``.tar.gz`` archive."""
    from scanner.evidence.archive import open_archive

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such evidence bundle (folder, .zip or .tar.gz)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        return FolderBundle(path)
    if stat.S_ISREG(mode):
        return open_archive(path)
    raise ConfigError(f"{path}: not a folder or an archive file")

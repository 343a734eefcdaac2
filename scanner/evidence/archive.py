"""One file to hand over: the bundle as a ``.zip`` or ``.tar.gz``, written and read safely.

Writing is deterministic: members sorted by name, fixed times (1980-01-01 in zip, 0 in
tar and gzip headers), fixed modes, no owner names, so the same bundle gives the same
archive bytes. Reading never extracts anything to disk: members are listed and read in
memory, and links, devices, absolute names, ``..``, duplicates, encrypted or sparse
members are refused (reported as problems, never read). Sizes are bounded per member,
in total and in member count, so an archive bomb stops early with an error.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import stat
import tarfile
import zipfile
from pathlib import Path
from typing import IO

from scanner.errors import ConfigError, FileLocation, InputFileError
from scanner.evidence.files import MAX_FILE_BYTES, BundleFiles, unsafe_name
from scanner.safe_write import write_file

#: Archive suffixes `--evidence` recognises, and their kind.
SUFFIXES = {".zip": "zip", ".tar.gz": "tar.gz", ".tgz": "tar.gz"}
#: Most members an archive may hold.
MAX_MEMBERS = 10_000
#: Most bytes all members may hold together (uncompressed).
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def archive_kind(path: Path) -> str | None:
    """``zip`` or ``tar.gz`` when ``path`` names an archive, else None (a folder)."""
    name = path.name.lower()
    return next((kind for suffix, kind in SUFFIXES.items() if name.endswith(suffix)), None)


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the mode below is read
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name])
    return buffer.getvalue()


def _tar_gz_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as zipped:
        with tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name in sorted(files):
                info = tarfile.TarInfo(name)
                info.size = len(files[name])
                info.mode = 0o644
                info.mtime = 0
                archive.addfile(info, io.BytesIO(files[name]))
    return buffer.getvalue()


def write_archive(target: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (bundle name → bytes) as the archive ``target``; returns it."""
    kind = archive_kind(target)
    payload = _zip_bytes(files) if kind == "zip" else _tar_gz_bytes(files)
    return write_file(target.parent, target.name, payload)


class _ArchiveBundle:
    """Shared checks of zip and tar members."""

    def __init__(self, path: Path) -> None:
        self.label = str(path)
        self.names: set[str] = set()
        self.refused: dict[str, str] = {}
        self._total = 0
        self._count = 0

    def _admit(self, name: str, kind: str, size: int) -> bool:
        """Record member ``name``; True when it is a regular file that may be read."""
        self._count += 1
        if self._count > MAX_MEMBERS:
            raise ConfigError(f"{self.label}: more than {MAX_MEMBERS} members; refused")
        name = name.rstrip("/") if kind == "dir" else name
        if unsafe_name(name):
            self.refused[name] = "path outside the bundle (refused)"
            return False
        if kind != "file":
            if kind != "dir":
                self.refused[name] = f"is a {kind} (refused: only regular files are read)"
            return False
        if name in self.names or name in self.refused:
            self.names.discard(name)
            self.refused[name] = "appears twice in the archive (refused)"
            return False
        if size > MAX_FILE_BYTES:
            self.refused[name] = f"larger than {MAX_FILE_BYTES} bytes (refused)"
            return False
        self._total += size
        if self._total > MAX_TOTAL_BYTES:
            raise ConfigError(f"{self.label}: members larger than {MAX_TOTAL_BYTES} bytes")
        self.names.add(name)
        return True

    def _member(self, name: str) -> IO[bytes]:
        raise NotImplementedError

    def read(self, name: str, limit: int = MAX_FILE_BYTES) -> bytes:
        """The bytes of member ``name``, at most ``limit``."""
        if name not in self.names:
            raise InputFileError(FileLocation(f"{self.label}:{name}"), "missing from the bundle")
        try:
            with self._member(name) as handle:
                data = handle.read(limit + 1)
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise InputFileError(
                FileLocation(f"{self.label}:{name}"), f"unreadable: {exc}"
            ) from None
        if len(data) > limit:
            raise InputFileError(FileLocation(f"{self.label}:{name}"), "too large: refused")
        return data

    def sha256(self, name: str) -> str:
        """Hex SHA-256 of member ``name``, streamed."""
        digest = hashlib.sha256()
        try:
            with self._member(name) as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(chunk)
        except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise InputFileError(
                FileLocation(f"{self.label}:{name}"), f"unreadable: {exc}"
            ) from None
        return digest.hexdigest()


class ZipBundle(_ArchiveBundle):
    """A bundle in a zip archive."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        try:
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ConfigError(f"{path}: not a readable zip archive ({exc})") from None
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            mode = info.external_attr >> 16
            if info.is_dir():
                kind = "dir"
            elif stat.S_ISLNK(mode):
                kind = "symbolic link"
            elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # no type bits: a plain file
                kind = "special file"
            elif info.flag_bits & 0x1:
                kind = "encrypted member"
            else:
                kind = "file"
            if self._admit(info.filename, kind, info.file_size):
                self._infos[info.filename] = info

    def _member(self, name: str) -> IO[bytes]:
        return self._zip.open(self._infos[name])


class TarBundle(_ArchiveBundle):
    """A bundle in a gzip-compressed tar archive."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._members: dict[str, tarfile.TarInfo] = {}
        try:
            self._tar = tarfile.open(path, mode="r:gz")
            while (member := self._tar.next()) is not None:
                if member.isdir():
                    kind = "dir"
                elif member.issym() or member.islnk():
                    kind = "symbolic link" if member.issym() else "hard link"
                elif not member.isreg() or member.issparse():
                    kind = "special file"
                else:
                    kind = "file"
                if self._admit(member.name, kind, member.size):
                    self._members[member.name] = member
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            raise ConfigError(f"{path}: not a readable .tar.gz archive ({exc})") from None

    def _member(self, name: str) -> IO[bytes]:
        handle = self._tar.extractfile(self._members[name])
        if handle is None:  # pragma: no cover - only regular members are admitted
            raise OSError("not a regular member")
        return handle


def open_archive(path: Path) -> BundleFiles:
    """The bundle in archive ``path`` (recognised by content, not by name)."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    if magic.startswith(b"PK"):
        return ZipBundle(path)
    if magic.startswith(b"\x1f\x8b"):
        return TarBundle(path)
    raise ConfigError(f"{path}: not an evidence bundle (a folder, .zip or .tar.gz archive)")

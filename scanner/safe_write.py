"""Write files without following links planted in an output folder.

Every file crmscan writes (reports under ``--out``, history, evidence bundles,
snapshots, signing keys) goes through `write_file`. The folder the user names is taken
as given (it may itself be a link they chose); below it nothing is followed:

* sub-folders crmscan creates are opened with ``O_NOFOLLOW``: a symbolic link planted
  in their place is refused, never written through;
* a file is written to a new temporary name (``O_CREAT | O_EXCL | O_NOFOLLOW``) and
  renamed over the final name, which replaces a planted link instead of writing to its
  target, and never leaves a half-written report behind;
* ``exclusive=True`` (keys) creates the file itself with ``O_EXCL``: it refuses any
  existing name, links included, and the file has its final permissions (``0o600`` for
  a private key) from the first byte.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from scanner.errors import OutputFileError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY
_DIR_FD = {os.open, os.mkdir, os.replace, os.unlink} <= os.supports_dir_fd

#: Permissions of a new file before the umask (as ``open`` would give).
DEFAULT_MODE = 0o666
#: Permissions of a private key: the owner only.
PRIVATE_MODE = 0o600


def _parts(relative: str | PurePosixPath) -> tuple[str, ...]:
    path = PurePosixPath(relative)
    parts = path.parts
    if path.is_absolute() or not parts or any(p in ("", ".", "..") or "\0" in p for p in parts):
        raise OutputFileError(f"not a plain relative file name: {str(relative)!r}")
    return parts


def _refused(where: Path, exc: OSError) -> OutputFileError:
    return OutputFileError(
        f"{where}: is a symbolic link or not a folder; refusing to write through it ({exc})"
    )


#: Writes a file's content into the binary file it is given (`write_stream`).
Producer = Callable[[BinaryIO], None]
_BUFFER = 1 << 20


def _write_all(fd: int, data: bytes | Producer) -> None:
    if callable(data):
        with os.fdopen(fd, "wb", buffering=_BUFFER, closefd=False) as handle:
            data(handle)
        return
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_file(
    base: Path | str,
    relative: str | PurePosixPath,
    data: bytes | str | Producer,
    *,
    mode: int = DEFAULT_MODE,
    exclusive: bool = False,
) -> Path:
    """Write ``data`` to ``base/relative`` without following links below ``base``.

    ``relative`` is a POSIX path of plain names (no ``..``). Strings are written as
    UTF-8; a callable is given the open (buffered, binary) file and streams into it, so
    a large report is never held in memory whole. ``exclusive`` refuses an existing
    file and writes in place (for keys); otherwise the file is replaced atomically.
    Raises `OutputFileError`.
    """
    base = Path(base)
    parts = _parts(relative)
    target = base.joinpath(*parts)
    payload: bytes | Producer = data.encode("utf-8") if isinstance(data, str) else data
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"cannot create folder {base}: {exc}") from None
    if not _DIR_FD:  # pragma: no cover - platforms without *at() calls (Windows)
        return _write_by_path(base, parts, payload, mode, exclusive)
    try:
        directory = os.open(base, os.O_RDONLY | _DIRECTORY)
    except OSError as exc:
        raise OutputFileError(f"cannot open folder {base}: {exc}") from None
    try:
        where = base
        for name in parts[:-1]:
            where = where / name
            try:
                os.mkdir(name, 0o777, dir_fd=directory)
            except FileExistsError:
                pass
            except OSError as exc:
                raise OutputFileError(f"cannot create folder {where}: {exc}") from None
            try:
                child = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=directory)
            except OSError as exc:
                raise _refused(where, exc) from None
            os.close(directory)
            directory = child
        _write_in(directory, parts[-1], payload, mode, exclusive, target)
    finally:
        os.close(directory)
    return target


def _write_in(
    directory: int,
    name: str,
    payload: bytes | Producer,
    mode: int,
    exclusive: bool,
    target: Path,
) -> None:
    if exclusive:
        try:
            fd = os.open(name, _CREATE, mode, dir_fd=directory)
        except FileExistsError:
            raise OutputFileError(
                f"{target} exists (or is a link); refusing to overwrite it"
            ) from None
        except OSError as exc:
            raise OutputFileError(f"cannot write {target}: {exc}") from None
        try:
            _write_all(fd, payload)
        finally:
            os.close(fd)
        return
    temporary = f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(temporary, _CREATE, mode, dir_fd=directory)
    except OSError as exc:
        raise OutputFileError(f"cannot write {target}: {exc}") from None
    try:
        try:
            _write_all(fd, payload)
        finally:
            os.close(fd)
        os.replace(temporary, name, src_dir_fd=directory, dst_dir_fd=directory)
    except BaseException as exc:  # a producer may fail half-way: leave no partial file
        try:
            os.unlink(temporary, dir_fd=directory)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise OutputFileError(f"cannot write {target}: {exc}") from None
        raise


def _write_by_path(  # pragma: no cover - exercised only without dir_fd support
    base: Path, parts: tuple[str, ...], payload: bytes | Producer, mode: int, exclusive: bool
) -> Path:
    where = base
    for name in parts[:-1]:
        where = where / name
        if where.is_symlink():
            raise OutputFileError(f"{where}: is a symbolic link; refusing to write through it")
        where.mkdir(exist_ok=True)
    target = where / parts[-1]
    if exclusive and (target.exists() or target.is_symlink()):
        raise OutputFileError(f"{target} exists (or is a link); refusing to overwrite it")
    temporary = where / f".{parts[-1]}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temporary, _CREATE, mode)
    try:
        _write_all(fd, payload)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    return target


def remove_file(base: Path | str, relative: str) -> None:
    """Remove ``base/relative`` if it exists (a link is removed, never its target)."""
    path = Path(base).joinpath(*_parts(relative))
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OutputFileError(f"cannot remove {path}: {exc}") from None

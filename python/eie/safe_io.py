# SPDX-License-Identifier: Apache-2.0
"""Writing a user's outputs so that nothing is lost or half-written.

- Every output path is checked before any work (:func:`check_output_file`).
- A file is written to a hidden temporary sibling, flushed to disk and renamed
  over its path (:func:`write_file`); a failure or a signal leaves the old file
  as it was and removes the temporary one.
- A directory is replaced in one atomic step (:func:`publish_dir`): Linux's
  ``renameat2(RENAME_EXCHANGE)`` swaps the new directory with the old one, so a
  reader always sees the whole old or the whole new directory.
- New files and folders get the permissions the umask allows, as ``open`` and
  ``mkdir`` would give them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from eie.errors import EieError

_RENAME_NOREPLACE = 1
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def check_output_file(path, suffix: str | None = None, what: str = "output") -> Path:
    """Refuse, before any work, an output path that cannot be written as a file."""
    path = Path(path)
    if str(path) in ("", "."):
        raise EieError(f"{what}: an empty path")
    if suffix is not None and path.suffix != suffix:
        raise EieError(f"{path}: the {what} must be a {suffix} file")
    if path.is_dir():
        raise EieError(f"{path}: is a directory; the {what} must be a file")
    parent = path.parent
    if not parent.is_dir():
        raise EieError(f"{path}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise EieError(f"{path}: cannot write into {parent} (permission denied)")
    return path


def _stage(path: Path, write: Callable[[object], None] | bytes) -> Path:
    """The contents of ``path`` in a hidden temporary sibling, on disk and with the umask's permissions."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise EieError(f"{path}: cannot write ({_reason(exc)})") from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(write, bytes):
                f.write(write)
            else:
                write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise EieError(f"{path}: cannot write ({_reason(exc)})") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_file(path, write: Callable[[object], None] | bytes) -> Path:
    """Write ``path`` atomically: ``write(f)`` (or the bytes) into a temporary sibling, then rename."""
    write_files([(Path(path), write)])
    return Path(path)


def write_files(writes: Iterable[tuple[Path, Callable[[object], None] | bytes]]) -> None:
    """Several outputs, all or none: each is staged in a temporary sibling, then all are renamed."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, write in writes:
            staged.append((_stage(Path(path), write), Path(path)))
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise EieError(f"{path}: cannot write ({_reason(exc)})") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)


def make_private_dir(parent: Path, name: str) -> Path:
    """A new hidden folder beside ``parent / name``, with the umask's permissions."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".tmp", dir=parent))
    os.chmod(tmp, 0o777 & ~_umask())
    return tmp


def _renameat2(src: Path, dst: Path, flags: int) -> bool:
    """True if done; False where the system has no renameat2 or the file system refuses the flag."""
    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name, use_errno=True) if libc_name else None
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if func(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(dst))


def publish_dir(tmp: Path, target: Path, may_replace: Callable[[Path], None]) -> Path | None:
    """Put the finished folder ``tmp`` at ``target`` in one atomic step.

    A missing ``target`` is created by a rename that refuses to overwrite. An
    existing one is first checked by ``may_replace`` (which raises to refuse),
    then swapped with ``tmp``; the old contents are returned at the ``tmp`` path
    for the caller to remove. Without ``renameat2`` (not Linux) the old folder is
    moved aside first, which leaves a moment with nothing at ``target``.
    """
    if not target.exists() and not target.is_symlink():
        try:
            if _renameat2(tmp, target, _RENAME_NOREPLACE):
                return None
        except FileExistsError:
            pass  # another writer got there first: replace it as below, if it may be
        else:
            if not target.exists():
                os.rename(tmp, target)
                return None
    may_replace(target)
    if _renameat2(tmp, target, _RENAME_EXCHANGE):
        return tmp
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", suffix=".tmp", dir=target.parent))
    os.rename(target, aside)  # onto the empty folder just made
    os.rename(tmp, target)
    return aside

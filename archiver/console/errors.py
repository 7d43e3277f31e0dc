"""The errors the CLI reports as one line (:func:`archiver.cli.main`), and what to do."""

from __future__ import annotations

import errno
import tempfile
from pathlib import Path

from archiver.run.outcome import ExitCode

WHAT_TO_DO = {
    errno.ENOENT: "check the path",
    errno.EACCES: "choose a directory you may write to, or fix its permissions",
    errno.EPERM: "choose a directory you may write to, or fix its permissions",
    errno.EROFS: "the file system is read-only: choose another directory",
    errno.ENOSPC: "the disk is full: free space or choose another directory",
    errno.EDQUOT: "the disk quota is used up: free space or choose another directory",
    errno.ENOTDIR: "a file stands where a directory is needed: choose another path",
    errno.EEXIST: "a file stands where a directory is needed: choose another path",
    errno.EISDIR: "it is a directory: give a file name",
}


class UsageError(ValueError):
    """Bad arguments, settings or input, found before anything was done.

    The message names what was wrong and what to give instead; ``archiver``
    prints it as one line and exits 2 (:attr:`ExitCode.USAGE`).
    """

    exit_code = ExitCode.USAGE


def describe_os_error(error: OSError) -> str:
    """``PATH: what happened; what to do`` for a file-system error."""
    path = error.filename or "?"
    reason = error.strerror or str(error)
    advice = WHAT_TO_DO.get(error.errno or 0)
    return f"{path}: {reason.lower()}" + (f"; {advice}" if advice else "")


def usable_directory(path: Path, option: str = "--output") -> Path:
    """``path``, created if needed; a :class:`UsageError` if it cannot hold output.

    Checked before anything starts, so that a bad ``--output`` costs no request
    and leaves nothing behind. A file is created there and removed, as the run
    would create its own: permission bits say nothing to root, and ``/proc`` or
    ``/sys`` refuse new files to anyone.
    """
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: a file, not a directory; give a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"{option} {describe_os_error(error)}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".archiver-probe-"):
            pass
    except OSError as error:
        reason = (error.strerror or str(error)).lower()
        raise UsageError(f"{option} {path}: no file can be created there ({reason}); "
                         "choose a directory you may write to") from None
    return path


def usable_file(path: Path, option: str = "--output") -> Path:
    """``path`` to write a file to: its directory created; a :class:`UsageError` otherwise."""
    if path.is_dir():
        raise UsageError(f"{option} {path}: a directory; give a file name")
    usable_directory(path.parent, option)
    return path

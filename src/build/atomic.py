"""Atomic file writes shared by every stage.

A stage never leaves a half-written file behind: it writes a temporary file in the target's
folder and renames it over the target with :func:`os.replace` (atomic on POSIX within one file
system). On any error the temporary file is removed and the target is left as it was. The new
file keeps the mode of the file it replaces (a source rewritten with ``--write`` stays as it
was), or gets the usual ``0o666 & ~umask`` for a new file (``mkstemp`` alone would give 0600).
"""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove the temporary files :func:`atomic_output` left beside ``path`` when its process
    was killed (``.{name}.*.tmp``, which no ``finally`` could remove); returns them.

    Only for outputs that one process writes at a time (a workflow rule's outputs, under
    Snakemake's lock): another writer's temporary file would be removed too.
    """
    target = Path(path)
    stale = sorted(target.parent.glob(f".{glob.escape(target.name)}.*.tmp"))
    for tmp in stale:
        tmp.unlink(missing_ok=True)
    return stale


@contextlib.contextmanager
def atomic_output(path: str | Path, *, remove_stale: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, rename it to ``path``.

    Args:
        path: the file to create or replace; its folder is created if missing.
        remove_stale: first remove temporary files of ``path`` left by a killed run
            (:func:`remove_stale_temporaries`; issue 9, "nothing lost").
    Yields:
        The temporary file's path (it exists and is empty) for the caller to write to.
    Raises:
        Whatever the block raises (including ``KeyboardInterrupt``); the temporary file is then
        removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    if remove_stale:
        remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp_path, mode)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 (line endings as given) to ``path`` atomically."""
    with atomic_output(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)


def write_bytes_atomic(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def read_utf8(path: str | Path, error_type: type[Exception] | None = None) -> str:
    """Read a text file that must be UTF-8.

    Args:
        path: the file.
        error_type: the :class:`build.errors.PipelineError` subclass to raise (default
            :class:`build.errors.ManuscriptError`).
    Returns:
        The text.
    Raises:
        error_type: the file cannot be read, or is not UTF-8 (then with the line and column of
            the first bad byte and a hint to save it as UTF-8).
    """
    from build.errors import ManuscriptError

    error_type = error_type or ManuscriptError
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise error_type(
            f"cannot read file ({error.strerror})", str(path), hint="check the path"
        ) from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise error_type(
            f"not UTF-8 (byte 0x{data[error.start]:02x})",
            str(path),
            line,
            column,
            hint="save the file as UTF-8 and run the command again",
        ) from error

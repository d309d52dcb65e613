"""Atomic file writes shared by every stage.

A stage never leaves a half-written file behind: it writes a temporary file in the target's
folder and renames it over the target with :func:`os.replace` (atomic on POSIX within one file
system). On any error the temporary file is removed and the target is left as it was. The new
file keeps the mode of the file it replaces (a source rewritten with ``--write`` stays as it
was), or gets the usual ``0o666 & ~umask`` for a new file (``mkstemp`` alone would give 0600).

A target that exists and is not a regular file is never replaced (``os.replace`` would turn
``/dev/null`` or a FIFO into a regular file, and a symbolic link into a file of its own): a
symbolic link is followed and the file it points to is replaced atomically (the link stays); a
character device or a FIFO (``--output /dev/null``, ``--output >(gzip > x.gz)``) is written
into directly, once the block has succeeded; anything else (a folder, a socket, a block device)
is refused with a :class:`build.errors.PipelineError` naming the path.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
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


def _special_target(target: Path) -> tuple[Path, bool]:
    """Where :func:`atomic_output` writes for ``target``: (path, write into it directly).

    Raises:
        PipelineError: ``target`` exists and is neither a regular file, a symbolic link to one
            (or to a missing file), a character device nor a FIFO.
    """
    from build.errors import PipelineError

    if target.is_symlink():
        target = Path(os.path.realpath(target))
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        return target, False
    if stat.S_ISREG(mode):
        return target, False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return target, True
    kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
    raise PipelineError(
        f"cannot write the output: {target} is {kind}",
        str(target),
        hint="give the path of a file (a new one, a regular file, /dev/null or a FIFO)",
    )


@contextlib.contextmanager
def atomic_output(path: str | Path, *, remove_stale: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, rename it to ``path``.

    Args:
        path: the file to create or replace; its folder is created if missing. A symbolic
            link is followed (the file it points to is replaced, the link kept); a character
            device or FIFO is written into directly when the block succeeds.
        remove_stale: first remove temporary files of ``path`` left by a killed run
            (:func:`remove_stale_temporaries`; issue 9, "nothing lost").
    Yields:
        The temporary file's path (it exists and is empty) for the caller to write to.
    Raises:
        PipelineError: ``path`` is a folder, a socket or a block device (nothing is written).
        Whatever the block raises (including ``KeyboardInterrupt``); the temporary file is then
        removed and ``path`` is untouched.
    """
    target, direct = _special_target(Path(path))
    if direct:
        fd, tmp = tempfile.mkstemp(prefix="article-output.", suffix=".tmp")
        os.close(fd)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        if remove_stale:
            remove_stale_temporaries(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if direct:
            with open(tmp_path, "rb") as source, open(target, "wb") as sink:
                shutil.copyfileobj(source, sink)
            tmp_path.unlink()
            return
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

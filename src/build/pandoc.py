"""Running pandoc: the bundled binary, a fixed environment, its warnings; the style folders.

pandoc is the 3.x binary bundled with ``pypandoc-binary`` (``pypandoc.get_pandoc_path()``),
run as a subprocess so that its warnings (missing citations) and exit code are ours to read.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from build.atomic import atomic_output, read_utf8
from build.errors import PipelineError, RenderError

#: Package data: defaults files, templates, Lua filters, CSS.
STYLES_DIR = Path(__file__).resolve().parent / "styles"
DEFAULTS_DIR = STYLES_DIR / "defaults"
CSS_DIR = STYLES_DIR / "css"

#: Fixed environment of every pandoc run (time zone and locale fixed for the build).
BASE_ENV = {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (text is UTF-8), first removing temporary files
    of ``path`` that a killed run left."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, remove_stale=True) as tmp:
        tmp.write_bytes(payload)


def read_text(path: str | Path, error_type: type[PipelineError] = RenderError) -> str:
    """The UTF-8 text of ``path`` (:func:`build.atomic.read_utf8`), errors as ``error_type``."""
    return read_utf8(path, error_type)


@functools.cache
def pandoc_path() -> str:
    """The pandoc 3.x binary bundled with pypandoc-binary (Debian's pandoc 2.17 is too old):
    ``pypandoc/files/pandoc``, found without importing pypandoc (its import costs about 0.1 s
    of CPU in every job); else what ``pypandoc.get_pandoc_path()`` finds."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder, "files", "pandoc.exe" if os.name == "nt" else "pandoc")
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_version() -> str | None:
    """The version of :func:`pandoc_path`'s pandoc ("3.9"), from ``pandoc --version``;
    ``None`` when it cannot be run."""
    try:
        first = subprocess.run(
            [pandoc_path(), "--version"], capture_output=True, text=True, check=True
        ).stdout.split("\n", 1)[0]
    except (OSError, subprocess.CalledProcessError):
        return None
    return first.split()[-1] if first.startswith("pandoc") else None


def run_pandoc(
    args: Sequence[str], stdin: bytes | None = None, epoch_s: int | None = None
) -> tuple[bytes, str]:
    """Run pandoc with ``args``; return (stdout bytes, stderr text).

    The environment is fixed (UTC, C.UTF-8) and ``SOURCE_DATE_EPOCH`` set when given, so
    that dates in EPUB metadata do not depend on the clock.

    Raises:
        RenderError: pandoc exits non-zero; the message is pandoc's first error line.
    """
    env = {**os.environ, **BASE_ENV}
    if epoch_s is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch_s)
    process = subprocess.run(
        [pandoc_path(), *args], input=stdin, capture_output=True, env=env, check=False
    )
    stderr = process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        first = first_pandoc_error(stderr)
        raise RenderError(
            f"pandoc failed (exit {process.returncode}): {first}",
            hint="see the full pandoc message in the log; run pandoc by hand with "
            + " ".join(args[:3]),
        )
    return process.stdout, stderr


#: pandoc's report of a failing Lua filter: ``Error running filter F:`` then ``...F:N: message``
_FILTER_FAILED = re.compile(r"^Error running filter (.+):$")
_LUA_WHERE = re.compile(r"^\S*\.lua:\d+: ")


def first_pandoc_error(stderr: str) -> str:
    """The first real error of pandoc's ``stderr``: not a ``[WARNING]`` or ``[INFO]`` line
    (pandoc prints those before its error); of a failing Lua filter, the filter's own message
    without the Lua file and line ("crossref.lua: the id #x is used twice"). "pandoc failed"
    when there is none."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for number, line in enumerate(lines):
        if line.startswith(("[WARNING]", "[INFO]")):
            continue
        if _FILTER_FAILED.match(line) and number + 1 < len(lines):
            return _LUA_WHERE.sub("", lines[number + 1])
        return line
    return lines[0] if lines else "pandoc failed"


def emit_warnings(stderr: str, skip: Sequence[str] = ()) -> None:
    """Print pandoc's non-empty stderr lines to stderr, but those containing a ``skip`` text."""
    for line in stderr.splitlines():
        if line.strip() and not any(s in line for s in skip):
            print(line, file=sys.stderr)


def bibtex_to_csl(text: str) -> list[dict]:
    """A BibTeX text as CSL-JSON items (CSL 1.0.2), converted by pandoc's BibTeX reader.

    Raises:
        RenderError: pandoc cannot read it; ValueError: its output is not JSON.
    """
    import json

    stdout, _ = run_pandoc(["--from=bibtex", "--to=csljson"], text.encode("utf-8"))
    return json.loads(stdout)

"""The build shortcut: ``article build [SNAKEMAKE ARGS]`` skips Snakemake when nothing changed.

A no-op ``snakemake --cores 2`` spends 1.2-1.8 s before it decides anything (importing
Snakemake and building its argument parser). Editors in their edit loop run ``article build``
instead: it answers "up to date" in well under 0.2 s when no source changed since the last
successful build, and otherwise runs Snakemake (this environment's ``snakemake``) with the given
arguments and passes its exit code through. ``snakemake`` stays the main command; this is a
shortcut that must never wrongly say "up to date".

Terms used in this module:

* *input fingerprint*: everything a build's outputs can depend on, as a JSON-able dict
  (:func:`input_fingerprint`): the relative path and sha256 of the content of every file under the
  project root except :data:`EXCLUDED_DIRS` (anywhere in the path) and ``*.pyc`` files; the
  ``build`` package's files when it is installed outside the root (an editable install that a
  copy of the project uses); the Snakemake arguments; the Python interpreter; the size and
  modification time of site-packages (they change when a package is installed or removed) and
  of pypandoc's bundled pandoc; git's ``HEAD`` and whether the work tree is dirty (the build
  stamps both into the PDF and EPUB, :mod:`build.provenance`); and the environment variables
  that reach the outputs (:data:`ENV_NAMES`, :data:`ENV_PREFIXES`).
* *output digests*: ``{"output/<path>": sha256}`` of every file under ``output/`` after a build,
  except ``output/logs/`` and the stamp (:func:`output_digests`).
* *stamp*: ``output/.build-stamp.json`` (:data:`STAMP_PATH`), written atomically after a
  successful plain build: a format version, the UTC time it was written, the input fingerprint
  taken *before* Snakemake ran, and the output digests after it.
* *plain build*: Snakemake arguments that are only ``--cores``/``-c``/``--jobs``/``-j`` with a
  count and ``--quiet``/``-q`` with its levels (:func:`non_plain_reason`). Only a plain build is
  ever skipped; any other argument (a target, ``--config``, ``--forceall``, ``-n``, ...) runs
  Snakemake every time.
* *up to date*: the stamp is readable and of this version, its input fingerprint equals the
  current one, and every output it records exists with the recorded sha256.

The rule is our own design (issue 10, "no-op rebuild under 1 second"). For comparison,
Snakemake reruns a job when an output is missing or older than an input, or when the rule's
code, parameters, input set or software environment changed (``--rerun-triggers``, Snakemake
9 documentation, "Command line interface"). This check is coarser and content based: any change
of any project file sends the whole decision to Snakemake, which then decides job by job. A
``touch`` without a content change is not a change here (Snakemake would rerun the jobs): the
outputs are reproducible bit for bit (issue 8), so running them again gives the same bytes.

Pure core: :func:`non_plain_reason`, :func:`first_difference`, :func:`input_fingerprint` and
:func:`output_digests` (these two read the files they describe). Thin edge:
:func:`check_up_to_date`, :func:`run_snakemake`, :func:`build_article`, :func:`command`.
Imports are kept light (no YAML, JSON Schema or Snakemake) so that the answer is fast.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import stat
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from build.errors import PipelineError

#: The stamp, relative to the project root (output/ is generated and git-ignored).
STAMP_PATH = "output/.build-stamp.json"
#: Version of the stamp's format; a stamp of another version is not up to date.
STAMP_VERSION = 1
#: The folder of generated files, and the one inside it whose files are not outputs.
OUTPUT_DIR = "output"
LOG_DIR = "logs"

#: Folders left out of the input fingerprint wherever they are (generated, caches, tools).
EXCLUDED_DIRS = frozenset(
    {
        "output",
        ".snakemake",
        ".git",
        ".venv",
        "node_modules",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
    }
)
#: File name endings left out of the input fingerprint.
EXCLUDED_SUFFIXES = (".pyc",)

#: Environment variables that can change the outputs: the build date (reproducible-builds.org
#: ``SOURCE_DATE_EPOCH``), the pandoc that pypandoc runs, and where Python finds packages.
ENV_NAMES = ("SOURCE_DATE_EPOCH", "PYPANDOC_PANDOC", "PYTHONPATH", "PYTHONHOME")
#: Prefixes of environment variables recorded too: the pipeline's own (``ARTICLE_COMMIT``) and
#: Snakemake's.
ENV_PREFIXES = ("ARTICLE_", "SNAKEMAKE_")
#: A set variable that makes Snakemake read a profile from outside the project: never skipped.
PROFILE_ENV = "SNAKEMAKE_PROFILE"

#: Snakemake options of a plain build that take a count (``--cores 2``, ``-c2``, ``--jobs=all``).
COUNT_OPTIONS = ("--cores", "-c", "--jobs", "-j")
#: Snakemake's quiet option, followed by zero or more of its levels.
QUIET_OPTIONS = ("--quiet", "-q")
QUIET_LEVELS = frozenset({"all", "host", "progress", "reason", "rules"})
_COUNT = re.compile(r"[0-9]+|all|unlimited")

#: The ``build`` package that this process (and so the workflow's rules) runs.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The Snakemake of this environment.
SNAKEMAKE = Path(sys.executable).parent / "snakemake"


class UpToDateError(PipelineError):
    """Snakemake cannot be started."""


@dataclass(frozen=True)
class Verdict:
    """Whether a build can be skipped, and why not.

    Attributes:
        up_to_date: the stamp matches (see the module docstring).
        reason: why Snakemake must run (``""`` when up to date).
        inputs: the current input fingerprint; ``None`` for a build that is not plain.
        built_at: when the stamp was written (ISO 8601 UTC), when up to date.
    """

    up_to_date: bool
    reason: str = ""
    inputs: dict[str, Any] | None = None
    built_at: str = ""


# --------------------------------------------------------------------------- arguments


def non_plain_reason(
    snakemake_args: Sequence[str], environ: Mapping[str, str] | None = None
) -> str | None:
    """Why a Snakemake call is not a plain full build, or ``None`` when it is one.

    Args:
        snakemake_args: the arguments for Snakemake, as typed after ``article build``.
        environ: the environment (default none); a set ``SNAKEMAKE_PROFILE`` makes the build not
            plain (the profile lives outside the project and may set any option).
    Returns:
        ``None`` for only ``--cores N``/``--cores=N``/``-c N``/``-cN`` (likewise ``--jobs``,
        ``-j``; N a number, ``all`` or ``unlimited``) and ``--quiet``/``-q`` with zero or more of
        its levels (or ``--quiet=LEVEL``); else a short reason naming the first other argument.
    Raises:
        Nothing.
    """
    if environ and environ.get(PROFILE_ENV, "").strip():
        return f"a Snakemake profile is set (${PROFILE_ENV})"
    words = list(snakemake_args)
    index = 0
    while index < len(words):
        word = words[index]
        name, equals, value = word.partition("=")
        if name in COUNT_OPTIONS and equals:
            if not _COUNT.fullmatch(value):
                return f"argument {word!r} is not a plain build"
        elif word in COUNT_OPTIONS:
            if index + 1 >= len(words) or not _COUNT.fullmatch(words[index + 1]):
                return f"argument {word!r} without a count is not a plain build"
            index += 1
        elif word[:2] in ("-c", "-j") and not word.startswith("--"):
            if not _COUNT.fullmatch(word[2:]):
                return f"argument {word!r} is not a plain build"
        elif name in QUIET_OPTIONS and equals:
            if value not in QUIET_LEVELS:
                return f"argument {word!r} is not a plain build"
        elif word in QUIET_OPTIONS:
            while index + 1 < len(words) and words[index + 1] in QUIET_LEVELS:
                index += 1
        else:
            return f"argument {word!r} is not a plain build"
        index += 1
    return None


# --------------------------------------------------------------------------- fingerprint


def _file_digest(path: str) -> str:
    """sha256 of a regular file (symbolic links followed); a marker for anything else."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            return f"not a regular file (mode {mode:o})"
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as error:  # a broken symbolic link, no permission
        return f"unreadable ({error.strerror})"


def _tree_digests(
    top: Path, prefix: str, skip_dir: Callable[[str, str], bool], skip_file: Callable[[str], bool]
) -> dict[str, str]:
    """{prefix + relative POSIX path: sha256} of the files under ``top``, sorted.

    Symbolic links to folders are followed (each real folder once); ``skip_dir(relative path,
    name)`` and ``skip_file(relative path)`` leave entries out. A missing ``top`` gives ``{}``.
    """
    base = str(top)
    seen: set[tuple[int, int]] = set()
    digests: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(base, followlinks=True):
        try:
            info = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (info.st_dev, info.st_ino) in seen:  # a link back to a folder already read
            dirnames[:] = []
            continue
        seen.add((info.st_dev, info.st_ino))
        relative_dir = dirpath[len(base) + 1 :].replace(os.sep, "/")
        here = f"{relative_dir}/" if relative_dir else ""
        dirnames[:] = [d for d in dirnames if not skip_dir(here + d, d)]
        for name in filenames:
            relative = here + name
            if not skip_file(relative):
                digests[prefix + relative] = _file_digest(os.path.join(dirpath, name))
    return dict(sorted(digests.items()))


def source_digests(root: Path) -> dict[str, str]:
    """{relative POSIX path: sha256} of every file under ``root`` except :data:`EXCLUDED_DIRS`
    (at any depth) and ``*.pyc`` files; unreadable files and special files get a marker."""
    return _tree_digests(
        Path(root),
        "",
        lambda _relative, name: name in EXCLUDED_DIRS,
        lambda relative: relative.endswith(EXCLUDED_SUFFIXES),
    )


def _stat_record(path: Path) -> dict[str, Any]:
    """``{"path", "size", "mtime_ns"}`` of ``path`` (``size`` ``None`` when it is missing)."""
    try:
        info = os.stat(path)
    except OSError:
        return {"path": str(path), "size": None, "mtime_ns": None}
    return {"path": str(path), "size": info.st_size, "mtime_ns": info.st_mtime_ns}


def git_state(root: Path) -> dict[str, Any] | None:
    """``{"commit": HEAD's id, "dirty": bool}`` as :func:`build.provenance.build_stamp` sees
    them (``git status --porcelain``: tracked changes and untracked files that are not ignored);
    ``None`` outside a git work tree, before the first commit or without git."""
    try:
        process = subprocess.run(
            ["git", "--no-optional-locks", "status", "--porcelain=v2", "--branch"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if process.returncode != 0:
        return None
    lines = process.stdout.splitlines()
    commit = next((line.split()[2] for line in lines if line.startswith("# branch.oid ")), None)
    if not commit or not re.fullmatch(r"[0-9a-f]{40,64}", commit):  # "(initial)": no commit
        return None
    return {"commit": commit, "dirty": any(not line.startswith("#") for line in lines)}


def _inside_sources(path: Path, root: Path) -> bool:
    """``path`` lies under ``root`` in a folder that :func:`source_digests` reads."""
    try:
        relative = path.resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return not any(part in EXCLUDED_DIRS for part in relative.parts)


def input_fingerprint(
    root: Path,
    snakemake_args: Sequence[str],
    environ: Mapping[str, str],
    *,
    package_dir: Path | None = None,
    site_packages: Path | None = None,
) -> dict[str, Any]:
    """Everything a plain build's outputs can depend on (the module docstring lists it).

    Args:
        root: the project folder (where the Snakefile is).
        snakemake_args: the arguments for Snakemake, recorded as given.
        environ: the environment; only :data:`ENV_NAMES` and :data:`ENV_PREFIXES` are recorded.
        package_dir: the ``build`` package the rules run (default :data:`PACKAGE_DIR`); its
            files are recorded under ``package`` when it is outside ``root``'s sources.
        site_packages: default ``sysconfig.get_paths()["purelib"]``.
    Returns:
        A dict of JSON types only (``json.loads(json.dumps(x)) == x``): ``files``, ``package``,
        ``snakemake_args``, ``python``, ``site_packages``, ``pandoc``, ``git``, ``environment``.
    Raises:
        Nothing: unreadable files are recorded as such, a missing git as ``None``.
    """
    root = Path(root)
    package = PACKAGE_DIR if package_dir is None else Path(package_dir)
    purelib = Path(sysconfig.get_paths()["purelib"] if site_packages is None else site_packages)
    package_files = None
    if not _inside_sources(package, root):
        package_files = {"path": str(package), "files": source_digests(package)}
    return {
        "files": source_digests(root),
        "package": package_files,
        "snakemake_args": list(snakemake_args),
        "python": {"executable": sys.executable, "version": sys.version},
        "site_packages": _stat_record(purelib),
        "pandoc": _stat_record(purelib / "pypandoc" / "files" / "pandoc"),
        "git": git_state(root),
        "environment": {
            name: value
            for name, value in sorted(environ.items())
            if name in ENV_NAMES or name.startswith(ENV_PREFIXES)
        },
    }


def output_digests(root: Path) -> dict[str, str]:
    """{``output/<relative POSIX path>``: sha256} of every file under ``root/output`` except
    ``output/logs/`` and the stamp (and its temporary files); ``{}`` without ``output/``."""
    stamp_name = Path(STAMP_PATH).name
    return _tree_digests(
        Path(root) / OUTPUT_DIR,
        f"{OUTPUT_DIR}/",
        lambda relative, _name: relative == LOG_DIR,
        lambda relative: (
            relative == stamp_name
            or (relative.startswith(f".{stamp_name}.") and relative.endswith(".tmp"))
        ),
    )


def first_difference(old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """The first difference between two input fingerprints, in words; ``None`` when equal.

    Args:
        old: the stamp's fingerprint (any JSON: a stamp from elsewhere may lack keys).
        new: the current fingerprint (:func:`input_fingerprint`).
    Returns:
        For files, the first path in sorted order: ``"manuscript/01-a.md changed"``, ``"... is
        new"``, ``"... was deleted"``; else which part changed (``"the Snakemake arguments
        changed ('--cores 1' -> '--cores 2')"``, ``"environment variable SOURCE_DATE_EPOCH
        changed"``, ...).
    Raises:
        Nothing.
    """
    if old == new:
        return None
    for key in ("files", "package"):
        old_files, new_files, where = old.get(key) or {}, new.get(key) or {}, ""
        if key == "package":
            if old_files.get("path") != new_files.get("path"):
                return "the build package moved"
            where = f"{new_files.get('path')}/"
            old_files, new_files = old_files.get("files") or {}, new_files.get("files") or {}
        if old_files == new_files:
            continue
        for path in sorted(set(old_files) | set(new_files)):
            if path not in old_files:
                return f"{where}{path} is new"
            if path not in new_files:
                return f"{where}{path} was deleted"
            if old_files[path] != new_files[path]:
                return f"{where}{path} changed"
    if old.get("snakemake_args") != new.get("snakemake_args"):
        before = " ".join(old.get("snakemake_args") or [])
        after = " ".join(new.get("snakemake_args") or [])
        return f"the Snakemake arguments changed ({before!r} -> {after!r})"
    old_env, new_env = old.get("environment") or {}, new.get("environment") or {}
    for name in sorted(set(old_env) | set(new_env)):
        if old_env.get(name) != new_env.get(name):
            return f"environment variable {name} changed"
    words = {
        "python": "the Python interpreter changed",
        "site_packages": "the installed Python packages changed",
        "pandoc": "the pandoc binary changed",
        "git": "the git commit or work tree state changed",
    }
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            return words.get(key, f"{key} changed")
    return None


# --------------------------------------------------------------------------- stamp


def read_stamp(path: Path) -> dict[str, Any] | None:
    """The stamp at ``path``, or ``None`` when it is missing, unreadable, not JSON, of another
    :data:`STAMP_VERSION` or lacks its parts (``inputs``, ``outputs``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (
        not isinstance(data, dict)
        or data.get("version") != STAMP_VERSION
        or not isinstance(data.get("inputs"), dict)
        or not isinstance(data.get("outputs"), dict)
        or not all(isinstance(v, str) for v in data["outputs"].values())
    ):
        return None
    return data


def write_stamp(
    root: Path, inputs: Mapping[str, Any], outputs: Mapping[str, str], built_at: str
) -> Path:
    """Write the stamp of ``root`` atomically (:func:`build.atomic.write_text_atomic`).

    Args:
        root: the project folder.
        inputs: the input fingerprint taken before Snakemake ran.
        outputs: the output digests after it ran.
        built_at: the time, ISO 8601 UTC (``2025-11-30T06:49:00Z``).
    Returns:
        The stamp's path.
    Raises:
        OSError: ``output/`` cannot be written.
    """
    from build.atomic import write_text_atomic  # not needed on the fast path

    path = Path(root) / STAMP_PATH
    stamp = {"version": STAMP_VERSION, "built_at": built_at, "inputs": inputs, "outputs": outputs}
    write_text_atomic(path, json.dumps(stamp, indent=1, sort_keys=True) + "\n")
    return path


def check_up_to_date(
    root: Path,
    snakemake_args: Sequence[str],
    environ: Mapping[str, str],
    *,
    package_dir: Path | None = None,
    site_packages: Path | None = None,
) -> Verdict:
    """Whether a build of ``root`` with ``snakemake_args`` can be skipped (module docstring).

    Args:
        root: the project folder.
        snakemake_args: the arguments for Snakemake.
        environ: the environment.
        package_dir, site_packages: as for :func:`input_fingerprint`.
    Returns:
        The verdict; when not up to date, its reason names the first argument that is not
        plain, the first changed source file or part of the fingerprint, or the first missing
        or changed output.
    Raises:
        Nothing: a missing or unreadable stamp means "not up to date".
    """
    reason = non_plain_reason(snakemake_args, environ)
    if reason:
        return Verdict(False, reason)
    root = Path(root)
    inputs = input_fingerprint(
        root, snakemake_args, environ, package_dir=package_dir, site_packages=site_packages
    )
    stamp_path = root / STAMP_PATH
    stamp = read_stamp(stamp_path)
    if stamp is None:
        if stamp_path.exists():
            return Verdict(False, f"{STAMP_PATH} is unreadable or of an older format", inputs)
        return Verdict(False, "no build by `article build` recorded yet", inputs)
    change = first_difference(stamp["inputs"], inputs)
    if change:
        return Verdict(False, change, inputs)
    for relative, digest in sorted(stamp["outputs"].items()):
        current = _file_digest(str(root / relative))
        if current.startswith("unreadable"):
            return Verdict(False, f"{relative} is missing", inputs)
        if current != digest:
            return Verdict(False, f"{relative} changed since the last build", inputs)
    return Verdict(True, "", inputs, str(stamp.get("built_at", "")))


# --------------------------------------------------------------------------- edge


def run_snakemake(
    root: Path,
    snakemake_args: Sequence[str],
    snakemake_command: Sequence[str],
    environ: Mapping[str, str],
) -> int:
    """Run ``snakemake_command + snakemake_args`` in ``root`` with the environment ``environ``,
    its output going to ours.

    Returns:
        Its exit code; ``128 + N`` when a signal N ended it (as a shell reports it). On Ctrl-C,
        Snakemake receives the signal too; we wait for it to clean up and return its code.
    Raises:
        UpToDateError: the command cannot be started.
    """
    command = [*snakemake_command, *snakemake_args]
    try:
        process = subprocess.Popen(command, cwd=root, env=dict(environ))
    except OSError as error:
        raise UpToDateError(
            f"cannot run snakemake ({error.strerror})",
            str(command[0]),
            hint="install the environment (bash .ci/setup.sh), then run the command again",
        ) from error
    try:
        code = process.wait()
    except KeyboardInterrupt:
        code = process.wait()
    return 128 - code if code < 0 else code


def _when(built_at: str) -> str:
    """``2025-11-30T06:49:00Z`` -> ``2025-11-30 06:49:00 UTC`` (other text as it is)."""
    match = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)Z", built_at)
    return f"{match[1]} {match[2]} UTC" if match else built_at or "an unknown time"


def build_article(
    root: Path,
    snakemake_args: Sequence[str],
    *,
    environ: Mapping[str, str],
    snakemake_command: Sequence[str],
    stderr: IO[str],
    package_dir: Path | None = None,
    site_packages: Path | None = None,
) -> int:
    """Say "up to date" and return 0, or run Snakemake and return its exit code.

    Before Snakemake runs, the stamp is removed; after a successful plain build it is written
    again, unless the inputs changed while Snakemake ran (then the next call runs it again).

    Args:
        root: the project folder.
        snakemake_args: the arguments for Snakemake.
        environ: the environment (what Snakemake runs with).
        snakemake_command: the command that runs Snakemake (``[SNAKEMAKE]``; tests use a fake).
        stderr: where the one-line messages go (Snakemake's own output is not captured).
        package_dir, site_packages: as for :func:`input_fingerprint`.
    Returns:
        0 when up to date, else Snakemake's exit code.
    Raises:
        UpToDateError: Snakemake cannot be started.
        OSError: the stamp cannot be written or removed.
    """
    root = Path(root)
    options = {"package_dir": package_dir, "site_packages": site_packages}
    verdict = check_up_to_date(root, snakemake_args, environ, **options)
    shown = " ".join(["snakemake", *snakemake_args])
    if verdict.up_to_date:
        print(
            f"article build: up to date (no source changed since the last build at "
            f"{_when(verdict.built_at)}; `{shown}` checks in full)",
            file=stderr,
            flush=True,
        )
        return 0
    print(f"article build: {verdict.reason} -> running {shown}", file=stderr, flush=True)
    (root / STAMP_PATH).unlink(missing_ok=True)
    code = run_snakemake(root, snakemake_args, snakemake_command, environ)
    if code != 0 or verdict.inputs is None:
        return code
    change = first_difference(
        verdict.inputs, input_fingerprint(root, snakemake_args, environ, **options)
    )
    if change:
        print(
            f"article build: {change} while Snakemake ran; no stamp written "
            "(the next `article build` runs Snakemake again)",
            file=stderr,
            flush=True,
        )
        return code
    built_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_stamp(root, verdict.inputs, output_digests(root), built_at)
    return code


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article build``: every argument after ``build`` goes to Snakemake as it is
    (``article build --cores 2``; a leading ``--`` is dropped: ``article build -- --forceall``);
    only ``article build -h``/``--help`` alone shows this command's help."""
    parser.description = (
        "Build the article with Snakemake, or say 'up to date' at once when no source, "
        "argument or tool changed since the last successful `article build` and every output "
        "is as it left it. Only --cores/-c/--jobs/-j N and --quiet/-q are ever skipped; any "
        "other argument always runs Snakemake. Snakemake's help: article build -- --help."
    )
    parser.add_argument(
        "snakemake_args",
        nargs=argparse.REMAINDER,
        metavar="SNAKEMAKE_ARGS",
        help="arguments for snakemake (e.g. --cores 2)",
    )


def command_argv(argv: Sequence[str]) -> int:
    """``article build WORDS...``: every word goes to Snakemake as it is (argparse would take
    options it does not know, such as ``--cores``, away from a positional); a leading ``--`` is
    dropped. Called by :func:`build.cli.main` instead of :func:`command`."""
    words = list(argv)
    return command(snakemake_args=words[1:] if words[:1] == ["--"] else words)


def command(snakemake_args: Sequence[str] = ()) -> int:
    """``article build [SNAKEMAKE ARGS]`` in the current folder; returns the exit code."""
    return build_article(
        Path.cwd(),
        list(snakemake_args),
        environ=os.environ,
        snakemake_command=[str(SNAKEMAKE)],
        stderr=sys.stderr,
    )

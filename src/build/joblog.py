"""How a workflow job keeps its log and reports a failure: one mechanism for every rule.

Terms used in this module:

* *job log* -- the file of a rule's ``log:`` directive. ``article --log LOG STAGE ...``
  (:func:`build.cli.main`) sends everything the stage and the tools it runs print (file
  descriptors 1 and 2) to it.
* *failure note* -- ``LOG.error``, written beside the job log when the job fails: the first real
  error (``path:line:col: message`` and its ``hint:`` line) and the log's path. The workflow's
  ``onerror`` handler (``Snakefile``) prints the notes of the run as its last lines, once, so
  that the cause closes the run instead of Snakemake's summary. When a stage found several
  problems, the job prints all of them on its standard error, which Snakemake shows with the
  failed job.

A :class:`build.errors.PipelineError` gives its own message; anything else (a traceback, a tool's
message) is read from the log by :func:`first_error`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import runpy
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from build.errors import PipelineError

#: Suffix of a failure note beside its job log.
NOTE_SUFFIX = ".error"

#: The class name Python prints before an uncaught exception's message.
_EXCEPTION_PREFIX = re.compile(
    r"^(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|List): (?=\S+:\d+)"
)

#: Where the message of a failing tool starts: ``path:line[:col]: ...`` or ``error: ...``.
_LOCATED = re.compile(r"^(error: )?[^\s:][^:\n]*:\d+(:\d+)?: \S")


def first_error(log_text: str) -> list[str]:
    """The first real error of a tool's log: the first ``path:line: ...`` (or ``error:``)
    line with its ``hint:`` line; else the last non-blank line (a traceback's exception)."""
    lines = log_text.splitlines()
    for index, line in enumerate(lines):
        line = _EXCEPTION_PREFIX.sub("", line)  # an uncaught PipelineError in a traceback
        if _LOCATED.match(line) or line.startswith(("error: ", "Error: ")):
            block = [line]
            if index + 1 < len(lines) and lines[index + 1].lstrip().startswith("hint:"):
                block.append(lines[index + 1])
            return block
    frames = [
        (m.group(1), m.group(2))
        for m in (re.match(r'^\s*File "([^"]+)", line (\d+)', ln) for ln in lines)
        if m and "site-packages" not in m.group(1) and not m.group(1).startswith("<")
    ]
    tail = [ln for ln in lines if ln.strip()]
    if frames and tail:
        path, line = frames[-1]
        return [
            f"{_relative(path)}:{line}: {tail[-1].strip()}",
            "  hint: this code raised an exception; the traceback is in the log",
        ]
    return tail[-1:]


def _relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path


#: A warning in a job log: the stages' (``warning: path:line:col: ...``, ``warning (...)``,
#: ``provenance: warning: ...``), the bibliography linter's (``refs.bib:12: warning[rule]:``),
#: WeasyPrint's (``weasyprint: ...``, printed by build.pdf) and pandoc's (``[WARNING] ...``).
_WARNING = re.compile(
    r"^(warning\b|\[WARNING\]|weasyprint: |[\w.-]+: warning: |[^\s:][^:\n]*:\d+(:\d+)?: warning\[)"
)


#: The line :func:`run_logged` ends a job's warnings with on the terminal, naming its log.
HINTS_LINE = re.compile(r"^(?P<head>  \(\d+ warnings?; their hints: )(?P<log>.+)\)$", re.MULTILINE)


def log_warnings(log_text: str) -> list[str]:
    """The warning lines of a job log (:data:`_WARNING`), in order, without their hints: what
    a job that succeeds shows on the terminal (README: warnings)."""
    return [line for line in log_text.splitlines() if _WARNING.match(line)]


def failure_note(error_lines: Iterable[str], log: str) -> str:
    """The text of a failure note: ``build failed; first error:``, the error, the log's path."""
    return "\n".join(["build failed; first error:", *error_lines, f"full log: {log}"])


def run_logged(log: str, function: Callable[[], int]) -> int:
    """Run ``function`` (a stage's command) with file descriptors 1 and 2 sent to ``log``.

    Args:
        log: the job log (its folder is created; the file is replaced).
        function: returns an exit code; may raise.

    Returns:
        the exit code: ``function``'s, 1 for a :class:`PipelineError` or another exception.
        The log's warnings (:func:`log_warnings`) are also written to the standard error the
        job had before (the terminal), with the log's path. On failure the failure note is
        written to ``log + ".error"`` (and every problem of a stage that found several to
        that standard error); on success a stale note is removed.
    """
    note_path = Path(log + NOTE_SUFFIX)
    note_path.parent.mkdir(parents=True, exist_ok=True)
    note_path.unlink(missing_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    terminal = os.dup(2)
    saved_out = os.dup(1)
    error_lines: list[str] | None = None
    with (
        open(log, "w", encoding="utf-8", buffering=1) as handle,
        contextlib.redirect_stdout(handle),
        contextlib.redirect_stderr(handle),
    ):
        os.dup2(handle.fileno(), 1)  # the tools the stage runs (pandoc) write here too
        os.dup2(handle.fileno(), 2)
        try:
            code = int(function() or 0)
        except PipelineError as error:
            print(f"error: {error}", file=sys.stderr)
            error_lines = f"error: {error}".splitlines()
            code = 1
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        except BaseException:  # reported with the log, never swallowed
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved_out, 1)
            os.dup2(terminal, 2)
            os.close(saved_out)
    text = Path(log).read_text(encoding="utf-8", errors="replace")
    warnings = log_warnings(text)
    if warnings:  # on the terminal too, not only in the log (the hints are in the log)
        count = f"{len(warnings)} warning" + ("s" if len(warnings) != 1 else "")
        lines = [*warnings, f"  ({count}; their hints: {log})"]
        os.write(terminal, ("\n".join(lines) + "\n").encode("utf-8"))
    if code:
        if error_lines is None:
            error_lines = first_error(text) or ["(the log is empty)"]
        first = error_lines[:1] + [ln for ln in error_lines[1:2] if ln.lstrip().startswith("hint:")]
        note = failure_note(first, log)
        note_path.write_text(note + "\n", encoding="utf-8")
        if len(error_lines) > len(first):  # several problems: all of them, where the job ran
            os.write(terminal, ("\n".join(error_lines) + "\n").encode("utf-8"))
    os.close(terminal)
    return code


def exit_on_error(function: Callable[..., Any], *args: Any) -> Any:
    """For the Snakefile, at parse time: ``function(*args)``; a :class:`PipelineError` is
    printed as ``error: path:line: message`` plus its hint and the run stops (exit 1), without
    a traceback."""
    try:
        return function(*args)
    except PipelineError as error:
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(1) from None


def failure_notes(folders: Iterable[str | Path], since_s: float) -> list[str]:
    """The failure notes (``*.error`` under ``folders``) written at or after ``since_s``
    (Unix seconds), oldest first: what the ``onerror`` handler prints."""
    return [
        Path(path).read_text(encoding="utf-8").rstrip() for path in note_paths(folders, since_s)
    ]


def note_paths(folders: Iterable[str | Path], since_s: float) -> list[str]:
    """The paths of the failure notes under ``folders`` written at or after ``since_s``,
    oldest first."""
    found: list[tuple[float, str]] = []
    for folder in folders:
        for path in Path(folder).rglob(f"*{NOTE_SUFFIX}"):
            try:
                mtime = path.stat().st_mtime
            except OSError:
                continue
            if mtime >= since_s:
                found.append((mtime, str(path)))
    return [path for _, path in sorted(found)]


#: The final outputs of an article, in its output folder: a reader takes them for the article.
FINAL_OUTPUTS = ("article.pdf", "article.html", "article.epub", "manifest.json")


def stale_outputs(
    notes: Iterable[str], outdirs: Iterable[str], shared_logs: str, issue_index: str
) -> list[str]:
    """The final outputs that a failed run leaves out of date: those of every article whose
    job failed (its note is under ``<outdir>/logs/``) and the issue's index, which links to
    them; of every article when a job shared by the issue failed (its note is under
    ``shared_logs``). Removing them
    keeps the rule that what is in ``output/`` is what the sources make (a previous build's
    PDF is not taken for this one's).

    Args:
        notes: failure note paths (:func:`note_paths`).
        outdirs: the articles' output folders (``output``, ``output/articles/<slug>``).
        shared_logs: the log folder of the jobs shared by the issue (``output/logs/issue``).
        issue_index: the issue's table of contents (``output/issue/index.html``).

    Returns:
        paths of files to remove (whether they exist or not), sorted.
    """
    folders = sorted(outdirs, key=len, reverse=True)  # output/articles/x before output
    stale: set[str] = set()
    for note in notes:
        posix = Path(note).as_posix()
        if posix.startswith(shared_logs.rstrip("/") + "/"):
            stale.add(issue_index)
            stale.update(f"{d}/{name}" for d in folders for name in FINAL_OUTPUTS)
            continue
        for folder in folders:
            if posix.startswith(f"{folder}/logs/"):
                stale.update(f"{folder}/{name}" for name in FINAL_OUTPUTS)
                stale.add(issue_index)  # it links to the outputs just removed
                break
    return sorted(stale)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article script`` (shown by ``--help``; the words are passed as they are)."""
    parser.add_argument("script", help="an article's figure or table script (figures/*.py)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")


def command_argv(argv: Sequence[str]) -> int:
    """Run ``argv[0]`` (a Python script) as ``__main__`` in this process with ``argv[1:]`` as
    its arguments and its folder first on ``sys.path``, so that ``article --log LOG script
    ...`` reports a script's failure like any stage's. Returns its exit code."""
    if not argv:
        raise PipelineError("no script given", hint="article script figures/fig-NAME.py ARGS...")
    script = str(argv[0])
    if not Path(script).is_file():
        raise PipelineError("no such script", script, hint="check the path")
    sys.argv = [script, *argv[1:]]
    sys.path.insert(0, str(Path(script).resolve().parent))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


def close_failed_run(
    output_dir: str, since_s: float, outdirs: Iterable[str], shared_logs: str, issue_index: str
) -> list[str]:
    """What the workflow's ``onerror`` handler does (thin edge): print each failure note of the
    run (:func:`note_paths`) on standard error, then remove the final outputs they leave out of
    date (:func:`stale_outputs`) and say which. Returns the removed paths."""
    notes = note_paths([output_dir], since_s)
    shown: set[str] = set()
    for note in notes:
        text = Path(note).read_text(encoding="utf-8").rstrip()
        error = "\n".join(text.splitlines()[1:-1])  # without the heading and the log's path
        if error in shown:  # two jobs that read one bad file (config/issue.yaml) say it once
            continue
        shown.add(error)
        print(text, file=sys.stderr)
    stale = stale_outputs(notes, outdirs, shared_logs, issue_index)
    removed = [path for path in stale if Path(path).is_file()]
    for path in removed:
        Path(path).unlink()
    if removed:
        print(f"removed, as a failed build leaves no output: {' '.join(removed)}", file=sys.stderr)
    return removed

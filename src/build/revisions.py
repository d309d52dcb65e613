"""Revision diffs, part 4: git plumbing and building the article at a revision.

* *revision*: anything ``git rev-parse`` resolves to a commit (hash, tag, branch, ``HEAD~2``).
* *article folder*: ``"."`` (the root article) or ``"articles/<slug>"`` (:mod:`build.articles`).
  A revision's export holds the article's own files at the top of a temporary folder (the
  layout of the root article), so every article builds there as the root article does.

:func:`resolve_revision`, :func:`export_revision` (``git archive`` into a temporary folder:
the working tree is never touched), :func:`borrow_missing` and :func:`replace_stale_scripts`
(files an old revision lacks or has only for an earlier pipeline), :func:`start_revision_build`
and :func:`finish_revision_build` (the current workflow's citation, table and figure rules
there, then ``article render --to json``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build.atomic import write_text_atomic
from build.errors import PipelineError
from build.joblog import HINTS_LINE

#: What a revision contributes to the root article (the rest is the current pipeline); a
#: further article contributes its whole folder articles/<slug>/.
ARTICLE_PATHS = ("manuscript", "refs.bib", "figures")
#: An article folder as ``article diff --article`` takes it.
ARTICLE_FOLDER_RE = re.compile(r"^(?:\.|articles/[a-z0-9][a-z0-9._-]*)$")
#: The workflow's settings with which both revisions build: an old revision may predate
#: today's checks, whose findings are then warnings (bibliography lint and citations:
#: ``lint=warn``; a character no font has and a font fallback, should a PDF be built:
#: ``glyphs=warn``). The safety checks (build.safety) have no such setting: they stay errors.
CHECKS_AS_WARNINGS = ("lint=warn", "glyphs=warn")
#: Placeholder of generated content in a section file (docs/conventions.md).
PLACEHOLDER_RE = re.compile(r"^::: *\{#((?:tbl|fig)-[a-z0-9-]+) +\.generated\}", re.MULTILINE)


class DiffError(PipelineError):
    """The tracked-changes document cannot be made."""


class RevisionError(DiffError):
    """A revision that git does not know, or one that has no manuscript."""


class RevisionBuildError(DiffError):
    """The article at a revision does not build with the current pipeline."""


@dataclass(frozen=True)
class RevisionInfo:
    """A resolved revision: full commit hash, short hash, commit date (``YYYY-MM-DD``), subject,
    the revision as the user wrote it, the commit's author and its author date (ISO 8601 in UTC,
    ``2025-11-30T00:00:00Z``: the date of a Word tracked change)."""

    commit: str
    short: str = ""
    date: str = ""
    subject: str = ""
    given: str = ""
    author: str = ""
    timestamp: str = ""
    #: the article's language at this revision (its metadata's ``lang``; "" until built)
    lang: str = ""

    def label(self) -> str:
        given = f"{self.given} = " if self.given and self.given != self.short else ""
        return f"{given}{self.short} ({self.date})"


# =========================================================================== edge: git


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    process = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    if binary:
        return process
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        process.stdout.decode("utf-8", "replace"),
        process.stderr.decode("utf-8", "replace"),
    )


def _manuscript(folder: str) -> str:
    return "manuscript" if folder == "." else f"{folder}/manuscript"


def resolve_revision(root: Path, revision: str, folder: str = ".") -> RevisionInfo:
    """Resolve a revision to its commit, checking that the article of ``folder`` (an article
    folder: ``"."`` or ``"articles/<slug>"``) exists there.

    Raises:
        RevisionError: empty, not a commit git knows, or a commit without the article's
            ``manuscript/`` (before the article was first committed), naming the article, the
            revision and the commit that first added it.
    """
    revision = str(revision).strip()
    if not revision:
        raise RevisionError(
            "no revision given",
            hint="run: snakemake --cores 2 diff --config diff_from=REV diff_to=REV",
        )
    process = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if process.returncode != 0 or revision.startswith("-"):
        raise RevisionError(
            f"unknown revision {revision!r}: git knows no commit, tag or branch of that name",
            hint="give a commit hash, tag or branch: see `git log --oneline`, `git tag`, "
            "`git branch -a`",
        )
    commit = process.stdout.strip()
    show = _git(root, "show", "-s", "--format=%h%x00%cs%x00%s%x00%an%x00%at", commit).stdout
    short, date, subject, author, epoch = (show.strip().split("\x00") + [""] * 5)[:5]
    stamp = ""
    if epoch.isdigit():
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    info = RevisionInfo(commit, short, date, subject, revision, author, stamp)
    manuscript = _manuscript(folder)
    listed = _git(root, "ls-tree", "--name-only", commit, "--", manuscript).stdout.split()
    if manuscript not in listed:
        first = _git(root, "log", "--reverse", "--format=%h", "--", manuscript).stdout.split()
        hint = f"choose a revision listed by `git log --oneline -- {manuscript}`"
        if folder == ".":
            since = f"; it was first committed in {first[0]}" if first else ""
            raise RevisionError(
                f"revision {revision!r} ({short}, {date}) has no manuscript/: it predates the "
                f"manuscript{since}",
                hint=hint,
            )
        since = f": it was first committed in {first[0]}" if first else ": no commit has it"
        if not first:  # a new article: `git log` would list nothing
            hint = f"commit the article first (git add {folder} && git commit), then diff from it"
        raise RevisionError(
            f"the article {folder} does not exist at revision {revision!r} ({short}, {date})"
            f"{since}",
            hint=hint,
        )
    return info


def commit_or_given(revision: Any, root: str | Path = ".") -> str:
    """The commit a revision names, else the revision as given (for the workflow's params:
    a moved branch then reruns the diff; a bad revision is reported by :func:`command`)."""
    given = str(revision if revision is not None else "")
    if not given or given.startswith("-"):
        return given
    process = _git(Path(root), "rev-parse", "--verify", "--quiet", f"{given}^{{commit}}")
    return process.stdout.strip() if process.returncode == 0 else given


def export_revision(root: Path, info: RevisionInfo, dest: Path, folder: str = ".") -> list[str]:
    """Write the files of the article of ``folder`` at ``info`` into ``dest`` with ``git
    archive | tar -x`` (the working tree and the index are not touched): for the root article
    :data:`ARTICLE_PATHS` that exist there, for ``articles/<slug>`` the whole folder's tree,
    at the top of ``dest`` (``articles/<slug>/manuscript`` becomes ``dest/manuscript``).

    Returns:
        the paths exported (relative to ``folder``).

    Raises:
        DiffError: git archive or tar fails.
    """
    dest.mkdir(parents=True, exist_ok=True)
    if folder == ".":
        present = _git(root, "ls-tree", "--name-only", info.commit, "--", *ARTICLE_PATHS).stdout
        paths = [p for p in ARTICLE_PATHS if p in present.split()]
        archive = _git(root, "archive", "--format=tar", info.commit, "--", *paths, binary=True)
    else:
        tree = f"{info.commit}:{folder}"
        paths = _git(root, "ls-tree", "--name-only", tree).stdout.split()
        archive = _git(root, "archive", "--format=tar", tree, binary=True)
    if archive.returncode != 0:
        raise DiffError(
            f"git archive failed for {info.short}: {archive.stderr.decode(errors='replace')}",
            hint="check that the repository is readable",
        )
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True, check=False
    )
    if untar.returncode != 0:
        raise DiffError(
            f"tar failed for {info.short}: {untar.stderr.decode(errors='replace')}",
            hint="check free space in the temporary folder",
        )
    return paths


def borrow_missing(dirs: dict[str, Path], names: dict[str, str]) -> list[str]:
    """Copy files the pipeline needs that one revision lacks from the other revision's export.

    Needed: ``manuscript/citation-corrections.yaml`` and every ``figures/*.py`` of the other
    revision. Returns notes such as ``"manuscript/citation-corrections.yaml: cf50cb2 lacks it,
    taken from e97325e"``.
    """
    notes = []
    keys = list(dirs)
    for this, other in ((keys[0], keys[1]), (keys[1], keys[0])):
        wanted = ["manuscript/citation-corrections.yaml"] + sorted(
            str(p.relative_to(dirs[other])) for p in (dirs[other] / "figures").glob("*.py")
        )
        for rel in wanted:
            source, target = dirs[other] / rel, dirs[this] / rel
            if source.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                notes.append(f"{rel}: {names[this]} lacks it, taken from {names[other]}")
    return notes


def stale_scripts(folder: Path) -> list[tuple[str, str]]:
    """The scripts of an export's ``figures/`` that import a module of the ``build`` package
    that this pipeline lacks (written for an earlier pipeline: ``build.summits`` before the
    article's code moved to figures/), as ``(path relative to folder, module)``."""
    import ast
    import importlib.util

    found = []
    for script in sorted((folder / "figures").glob("*.py")):
        try:
            tree = ast.parse(script.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # the script's own error, reported when it runs
        modules = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level
        ]
        for module in modules:
            if module.startswith("build.") and importlib.util.find_spec(module) is None:
                found.append((str(script.relative_to(folder)), module))
                break
    return found


def replace_stale_scripts(dirs: dict[str, Path], names: dict[str, str], project: Path) -> list[str]:
    """Replace the scripts :func:`stale_scripts` finds in each export by the other revision's
    (when that one is not stale too), else by the project's own (``project/figures``), with
    the helper modules they need; give a table or figure a section file places but neither
    revision has a script for the project's script. Returns notes for the diff's header."""
    notes = []
    keys = list(dirs)
    stale = {side: stale_scripts(dirs[side]) for side in keys}  # before anything is replaced
    missing = {
        side: [
            f"figures/{ident}.py"
            for ident in _placeholders(dirs[side])
            if not (dirs[side] / "figures" / f"{ident}.py").exists()
        ]
        for side in keys
    }
    for this, other in ((keys[0], keys[1]), (keys[1], keys[0])):
        unusable = {rel for rel, _ in stale[other]} | set(missing[other])
        wanted = [
            (rel, f"needs {module}, which this pipeline lacks") for rel, module in stale[this]
        ]
        wanted += [(rel, "lacks it") for rel in missing[this]]
        for rel, why in wanted:
            if (dirs[other] / rel).is_file() and rel not in unusable:
                source, origin = dirs[other], names[other]
            elif (project / rel).is_file():
                source, origin = project, "the working tree"
            else:
                continue
            shutil.copyfile(source / rel, dirs[this] / rel)
            for helper in sorted((source / "figures").glob("*.py")):
                if not helper.name.startswith(("fig-", "tbl-")):
                    shutil.copyfile(helper, dirs[this] / "figures" / helper.name)
            notes.append(f"{rel}: {names[this]} {why}, taken from {origin}")
    return notes


def _placeholders(workdir: Path) -> list[str]:
    ids: list[str] = []
    for section in sorted((workdir / "manuscript").glob("[0-9][0-9]-*.md")):
        for ident in PLACEHOLDER_RE.findall(section.read_text(encoding="utf-8")):
            if ident not in ids:
                ids.append(ident)
    return ids


def _first_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("error:") or "Error" in line.split(" ")[0]:
            return line
    return lines[0] if lines else "no message"


def same_generated_inputs(old: Path, new: Path) -> bool:
    """True when two exports make the same generated tables and figures: the same files under
    ``manuscript/data`` and ``figures`` (byte for byte), and every placeholder of ``old`` is
    placed in ``new`` too (so building ``new``'s makes all of ``old``'s)."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for folder in ("manuscript/data", "figures")
            for p in sorted((root / folder).rglob("*"))
            if p.is_file()
        }

    return files(old) == files(new) and set(_placeholders(old)) <= set(_placeholders(new))


def start_revision_build(
    workdir: Path, snakefile: Path, config: Path, log: Path, generated: bool = True
) -> Any:
    """Start building the generated inputs of the article in ``workdir`` with the current
    workflow (``snakefile``): the normalized Markdown and (with ``generated``) every generated
    table and figure the section files place. Returns the running process (its output goes to
    ``log``)."""
    (workdir / "config").mkdir(exist_ok=True)
    for name in ("config.yaml", "schema.yaml"):
        if (config.parent / name).is_file():
            shutil.copyfile(config.parent / name, workdir / "config" / name)
    targets = ["output/cite/article.md"]
    for ident in _placeholders(workdir) if generated else ():
        targets.append(f"output/generated/{ident}.md")
        if ident.startswith("fig-"):
            targets.append(f"output/generated/{ident}.svg")
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "wb")  # noqa: SIM115 - closed by finish_revision_build
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snakemake",
            *targets,
            "--snakefile",
            str(snakefile),
            "--directory",
            str(workdir),
            "--cores",
            "2",
            "--nolock",
            "--config",
            *CHECKS_AS_WARNINGS,
            "--quiet",
            "all",
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"},
    )
    process.log_handle = handle  # type: ignore[attr-defined]
    return process


def finish_revision_build(
    process: Any,
    workdir: Path,
    info: RevisionInfo,
    log: Path,
    generated_from: Path | None = None,
    folder: str = ".",
) -> Any:
    """Wait for :func:`start_revision_build`, then parse the article there with citeproc
    (``article render --to json``, the render stage of the current pipeline). With
    ``generated_from``, the generated tables and figures are copied from that folder first;
    ``folder`` (the article folder exported there) names the article in the error.

    Returns:
        the article's AST.

    Raises:
        RevisionBuildError: a rule or pandoc failed; the message is the first error line,
            the hint names the log.
    """
    code = process.wait()
    process.log_handle.close()
    keep_job_logs(workdir, log)
    if code == 0 and generated_from is not None and (generated_from / "output/generated").is_dir():
        shutil.copytree(
            generated_from / "output" / "generated",
            workdir / "output" / "generated",
            dirs_exist_ok=True,
        )
    if code == 0:
        render = subprocess.run(
            [
                sys.executable,
                "-m",
                "build.cli",
                "render",
                "--to",
                "json",
                "--markdown",
                "output/cite/article.md",
                "--metadata",
                "manuscript/metadata.yaml",
                "--bibliography",
                "refs.bib",
                "--config",
                "config/config.yaml",
                "--output",
                "output/render/article.json",
            ],
            cwd=workdir,
            capture_output=True,
            check=False,
            env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"},
        )
        with open(log, "ab") as handle:
            handle.write(render.stdout + render.stderr)
        code = render.returncode
    if code != 0:
        text = log.read_text(encoding="utf-8", errors="replace")
        raise RevisionBuildError(
            f"{_article_name(folder)} at {info.given} ({info.short}) does not build with the "
            f"current pipeline: {_first_error(text)}",
            hint=f"full log: {log}; fix the revision's manuscript or choose another revision",
        )
    return json.loads((workdir / "output/render/article.json").read_text(encoding="utf-8"))


def keep_job_logs(workdir: Path, log: Path) -> None:
    """Keep the job logs that the build log ``log`` of the revision built in ``workdir`` names
    for its warnings' hints (``  (8 warnings; their hints: output/logs/lint_bibliography.log)``,
    :data:`build.joblog.HINTS_LINE`): each, a path in ``workdir`` deleted with it, is copied to
    ``log``'s folder under ``<log's stem>/<that path>``, and ``log`` names the copy instead.
    Paths that are not a file of ``workdir`` are left as they are."""
    text = log.read_text(encoding="utf-8", errors="replace")

    def copy(match: re.Match[str]) -> str:
        named = match["log"]
        source = workdir / named
        if Path(named).is_absolute() or ".." in Path(named).parts or not source.is_file():
            return match[0]
        kept = log.parent / log.stem / named
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, kept)
        return f"{match['head']}{kept})"

    kept_text = HINTS_LINE.sub(copy, text)
    if kept_text != text:
        write_text_atomic(log, kept_text)


def _article_name(folder: str) -> str:
    return "the article" if folder == "." else f"the article {folder}"


def build_warnings(workdir: Path, log: Path, folder: str = ".") -> list[str]:
    """The warnings of a revision's build (its checks run with ``--config``
    :data:`CHECKS_AS_WARNINGS`, so a finding of today's rules on an old revision is a warning,
    not a failure): the lines that
    start with ``warning`` in the build's log and its jobs' logs (``workdir/output/logs``),
    in order, without repeats. An article of ``articles/<slug>`` (``folder``) is built as the
    root of its copy: its paths (``manuscript/...``, ``refs.bib``, ``figures/...``) are named
    as in the repository (``articles/<slug>/manuscript/...``)."""
    found: list[str] = []
    prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
    own = re.compile(r"(?<![\w/.-])(?=(?:manuscript/|figures/|refs\.bib\b))")
    for path in [log, *sorted((workdir / "output" / "logs").glob("*.log"))]:
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            if prefix:
                line = own.sub(prefix, line)
            if line.lower().startswith("warning") and line not in found:
                found.append(line)
    return found

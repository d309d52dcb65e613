"""Benchmark of a journal issue: N copies of one article built cold in one run (issue 14).

Usage (from the repository root)::

    .venv/bin/python bench/issue.py [--quick] [--sizes 1 4 16 32] [--scale K] [--article DIR]

For each size N, a temporary project holds the workflow (``Snakefile``, ``rules/``, ``config/``,
``src/``, ``pyproject.toml``; no root article: ``manuscript/``, ``refs.bib`` and ``figures/`` are
left out) and N copies of one article as ``articles/a01`` ... ``articles/aNN``; it is a git
repository with one commit, so every article's build stamp comes from git. ``snakemake --cores
2`` builds it from nothing (no ``output/``, no ``.snakemake/``). The article is ``--article``
(default: the test fixture tests/data/articles/test-short-article, 305 words, no figures)
with each section file repeated ``--scale`` times (default 16: 4 880 words, about the size of a
journal article) (bench/run.py's ``repeat_article``: section ids and footnote labels
renamed, so the copy is a valid longer article), the *generated article*.

The *floor* (bench/floor.py, the same definition as bench/run.py's) is measured on one such
article in a project of its own, ``--floor-repeat`` times before the builds and once after
them. Target: CPU seconds per article at 32 articles <= 1.3 x the floor's CPU seconds (median of
its samples); peak memory of one process < 1 GB.

With ``--per-job`` (default: the largest size), one more cold build of that size runs with every
job's command timed (bench/run.py's stage wrapper): CPU seconds per job type, and what is left
for Snakemake itself (its start-up, its DAG, its per-job bookkeeping) and the wrappers.

Units: wall seconds (``time.perf_counter``); CPU seconds = user + system of the whole process
tree (``os.wait4``, i.e. the children's ``getrusage``); peak MB = the largest resident set of
any single process of the tree (``ru_maxrss``). The package's ``.pyc`` files are compiled in
each copy first (as bench/run.py does).

Writes every sample and the verdicts to ``--output`` (default ``bench/issue-results.json``)
and prints the tables.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

import floor as floor_def
from run import (
    Sample,
    environment,
    finish,
    fmt,
    machine,
    repeat_article,
    run,
    snakemake,
    stage_build,
    table,
    versions,
)

ROOT = Path(__file__).resolve().parent.parent
#: what a project copy holds of the repository (the workflow, without any article)
PROJECT_FILES = (
    "Snakefile", "rules", "config", "profiles", "src", "pyproject.toml", ".gitignore",
)  # fmt: skip
DEFAULT_ARTICLE = "tests/data/articles/test-short-article"
SIZES = (1, 4, 16, 32)
QUICK_SIZES = (1, 4)
CORES = 2
#: targets of issue 14
TARGET_SIZE = 32
TARGET_CPU_VS_FLOOR = 1.3
TARGET_PEAK_MB = 1024.0
#: the commit date of every copy (build stamps are from git; fixed, so runs compare)
COMMIT_DATE = "2024-01-01T00:00:00+00:00"
#: names of the job labels of bench/run.py's stage wrapper
JOB_NAMES = {
    "manuscript": "manuscript check",
    "bibliography lint": "bibliography lint (+ CSL-JSON)",
    "bibliography clean": "bibliography cleaned copy",
    "citations": "normalize citations",
    "render json": "parse (pandoc + citeproc -> JSON AST)",
    "render html": "HTML",
    "render epub": "EPUB",
    "render pdf": "PDF (pandoc + WeasyPrint)",
    "provenance": "manifest",
    "issue": "issue index",
}


# --------------------------------------------------------------------------- pure parts


def slugs(count: int) -> list[str]:
    """The article folders' names ``a01`` ... for ``count`` articles (at least two digits, so the
    folders sort in number order)."""
    width = max(2, len(str(count)))
    return [f"a{number:0{width}d}" for number in range(1, count + 1)]


def size_row(count: int, sample: Sample, floor_cpu_s: float) -> dict:
    """One size's measurement, per article and against the floor (CPU seconds)."""
    return {
        "articles": count,
        "wall_s": sample.wall_s,
        "cpu_s": sample.cpu_s,
        "wall_s_per_article": sample.wall_s / count,
        "cpu_s_per_article": sample.cpu_s / count,
        "cpu_vs_floor": sample.cpu_s / count / floor_cpu_s,
        "peak_mb": sample.peak_mb,
    }


def verdicts(rows: Iterable[dict]) -> list[dict]:
    """The targets of issue 14 on the measured sizes (the CPU one only when 32 was measured)."""
    rows = list(rows)
    found = []
    for row in rows:
        if row["articles"] == TARGET_SIZE:
            found.append(
                {
                    "target": f"CPU s per article at {TARGET_SIZE} articles"
                    f" <= {TARGET_CPU_VS_FLOOR} x floor CPU s",
                    "value": row["cpu_vs_floor"],
                    "holds": row["cpu_vs_floor"] <= TARGET_CPU_VS_FLOOR,
                }
            )
    peak = max(row["peak_mb"] for row in rows)
    found.append(
        {
            "target": f"peak of one process < {TARGET_PEAK_MB:.0f} MB (all sizes)",
            "value": peak,
            "holds": peak < TARGET_PEAK_MB,
        }
    )
    return found


def job_costs(records: Iterable[dict], total_cpu_s: float, count: int) -> list[dict]:
    """CPU seconds per job type of an instrumented build of ``count`` articles.

    Args:
        records: the stage wrapper's records (``label``, ``cpu_s``, ``wall_s``, ``maxrss_kb``).
        total_cpu_s: CPU seconds of the whole build (Snakemake, wrappers and jobs).

    Returns:
        one dict per label (``jobs``, ``cpu_s``, ``cpu_s_per_job``, ``cpu_s_per_article``,
        ``peak_mb``), most CPU first, then ``rest``: the build's CPU not spent in a job's
        command (Snakemake itself and the wrappers' own Python).
    """
    groups: dict[str, list[dict]] = {}
    for record in records:
        groups.setdefault(record["label"], []).append(record)
    rows = []
    for label, group in groups.items():
        cpu = sum(r["cpu_s"] for r in group)
        rows.append(
            {
                "label": label,
                "jobs": len(group),
                "cpu_s": cpu,
                "cpu_s_per_job": cpu / len(group),
                "cpu_s_per_article": cpu / count,
                "peak_mb": max(r["maxrss_kb"] for r in group) / 1024,
            }
        )
    rows.sort(key=lambda r: -r["cpu_s"])
    rest = total_cpu_s - sum(r["cpu_s"] for r in rows)
    rows.append(
        {
            "label": "rest",
            "jobs": 0,
            "cpu_s": rest,
            "cpu_s_per_job": None,
            "cpu_s_per_article": rest / count,
            "peak_mb": None,
        }
    )
    return rows


# --------------------------------------------------------------------------- projects


def git(project: Path, *args: str) -> None:
    """Run git in ``project`` with a fixed identity and date (raises on failure)."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@localhost",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@localhost",
        "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_DATE": COMMIT_DATE,
    }
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def make_project(target: Path, article: Path, count: int, scale: int) -> Path:
    """A project copy at ``target`` with ``count`` copies of ``article`` (each section repeated
    ``scale`` times) under ``articles/``, committed to a new git repository."""
    target.mkdir(parents=True)
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.is_file():
            shutil.copy2(source, target / name)
    shutil.rmtree(target / "src" / "build.egg-info", ignore_errors=True)
    (target / "config" / "issue.yaml").unlink(missing_ok=True)  # its order names articles
    for slug in slugs(count):
        folder = f"articles/{slug}"
        shutil.copytree(article, target / folder, ignore=shutil.ignore_patterns("output"))
        if scale > 1:
            repeat_article(target, scale, folder)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", f"{count} articles")
    return target


def words(project: Path, article: str) -> int:
    return sum(len(p.read_text().split()) for p in floor_def.section_files(project, article))


def measure_floor(project: Path, env: dict, log: Path, article: str) -> Sample:
    """The floor (bench/floor.py) of ``article``: every part once, summed."""
    commands = floor_def.floor_commands(project, article)
    return Sample.total([run(command, project, env, log) for command in commands.values()])


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1 and 4 only")
    parser.add_argument("--sizes", type=int, nargs="+", help=f"numbers of articles {SIZES}")
    parser.add_argument("--article", default=DEFAULT_ARTICLE, help="the article copied")
    parser.add_argument(
        "--scale",
        type=int,
        default=16,
        help="each section file repeated K times (16: ~4 900 words)",
    )
    parser.add_argument("--floor-repeat", type=int, default=3, help="floor samples before")
    parser.add_argument(
        "--per-job",
        type=int,
        default=None,
        help="size of the instrumented build (default: the largest; 0: none)",
    )
    parser.add_argument(
        "--snakemake-args",
        default="",
        help="more arguments for every build, e.g. '--scheduler greedy' (to measure a lever)",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "issue-results.json"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary projects")
    args = parser.parse_args(argv)
    sizes = tuple(args.sizes or (QUICK_SIZES if args.quick else SIZES))
    extra = shlex.split(args.snakemake_args)
    per_job = max(sizes) if args.per_job is None else args.per_job
    article = (ROOT / args.article).resolve()
    if not (article / "manuscript" / "metadata.yaml").is_file():
        parser.error(f"{args.article}: not an article folder (no manuscript/metadata.yaml)")
    started = time.time()
    load_before = os.getloadavg()

    workdir = Path(tempfile.mkdtemp(prefix="article-bench-issue-"))
    log = workdir / "bench.log"
    print(f"bench: temporary projects in {workdir} (log: {log})", file=sys.stderr)

    def prepared(count: int, name: str) -> tuple[Path, dict]:
        project = make_project(workdir / name, article, count, args.scale)
        env = environment(project)
        run([sys.executable, "-m", "compileall", "-q", "src"], project, env, log)
        return project, env

    floor_project, floor_env = prepared(1, "floor")
    first = slugs(1)[0]
    floor_article = f"articles/{first}"

    def floor_run(command):
        return run(command, floor_project, floor_env, log)

    floor_def.prepare(floor_project, floor_run, floor_article)
    floor_samples = []
    for number in range(max(1, args.floor_repeat)):
        print(f"bench: floor {number + 1}/{args.floor_repeat}", file=sys.stderr)
        floor_samples.append(measure_floor(floor_project, floor_env, log, floor_article))
    parts = {
        name: run(command, floor_project, floor_env, log)
        for name, command in floor_def.floor_commands(floor_project, floor_article).items()
    }

    builds: dict[int, Sample] = {}
    for count in sizes:
        print(f"bench: {count} articles, cold --cores {CORES}", file=sys.stderr)
        project, env = prepared(count, f"issue-{count}")
        builds[count] = run([*snakemake(CORES), *extra], project, env, log)
        pdfs = sorted((project / "output" / "articles").glob("*/article.pdf"))
        if len(pdfs) != count or not (project / "output" / "issue" / "index.html").is_file():
            raise RuntimeError(f"{project}: {len(pdfs)} PDFs for {count} articles, or no index")
        if not args.keep:
            shutil.rmtree(project, ignore_errors=True)

    jobs: list[dict] = []
    if per_job:
        print(f"bench: {per_job} articles, every job timed", file=sys.stderr)
        project, env = prepared(per_job, f"per-job-{per_job}")
        records, sample = stage_build(project, env, log, CORES, extra)
        jobs = job_costs(records, sample.cpu_s, per_job)

    print("bench: floor once more (drift check)", file=sys.stderr)
    floor_after = measure_floor(floor_project, floor_env, log, floor_article)
    floor_cpu = statistics.median(s.cpu_s for s in floor_samples)

    # ------------------------------------------------------------------ report
    rows = [size_row(count, sample, floor_cpu) for count, sample in builds.items()]
    targets = verdicts(rows)
    floor_rows = [("floor part (1 article)", "wall s", "cpu s", "peak MB")]
    floor_rows += [
        (name, fmt(s.wall_s), fmt(s.cpu_s), fmt(s.peak_mb, 0)) for name, s in parts.items()
    ]
    floor_rows.append(
        (
            f"floor (median of {len(floor_samples)}; after the builds: {floor_after.cpu_s:.2f})",
            fmt(statistics.median(s.wall_s for s in floor_samples)),
            fmt(floor_cpu),
            fmt(max(s.peak_mb for s in floor_samples), 0),
        )
    )
    size_rows = [
        ("articles", "wall s", "wall s/art", "cpu s", "cpu s/art", "x floor cpu", "peak MB")
    ]
    size_rows += [
        (
            r["articles"],
            fmt(r["wall_s"]),
            fmt(r["wall_s_per_article"]),
            fmt(r["cpu_s"]),
            fmt(r["cpu_s_per_article"]),
            fmt(r["cpu_vs_floor"]),
            fmt(r["peak_mb"], 0),
        )
        for r in rows
    ]
    verdict_rows = [("target", "value", "holds")]
    verdict_rows += [(t["target"], fmt(t["value"]), "yes" if t["holds"] else "NO") for t in targets]
    tables = [floor_rows, size_rows]
    if jobs:
        job_rows = [
            (
                f"job type ({per_job} articles, wrapped)",
                "jobs",
                "cpu s",
                "cpu s/job",
                "cpu s/art",
                "peak MB",
            )
        ]
        job_rows += [
            (
                JOB_NAMES.get(j["label"], j["label"])
                if j["label"] != "rest"
                else "rest: Snakemake itself + wrappers",
                j["jobs"] or "",
                fmt(j["cpu_s"]),
                fmt(j["cpu_s_per_job"]),
                fmt(j["cpu_s_per_article"]),
                fmt(j["peak_mb"], 0),
            )
            for j in jobs
        ]
        tables.append(job_rows)
    tables.append(verdict_rows)
    report = "\n\n".join(table(t) for t in tables)
    print(report)

    results = {
        "command": " ".join([Path(sys.executable).name, "bench/issue.py", *(argv or sys.argv[1:])]),
        "article": args.article,
        "scale": args.scale,
        "snakemake_args": extra,
        "words_per_article": words(floor_project, floor_article),
        "cores": CORES,
        "machine": machine(load_before),
        "versions": versions(),
        "duration_s": time.time() - started,
        "floor_cpu_s": floor_cpu,
        "floor": {
            "parts": {name: vars(s) for name, s in parts.items()},
            "samples": [vars(s) for s in floor_samples],
            "after_builds": vars(floor_after),
        },
        "sizes": rows,
        "per_job": {"articles": per_job, "jobs": jobs},
        "targets": targets,
        "table": report,
    }
    finish(Path(args.output), results, started, None if args.keep else workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

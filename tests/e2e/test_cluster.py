"""End-to-end: the workflow through Snakemake's generic cluster executor (issue 14).

On a cluster every job is a new process on another node, started by the scheduler in the
node's environment: it parses the Snakefile again and sees nothing of the launching process's
environment. ``tests/cluster/profile/`` makes this machine such a cluster
(``snakemake-executor-plugin-cluster-generic``): its ``submit.sh`` starts each job script as its
own detached process under ``env -i`` with only ``PATH`` (the system's) and ``HOME``.

The project's ``HEAD`` plus its uncommitted work is committed in a scratch repository
(``test_reproducible.snapshot``) and cloned into one folder. The article is built there twice,
cold, in the same folder (so that paths written into intermediate files agree): once with
``snakemake --cores 2``, once with ``--profile tests/cluster/profile``. Both runs are launched
with ``SOURCE_DATE_EPOCH`` set (the build date that README says wins over git's): a job that
computes the build stamp again on its node, from its own environment, gets git's date instead,
and its outputs differ. Every file under ``output/`` except the jobs' logs must have the same
bytes in both runs, the manifest included; a difference names the file and its first differing
part. Both runs use the ``build`` package that this environment's Python imports (no
``PYTHONPATH``: it would not reach the jobs).

The small jobs before the parse are grouped (``--groups``) into one cluster job, so the cluster
run submits five jobs (about 15-20 s here instead of about 55 s for eleven).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_reproducible import git, snapshot

from build import provenance
from projects import TEST_ARTICLES

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SNAKEMAKE = Path(sys.executable).parent / "snakemake"

#: the profile of the local cluster, relative to the project
PROFILE = "tests/cluster/profile"
#: where submit.sh keeps each job's pid, log and exit code, relative to the project
JOB_RECORDS = ".snakemake/local-cluster"

#: the build date the launching process is given (2023-11-14T22:13:20Z): not git's date
EPOCH_S = 1_700_000_000

#: the rules grouped into one cluster job (those before and including the parse)
GROUPED_RULES = (
    "check_manuscript",
    "lint_bibliography",
    "clean_bibliography",
    "normalize_citations",
    "make_table",
    "draw_figure",
    "parse_article",
)


def output_files(output: Path) -> list[str]:
    """Every compared file below ``output`` (a build's output/), as ``output/<relative>``: all
    but the jobs' logs (``logs/`` of each article: text for people, not outputs)."""
    names = (p.relative_to(output) for p in output.rglob("*") if p.is_file())
    return sorted(f"output/{n.as_posix()}" for n in names if "logs" not in n.parts)


def launch_env() -> dict[str, str]:
    """The launching process's environment: this one, with the fixed build date, a time zone
    that is not UTC, and no ``PYTHONPATH``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SNAKEMAKE_PROFILE")}
    env.update(SOURCE_DATE_EPOCH=str(EPOCH_S), TZ="Pacific/Chatham")
    return env


def snakemake(clone: Path, args: list[str]) -> float:
    """Run ``snakemake args`` in ``clone``; returns the seconds taken."""
    start = time.monotonic()
    result = subprocess.run(
        [str(SNAKEMAKE), *args],
        cwd=clone,
        env=launch_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    seconds = time.monotonic() - start
    assert result.returncode == 0, f"snakemake {' '.join(args)} failed:\n{result.stderr[-4000:]}"
    return seconds


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the snapshot locally, keep its output/, then build it again on the local cluster."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the build date comes from git")
    base = tmp_path_factory.mktemp("cluster")
    snapshot(ROOT, base / "snapshot")
    clone = base / "article"
    git(["clone", "--quiet", str(base / "snapshot"), str(clone)], base)
    # the test articles too, committed: every article's jobs run on the cluster
    for folder in sorted(TEST_ARTICLES.iterdir()):
        shutil.copytree(folder, clone / "articles" / folder.name)
    identity = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    identity.update(GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    git(["add", "-A"], clone)
    git(["commit", "--quiet", "-m", "test articles"], clone, {**os.environ, **identity})
    commit = git(["log", "-1", "--format=%H", "--", *provenance.SOURCE_PATHS], clone).strip()
    local_s = snakemake(clone, ["--cores", "2"])
    shutil.move(clone / "output", base / "local-output")
    shutil.rmtree(clone / ".snakemake")
    groups = [f"{rule}=prepare" for rule in GROUPED_RULES]
    cluster_s = snakemake(clone, ["--profile", PROFILE, "--groups", *groups])
    return {
        "commit": commit,
        "local": base / "local-output",
        "cluster": clone / "output",
        "records": clone / JOB_RECORDS,
        "seconds": {"local": round(local_s, 1), "cluster": round(cluster_s, 1)},
    }


def test_jobs_ran_as_cluster_jobs(builds: dict) -> None:
    records = builds["records"]
    codes = {p.name: p.read_text(encoding="utf-8").strip() for p in records.glob("*.rc")}
    print(json.dumps({"seconds": builds["seconds"], "cluster_jobs": len(codes)}))
    assert len(codes) >= 4, f"expected the grouped job and the render jobs, got {sorted(codes)}"
    assert set(codes.values()) == {"0"}, codes
    for log in records.glob("*.log"):
        assert "--mode remote" in log.read_text(encoding="utf-8"), log.name


def test_cluster_outputs_are_identical_to_the_local_build(builds: dict) -> None:
    local, cluster = builds["local"], builds["cluster"]
    names = [n.removeprefix("output/") for n in output_files(local)]
    assert names == [n.removeprefix("output/") for n in output_files(cluster)], (
        "the two builds made different sets of files"
    )
    for required in ("article.pdf", "article.html", "article.epub", "manifest.json"):
        assert required in names
        for folder in TEST_ARTICLES.iterdir():
            assert f"articles/{folder.name}/{required}" in names
    differences = []
    for name in names:
        a, b = (local / name).read_bytes(), (cluster / name).read_bytes()
        if a != b:
            differences.append(f"output/{name}: {provenance.first_difference(name, a, b)}")
    assert not differences, "the cluster build differs from the local one:\n" + "\n".join(
        differences
    )


def test_jobs_got_the_stamp_of_the_launching_process(builds: dict) -> None:
    manifest = json.loads((builds["cluster"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source_date_epoch"] == EPOCH_S
    assert manifest["build_date"] == "2023-11-14T22:13:20Z"
    assert manifest["commit"] == builds["commit"]  # the root article's own last commit
    assert manifest["dirty"] is False

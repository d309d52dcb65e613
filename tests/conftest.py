"""Fixtures shared by every test folder: the session build of a copy of the project.

Helpers (project copies, article output folders) are in tests/projects.py. Read-only checks
read ``project_build``; a test that changes the input makes its own copy with
``projects.copy_project`` (``output_from=project_build.root`` to rerun only what it changes).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from projects import (
    ROOT,
    TEST_ARTICLES,
    Build,
    copy_project,
    once_per_session,
    shared_folder,
    snakemake,
)


def require_sources() -> None:
    """Skip, naming what is missing, while the root article's sources do not exist yet."""
    for name in ("manuscript/metadata.yaml", "refs.bib"):
        if not (ROOT / name).exists():
            pytest.skip(f"{name} does not exist yet")
    if not list((ROOT / "manuscript").glob("[0-9][0-9]-*.md")):
        pytest.skip("manuscript/NN-*.md does not exist yet")


@pytest.fixture(scope="session")
def project_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A copy of the project with every test article (tests/data/articles/<slug>/ as
    articles/<slug>/), built once per session with ``snakemake --cores 2``. Read it, never
    change it: a test that changes the input makes its own copy."""
    require_sources()

    def build(folder: Path) -> dict:
        copy = copy_project(folder / "project", test_articles=True)
        start = time.monotonic()
        result = snakemake(copy)
        seconds = time.monotonic() - start
        assert result.returncode == 0, f"build of {copy} failed:\n{result.stderr[-3000:]}"
        return {"root": str(copy), "seconds": seconds}

    made = once_per_session(shared_folder(tmp_path_factory), "project-build", build)
    return Build(Path(made["root"]), made["seconds"])


def pytest_report_header() -> str:
    found = sorted(p.name for p in TEST_ARTICLES.glob("*/")) if TEST_ARTICLES.is_dir() else []
    return f"test articles: {', '.join(found) or 'none'}"

"""The files CI uploads exist after a build (moved from tests/unit/test_ci.py: it needs one)."""

from __future__ import annotations

import pytest
import yaml

from projects import ROOT

pytestmark = pytest.mark.e2e

WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"


def upload_paths() -> list[str]:
    """The paths of the workflow's one actions/upload-artifact step."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"].values()
    found = [
        step
        for job in jobs
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("actions/upload-artifact@")
    ]
    assert len(found) == 1, "one step uses actions/upload-artifact"
    return found[0]["with"]["path"].split()


def test_artifact_paths_exist_after_a_build(project_build) -> None:
    """The uploaded files exist after `snakemake --cores 2` (output/diff/ only on a PR)."""
    paths = upload_paths()
    assert "output/article.pdf" in paths
    root = project_build.root
    missing = [
        p
        for p in paths
        if p != "output/diff/"  # made on a pull request only
        and not ((root / p).is_dir() if p.endswith("/") else (root / p).is_file())
    ]
    assert missing == []
    assert (root / "output" / "articles" / "test-short-article" / "article.pdf").is_file()

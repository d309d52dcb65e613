"""End-to-end: validator verdicts on an issue's table of contents (build.issue, issue 14).

The page is generated from the small issue in tests/data/issue/ (three articles, two
languages, an issue file with a title in emphasis) and from the same issue without its issue
file; the Nu HTML Checker and axe-core in headless Chromium check each. No snakemake run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_diff import vnu_errors
from validators import axe as run_axe

from build import issue

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "issue"


@pytest.fixture(scope="module", params=["config/issue.yaml", None], ids=["issue-file", "none"])
def page(request, tmp_path_factory) -> Path:
    project = tmp_path_factory.mktemp("issue")
    shutil.copytree(DATA, project, dirs_exist_ok=True)
    for name in ("schema.yaml", "issue.schema.yaml"):
        shutil.copy(ROOT / "config" / name, project / "config" / name)
    articles = [
        issue.ArticleSource(
            folder,
            str(project / folder / "manuscript" / "metadata.yaml"),
            str(project / ("output" if folder == "." else f"output/{folder}")),
        )
        for folder in (".", "articles/alpha", "articles/beta")
    ]
    output = project / "output" / "issue" / "index.html"
    issue_file = project / request.param if request.param else None
    issue.write_issue(project / "config" / "config.yaml", issue_file, articles, output)
    return output


def test_nu_html_checker_finds_no_error(page):
    assert vnu_errors(page) == []


def test_axe_core_finds_no_violation(page, tmp_path):
    report = run_axe(page, tmp_path)
    assert "error" not in report, report
    assert report["violations"] == []
    assert report["passes"] > 10  # axe really ran its rules

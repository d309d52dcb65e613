"""An article that cites nothing (tests/data/no-references: one section, a refs.bib of one
@comment and no entry) builds to HTML, EPUB and PDF with no reference list; without a refs.bib
the run stops at once naming the file; a citation in it is the citation stage's error.

Only this small article is built (a few seconds), in a copy of the project without the test
articles of the session build, which it would change (the issue's index lists every article)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from outputs import epub_text, html_text, pdf_pages

from projects import ROOT, copy_project, snakemake

pytestmark = pytest.mark.e2e

SLUG = "no-references"
OUT = f"output/articles/{SLUG}"
TARGETS = [f"{OUT}/article.html", f"{OUT}/article.epub", f"{OUT}/article.pdf"]
TEXT = "This note states one plain fact without citing any source."


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with the article as articles/no-references/, its outputs built."""
    copy = copy_project(tmp_path_factory.mktemp("no-refs") / "project")
    shutil.copytree(ROOT / "tests" / "data" / "no-references", copy / "articles" / SLUG)
    result = snakemake(copy, *TARGETS, f"{OUT}/preflight/report.txt")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "error" not in result.stderr.lower(), result.stderr[-3000:]
    return copy


def test_an_article_citing_nothing_builds_without_a_reference_list(built: Path) -> None:
    out = built / OUT
    lint = json.loads((out / "bibliography" / "lint.json").read_text(encoding="utf-8"))
    assert (lint["entries"], lint["errors"], lint["warnings"]) == (0, 0, 0)
    assert (
        json.loads((out / "bibliography" / "refs.json").read_text(encoding="utf-8"))["items"] == []
    )
    markup = (out / "article.html").read_text(encoding="utf-8")
    assert TEXT in html_text(markup)
    assert 'id="refs"' not in markup and "References" not in html_text(markup)
    epub = epub_text(out / "article.epub")
    assert TEXT in epub and "References" not in epub
    pdf = " ".join(pdf_pages(out / "article.pdf"))
    assert TEXT in pdf and "References" not in pdf


def test_a_missing_refs_bib_names_the_file(built: Path, tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "project")
    shutil.copytree(built / "articles" / SLUG, copy / "articles" / SLUG)
    (copy / "articles" / SLUG / "refs.bib").unlink()
    failed = snakemake(copy, *TARGETS)
    assert failed.returncode == 1
    assert (
        f"error: articles/{SLUG}/refs.bib: the file does not exist\n"
        "  hint: every article has a refs.bib; an article that cites nothing has an empty one "
        "(or one of @comment blocks only): create it\n"
    ) in failed.stderr
    assert "MissingInputException" not in failed.stderr
    section = copy / "articles" / SLUG / "manuscript" / "01-note.md"
    (copy / "articles" / SLUG / "refs.bib").write_text("", encoding="utf-8")
    section.write_text(
        section.read_text(encoding="utf-8") + "A key no entry has [@nosuch1999].\n",
        encoding="utf-8",
    )
    cited = snakemake(copy, f"{OUT}/article.html")
    assert cited.returncode != 0
    assert (
        f"error: articles/{SLUG}/manuscript/01-note.md:5:20: citation '[@nosuch1999]': no "
        f"entry of articles/{SLUG}/refs.bib has this key"
    ) in cited.stderr, cited.stderr[-3000:]

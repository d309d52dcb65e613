"""build.articles: the articles of a repository are found by globbing its folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.articles import (
    Article,
    ArticleError,
    article_for_outdir,
    discover_articles,
    require_file,
)
from build.errors import ErrorList


def make_article(folder: Path) -> None:
    (folder / "manuscript").mkdir(parents=True)
    (folder / "manuscript" / "metadata.yaml").write_text("title: T\n", encoding="utf-8")


def test_root_article_first_then_the_folders_in_name_order(tmp_path: Path) -> None:
    make_article(tmp_path)
    for slug in ("zeta", "alpha-2", "beta"):
        make_article(tmp_path / "articles" / slug)
    (tmp_path / "articles" / ".hidden").mkdir()
    (tmp_path / "articles" / "README.md").write_text("not an article\n")
    found = discover_articles(tmp_path)
    assert [a.folder for a in found] == [".", "articles/alpha-2", "articles/beta", "articles/zeta"]
    assert [a.outdir for a in found] == [
        "output",
        "output/articles/alpha-2",
        "output/articles/beta",
        "output/articles/zeta",
    ]
    assert article_for_outdir(found, "output/articles/beta").slug == "beta"


def test_a_repository_of_further_articles_only(tmp_path: Path) -> None:
    make_article(tmp_path / "articles" / "one")
    assert discover_articles(tmp_path) == [Article("articles/one")]


def test_paths_and_own_sources() -> None:
    root, other = Article("."), Article("articles/b")
    assert root.path("refs.bib") == "refs.bib" and root.slug == ""
    assert other.path("manuscript/metadata.yaml") == "articles/b/manuscript/metadata.yaml"
    assert root.own_sources == ("manuscript", "refs.bib", "figures")
    assert other.own_sources == ("articles/b",)


def test_a_folder_that_is_not_an_article_is_an_error_naming_it(tmp_path: Path) -> None:
    (tmp_path / "articles" / "draft" / "manuscript").mkdir(parents=True)
    with pytest.raises(ArticleError) as error:
        discover_articles(tmp_path)
    assert str(error.value).startswith(
        "articles/draft: an article folder needs manuscript/metadata.yaml\n  hint: add "
    )
    make_article(tmp_path / "articles" / "Bad Name")
    with pytest.raises(ErrorList) as errors:
        discover_articles(tmp_path)
    assert [str(e).splitlines()[0] for e in errors.value.errors] == [
        "articles/Bad Name: article folder name 'Bad Name' is not a slug",
        "articles/draft: an article folder needs manuscript/metadata.yaml",
    ]


def test_unknown_output_folder(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no article builds to output/articles/gone/"):
        article_for_outdir([Article(".")], "output/articles/gone")


def test_a_required_file_that_is_missing_is_named_with_what_to_do(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_article(tmp_path / "articles" / "bare")
    bare = Article("articles/bare")
    with pytest.raises(ArticleError) as error:
        require_file(bare, "refs.bib")
    assert str(error.value) == (
        "articles/bare/refs.bib: the file does not exist\n  hint: every article has a refs.bib; "
        "an article that cites nothing has an empty one (or one of @comment blocks only): "
        "create it"
    )
    (tmp_path / "articles" / "bare" / "refs.bib").write_text("", encoding="utf-8")
    assert require_file(bare, "refs.bib") == "articles/bare/refs.bib"

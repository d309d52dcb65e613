"""End-to-end: the front matter of the session build (issue 17).

The test article (tests/data/articles/test-short-article) carries every front-matter key of an
article (DOI, pages, dates, licence, ORCID, ROR, corresponding e-mail); the shipped journal
profile leaves the journal's values null, and the root article gives none of its own: its
outputs print no masthead and no date. The journal's and the issue's values are checked on the
test article's AST rendered again with a profile that sets them (no second build).
"""

from __future__ import annotations

import json
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from validators import nu_errors

from build import frontmatter, pdf, render
from projects import run

pytestmark = pytest.mark.e2e

SLUG = "test-short-article"
DOI = "10.5555/test.short.2025.7"


def head(page: str) -> str:
    return page[: page.index("<style")]


def metas(page: str, name: str) -> list[str]:
    return [
        unescape(v) for v in re.findall(rf'<meta name="{re.escape(name)}" content="([^"]*)"', page)
    ]


def jsonld(page: str) -> dict:
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(script)


def page_one(path: Path) -> str:
    text = run(["pdftotext", "-f", 1, "-l", 1, path, "-"]).stdout
    return re.sub(r"\s+", " ", text.replace("\u00ad", ""))


#: what page 1 of the test article's PDF prints of its own front matter
ARTICLE_MASTHEAD = [
    "pp. 7–19",
    f"https://doi.org/{DOI}",
    "Received 15 January 2025 · Accepted 2 April 2025 · Published 30 June 2025",
    "License: CC BY 4.0 © 2025 The authors.",
    "ror.org/0abcdef12",
    "Corresponding author: Tove Exempel, tove.exempel@example.org",
    "ORCID iDs: Tove Exempel https://orcid.org/0000-0002-1825-0097",
]


def test_the_test_article_prints_its_front_matter_on_page_one(project_build):
    text = page_one(project_build.output(SLUG) / "article.pdf")
    for value in ARTICLE_MASTHEAD:
        assert value in text, value
    assert text.index(f"https://doi.org/{DOI}") < text.index("A Short Test Article")
    assert "ISSN" not in text and "Vol." not in text  # the shipped profile gives no journal


def test_the_test_article_head_and_jsonld(project_build):
    page = (project_build.output(SLUG) / "article.html").read_text(encoding="utf-8")
    top = head(page)
    assert metas(top, "citation_publication_date") == ["2025/06/30"]
    assert metas(top, "DC.date") == ["2025-06-30"]
    assert metas(top, "citation_doi") == [DOI]
    assert metas(top, "citation_author_orcid") == ["https://orcid.org/0000-0002-1825-0097"]
    assert (metas(top, "citation_firstpage"), metas(top, "citation_lastpage")) == (["7"], ["19"])
    assert metas(top, "citation_pdf_url") == ["article.pdf"]
    assert len(metas(top, "citation_reference")) == 6
    assert metas(top, "citation_journal_title") == []  # unknown: left out
    data = jsonld(top)
    assert (data["@type"], data["datePublished"], data["url"]) == (
        "ScholarlyArticle",
        "2025-06-30",
        f"https://doi.org/{DOI}",
    )
    assert data["author"][0]["identifier"] == "https://orcid.org/0000-0002-1825-0097"
    assert data["author"][1]["affiliation"][0]["identifier"] == "https://ror.org/0ghjk2m34"
    assert "isPartOf" not in data


def test_the_test_article_epub_identifier_is_its_doi(project_build):
    with zipfile.ZipFile(project_build.output(SLUG) / "article.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
        title_page = epub.read("EPUB/text/title_page.xhtml").decode("utf-8")
    assert f'<dc:identifier id="epub-id-1">doi:{DOI}</dc:identifier>' in opf
    assert '<time datetime="2025-06-30">30 June 2025</time>' in title_page
    assert re.findall(r"<dc:date[^>]*>([^<]*)</dc:date>", opf) == ["2025-06-30"]  # its date:


def test_the_root_article_prints_no_masthead_and_no_date(project_build):
    """Its submission gives no journal, DOI, pages, dates or licence: nothing is invented."""
    out = project_build.output()
    page = (out / "article.html").read_text(encoding="utf-8")
    assert 'class="masthead' not in page and "Published" not in head(page)
    assert "date" not in json.loads((out / "render" / "article.json").read_text())["meta"]
    with zipfile.ZipFile(out / "article.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert "<dc:date" not in opf and '<meta property="dcterms:modified">' in opf
    data = jsonld(head(page))
    assert "datePublished" not in data and "identifier" not in data
    assert data["headline"] == metas(page, "citation_title")[0]
    assert len(data["citation"]) == len(metas(page, "citation_reference")) > 50
    text = page_one(out / "article.pdf")
    for label in ("Received", "Published", "License", "ISSN", "doi.org", "Vol."):
        assert label not in text, label


def test_journal_and_issue_values_in_the_masthead(project_build, tmp_path):
    """The test article's AST with a journal profile and an issue: the masthead of page 1 of
    the PDF, the HTML (Nu HTML Checker) and its JSON-LD."""
    out = project_build.output(SLUG)
    profile = render.Profile(
        journal={"name": "Journal of Test Studies", "issn": "1234-5679"},
        issue={"volume": "12", "issue": "3", "year": "2025"},
    )
    raw = json.loads((out / "manuscript" / "metadata.json").read_text(encoding="utf-8"))
    ast = json.loads((out / "render" / "article.json").read_text(encoding="utf-8"))
    ast = frontmatter.add_profile_meta(ast, profile, raw)
    render.write_html(ast, tmp_path / "article.html", profile)
    pdf.write_pdf(ast, tmp_path / "article.pdf", profile, raw, tmp_path / "a.print.html")
    text = page_one(tmp_path / "article.pdf")
    for value in ["Journal of Test Studies", "ISSN 1234-5679", "Vol. 12, No. 3 (2025)"]:
        assert value in text, value
    for value in ARTICLE_MASTHEAD:
        assert value in text, value
    assert nu_errors([tmp_path / "article.html"]) == {str(tmp_path / "article.html"): []}
    page = (tmp_path / "article.html").read_text(encoding="utf-8")
    assert metas(head(page), "citation_volume") == ["12"]
    assert jsonld(head(page))["isPartOf"]["isPartOf"]["isPartOf"] == {
        "@type": "Periodical",
        "name": "Journal of Test Studies",
        "issn": "1234-5679",
    }

"""End-to-end: the journal formatting of the real article's outputs (issue 6).

HTML: semantic structure, scholarly and Dublin Core metadata, back-links, axe-core in headless
Chromium. EPUB: package metadata, navigation, notes, EPUBCheck without errors or warnings.
PDF: glyph coverage of the embedded fonts, outline, metadata, figure captions above figures,
table header repeated. All read the session build (``project_build``: one snakemake run of a
copy of the project); axe-core and EPUBCheck run once on it (the ``verdicts`` fixture).
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
from outputs import headings, html_text, normalize, pdf_pages

from projects import run

pytestmark = pytest.mark.e2e

FONT_DIR = Path("/usr/share/fonts/opentype/linux-libertine")
#: The font files the print CSS uses (regular, bold, italic, bold italic; Biolinum headings).
FONT_FILES = [
    "LinLibertine_R.otf",
    "LinLibertine_RB.otf",
    "LinLibertine_RI.otf",
    "LinLibertine_RBI.otf",
    "LinBiolinum_R.otf",
    "LinBiolinum_RB.otf",
]


@pytest.fixture(scope="module")
def output(project_build) -> Path:
    """The real article's output folder in the session build."""
    return project_build.output()


@pytest.fixture(scope="module")
def html(output) -> str:
    return (output / "article.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def metadata(project_build) -> dict:
    import yaml

    path = project_build.sources() / "manuscript" / "metadata.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def article_headings(project_build) -> list[str]:
    return headings(project_build.sources())


def metas(markup: str, name: str) -> list[str]:
    return [
        unescape(m)
        for m in re.findall(rf'<meta name="{re.escape(name)}" content="([^"]*)"', markup)
    ]


# --------------------------------------------------------------------------- HTML


def test_html_is_semantic(html, article_headings):
    page = html
    body = page[page.index("<body>") :]
    assert re.search(r"<main>\s*<article", body)
    assert '<header id="title-block-header"' in body
    assert re.search(r'<nav id="TOC" class="toc" aria-labelledby="toc-title">', body)
    toc = body[body.index('<nav id="TOC"') : body.index("</nav>")]
    assert [normalize(h) for h in article_headings] + ["References"] == [
        normalize(html_text(a)).strip()
        for a in re.findall(r"<a href=\"#[^\"]+\"[^>]*>(.*?)</a>", toc)
    ]
    assert body.count('<section id="sec-') == len(article_headings)
    figures = re.findall(r"<figure id=\"(fig-[^\"]+)\">\s*<figcaption>", body)
    assert figures == ["fig-timeline", "fig-bodies"]  # caption first (APA 7 §7.22)
    assert re.search(r'<table id="tbl-summits">\s*<caption>', body)
    assert '<th scope="col">Meeting</th>' in body


def test_html_footnotes_link_both_ways(html):
    page = html
    calls = re.findall(r'<a href="#(fn\d+)" class="footnote-ref" id="(fnref\d+)"', page)
    assert len(calls) == 2
    for note, call in calls:
        assert re.search(rf'<li id="{note}">.*?<a href="#{call}" class="footnote-back"', page, re.S)


def test_every_cited_reference_links_back_to_its_first_citation(html):
    page = html
    ids = set(re.findall(r'<span id="(cite-\d+)">', page))
    entries = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"[^>]*>(.*?)</div>', page, re.S)
    cited = set(re.findall(r'href="#ref-([^"]+)" role="doc-biblioref"', page))
    linked = {}
    for key, entry in entries:
        back = re.findall(r'<a href="#(cite-\d+)" class="ref-backlink" role="doc-backlink"', entry)
        if back:
            linked[key] = back[0]
    assert set(linked) == cited
    assert set(linked.values()) <= ids
    # the first citation of mackinder2004 is the first citation of the article
    first = re.search(r'<span id="(cite-\d+)"><span class="citation" data-cites="([^"]+)"', page)
    assert first[1] == "cite-1" and linked[first[2].split()[0]] == "cite-1"


def test_html_head_has_scholarly_metadata_without_invented_values(html, metadata):
    page = html
    head = page[: page.index("<style")]
    meta = metadata
    assert metas(head, "citation_title") == [meta["title"]]
    assert metas(head, "citation_author") == ["Jamshed Khan", "Razia Sultana"]
    assert metas(head, "citation_author_institution") == [
        "Bannu Model School and College Bannu",
        "Shaheed Benazir Bhutto Women University Peshawar",
    ]
    assert metas(head, "citation_keywords") == ["; ".join(meta["keywords"])]
    assert metas(head, "citation_language") == ["en-US"]
    # the article gives no journal, date, DOI or licence: nothing is invented
    for name in (
        "citation_publication_date",
        "citation_journal_title",
        "citation_doi",
        "citation_volume",
        "DC.date",
        "DC.identifier",
    ):
        assert metas(head, name) == [], name
    assert metas(head, "DC.title") == [meta["title"]]
    assert metas(head, "DC.creator") == ["Jamshed Khan", "Razia Sultana"]
    assert metas(head, "DC.subject") == meta["keywords"]
    assert metas(head, "DC.language") == ["en-US"]
    assert metas(head, "DC.description")[0].startswith("Since the dissolution of Soviet Union")


def test_html_is_responsive_and_has_a_print_stylesheet(html):
    page = html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width: 600px)" in page
    assert "@media (min-width: 75rem)" in page
    assert "@media print" in page


def test_axe_core_finds_no_violation(verdicts):
    report = verdicts.axe()
    assert "error" not in report, report
    assert report["passes"] > 20  # axe really ran its rules
    assert report["violations"] == []


# --------------------------------------------------------------------------- EPUB


@pytest.fixture(scope="module")
def epub_files(output) -> dict[str, str]:
    with zipfile.ZipFile(output / "article.epub") as epub:
        return {
            n: epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(("html", "opf"))
        }


def test_epub_package_metadata(epub_files, metadata):
    opf = epub_files["EPUB/content.opf"]
    meta = metadata
    assert f'<dc:title id="epub-title-1">{meta["title"]}</dc:title>' in opf
    assert re.findall(r"<dc:creator[^>]*>([^<]+)</dc:creator>", opf) == [
        "Jamshed Khan",
        "Razia Sultana",
    ]
    assert "<dc:language>en-US</dc:language>" in opf
    assert re.search(r'<dc:identifier id="epub-id-1">urn:uuid:[0-9a-f-]{36}</dc:identifier>', opf)
    # no date: in its metadata, so no dc:date (not the build date); the build date is modified
    assert "<dc:date" not in opf
    assert re.search(r'<meta property="dcterms:modified">\d{4}-\d\d-\d\dT[\d:]{8}Z</meta>', opf)
    assert re.findall(r"<dc:subject[^>]*>([^<]+)</dc:subject>", opf) == meta["keywords"]
    description = re.search(r"<dc:description>([^<]+)</dc:description>", opf)[1]
    assert description.startswith("Since the dissolution of Soviet Union")


def test_epub_nav_has_the_section_headings(epub_files, article_headings):
    nav = epub_files["EPUB/nav.xhtml"]
    toc = nav[nav.index('<nav epub:type="toc"') : nav.index("</nav>")]
    titles = [normalize(html_text(t)).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", toc)]
    assert titles == [normalize(h) for h in article_headings] + ["References"]


def test_epub_notes_figures_and_table(epub_files, html):
    files = epub_files
    chapters = "".join(v for k, v in sorted(files.items()) if k.startswith("EPUB/text/ch"))
    refs = re.findall(
        r'<a href="#(fn\d+)" class="footnote-ref" id="fnref\d+" epub:type="noteref"', chapters
    )
    asides = re.findall(r'<aside epub:type="footnote" role="doc-footnote" id="(fn\d+)">', chapters)
    assert len(refs) == len(asides) == 2
    figures = re.findall(r"<figure>\s*<figcaption>\s*<span id=\"(fig-[^\"]+)\"", chapters)
    assert figures == ["fig-timeline", "fig-bodies"]
    assert re.search(r"<table>\s*<caption><span id=\"tbl-summits\"", chapters)
    assert chapters.count("ref-backlink") == html.count('class="ref-backlink"')


def test_epubcheck_reports_no_error_and_no_warning(verdicts):
    verdict = verdicts.epubcheck()
    assert verdict["returncode"] == 0, verdict["report"]
    counts = (verdict["fatals"], verdict["errors"], verdict["warnings"])
    assert counts == (0, 0, 0), verdict["report"]


# --------------------------------------------------------------------------- PDF


def test_every_character_has_a_glyph_in_the_embedded_fonts(output):
    """Each character of the print HTML's text is in the cmap of every Linux Libertine /
    Biolinum face the print CSS uses, and the PDF embeds no other (fallback) font."""
    from fontTools.ttLib import TTFont

    markup = (output / "render" / "article.print.html").read_text(encoding="utf-8")
    body = markup[markup.index("<body") :]
    characters = set(unescape(re.sub(r"<[^>]+>", " ", body))) - set(" \n\t")
    assert {"–", "“", "é"} <= characters  # the article's non-ASCII text is really checked
    missing = {}
    for name in FONT_FILES:
        with TTFont(FONT_DIR / name) as font:
            cmap = font.getBestCmap()
        lacking = sorted(c for c in characters if ord(c) not in cmap)
        if lacking:
            missing[name] = lacking
    assert missing == {}
    fonts = run(["pdffonts", output / "article.pdf"]).stdout.splitlines()[2:]
    families = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts}
    assert families and all(
        f.startswith(("Linux-Libertine-O", "Linux-Biolinum-O")) for f in families
    )


def test_pdf_outline_and_metadata(output, metadata, article_headings):
    from pypdf import PdfReader

    with open(output / "article.pdf", "rb") as stream:
        reader = PdfReader(stream)
        outline = [item.title for item in reader.outline if not isinstance(item, list)]
        info = reader.metadata
        catalog = reader.trailer["/Root"]
        lang, marked = catalog["/Lang"], catalog["/MarkInfo"]["/Marked"]
    assert outline == [normalize(h) for h in article_headings] + ["References"]
    meta = metadata
    assert info["/Title"] == meta["title"]
    assert info["/Author"] == "Jamshed Khan, Razia Sultana"
    assert info["/Keywords"] == ", ".join(meta["keywords"])
    assert info["/Subject"].startswith("Since the dissolution of Soviet Union")
    assert (lang, marked) == ("en-US", True)


@pytest.fixture(scope="module")
def pages(output) -> list[str]:
    return pdf_pages(output / "article.pdf")


def pdf_words(pdf: Path, page: int) -> list[tuple[str, float, float]]:
    """(word, yMin, yMax) of one PDF page (1-based) in reading order (pdftotext -bbox), in pt."""
    markup = run(["pdftotext", "-bbox", "-f", page, "-l", page, pdf, "-"]).stdout
    return [
        (unescape(w), float(y0), float(y1))
        for y0, y1, w in re.findall(
            r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', markup
        )
    ]


#: per figure: the last word of its caption title, and labels it draws (from manuscript/data/)
FIGURE_TEXT = {
    "Figure 1": ("1996–2017", ["Summit", "Dushanbe", "Bishkek", "Uzbekistan", "2017"]),
    "Figure 2": ("Charter", ["appoints", "Secretariat", "Tashkent", "permanent"]),
}


@pytest.mark.parametrize("label", sorted(FIGURE_TEXT))
def test_pdf_figure_caption_is_above_its_figure_on_the_same_page(label, output, pages):
    """APA 7 §7.22: number and title above the image. The PDF's figures are print SVGs whose
    labels are text (build.figures.figure_svg): the words right below the caption are the
    figure's own labels, and all its labels are on the caption's page, below the caption."""
    title_end, labels = FIGURE_TEXT[label]
    number = next(n for n, text in enumerate(pages, 1) if f"{label} " in text and title_end in text)
    words = pdf_words(output / "article.pdf", number)
    start = next(
        i for i, (w, _, _) in enumerate(words[:-1]) if (w, words[i + 1][0]) == tuple(label.split())
    )
    end = next(i for i in range(start, len(words)) if words[i][0] == title_end)
    caption_bottom = words[end][2]
    below = [(y0, w) for w, y0, _ in words[end + 1 :] if y0 > caption_bottom]
    first_line = min(y0 for y0, _ in below)
    assert {w for y0, w in below if y0 < first_line + 2} & set(labels), (label, number)
    found = {w.strip(",.()") for _, w in below}
    assert set(labels) <= found, (label, number, sorted(set(labels) - found))


def test_pdf_table_header_repeats_on_each_page_of_the_table(pages):
    header = "Meeting Date Place Participating states Agreements and decisions"
    rows = ["First summit", "Second summit", "Third summit", "Fourth summit", "Founding of"]
    table_pages = sorted({n for n, text in enumerate(pages) for r in rows if r in text})
    assert table_pages, "Table 1 not found"
    for n in table_pages:
        assert header in pages[n], n + 1
    first = pages[table_pages[0]]
    assert first.index("Table 1 Summits of the Shanghai Five") < first.index(header)

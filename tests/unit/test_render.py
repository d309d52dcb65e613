"""Unit tests of the render stage (src/build/render.py).

Pure functions are tested table-driven; the pandoc/WeasyPrint edge runs on the small fixture
in tests/data/render/ (two sections, a footnote, citations, six BibTeX entries).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from build import atomic, pdf, render
from build.errors import ConfigError, ErrorList, ManuscriptError, RenderError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "render"
SECTIONS = [DATA / "01-heartland.md", DATA / "02-spirit.md"]


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        pytest.param("title: x\nbad: value: other\n", ":2:11:", "mapping values", id="colon"),
        pytest.param(
            "title: x\nkeywords: [a, b\n", ":2:11:", "'[' list is not closed", id="unclosed"
        ),
        pytest.param("title: 'open\n", ":1:8:", "quoted text is not closed", id="open-quote"),
    ],
)
def test_read_metadata_reports_yaml_errors_with_line(text, where, message):
    with pytest.raises(ManuscriptError) as caught:
        render.read_metadata(text, "manuscript/metadata.yaml")
    assert str(caught.value).startswith("manuscript/metadata.yaml" + where)
    assert message in str(caught.value)
    assert "hint:" in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("- a\n- b\n", "not a YAML mapping", id="list"),
        pytest.param("author: x\n", "no title", id="no-title"),
    ],
)
def test_read_metadata_rejects_shapes(text, message):
    with pytest.raises(ManuscriptError, match=message):
        render.read_metadata(text, "m.yaml")


def test_read_metadata_of_the_fixture():
    meta = render.read_metadata((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    assert meta["running-head"] == "SOFT BALANCING IN CENTRAL ASIA"
    assert render.author_surnames(meta) == "Example and Sample"


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        pytest.param([{"name": "Jamshed Khan"}], "Khan", id="one"),
        pytest.param(
            [{"name": "Jamshed Khan"}, {"name": "Razia Sultana"}], "Khan and Sultana", id="two"
        ),
        pytest.param(["A One", "B Two", "C Three"], "One et al.", id="three-plain"),
        pytest.param([{"name": "Jan van Berg", "surname": "van Berg"}], "van Berg", id="surname"),
        pytest.param([], "", id="none"),
    ],
)
def test_author_surnames(authors, expected):
    assert render.author_surnames({"author": authors}) == expected


@pytest.mark.parametrize(
    ("profile", "meta", "expected"),
    [
        pytest.param(
            render.Profile(),
            {"title": "T", "running-head": "SHORT", "author": ["A Khan"]},
            ("SHORT", "Khan"),
            id="from-metadata",
        ),
        pytest.param(render.Profile(), {"title": "T"}, ("T", ""), id="title-fallback"),
        pytest.param(
            render.Profile(running_head_recto="R", running_head_verso="V"),
            {"title": "T", "running-head": "SHORT"},
            ("R", "V"),
            id="profile-wins",
        ),
    ],
)
def test_running_heads(profile, meta, expected):
    assert render.running_heads(meta, profile) == expected


def test_epub_identifier_is_stable_and_configurable():
    first = render.epub_identifier("A title")
    assert first == render.epub_identifier("A title")
    assert first.startswith("urn:uuid:")
    assert first != render.epub_identifier("Another title")
    assert render.epub_identifier("A title", "urn:isbn:123") == "urn:isbn:123"


# --------------------------------------------------------------------------- profile


def test_config_matches_its_schema_and_builds_the_profile():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(config, schema)
    profile = render.profile_from_config(config)
    assert profile.csl_style == "apa"
    assert profile.page_size == "A4"
    assert profile.margins == render.Margins(25.0, 25.0, 25.0, 20.0)
    assert profile.body_font == "Linux Libertine O"
    assert profile.journal == {}  # the article gives no journal data: nothing invented


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param({"page": {"size": "B5"}}, "unknown page size 'B5'", id="page-size"),
        pytest.param({"fonts": {"size_pt": "big"}}, "wrong type", id="font-size"),
    ],
)
def test_profile_errors(config, message):
    with pytest.raises(ConfigError, match=message):
        render.profile_from_config(config, "config/config.yaml")


def test_resolve_csl():
    assert render.resolve_csl("apa").name == "apa.csl"
    with pytest.raises(ConfigError, match="not found"):
        render.resolve_csl("no-such-style-xyz")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("SCO", '"SCO"', id="plain"),
        pytest.param('say "hi"', '"say \\"hi\\""', id="quote"),
        pytest.param("a\\b", '"a\\\\b"', id="backslash"),
        pytest.param("a\nb", '"a\\A b"', id="newline"),
    ],
)
def test_css_string(text, expected):
    assert render.css_string(text) == expected


def test_profile_css_has_page_fonts_and_running_heads():
    css = render.profile_css(render.Profile(), "SHANGHAI (SCO)", "Khan and Sultana")
    assert "size: A4;" in css
    assert "margin: 25.0mm 25.0mm 25.0mm 25.0mm;" in css
    assert '@top-right { content: "SHANGHAI (SCO)"; }' in css
    assert '@top-left { content: "Khan and Sultana"; }' in css
    assert re.search(r"@page :first \{\s*@top-left \{ content: none; \}", css)
    assert 'font-family: "Linux Libertine O", serif;' in css


# --------------------------------------------------------------------------- citations


def test_missing_citations_from_pandoc_stderr():
    stderr = (
        "[WARNING] Citeproc: citation nosuch2020 not found\n"
        "[WARNING] Citeproc: citation other1999 not found\n"
        "[WARNING] Citeproc: citation nosuch2020 not found\n"
        "[WARNING] something else\n"
    )
    assert render.missing_citations(stderr) == ["nosuch2020", "other1999"]


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        pytest.param("aris2009", "x\nsee [@aris2009, p. 4].\n", [(2, 6)], id="bracketed"),
        pytest.param("aris2009", "@aris2009 [p. 4] says", [(1, 1)], id="narrative"),
        pytest.param("aris2009", "[@aris2009a]", [], id="longer-key"),
        pytest.param("aris2009", "[@aris2009; @aris2009]", [(1, 2), (1, 13)], id="twice"),
        pytest.param("example", "mail a@example.org", [], id="email"),
        pytest.param("scond", "[@{scond}, art. 4]", [(1, 2)], id="braced"),
    ],
)
def test_locate_citekey(key, text, expected):
    found = render.locate_citekey(key, [("f.md", text)])
    assert [(line, col) for _, line, col in found] == expected


def test_missing_citation_error_message():
    errors = render.missing_citation_errors(
        ["nosuch2020"], [("manuscript/01-a.md", "one\ntwo [@nosuch2020].\n")], "refs.bib"
    )
    assert [str(e).splitlines()[0] for e in errors] == [
        "manuscript/01-a.md:2:6: citation @nosuch2020 has no entry in refs.bib"
    ]


# --------------------------------------------------------------------------- AST


def test_add_profile_meta_without_journal_is_an_exact_round_trip():
    ast = {"pandoc-api-version": [1, 23], "meta": {"title": {"t": "MetaInlines", "c": []}}}
    assert render.add_profile_meta(ast, render.Profile()) == ast


def test_add_profile_meta_with_journal():
    ast = {"meta": {}, "blocks": []}
    out = render.add_profile_meta(ast, render.Profile(journal={"name": "J", "license": "CC"}))
    assert out["meta"]["journal"] == {"t": "MetaMap", "c": {"name": {"t": "MetaString", "c": "J"}}}
    assert out["meta"]["license"] == {
        "t": "MetaMap",
        "c": {"name": {"t": "MetaString", "c": "CC"}},
    }
    assert out["meta"]["rights"] == {"t": "MetaString", "c": "CC"}
    assert "date" not in out["meta"]  # the issue's year is not the article's date
    assert ast == {"meta": {}, "blocks": []}  # input untouched


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic.atomic_output(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_render_writes_remove_temporaries_a_killed_run_left(tmp_path):
    target = tmp_path / "article.pdf"
    (tmp_path / ".article.pdf.k1ll3d.tmp").write_bytes(b"%PDF-1.7 partial")  # killed run
    (tmp_path / ".article.html.x.tmp").write_text("another output's")
    (tmp_path / ".article.pdf.notes").write_text("not a temporary file")
    render.write_atomic(target, b"%PDF-1.7 complete")
    assert target.read_bytes() == b"%PDF-1.7 complete"
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".article.html.x.tmp", ".article.pdf.notes", "article.pdf"]


def test_confined_fetcher_refuses_files_outside_its_roots(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    fetcher = pdf._confined_fetcher([tmp_path])
    (tmp_path / "a.css").write_text("p {}")
    assert fetcher.fetch((tmp_path / "a.css").as_uri()).read() == b"p {}"
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("file:///etc/hostname")
    with pytest.raises(FatalURLFetchingError):
        fetcher.fetch("https://example.org/x.css")


# --------------------------------------------------------------------------- pandoc edge


@pytest.fixture(scope="module")
def fixture_ast(tmp_path_factory):
    """The fixture article parsed once (sections concatenated as the citations stage does)."""
    work = tmp_path_factory.mktemp("render")
    markdown = work / "article.md"
    markdown.write_text("\n".join(p.read_text(encoding="utf-8") for p in SECTIONS))
    return render.parse_article(
        markdown, DATA / "metadata.yaml", DATA / "refs.bib", render.Profile(), SECTIONS
    )


def test_parse_article_resolves_citations_and_prints_every_entry(fixture_ast):
    text = json.dumps(fixture_ast)
    entries = re.findall(r'"ref-([a-z0-9]+)"', text)
    assert sorted(set(entries)) == [
        "dadabaev2014",
        "hopkirk2002",
        "lewis2006",
        "mackinder2004",
        "megoran2013",  # not cited: printed through nocite
        "scond",
    ]
    meta = fixture_ast["meta"]
    assert "authors" in meta and "affiliation-list" in meta


def test_parse_article_reports_a_missing_key_at_its_line(tmp_path):
    bad = tmp_path / "01-heartland.md"
    bad.write_text(SECTIONS[0].read_text().replace("@hopkirk2002]", "@nosuch2020]"))
    with pytest.raises(ErrorList) as caught:
        render.parse_article(
            bad, DATA / "metadata.yaml", DATA / "refs.bib", render.Profile(), [bad]
        )
    assert str(caught.value).splitlines()[0] == (
        f"{bad}:4:34: citation @nosuch2020 has no entry in {DATA / 'refs.bib'}"
    )
    assert len(caught.value.errors) == 2  # lines 4 and 14


def test_read_metadata_reports_malformed_yaml(tmp_path):
    meta = tmp_path / "metadata.yaml"
    text = "title: x\nauthor: [a\nlang: en\n"
    with pytest.raises(ManuscriptError, match=re.escape(f"{meta}:2:9: malformed YAML: a '[' list")):
        render.read_metadata(text, str(meta))


def test_write_html(fixture_ast, tmp_path):
    out = tmp_path / "article.html"
    render.write_html(fixture_ast, out, render.Profile())
    html = out.read_text(encoding="utf-8")
    assert '<html lang="en-US">' in html
    assert '<sup class="affiliation-mark">1</sup><sup class="corresponding-mark">*</sup>' in html
    assert '<li><sup class="affiliation-mark">2</sup> Second Test College</li>' in html
    assert '<meta name="citation_author_institution" content="First Test University">' in html
    assert '<a href="#ref-mackinder2004" role="doc-biblioref">' in html
    assert '<h2 class="unnumbered">References</h2>' in html
    assert html.count('class="csl-entry"') == 6
    assert '<nav id="TOC" class="toc"' in html
    assert "<style" in html and 'rel="stylesheet"' not in html  # one standalone file
    assert "Keywords:</span> SCO, soft balancing, Central Asia" in html


def test_write_epub_is_reproducible(fixture_ast, tmp_path):
    first, second = tmp_path / "a.epub", tmp_path / "b.epub"
    render.write_epub(fixture_ast, first, render.Profile(source_date_epoch_s=1764460800))
    render.write_epub(fixture_ast, second, render.Profile(source_date_epoch_s=1764460800))
    assert first.read_bytes() == second.read_bytes()


def test_print_html_inlines_footnotes(fixture_ast):
    html = pdf.print_html(fixture_ast, ["print.css", "profile.css"], render.Profile())
    assert (  # names not hyphenated (one span over the short word between them), the
        # paragraph's last two words tied (print-typography.lua)
        '<span class="footnote" data-note="1"><span class="nohyphen">Zhenbao in '
        "Chinese.</span> A second sentence of "
        '<span class="nohyphen">the\xa0note.</span></span>' in html
    )
    assert html.index('href="print.css"') < html.index('href="profile.css"')
    assert 'class="footnotes' not in html


def test_write_pdf_puts_the_note_on_the_page_of_its_call(fixture_ast, tmp_path):
    from pypdf import PdfReader

    meta = render.read_metadata((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    pdf = tmp_path / "article.pdf"
    pages = render.write_pdf(fixture_ast, pdf, render.Profile(), meta, tmp_path / "a.print.html")
    texts = [page.extract_text() for page in PdfReader(pdf).pages]
    assert pages == len(texts) >= 1
    assert (tmp_path / "profile.css").exists()
    call = [n for n, text in enumerate(texts) if "Damansky Island1" in text]
    note = [n for n, text in enumerate(texts) if "1. Zhenbao in Chinese." in text]
    assert call == note == [0]
    assert "References" in "".join(texts)


def test_command_without_input_fails_with_a_hint(tmp_path):
    with pytest.raises(RenderError, match="no input") as caught:
        render.command(
            to="html", output=str(tmp_path / "a.html"), config=str(ROOT / "config" / "config.yaml")
        )
    assert "hint: give --ast" in str(caught.value)
    assert not (tmp_path / "a.html").exists()


def test_epub_links_to_a_table_in_another_chapter_resolve(tmp_path):
    """crossref.lua numbers the table at parse time; epub-anchors.lua moves its id onto the
    caption label so that pandoc rewrites the cross-chapter link (EPUBCheck RSC-012)."""
    import zipfile

    markdown = tmp_path / "a.md"
    markdown.write_text(
        "# One {#sec-one}\n\nSee @tbl-x and [@mackinder2004].\n\n"
        "# Two {#sec-two}\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nTable: A caption {#tbl-x}\n"
    )
    ast = render.parse_article(
        markdown, DATA / "metadata.yaml", DATA / "refs.bib", render.Profile()
    )
    epub = tmp_path / "a.epub"
    render.write_epub(ast, epub, render.Profile())
    with zipfile.ZipFile(epub) as archive:
        chapter = archive.read("EPUB/text/ch001.xhtml").decode("utf-8")
        table = archive.read("EPUB/text/ch002.xhtml").decode("utf-8")
    assert 'href="ch002.xhtml#tbl-x"' in chapter
    assert '<span id="tbl-x" class="caption-label"><strong>Table 1</strong></span>' in table


def test_missing_citation_falls_back_to_the_assembled_markdown():
    errors = render.missing_citation_errors(
        ["nosuch2020"],
        [("manuscript/01-a.md", "one (Nosuch, 2020).\n")],
        "refs.bib",
        fallback=[("output/cite/article.md", "x\none [@nosuch2020].\n")],
    )
    assert str(errors[0]).splitlines()[0].startswith("output/cite/article.md:2:6: ")


# --------------------------------------------------------------------------- journal profile


def _config_text(**replacements: str) -> str:
    """The real config/config.yaml with whole lines replaced (old line -> new line)."""
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def _schema() -> dict:
    return yaml.safe_load((ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"))


def _line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message", "hint"),
    [
        pytest.param(
            "    top: 25",
            '    top: "20mm"',
            "top:",
            "page.margin_mm.top: '20mm' is not of type 'number'",
            "write a plain number of millimetres without a unit or quotes",
            id="margin-with-unit",
        ),
        pytest.param(
            "  size_pt: 10.5",
            "  size_pt: 10.5pt",
            "size_pt:",
            "fonts.size_pt: '10.5pt' is not of type 'number'",
            "plain number of points",
            id="font-size-with-unit",
        ),
        pytest.param(
            "csl_style: apa",
            "csl_style: apa-7th-edition-nonexistent",
            "csl_style:",
            "csl_style: CSL style 'apa-7th-edition-nonexistent' not found",
            "'chicago-author-date'",
            id="unknown-csl-style",
        ),
        pytest.param(
            "  size: A4",
            "  size: B5",
            "size: B5",
            "page.size: 'B5' is not one of",
            "use one of: A4, A5, letter",
            id="page-size",
        ),
        pytest.param(
            "  issn: null",
            "  issn: 12345678",
            "issn:",
            "journal.issn: 12345678 is not of type",
            "null = unset",
            id="issn-type",
        ),
        pytest.param(
            "  heading: Linux Biolinum O",
            "  headings: Linux Biolinum O",
            "headings:",
            "fonts.headings: Additional properties are not allowed",
            "known keys here: body, heading",
            id="unknown-key",
        ),
    ],
)
def test_check_config_names_file_line_key_and_hint(old, new, fragment, message, hint):
    text = _config_text(**{old: new})
    with pytest.raises(ErrorList) as caught:
        render.check_config(yaml.safe_load(text), _schema(), "config/config.yaml", text)
    first = str(caught.value.errors[0])
    assert first.startswith(f"config/config.yaml:{_line_of(text, fragment)}:"), first
    assert message in first
    assert "hint: " in first and hint in first
    assert len(caught.value.errors) == 1


def test_check_config_accepts_the_real_config_and_chicago():
    text = _config_text()
    render.check_config(yaml.safe_load(text), _schema(), "config/config.yaml", text)
    chicago = {**yaml.safe_load(text), "csl_style": "chicago-author-date"}
    render.check_config(chicago, _schema(), "config/config.yaml", text)


def test_a_command_line_override_names_no_line(tmp_path):
    text = _config_text()
    config = {**yaml.safe_load(text), "csl_style": "nope-style"}
    with pytest.raises(ErrorList) as caught:
        render.check_config(config, _schema(), "config/config.yaml", text, ["csl_style"])
    assert str(caught.value).startswith("config/config.yaml: csl_style: CSL style 'nope-style'")
    assert "(given with --config)" in str(caught.value)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        pytest.param(["csl_style"], (2, 12), id="top"),
        pytest.param(["page", "margin_mm", "top"], (5, 10), id="nested"),
        pytest.param(["page", "nosuch"], (4, 3), id="deepest-found"),
        pytest.param(["nosuch"], (0, 0), id="absent"),
    ],
)
def test_yaml_position(keys, expected):
    text = "# c\ncsl_style: apa\npage:\n  margin_mm:\n    top: 25\n"
    assert render.yaml_position(text, keys) == expected


JOURNAL = {
    "name": "Journal of Test Studies",
    "issn": "1234-5679",
    "volume": 12,
    "issue": 3,
    "year": 2024,
    "pages": "45–67",
    "first-page": 45,
    "last-page": 67,
    "doi": "10.1234/jts.2024.003",
    "license": "CC BY 4.0",
}


def test_load_profile_reads_the_journal_values_of_a_config_file(tmp_path):
    config = yaml.safe_load(_config_text())
    config["journal"] = {k: JOURNAL[k] for k in ("name", "issn", "license")}
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (tmp_path / "schema.yaml").write_text(
        (ROOT / "config" / "schema.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    profile = render.load_profile(path)
    assert profile.journal == {
        "name": "Journal of Test Studies",
        "issn": "1234-5679",
        "license": "CC BY 4.0",
    }
    override = render.load_profile(path, {"csl_style": "chicago-author-date"})
    assert override.csl_style == "chicago-author-date"
    path.write_text(
        path.read_text(encoding="utf-8").replace("top: 25", "top: 25 mm"), encoding="utf-8"
    )
    with pytest.raises(ErrorList, match=re.escape(f"{path}:")):
        render.load_profile(path)


# --------------------------------------------------------------------------- HTML features


def test_html_head_has_scholarly_and_dublin_core_metadata(fixture_ast, tmp_path):
    render.write_html(fixture_ast, tmp_path / "a.html", render.Profile())
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    for tag in (
        '<meta name="citation_title" content="A Small Test Article: Soft Balancing in Central '
        'Asia">',
        '<meta name="citation_author" content="Ann Example">',
        '<meta name="citation_author" content="Bea Sample">',
        '<meta name="citation_keywords" content="SCO; soft balancing; Central Asia">',
        '<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/" data-external="1">',
        '<meta name="DC.title" content="A Small Test Article: Soft Balancing in Central Asia">',
        '<meta name="DC.creator" content="Bea Sample">',
        '<meta name="DC.subject" content="soft balancing">',
        '<meta name="DC.description" content="This fixture tests the render stage. It has',
        '<meta name="DC.language" content="en-US">',
    ):
        assert tag in head, tag


def test_references_link_back_to_their_first_citation(fixture_ast, tmp_path):
    render.write_html(fixture_ast, tmp_path / "a.html", render.Profile())
    html = (tmp_path / "a.html").read_text(encoding="utf-8")
    first = re.search(
        r'<span id="(cite-\d+)"><span class="citation" data-cites="mackinder2004"', html
    )
    assert first and first[1] == "cite-1"
    entry = re.search(r'<div id="ref-mackinder2004" class="csl-entry"[^>]*>(.*?)</div>', html, re.S)
    assert '<a href="#cite-1" class="ref-backlink"' in entry[1]
    assert 'role="doc-backlink"' in entry[1]
    # the group [@mackinder2004; @hopkirk2002] comes later: hopkirk2002's first citation is
    # its own [@hopkirk2002] before it
    hopkirk = re.search(r'<div id="ref-hopkirk2002" class="csl-entry"[^>]*>(.*?)</div>', html, re.S)
    assert '<a href="#cite-2" class="ref-backlink"' in hopkirk[1]
    megoran = re.search(r'<div id="ref-megoran2013" class="csl-entry"[^>]*>(.*?)</div>', html, re.S)
    assert "ref-backlink" not in megoran[1]  # printed through nocite, never cited
    targets = re.findall(r'href="#(cite-\d+)" class="ref-backlink"', html)
    ids = set(re.findall(r'<span id="(cite-\d+)">', html))
    assert targets and set(targets) <= ids


def test_figure_number_and_title_are_above_the_image(tmp_path, monkeypatch):
    """APA 7 §7.22: in HTML, EPUB and the print HTML the figcaption comes first."""
    import zipfile

    monkeypatch.chdir(tmp_path)  # the image by a relative path, as the manuscript has it
    image = Path("dot.svg")
    image.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" '
        'r="4"/></svg>'
    )
    markdown = tmp_path / "a.md"
    markdown.write_text(
        f'# One {{#sec-one}}\n\nSee @fig-dot.\n\n![A dot]({image}){{#fig-dot alt="A black dot"}}\n'
    )
    ast = render.parse_article(
        markdown, DATA / "metadata.yaml", DATA / "refs.bib", render.Profile()
    )
    render.write_html(ast, tmp_path / "a.html", render.Profile())
    outputs = {
        "html": (tmp_path / "a.html").read_text(encoding="utf-8"),
        "print": pdf.print_html(ast, ["print.css"], render.Profile()),
    }
    render.write_epub(ast, tmp_path / "a.epub", render.Profile())
    with zipfile.ZipFile(tmp_path / "a.epub") as epub:
        outputs["epub"] = epub.read("EPUB/text/ch001.xhtml").decode("utf-8")
    for name, markup in outputs.items():
        figure = markup[markup.index("<figure") : markup.index("</figure>")]
        assert figure.index("<figcaption>") < figure.index("Figure 1") < figure.index("<img"), name
        assert "A dot" in figure[: figure.index("<img")], name
    assert '<figure id="fig-dot">' in outputs["html"]


def test_style_inputs_give_each_render_step_only_its_styles():
    epub_css = str(render.STYLES_DIR / "css" / "epub.css")
    print_css = str(render.STYLES_DIR / "css" / "print.css")
    assert epub_css in render.style_inputs("epub")
    assert epub_css not in render.style_inputs("pdf") + render.style_inputs("html")
    assert print_css in render.style_inputs("pdf")
    assert print_css not in render.style_inputs("parse")
    assert all(
        Path(p).is_file()
        for step in ("parse", "html", "epub", "pdf")
        for p in render.style_inputs(step)
    )


# --------------------------------------------------------------------------- print SVGs


def _figure_ast(src: str) -> dict:
    image = {
        "t": "Image",
        "c": [["", [], [["alt", "A timeline"]]], [{"t": "Str", "c": "T"}], [src, ""]],
    }
    return {"pandoc-api-version": [1, 23], "meta": {}, "blocks": [{"t": "Plain", "c": [image]}]}


def test_print_figures_swaps_in_the_print_svg_when_it_exists():
    ast = _figure_ast("output/generated/fig-timeline.svg")
    seen = []

    def exists(path):
        seen.append(path)
        return path == "output/generated/fig-timeline.print.svg"

    swapped = render.print_figures(ast, exists)
    image = swapped["blocks"][0]["c"][0]
    assert image["c"][2] == ["output/generated/fig-timeline.print.svg", ""]
    assert image["c"][0] == ["", [], [["alt", "A timeline"]]]  # alt text kept
    assert seen == ["output/generated/fig-timeline.print.svg"]
    # the input AST is not modified
    assert ast["blocks"][0]["c"][0]["c"][2][0] == "output/generated/fig-timeline.svg"


@pytest.mark.parametrize(
    "src", ["output/generated/fig-x.svg", "figures/photo.png", "output/generated/fig-x.print.svg"]
)
def test_print_figures_leaves_images_without_a_print_svg(src):
    ast = _figure_ast(src)
    assert render.print_figures(ast, lambda path: False) == ast
    if src.endswith(".print.svg"):  # never .print.print.svg
        assert render.print_figures(ast, lambda path: True) == ast


def test_issue_values_come_from_the_issue_file(tmp_path):
    issue_file = tmp_path / "issue.yaml"
    issue_file.write_bytes(
        (ROOT / "tests" / "data" / "issue" / "config" / "issue.yaml").read_bytes()
    )
    (tmp_path / "issue.schema.yaml").write_bytes(
        (ROOT / "config" / "issue.schema.yaml").read_bytes()
    )
    assert render.issue_values(issue_file) == {"volume": "3", "issue": "2", "year": "2025"}
    assert render.issue_values(None) == {}


def test_the_epub_identifier_is_the_articles_doi(fixture_ast, tmp_path):
    import zipfile

    doi = {"doi": {"t": "MetaInlines", "c": [{"t": "Str", "c": "10.5555/own.1"}]}}
    ast = render.add_profile_meta(
        {**fixture_ast, "meta": {**fixture_ast["meta"], **doi}}, render.Profile()
    )
    render.write_epub(ast, tmp_path / "a.epub", render.Profile())
    with zipfile.ZipFile(tmp_path / "a.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert re.search(r"<dc:identifier id=\"epub-id-1\">doi:10.5555/own.1</dc:identifier>", opf)


# --------------------------------------------------------------------------- text width


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ({"size": "A4", "margin_mm": {"inner": 25, "outer": 20}}, 165.0),
        ({"size": "A5", "margin_mm": {"inner": 18, "outer": 12}}, 118.0),
        ({"size": "letter", "margin_mm": {"inner": 25.4, "outer": 25.4}}, 165.1),
        ({}, 160.0),  # A4 with the default 25 mm margins
    ],
    ids=["a4", "a5", "letter", "defaults"],
)
def test_text_width_is_the_page_width_minus_inner_and_outer_margins(page, expected):
    from build.render import profile_from_config, text_width_mm

    assert text_width_mm(profile_from_config({"page": page})) == pytest.approx(expected)


def test_text_width_needs_room():
    from build.render import profile_from_config, text_width_mm

    profile = profile_from_config({"page": {"size": "A5", "margin_mm": {"inner": 80, "outer": 70}}})
    with pytest.raises(ConfigError, match="leave no text block on the A5 page"):
        text_width_mm(profile)


def test_a_citation_in_the_abstract_is_reported_at_its_line_of_metadata_yaml(tmp_path):
    import shutil

    for name in ("01-heartland.md", "metadata.yaml", "refs.bib"):
        shutil.copy(DATA / name, tmp_path / name)
    meta = tmp_path / "metadata.yaml"
    lines = meta.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("abstract:"))
    lines[at] = "abstract: As [@nosuch1999] showed, a test."
    meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
    section = tmp_path / "01-heartland.md"
    with pytest.raises(ErrorList) as caught:
        render.parse_article(section, meta, tmp_path / "refs.bib", render.Profile(), [section])
    assert str(caught.value).splitlines()[0] == (
        f"{meta}:{at + 1}:15: citation @nosuch1999 has no entry in {tmp_path / 'refs.bib'}"
    )


def test_an_at_sign_outside_the_abstract_is_text_not_a_citation(tmp_path):
    section = tmp_path / "01-a.md"
    section.write_text("# A {#sec-a}\n\nBody.\n", encoding="utf-8")
    meta = tmp_path / "metadata.yaml"
    meta.write_text(
        'title: "Mail @editor"\nrunning-head: "RUNNING @page"\nlang: en\n'
        "abstract: x\nauthor:\n  - name: A B\n",
        encoding="utf-8",
    )
    (tmp_path / "refs.bib").write_text("", encoding="utf-8")
    ast = render.parse_article(section, meta, tmp_path / "refs.bib", render.Profile(), [section])
    assert render.meta_title(ast) == "Mail @editor"
    assert render.meta_title(ast, "running-head") == "RUNNING @page"


def test_raw_html_that_is_not_xhtml_fails_the_epub_at_its_manuscript_line(tmp_path, fixture_ast):
    """The backstop behind :func:`build.epub.xhtml_raw`: an element never closed."""
    section = tmp_path / "03-c.md"
    section.write_text(
        '# C {#sec-c}\n\nText.\nA <b class="loud">bold start, never closed.\n',
        encoding="utf-8",
    )
    raw = {"t": "RawInline", "c": ["html", '<b class="loud">']}
    para = {"t": "Para", "c": [raw, {"t": "Str", "c": "bold"}]}
    ast = {**fixture_ast, "blocks": [*fixture_ast["blocks"], para]}
    output = tmp_path / "a.epub"
    with pytest.raises(ErrorList) as caught:
        render.write_epub(ast, output, render.Profile(), [section])
    first = str(caught.value).splitlines()[0]
    assert first.startswith(f"{section}:4:3: raw HTML is not well-formed XHTML in the EPUB (")
    assert not output.exists()  # no EPUB that could pass for a good one
    render.write_epub(fixture_ast, output, render.Profile(), [section])
    assert render.xhtml_problems(output.read_bytes()) == []


@pytest.mark.parametrize(
    ("html", "xhtml"),
    [
        pytest.param('<img src=a.png alt="a &amp; b">', '<img src="a.png" alt="a &amp; b" />',
                     id="img-unquoted"),
        pytest.param("<br>", "<br />", id="br"),
        pytest.param("<hr/>", "<hr />", id="hr"),
        pytest.param("</br>", "", id="void-end-tag"),
        pytest.param("<span class=k>", '<span class="k">', id="span-open"),
        pytest.param("</span>", "</span>", id="span-close"),
        pytest.param("a&nbsp;b &lt; c & d", "a\u00a0b &lt; c &amp; d", id="text"),
        pytest.param("<td colspan=2 nowrap>", '<td colspan="2" nowrap="nowrap">', id="bare"),
        pytest.param("<!-- note -->x", "x", id="comment"),
        pytest.param("<p a=1 a=2 @x=3>", '<p a="1">', id="repeated-and-bad-names"),
        pytest.param('<svg><use xlink:href="#a"/></svg>',
                     '<svg xmlns="http://www.w3.org/2000/svg"><use xlink:href="#a" '
                     'xmlns:xlink="http://www.w3.org/1999/xlink" /></svg>', id="svg"),
    ],
)  # fmt: skip
def test_raw_html_is_serialized_as_xhtml(html, xhtml):
    from build.epub import xhtml_fragment

    assert xhtml_fragment(html) == xhtml


def test_xhtml_raw_changes_only_html_chunks():
    from build.epub import xhtml_raw

    blocks = [
        {"t": "RawBlock", "c": ["html", "<hr>"]},
        {"t": "RawBlock", "c": ["latex", "\\newpage"]},
        {"t": "Para", "c": [{"t": "RawInline", "c": ["html", "<br>"]}]},
    ]
    ast = {"pandoc-api-version": [1, 23], "meta": {}, "blocks": blocks}
    assert xhtml_raw(ast)["blocks"] == [
        {"t": "RawBlock", "c": ["html", "<hr />"]},
        blocks[1],
        {"t": "Para", "c": [{"t": "RawInline", "c": ["html", "<br />"]}]},
    ]
    assert ast["blocks"][0]["c"][1] == "<hr>"  # not modified


def test_an_articles_images_are_relative_to_its_folder():
    def image(src):
        return {"t": "Image", "c": [["", [], []], [], [src, ""]]}

    sources = ["images/a.png", "output/articles/x/generated/fig-a.svg", "https://e.org/b.png"]
    sources += ["/abs/c.png", "data:image/png;base64,AA=="]
    ast = {"blocks": [{"t": "Para", "c": [image(s) for s in sources]}], "meta": {}}
    rebased = render.rebase_images(ast, Path("articles/x"), Path("output/articles/x/generated"))
    assert [i["c"][2][0] for i in rebased["blocks"][0]["c"]] == [
        "articles/x/images/a.png",
        "output/articles/x/generated/fig-a.svg",
        "https://e.org/b.png",
        "/abs/c.png",
        "data:image/png;base64,AA==",
    ]
    assert render.rebase_images(ast, Path("."), Path("output/generated")) is ast


def test_raw_html_image_paths_are_relative_to_the_articles_folder():
    raw = ('<img src=images/a.png alt=a> <img alt="b" src="images/b.png"> '
           "<video poster='images/c.png'></video> <img src=\"https://e.org/d.png\">")  # fmt: skip
    ast = {"blocks": [{"t": "Para", "c": [{"t": "RawInline", "c": ["html", raw]}]}], "meta": {}}
    rebased = render.rebase_images(ast, Path("articles/x"), Path("output/articles/x/generated"))
    assert rebased["blocks"][0]["c"][0]["c"][1] == (
        '<img src=articles/x/images/a.png alt=a> <img alt="b" src="articles/x/images/b.png"> '
        "<video poster='articles/x/images/c.png'></video> <img src=\"https://e.org/d.png\">"
    )


def test_pdf_bookmarks_carry_the_heading_text_without_its_footnotes():
    """A footnote in a heading stays out of the PDF's bookmark (filters/bookmarks.lua and
    print.css); the heading itself keeps its note call."""
    import subprocess

    from weasyprint import CSS, HTML

    markdown = "# Methods[^1] {#sec-m}\n\nText.\n\n[^1]: A note.\n"
    html = subprocess.run(
        [render.pandoc_path(), "-t", "html5", "--shift-heading-level-by=1", "--lua-filter",
         str(render.STYLES_DIR / "filters" / "bookmarks.lua")],
        input=markdown, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert 'data-bookmark="Methods"' in html
    document = HTML(string=html).render(stylesheets=[CSS(filename=render.CSS_DIR / "print.css")])
    labels = [label for label, *_ in document.make_bookmark_tree()]
    assert labels == ["Methods"]


def test_missing_glyphs_are_read_from_weasyprints_warnings():
    messages = [
        'Failed to load image at "x"',
        '.notdef glyph rendered for Unicode string unsupported by fonts: "東京" (U+6771)',
        '.notdef glyph rendered for Unicode string unsupported by fonts: "東" (U+6771)',
    ]
    assert render.missing_glyphs(messages) == ["東", "京"]
    assert render.missing_glyphs(["all fine"]) == []


def test_a_character_of_the_reference_list_is_found_in_refs_bib(tmp_path):
    # the PDF's sources: metadata, sections, then the article's refs.bib (its reference list)
    manuscript = tmp_path / "articles" / "x" / "manuscript"
    manuscript.mkdir(parents=True)
    (manuscript / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    section = manuscript / "01-a.md"
    section.write_text("# A {#sec-a}\n\nText.\n", encoding="utf-8")
    bib = tmp_path / "articles" / "x" / "refs.bib"
    bib.write_text("@book{wang2015,\n  author = {王, 小明},\n}\n", encoding="utf-8")
    sources = render.printed_sources([section])
    assert sources == [manuscript / "metadata.yaml", section, bib]
    assert render.find_in_sources(sources, lambda line: line.find("王")) == (str(bib), 2, 13)
    assert render.printed_sources([]) == []


def test_a_character_no_font_has_fails_the_pdf_at_its_line(tmp_path, fixture_ast):
    section = tmp_path / "02-b.md"
    section.write_text("# B {#sec-b}\n\nThe Tokyo branch (東京) lends too.\n", encoding="utf-8")
    para = {"t": "Para", "c": [{"t": "Str", "c": "Tokyo (東京)"}]}
    ast = {**fixture_ast, "blocks": [*fixture_ast["blocks"], para]}
    output = tmp_path / "a.pdf"
    meta = render.read_metadata((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ErrorList) as caught:
        render.write_pdf(ast, output, render.Profile(), meta, tmp_path / "a.print.html",
                         sources=[section])  # fmt: skip
    assert [str(e).splitlines()[0] for e in caught.value.errors] == [
        f"{section}:3:19: no font of the PDF (fonts.body 'Linux Libertine O') has a glyph for "
        "'東' (U+6771): it would print as an empty box",
        f"{section}:3:20: no font of the PDF (fonts.body 'Linux Libertine O') has a glyph for "
        "'京' (U+4EAC): it would print as an empty box",
    ]
    assert not output.exists()


def test_a_font_that_is_not_installed_fails_the_pdf_at_its_config_line(tmp_path, fixture_ast):
    """A typo in fonts.body (or a machine without the font): fontconfig sets the text in
    another font; the PDF fails, naming the font asked for and the one used."""
    config = tmp_path / "config.yaml"
    config.write_text("csl_style: apa\nfonts:\n  body: Linux Libertin O\n", encoding="utf-8")
    output = tmp_path / "a.pdf"
    meta = render.read_metadata((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    profile = render.Profile(body_font="Linux Libertin O")
    with pytest.raises(ErrorList) as caught:
        render.write_pdf(fixture_ast, output, profile, meta, tmp_path / "a.print.html",
                         config=config)  # fmt: skip
    assert [str(e).splitlines()[0] for e in caught.value.errors] == [
        f"{config}:3:9: fonts.body 'Linux Libertin O' is not installed: the PDF is set in "
        "'DejaVu Serif' instead (fontconfig's fallback)"
    ]
    assert not output.exists()


def test_glyphs_warn_keeps_the_pdf_and_prints_each_problem_at_its_line(
    tmp_path, fixture_ast, capsys
):
    """``glyphs="warn"`` (snakemake --config glyphs=warn): a character no font has and a
    character set in a fallback font are warnings at their line, naming the font."""
    from build.fonts import embedded_fonts

    section = tmp_path / "02-b.md"
    section.write_text("# B {#sec-b}\n\nThe Tokyo branch (東京) lends a ☃ too.\n", encoding="utf-8")
    para = {"t": "Para", "c": [{"t": "Str", "c": "Tokyo (東京) lends a ☃"}]}
    ast = {**fixture_ast, "blocks": [*fixture_ast["blocks"], para]}
    output = tmp_path / "a.pdf"
    meta = render.read_metadata((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    render.write_pdf(ast, output, render.Profile(), meta, tmp_path / "a.print.html",
                     sources=[section], glyphs="warn")  # fmt: skip
    warnings = [ln for ln in capsys.readouterr().err.splitlines() if ln.startswith("warning:")]
    assert warnings == [
        f"warning: {section}:3:19: no font of the PDF (fonts.body 'Linux Libertine O') has a "
        "glyph for '東' (U+6771): it would print as an empty box",
        f"warning: {section}:3:20: no font of the PDF (fonts.body 'Linux Libertine O') has a "
        "glyph for '京' (U+4EAC): it would print as an empty box",
        f"warning: {section}:3:31: the profile's fonts have no glyph for '☃' (U+2603): it is "
        "set in 'DejaVu Sans' (fontconfig's fallback), not in fonts.body 'Linux Libertine O'",
    ]
    assert embedded_fonts(output.read_bytes()) == [
        "DejaVu-Sans",
        "Linux-Biolinum-O-Bold",
        "Linux-Libertine-O",
        "Linux-Libertine-O-Italic",
    ]
    # poppler's pdffonts (the build's reader) and pypdf's walk of every object agree
    from build.fonts import _descriptor_names

    assert _descriptor_names(output.read_bytes()) == embedded_fonts(output.read_bytes())


def test_pandoc_path_is_pypandocs_binary_found_without_importing_pypandoc():
    import subprocess

    code = (
        "import sys; from build.pandoc import pandoc_path, pandoc_version; "
        "print(pandoc_path(), pandoc_version(), 'pypandoc' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import pypandoc

    path, version, imported = out.stdout.split()
    assert (path, version, imported) == (
        pypandoc.get_pandoc_path(),
        pypandoc.get_pandoc_version(),
        "False",
    )
    assert version.startswith("3.9")


def test_pandoc_path_falls_back_to_pypandoc(monkeypatch):
    import importlib.util

    import pypandoc

    from build import pandoc

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    pandoc.pandoc_path.cache_clear()
    try:
        assert pandoc.pandoc_path() == pypandoc.get_pandoc_path()
    finally:
        pandoc.pandoc_path.cache_clear()


def test_a_machine_without_the_font_fails_the_pdf_naming_the_fallback(tmp_path, fixture_ast):
    """The font really missing (fontconfig sees only DejaVu), not a typo: the PDF fails at the
    profile's fonts.body line, naming the family asked for and fontconfig's fallback."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip("DejaVu (the fallback this test hides the others behind) is not installed")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>{dejavu}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    ast = tmp_path / "article.json"
    ast.write_text(json.dumps(fixture_ast), encoding="utf-8")
    config, output = ROOT / "config" / "config.yaml", tmp_path / "a.pdf"
    line = next(n for n, t in enumerate(config.read_text().splitlines(), 1) if "body:" in t)
    result = subprocess.run(
        [sys.executable, "-m", "build.cli", "render", "--to", "pdf", "--ast", str(ast),
         "--metadata", str(DATA / "metadata.yaml"), "--config", str(config),
         "--output", str(output)],
        cwd=tmp_path, env={**os.environ, "FONTCONFIG_FILE": str(conf)},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("error: ")]
    # every family is missing: the PDF cannot tell which fallback font replaced which family
    assert errors == [
        f"error: {config}:{line}:9: fonts.body 'Linux Libertine O' is not installed: the PDF is "
        "set in 'DejaVu Math TeX Gyre', 'DejaVu Sans', 'DejaVu Serif' instead (fontconfig's "
        "fallback)"
    ]
    assert not output.exists()


def test_a_failing_filters_own_message_is_the_first_error_not_a_warning():
    from build.pandoc import first_pandoc_error

    stderr = (
        "[WARNING] Duplicate identifier 'sec-a' at output/cite/article.md line 9 column 1\n"
        "Error running filter /x/styles/defaults/../filters/crossref.lua:\n"
        "...x/filters/crossref.lua:80: crossref.lua: the id #sec-a is used twice\n"
        "stack traceback:\n"
    )
    assert first_pandoc_error(stderr) == "crossref.lua: the id #sec-a is used twice"
    assert (
        first_pandoc_error("[WARNING] w\npandoc: cannot read x.md\n") == "pandoc: cannot read x.md"
    )
    assert first_pandoc_error("") == "pandoc failed"


def test_a_filter_error_naming_an_id_is_placed_in_the_section_files(tmp_path):
    one, two = tmp_path / "01-a.md", tmp_path / "02-b.md"
    one.write_text("# A {#sec-a}\n\nSee @tbl-x.\n", encoding="utf-8")
    two.write_text("# B {#sec-a}\n\nText.\n", encoding="utf-8")
    twice = render.RenderError("pandoc failed (exit 83): crossref.lua: the id #sec-a is used twice")
    placed = render.filter_error_at_source(twice, [one, two])
    assert str(placed) == (
        f"{two}:1:5: crossref.lua: the id #sec-a is used twice\n"
        f"  hint: give each heading, table and figure an id of its own (the first is at {one}:1)"
    )
    missing = render.RenderError(
        "pandoc failed (exit 83): crossref.lua: no table, figure or heading has the id #tbl-x"
    )
    assert str(render.filter_error_at_source(missing, [one, two])).splitlines()[0] == (
        f"{one}:3:5: crossref.lua: no table, figure or heading has the id #tbl-x"
    )
    other = render.RenderError("pandoc failed (exit 1): something else")
    assert render.filter_error_at_source(other, [one, two]) is other

"""Unit tests of the render stage (src/build/render.py).

Pure functions are tested table-driven; the pandoc/WeasyPrint edge runs on the small fixture
in tests/data/render/ (two sections, a footnote, citations, six BibTeX entries).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from build import render
from build.errors import ConfigError, ErrorList, ManuscriptError, RenderError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "render"
SECTIONS = [DATA / "01-heartland.md", DATA / "02-spirit.md"]


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize(
    ("text", "where", "message"),
    [
        pytest.param("title: x\nbad: value: other\n", ":2:11:", "mapping values", id="colon"),
        pytest.param("title: x\nkeywords: [a, b\n", ":3:1:", "malformed YAML", id="unclosed"),
        pytest.param("title: 'open\n", ":2:1:", "malformed YAML", id="open-quote"),
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


def test_read_metadata_of_the_real_article():
    path = ROOT / "manuscript" / "metadata.yaml"
    if not path.exists():
        pytest.skip("manuscript/metadata.yaml does not exist yet")
    meta = render.read_metadata(path.read_text(encoding="utf-8"))
    assert meta["running-head"] == "SHANGHAI COOPERATION ORGANIZATION (SCO)"
    assert render.author_surnames(meta) == "Khan and Sultana"


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
    assert out["meta"]["journal"] == {
        "t": "MetaMap",
        "c": {"name": {"t": "MetaString", "c": "J"}, "license": {"t": "MetaString", "c": "CC"}},
    }
    assert out["meta"]["rights"] == {"t": "MetaString", "c": "CC"}
    assert ast == {"meta": {}, "blocks": []}  # input untouched


def test_atomic_output_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_text("old")
    with pytest.raises(RuntimeError), render.atomic_output(target) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_confined_fetcher_refuses_files_outside_its_roots(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    fetcher = render._confined_fetcher([tmp_path])
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


def test_parse_article_reports_malformed_metadata(tmp_path):
    meta = tmp_path / "metadata.yaml"
    meta.write_text("title: x\nauthor: [a\nlang: en\n")
    with pytest.raises(ManuscriptError, match=re.escape(f"{meta}:3:")):
        render.parse_article(SECTIONS[0], meta, DATA / "refs.bib", render.Profile())


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
    html = render.print_html(fixture_ast, ["print.css", "profile.css"], render.Profile())
    assert (
        '<span class="footnote" data-note="1">Zhenbao in Chinese. '
        "A second sentence of the note.</span>" in html
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

"""Front matter (issue 17): the masthead, the indexers' head tags, the JSON-LD and the EPUB
identifier, from small metadata of their own (every field set, none set, a hostile title)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from html import unescape
from pathlib import Path

import pytest
import yaml

from build import epub as epub_module
from build import frontmatter, pdf, render
from build.errors import ErrorList, ManuscriptError
from build.manuscript import front_matter_problems, load_metadata

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "render"
SECTIONS = [DATA / "01-heartland.md", DATA / "02-spirit.md"]

#: every front-matter key of an article (invented values; 10.5555 is a test DOI prefix)
FULL = {
    "doi": "10.5555/jts.2024.003",
    "first-page": 45,
    "last-page": 67,
    "received": "2024-01-15",
    "accepted": "2024-04-02",
    "date": "2024-06-30",
    "identifier": "urn:isbn:9780000000002",
    "license": {
        "name": "CC BY 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "text": "© 2024 The authors.",
    },
}
#: the journal's and the issue's values
PROFILE = render.Profile(
    journal={"name": "Journal of Test Studies", "issn": "1234-5679"},
    issue={"volume": "12", "issue": "3", "year": "2024"},
)


def write_metadata(folder: Path, **changes) -> Path:
    """The render fixture's metadata.yaml with ``changes``, ORCID, ROR, e-mail, in ``folder``."""
    data = yaml.safe_load((DATA / "metadata.yaml").read_text(encoding="utf-8"))
    data["author"][0].update(orcid="0000-0002-1825-0097", email="ann@example.org")
    data["affiliations"][0]["ror"] = "05dxps055"
    data.pop("author-note")
    data.update(changes)
    path = folder / "metadata.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def parse(folder: Path, metadata: Path, profile: render.Profile) -> dict:
    markdown = folder / "article.md"
    markdown.write_text("\n".join(p.read_text(encoding="utf-8") for p in SECTIONS))
    return render.parse_article(markdown, metadata, DATA / "refs.bib", profile, SECTIONS)


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> dict:
    """The fixture with every front-matter value set: its AST, HTML page and print HTML."""
    folder = tmp_path_factory.mktemp("full")
    ast = parse(folder, write_metadata(folder, **FULL), PROFILE)
    render.write_html(ast, folder / "a.html", PROFILE)
    return {
        "ast": ast,
        "html": (folder / "a.html").read_text(encoding="utf-8"),
        "print": pdf.print_html(ast, ["print.css"], PROFILE),
        "folder": folder,
    }


@pytest.fixture(scope="module")
def empty(tmp_path_factory) -> dict:
    """The fixture without any front-matter value (nor journal, nor issue)."""
    folder = tmp_path_factory.mktemp("empty")
    ast = parse(folder, DATA / "metadata.yaml", render.Profile())
    render.write_html(ast, folder / "a.html", render.Profile())
    return {
        "ast": ast,
        "html": (folder / "a.html").read_text(encoding="utf-8"),
        "print": pdf.print_html(ast, ["print.css"], render.Profile()),
    }


def head(page: str) -> str:
    return page[: page.index("<style") if "<style" in page else page.index("</head>")]


def header(page: str) -> str:
    start = page.index('<header id="title-block-header"')
    return page[start : page.index("</header>", start)]


def metas(page: str, name: str) -> list[str]:
    return [
        unescape(v) for v in re.findall(rf'<meta name="{re.escape(name)}" content="([^"]*)"', page)
    ]


def jsonld(page: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "iso, lang, printed",
    [
        ("2025-06-30", "en-US", "30 June 2025"),
        ("2025-01-05", "en", "5 January 2025"),
        ("2025-03", "en-GB", "March 2025"),
        ("2025", "en", "2025"),
        ("2025-06-30", "de", "30. Juni 2025"),  # CSL de-DE: day ordinal, month, year
        ("2025-09-01", "fr-FR", "1 septembre 2025"),
        ("2025-03", "es", "marzo de 2025"),
        ("2025-06-30", "sv", "2025-06-30"),  # no month names of a language not listed
    ],
)
def test_format_date(iso, lang, printed):
    assert frontmatter.format_date(iso, lang) == printed


def test_add_profile_meta_takes_the_date_from_the_article_only():
    ast = {"meta": {}, "blocks": []}
    out = frontmatter.add_profile_meta(ast, PROFILE, {"first-page": 3, "last-page": 3})
    assert "date" not in out["meta"] and "history" not in out["meta"]
    assert "citation-date" not in out["meta"] and "publication-date" not in out["meta"]
    assert frontmatter.meta_title(out, "journal", "year") == "2024"  # the issue's year
    assert frontmatter.meta_title(out, "journal", "pages") == "3"  # one page: no range
    dated = frontmatter.add_profile_meta(ast, render.Profile(), {"date": "2024-06-30"})
    assert frontmatter.meta_title(dated, "citation-date") == "2024/06/30"  # Google Scholar
    assert frontmatter.meta_title(dated, "publication-date") == "2024-06-30"


def test_typed_values_are_taken_as_written_not_as_markdown():
    """A DOI with Markdown's emphasis characters stays the DOI (the AST has it as emphasis)."""
    ast = {
        "meta": {
            "doi": {
                "t": "MetaInlines",
                "c": [{"t": "Str", "c": "10.5555/a"}, {"t": "Emph", "c": [{"t": "Str", "c": "b"}]}],
            }
        },
        "blocks": [],
    }
    out = frontmatter.add_profile_meta(ast, render.Profile(), {"doi": "10.5555/a*b*"})
    assert out["meta"]["journal"]["c"]["doi"] == {"t": "MetaString", "c": "10.5555/a*b*"}


# --------------------------------------------------------------------------- every value set


def test_full_masthead_prints_every_value_in_html_and_print(full):
    masthead = (
        '<div class="masthead">\n<div class="masthead-bar">\n<div class="masthead-left">\n'
        '<p class="masthead-journal"><span class="journal-name">Journal of Test Studies</span> '
        '<span class="journal-issn">ISSN 1234-5679</span></p>\n</div>\n'
        '<div class="masthead-right">\n<p class="masthead-issue"><span class="journal-citation">'
        '<span class="journal-volume">Vol. 12</span>, <span class="journal-issue">No. 3</span> '
        '<span class="journal-year">(2024)</span></span></p>\n'
        '<p class="masthead-pages"><span class="journal-pages">pp. 45–67</span></p>\n'
        '<p class="masthead-doi"><a class="journal-doi" href="https://doi.org/10.5555/jts.2024.003">'
        "https://doi.org/10.5555/jts.2024.003</a></p>\n</div>\n</div>\n"
        '<div class="masthead-info">\n<p class="masthead-history">'
        '<span class="history-item">Received <time datetime="2024-01-15">15 January 2024</time>'
        '</span><span class="history-separator"> · </span><span class="history-item">Accepted '
        '<time datetime="2024-04-02">2 April 2024</time></span><span class="history-separator"> · '
        '</span><span class="history-item">Published <time datetime="2024-06-30">30 June 2024'
        "</time></span></p>\n"
        '<p class="license"><span class="license-label">License:</span> <a class="license-name" '
        'href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a> '
        '<span class="license-text">© 2024 The authors.</span></p>\n</div>\n</div>'
    )
    for page in (full["html"], full["print"]):
        assert masthead in header(page)
        top = header(page)
        assert top.index('class="masthead"') < top.index('<h1 class="title">')
        assert (
            'Ann Example<sup class="affiliation-mark">1</sup><sup class="corresponding-mark">*'
            '</sup> <a class="orcid" href="https://orcid.org/0000-0002-1825-0097" '
            'aria-label="ORCID iD of Ann Example">iD</a>'
        ) in top
        assert (
            'First Test University <a class="ror" href="https://ror.org/05dxps055" '
            'aria-label="ROR id of First Test University">ror.org/05dxps055</a>'
        ) in top
        assert (
            '<p class="corresponding-author"><sup class="corresponding-mark">*</sup> '
            'Corresponding author: Ann Example, <a href="mailto:ann@example.org">ann@example.org'
            "</a></p>"
        ) in top


def test_full_head_has_every_indexer_tag(full):
    top = head(full["html"])
    expected = {
        "citation_title": ["A Small Test Article: Soft Balancing in Central Asia"],
        "citation_author": ["Ann Example", "Bea Sample"],
        "citation_author_institution": ["First Test University", "Second Test College"],
        "citation_author_orcid": ["https://orcid.org/0000-0002-1825-0097"],
        "citation_publication_date": ["2024/06/30"],
        "citation_journal_title": ["Journal of Test Studies"],
        "citation_issn": ["1234-5679"],
        "citation_volume": ["12"],
        "citation_issue": ["3"],
        "citation_firstpage": ["45"],
        "citation_lastpage": ["67"],
        "citation_doi": ["10.5555/jts.2024.003"],
        "citation_pdf_url": ["article.pdf"],
        "DC.date": ["2024-06-30"],
        "DC.identifier": ["https://doi.org/10.5555/jts.2024.003"],
        "DC.source": ["Journal of Test Studies, 12(3), 45–67"],
        "DC.rights": ["CC BY 4.0 © 2024 The authors."],
    }
    for name, values in expected.items():
        assert metas(top, name) == values, name
    # one tag per cited work, in the reference list's order: megoran2013 prints in the list
    # (6 entries, nocite "@*") but no citation names it, so it has no tag
    assert full["html"].count('class="csl-entry"') == 6
    assert metas(top, "citation_reference") == [
        "Dadabaev, T. (2014). Shanghai cooperation organization (SCO) regional identity formation "
        "from the perspective of the central asia states. Journal of Contemporary China, 23(85), "
        "102–118.",
        "Hopkirk, P. (2002). The great game revisited? Asian Affairs, 33, 127–140.",
        "Lewis, J. W., & Xue, L. (2006). Imagined enemies: China prepares for uncertain war. "
        "Stanford University Press.",
        "Mackinder, H. J. (2004). The geographical pivot of history. The Geographical Journal, "
        "170(4), 298–321. https://doi.org/10.1111/j.0016-7398.2004.00132.x",
        "Shanghai Cooperation Organization. (n.d.). Charter of the shanghai cooperation "
        "organization. Retrieved https://cis-legislation.com/document.fwx?rgn=3851",
    ]
    assert len(jsonld(top)["citation"]) == 5
    assert (
        '<link rel="license" href="https://creativecommons.org/licenses/by/4.0/" data-external="1">'
    ) in top  # not fetched by embed-resources


def test_citation_reference_tags_list_the_cited_works_only(tmp_path):
    """A small article citing two works (one in a footnote) with one ``nocite`` entry: the
    reference list prints three entries, the head has a tag for each of the two cited works,
    in the list's order (Hopkirk before Lewis, though Lewis is cited first)."""
    metadata = write_metadata(tmp_path, nocite="@megoran2013")
    markdown = tmp_path / "01-short.md"
    markdown.write_text(
        "# Short {#sec-short}\n\nAs @lewis2006 argues.[^n]\n\n[^n]: Compare [@hopkirk2002].\n",
        encoding="utf-8",
    )
    ast = render.parse_article(markdown, metadata, DATA / "refs.bib", render.Profile(), [markdown])
    assert frontmatter.cited_ids(ast) == {"lewis2006", "hopkirk2002"}
    render.write_html(ast, tmp_path / "a.html", render.Profile())
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    assert page.count('class="csl-entry"') == 3 and 'id="ref-megoran2013"' in page
    assert metas(head(page), "citation_reference") == [
        "Hopkirk, P. (2002). The great game revisited? Asian Affairs, 33, 127–140.",
        "Lewis, J. W., & Xue, L. (2006). Imagined enemies: China prepares for uncertain war. "
        "Stanford University Press.",
    ]
    assert [c["name"] for c in jsonld(head(page))["citation"]] == metas(
        head(page), "citation_reference"
    )


def test_cited_ids_count_the_abstract_but_not_nocite():
    def cite(key: str) -> dict:
        return {"t": "Cite", "c": [[{"citationId": key}], []]}

    ast = {
        "meta": {
            "abstract": {"t": "MetaBlocks", "c": [{"t": "Para", "c": [cite("inabstract")]}]},
            "nocite": {"t": "MetaInlines", "c": [cite("*"), cite("onlylisted")]},
        },
        "blocks": [{"t": "Para", "c": [cite("inbody")]}],
    }
    assert frontmatter.cited_ids(ast) == {"inabstract", "inbody"}


def test_full_jsonld_is_a_scholarly_article_with_every_value(full):
    data = jsonld(head(full["html"]))
    assert data["@context"] == "https://schema.org" and data["@type"] == "ScholarlyArticle"
    assert data["headline"] == "A Small Test Article: Soft Balancing in Central Asia"
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Ann Example",
        "identifier": "https://orcid.org/0000-0002-1825-0097",
        "email": "ann@example.org",
        "affiliation": [
            {
                "@type": "Organization",
                "name": "First Test University",
                "identifier": "https://ror.org/05dxps055",
            }
        ],
    }
    assert data["author"][1]["affiliation"] == [
        {"@type": "Organization", "name": "Second Test College"}
    ]
    assert data["datePublished"] == "2024-06-30"
    assert (data["pageStart"], data["pageEnd"], data["pagination"]) == ("45", "67", "45–67")
    assert data["identifier"] == {
        "@type": "PropertyValue",
        "propertyID": "DOI",
        "value": "10.5555/jts.2024.003",
    }
    assert data["url"] == "https://doi.org/10.5555/jts.2024.003"
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["isPartOf"] == {
        "@type": "PublicationIssue",
        "issueNumber": "3",
        "isPartOf": {
            "@type": "PublicationVolume",
            "volumeNumber": "12",
            "isPartOf": {
                "@type": "Periodical",
                "name": "Journal of Test Studies",
                "issn": "1234-5679",
            },
        },
    }
    assert data["inLanguage"] == "en-US"
    assert len(data["citation"]) == 5  # the cited works (megoran2013 only through nocite)


def test_full_epub_title_page_and_identifier(full):
    out = full["folder"] / "a.epub"
    render.write_epub(full["ast"], out, PROFILE)
    with zipfile.ZipFile(out) as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
        title_page = epub.read("EPUB/text/title_page.xhtml").decode("utf-8")
    # the explicit identifier of metadata.yaml, as given (not the content-hash UUID)
    assert '<dc:identifier id="epub-id-1">urn:isbn:9780000000002</dc:identifier>' in opf
    assert "<dc:rights>CC BY 4.0 © 2024 The authors.</dc:rights>" in opf
    assert '<span class="journal-name">Journal of Test Studies</span>' in title_page
    assert '<time datetime="2024-06-30">30 June 2024</time>' in title_page
    assert render.xhtml_problems(out.read_bytes()) == []
    # the publication date is the article's date:, the build date (epoch 0 here) is modified
    assert re.findall(r"<dc:date[^>]*>([^<]*)</dc:date>", opf) == ["2024-06-30"]
    assert '<meta property="dcterms:modified">1970-01-01T00:00:00Z</meta>' in opf


def test_epub_without_a_date_has_no_dc_date(empty, tmp_path):
    """No ``date:``: pandoc would write the build date as dc:date; the OPF has none, keeps
    dcterms:modified, and the archive keeps pandoc's order, timestamps and compression."""
    profile = render.Profile(source_date_epoch_s=1700000000)
    out = tmp_path / "a.epub"
    render.write_epub(empty["ast"], out, profile)
    with zipfile.ZipFile(out) as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
        members = epub.infolist()
    assert "<dc:date" not in opf
    assert '<meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>' in opf
    assert (members[0].filename, members[0].compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert {m.date_time for m in members} == {(2023, 11, 14, 22, 13, 20)}
    assert all(m.compress_type == zipfile.ZIP_DEFLATED for m in members[1:])
    again = tmp_path / "b.epub"
    render.write_epub(empty["ast"], again, profile)
    assert again.read_bytes() == out.read_bytes()  # reproducible


def test_without_build_date_changes_only_the_opf():
    buffer = io.BytesIO()
    opf = (
        b'<package>\n  <metadata>\n    <dc:title id="t">T</dc:title>\n'
        b'    <dc:date id="epub-date">2023-11-14T22:13:20Z</dc:date>\n'
        b'    <meta property="dcterms:modified">2023-11-14T22:13:20Z</meta>\n'
        b"  </metadata>\n</package>\n"
    )
    container = b'<container><rootfiles><rootfile full-path="OPS/p.opf"/></rootfiles></container>'
    members = [
        ("mimetype", b"application/epub+zip", zipfile.ZIP_STORED),
        ("META-INF/container.xml", container, zipfile.ZIP_DEFLATED),
        ("OPS/p.opf", opf, zipfile.ZIP_DEFLATED),
        ("OPS/a.xhtml", b"<html>dc:date</html>", zipfile.ZIP_DEFLATED),
    ]
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, method in members:
            info = zipfile.ZipInfo(name, (2023, 11, 14, 22, 13, 20))
            info.compress_type = method
            archive.writestr(info, data)
    result = epub_module.without_build_date(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(result)) as archive:
        got = [(i.filename, archive.read(i), i.compress_type) for i in archive.infolist()]
    expected_opf = opf.replace(b'    <dc:date id="epub-date">2023-11-14T22:13:20Z</dc:date>\n', b"")
    assert got == [*members[:2], ("OPS/p.opf", expected_opf, zipfile.ZIP_DEFLATED), members[3]]
    assert epub_module.without_build_date(result) == result  # nothing left to drop


def test_epub_identifier_is_the_doi_then_a_uuid():
    assert frontmatter.epub_identifier("T", None, "10.5555/x", "d") == "doi:10.5555/x"
    assert frontmatter.epub_identifier("T", None, "10.5555/x", "d", "urn:x:1") == "urn:x:1"
    assert frontmatter.epub_identifier("T", None, None, "d").startswith("urn:uuid:")


# --------------------------------------------------------------------------- nothing set

#: labels that print only around a value: none may print when no value is set
LABELS = [
    "masthead", "journal-", "ISSN", "Vol.", "No.", "pp.", "Received", "Accepted", "Published",
    "License", "license", "ORCID", "orcid", "ror.org", "Corresponding author", "mailto:",
    "citation_journal_title", "citation_issn", "citation_volume", "citation_issue",
    "citation_publication_date", "citation_firstpage", "citation_lastpage", "citation_doi",
    "citation_author_orcid", "DC.date", "DC.identifier", "DC.source", "DC.rights",
    "datePublished", "isPartOf", '"identifier"', '"license"',
]  # fmt: skip


def test_nothing_set_prints_nothing_and_no_placeholder(empty):
    for page in (empty["html"], empty["print"]):
        printed = head(page) + header(page)
        printed = re.sub(r'<meta name="citation_reference"[^>]*>', "", printed)
        assert [label for label in LABELS if label in printed] == []
        assert 'content=""' not in printed and "<p></p>" not in printed and "()" not in printed
    data = jsonld(head(empty["html"]))
    assert set(data) == {
        "@context", "@type", "headline", "name", "author", "inLanguage", "keywords",
        "abstract", "citation",
    }  # fmt: skip


# --------------------------------------------------------------------------- hostile title

HOSTILE = 'Shh </script><script>alert("x")</script> <b>bold</b> & *soft* <!-- c'


def test_a_hostile_title_cannot_leave_the_jsonld_script(tmp_path):
    ast = parse(tmp_path, write_metadata(tmp_path, title=HOSTILE), render.Profile())
    render.write_html(ast, tmp_path / "a.html", render.Profile())
    page = (tmp_path / "a.html").read_text(encoding="utf-8")
    top = head(page)
    assert top.count("<script") == 1 and top.count("</script>") == 1  # only the JSON-LD's
    assert "<script>alert" not in page and "\\u003c/script\\u003e" in top
    data = jsonld(top)
    # the title as the pages print it: sanitized text (issue 16), the same characters
    assert data["headline"] == 'Shh </script> <script>alert("x")</script> <b>bold</b> & soft <!– c'
    assert "<b>" not in header(page)  # the title's HTML printed as text (issue 16)
    assert "&lt;/script&gt; &lt;script&gt;alert" in header(page)
    assert "<em>soft</em>" in header(page)  # emphasis stays


# --------------------------------------------------------------------------- metadata checks


def test_front_matter_problems_name_the_line_and_the_key(tmp_path):
    text = (
        "title: T\nabstract: A\nlang: en\nauthor:\n  - name: A B\n    orcid: 0000-0002-1825-009\n"
        "doi: 10.12/x\ndate: 2025-02-30\nlicense:\n  url: javascript:alert(1)\n"
    )
    path = tmp_path / "metadata.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ErrorList) as caught:
        load_metadata(path)
    messages = [str(e).splitlines()[0] for e in caught.value.errors]
    assert messages == [
        f"{path}:6:12: author.0.orcid: '0000-0002-1825-009' does not match "
        "'^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$'",
        f"{path}:7:6: doi: '10.12/x' does not match '^10\\\\.[0-9]{{4,9}}/[^\\\\s<>\"\\'`]+$'",
        f"{path}:10:8: license.url: 'javascript:alert(1)' does not match "
        "'^https?://[^\\\\s<>\"\\'`]+$'",
    ]
    assert "ORCID iD without the resolver" in caught.value.errors[0].hint
    # a date that matches the pattern but is no day of the calendar
    problems = front_matter_problems({"date": "2025-02-30"}, "m.yaml", "date: 2025-02-30\n")
    assert [str(p).splitlines()[0] for p in problems] == [
        "m.yaml:1:7: date: '2025-02-30' is not a day of the calendar"
    ]
    assert isinstance(problems[0], ManuscriptError)


@pytest.mark.parametrize(
    ("orcid", "expected"),
    [("0000-0002-1825-0097", None), ("0000-0002-1694-233X", None), ("0000-0001-5109-3700", None),
     ("0000-0002-1825-0098", "7"), ("0000-0002-1694-2331", "X")],
)  # fmt: skip
def test_an_orcid_with_a_wrong_check_digit_is_refused_at_its_line(orcid, expected):
    # ISO/IEC 7064 MOD 11-2, as ORCID computes it
    text = f"title: T\nauthor:\n  - name: A\n  - name: B\n    orcid: {orcid}\n"
    data = {"title": "T", "author": [{"name": "A"}, {"name": "B", "orcid": orcid}]}
    problems = front_matter_problems(data, "m.yaml", text)
    if expected is None:
        assert problems == []
        return
    assert [str(p).splitlines()[0] for p in problems] == [
        f"m.yaml:5:12: author[1].orcid: '{orcid}' has a wrong check digit (it would end in "
        f"{expected})"
    ]
    assert "ORCID record" in problems[0].hint


def test_the_full_front_matter_is_valid():
    data = {**FULL, "author": [{"name": "A", "orcid": "0000-0002-1825-0097", "email": "a@b.org"}]}
    data["affiliations"] = [{"id": 1, "name": "U", "ror": "05dxps055"}]
    assert front_matter_problems(data, "m.yaml") == []
    assert front_matter_problems({"license": "CC BY 4.0"}, "m.yaml") == []


def test_missing_front_matter_lists_the_empty_fields_for_preflight():
    everything = {
        **FULL,
        "author": [{"name": "A", "orcid": "0000-0002-1825-0097", "corresponding": True,
                    "email": "a@b.org"}],
        "affiliations": [{"id": 1, "name": "U", "ror": "05dxps055"}],
    }  # fmt: skip
    assert frontmatter.missing_front_matter(everything, PROFILE) == []
    bare = {"title": "T", "author": [{"name": "A"}, {"name": "B"}], "affiliations": [{"id": 1}]}
    missing = frontmatter.missing_front_matter(bare, render.Profile())
    assert [field for field, _ in missing] == [
        "journal.name", "journal.issn", "license", "volume", "issue", "year", "doi", "pages",
        "date", "received", "accepted", "author[0].orcid", "author[1].orcid",
        "affiliations[0].ror", "corresponding",
    ]  # fmt: skip
    assert dict(missing)["date"] == "add the publication date, date: YYYY-MM-DD, to metadata.yaml"
    # an author marked corresponding without an address: the address is what is missing
    marked = {**everything, "author": [{"name": "A", "orcid": "0000-0002-1825-0097"},
                                       {"name": "B", "corresponding": True}]}  # fmt: skip
    assert [f for f, _ in frontmatter.missing_front_matter(marked, PROFILE)] == [
        "author[1].orcid", "author[1].email",
    ]  # fmt: skip
    assert dict(frontmatter.missing_front_matter(marked, PROFILE))["author[1].email"] == (
        "give the corresponding author's email:"
    )
    # without a profile only the article's own fields
    assert frontmatter.missing_front_matter(bare)[0][0] == "license"


def test_derived_keys_given_in_metadata_are_dropped():
    """What prints is made from validated values: a `citation-date` or `journal` written in
    metadata.yaml is not printed."""
    given = {
        "citation-date": {"t": "MetaString", "c": "1999"},
        "journal": {"t": "MetaMap", "c": {"doi": {"t": "MetaString", "c": "x"}}},
        "masthead": {"t": "MetaBool", "c": True},
    }
    out = frontmatter.add_profile_meta({"meta": given, "blocks": []}, render.Profile(), {})
    assert out["meta"] == {}

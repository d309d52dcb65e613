"""Tests of the citations stage (build.citations): parsing, resolution, report, modes, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from build import citations
from build.errors import CitationError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "citations"


@pytest.fixture(scope="module")
def bib() -> citations.Bibliography:
    return citations.load_bibliography(DATA / "refs.bib")


@pytest.fixture(scope="module")
def corrections() -> list[citations.Correction]:
    return citations.load_corrections(DATA / "corrections.yaml")


def run(text, bib, corrections=()):
    return citations.normalize_text("t.md", text, bib, list(corrections), [])


# ------------------------------------------------------------------ each kind of citation

KINDS = [
    ("page-range", "(Mackinder, 2004, p.298-303)", "[@mackinder2004, p. 298–303]"),
    ("two-authors-and", "(Lewis and Litai, 2006, p.134)", "[@lewis2006, p. 134]"),
    ("two-authors-ampersand", "(Bailes & Dunay, 2007, p. 13)", "[@bailes2007, p. 13]"),
    ("space-before-comma", "(Khetran , 2019, p. 84)", "[@khetran2019, p. 84]"),
    ("missing-comma", "(Qahtani, 2006 p.135)", "[@qahtani2006, p. 135]"),
    ("period-for-comma", "(Lanteigne, 2005. p.1)", "[@lanteigne2005, p. 1]"),
    ("no-space-after-comma", "(Nasir, 2007,p.40)", "[@nasir2007, p. 40]"),
    ("no-locator", "(Nasir, 2007)", "[@nasir2007]"),
    ("charter-article-comma", "(SCO Charter, Article, 4)", "[@scond, art. 4]"),
    ("charter-article", "(SCO Charter, Article 5)", "[@scond, art. 5]"),
    ("document-title-only", "(SCO charter)", "[@scond]"),
    ("corporate-author", "(Information Office of the State Council, 2000, p. 34)",
     "[@information2000, p. 34]"),
    ("et-al-with-accent", "(Müller et al., 2010)", "[@muller2010]"),
    ("three-authors-chapter", "(Muller, Schmidt, & Weber, 2010, chap. 3)",
     "[@muller2010, chap. 3]"),
    ("particle-section", "(van der Berg, 2001, sec. 2)", "[@vanberg2001, sec. 2]"),
    ("particle-dropped", "(Berg, 2001)", "[@vanberg2001]"),
    ("upper-case", "(VAN DER BERG, 2001)", "[@vanberg2001]"),
    ("pp-range", "(Mackinder, 2004, pp. 300 - 301)", "[@mackinder2004, p. 300–301]"),
    ("paragraph", "(Aris, 2009, para. 4)", "[@aris2009, para. 4]"),
    ("suffix-kept", "(Aris, 2009, p. 460, emphasis added)", "[@aris2009, p. 460, emphasis added]"),
    ("prefix-kept", "(e.g., Aris, 2009)", "[e.g., @aris2009]"),
    ("url-broken-by-space", "(http://www.un.org/documents/ga/docs/ 52/plenary/a52-153.htm)",
     "[@unitednd]"),
    ("url-without-www", "(https://un.org/documents/ga/docs/52/plenary/a52-153.htm/)",
     "[@unitednd]"),
    ("narrative-year-only", "Lewis and Litai (2006, p. 134) argue", "@lewis2006 [p. 134] argue"),
    ("narrative-plain", "Mackinder (2004) said", "@mackinder2004 said"),
    ("lead-in-kept", 'According to Timur Dadabaev "it has" (Dadabaev, 2014, p.111).',
     'According to Timur Dadabaev "it has" [@dadabaev2014, p. 111].'),
    ("group-semicolon", "(Mackinder, 2004, p. 300; Lewis & Litai, 2006)",
     "[@mackinder2004, p. 300; @lewis2006]"),
    ("same-author-two-years", "(Aris, 2009, 2011)", "[@aris2009; @aris2011]"),
    ("pandoc-canonicalized", "[@mackinder2004, pp. 298-303] and @lewis2006 [p.134]",
     "[@mackinder2004, p. 298–303] and @lewis2006 [p. 134]"),
    ("pandoc-canonical-unchanged",
     "[see @aris2009, p. 460; -@aris2011] and [@scond, arts. 3, 6, 2]",
     "[see @aris2009, p. 460; -@aris2011] and [@scond, arts. 3, 6, 2]"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [k[1:] for k in KINDS], ids=[k[0] for k in KINDS])
def test_each_kind_becomes_a_canonical_pandoc_citation(text, expected, bib):
    new, records, _ = run(text, bib)
    assert new == expected
    assert records and all(r.status == "exact" for r in records)


def test_locator_is_reported_with_its_csl_label(bib):
    _, records, _ = run("(SCO Charter, Article, 4) (Mackinder, 2004, p.298-303)", bib)
    assert [r.locator.as_dict() for r in records] == [
        {"label": "article-locator", "value": "4"},
        {"label": "page", "value": "298–303"},
    ]


def test_narrative_lead_in_is_flagged(bib):
    _, records, _ = run('According to Timur Dadabaev "x" (Dadabaev, 2014, p.111).', bib)
    assert records[0].flags == ["narrative lead-in: 'Timur Dadabaev'"]


# ------------------------------------------------------------------ non-citations

NON_CITATIONS = [
    ("acronym", "the organization (SCO) grew"),
    ("year-only-after-a-place", "the US attack on Iraq (2003) the theory"),
    ("plural-acronym", "to create (CBMs) among"),
    ("phrase", "the US and its allies (NATO plus ISAF) vs China"),
    ("place", "was held at Bishkek (Kyrgyzstan) in 1999"),
    ("year-range", "the Concert of Europe (1815-1853) and"),
    ("lowercase-aside", "state (in this research two second tier states have been analyzed)"),
    ("link-destination", "see [the charter](http://example.org/a_(b)) for details"),
    ("email", "contact corresponding.author@example.org today"),
    ("code-span", "write `(Mackinder, 2004)` literally"),
    ("html-attribute", '<span style="background:url(http://127.0.0.1/x)">shaded</span> text'),
    ("html-attribute-quoted-gt", "<a title='a > b (Aris, 2009)' href=\"#x\">link</a>"),
    ("style-element", "<style>\n@import url(http://127.0.0.1/a.css);\np { x: url(b) }\n</style>"),
]


def test_citations_between_raw_html_tags_are_still_found(bib):
    new, records, _ = run('<span class="x">as argued (Aris, 2009, p.457)</span>', bib)
    assert new == '<span class="x">as argued [@aris2009, p. 457]</span>'
    assert [r.status for r in records] == ["exact"]


@pytest.mark.parametrize("text", [n[1] for n in NON_CITATIONS], ids=[n[0] for n in NON_CITATIONS])
def test_non_citations_are_left_alone(text, bib):
    new, records, _ = run(text, bib)
    assert new == text
    assert records == []


def test_reference_list_is_not_scanned(bib):
    text = "Body (Nasir, 2007).\n\nReferences\n\n- Yuan, J.D. (2010). Organization SCO).\n"
    new, records, _ = run(text, bib)
    assert new.endswith("- Yuan, J.D. (2010). Organization SCO).\n")
    assert [r.keys for r in records] == [["nasir2007"]]


# ------------------------------------------------------------------ Ibid

IBID = [
    ("named-right-after", "(Aris, 2011, p.23). Then (Aris, 2011, Ibid).", "aris2011", []),
    (
        "named-with-source-between",
        "(Aris, 2011, p.11) then (Lanteigne, 2005, p.1) then (Aris, 2011, Ibid).",
        "aris2011",
        ["Ibid: another source stands in between since the last citation of aris2011: "
         "lanteigne2005"],
    ),
    ("bare-previous", "(Mackinder, 2004, p. 300). More (Ibid., p. 301).", "mackinder2004", []),
]  # fmt: skip


@pytest.mark.parametrize(("text", "key", "flags"), [i[1:] for i in IBID], ids=[i[0] for i in IBID])
def test_ibid_resolves_to_named_or_previous_source(text, key, flags, bib):
    _, records, _ = run(text, bib)
    assert records[-1].status == "ibid"
    assert records[-1].keys == [key]
    assert records[-1].flags == flags


def test_ibid_with_its_own_page_keeps_it(bib):
    new, _, _ = run("(Mackinder, 2004, p. 300). More (Ibid., p. 301).", bib)
    assert new == "[@mackinder2004, p. 300]. More [@mackinder2004, p. 301]."


# ------------------------------------------------------------------ candidates, corrections


def test_unmatched_year_gives_ranked_candidates_with_evidence(bib):
    new, records, _ = run("(Aris, 2001, p.469)", bib)
    assert new == "(Aris, 2001, p.469)"
    assert records[0].status == "candidates"
    assert records[0].keys == []
    assert records[0].candidates[0] == {
        "key": "aris2009",
        "reason": "author names match 'Aris'; year differs by one digit (2001 cited, 2009 in "
        "refs.bib); cited page 469 lies inside the entry's pages 457–482",
    }
    assert records[0].candidates[1]["key"] == "aris2011"


def test_periodical_match_is_a_candidate_not_a_guess(bib):
    _, records, _ = run("(Xinhua, 17 June 2004)", bib)
    assert records[0].status == "candidates"
    assert records[0].candidates[0]["key"] == "antiterror2004"


CORRECTED = [
    ("key-chosen", "(Aris, 2001, p.469)", "[@aris2009, p. 469]", "corrected", ["aris2009"]),
    ("key-chosen-spacing", "(Aris , 2001)", "[@aris2009]", "corrected", ["aris2009"]),
    ("locator-override", "(Article 10 RATS Agreement, Article 3)", "[@scond, art. 2]",
     "corrected", ["scond"]),
    ("keep-as-text", "(Xinhua News Agency, 27 April, 1997)",
     "(Xinhua News Agency, 27 April, 1997)", "unresolved", []),
    ("keep-url-as-autolink", "(http://ecrats.org/ en/)", "(<http://ecrats.org/en/>)",
     "unresolved", []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected", "status", "keys"),
    [c[1:] for c in CORRECTED],
    ids=[c[0] for c in CORRECTED],
)
def test_corrections_are_applied(text, expected, status, keys, bib, corrections):
    new, records, _ = run(text, bib, corrections)
    assert new == expected
    assert (records[0].status, records[0].keys) == (status, keys)
    assert records[0].correction is not None
    assert not records[0].failing


def test_report_lists_applied_corrections_missing_uncited_duplicates(bib):
    decisions = citations.load_corrections(DATA / "corrections.yaml")
    text = "(Aris, 2001, p.469) and (Aris, 2009, p. 460) and [@nosuchkey2020] (Nasir, 2007)."
    result = citations.normalize_citations([("t.md", text)], bib, decisions)
    report = result.report()
    assert [c["cited"] for c in report["corrections_applied"]] == ["Aris, 2001"]
    assert report["corrections_applied"][0]["applied"] == 1
    assert report["missing"] == ["nosuchkey2020"]
    assert report["duplicates"] == [{"key": "aris2009", "forms": ["Aris, 2001", "Aris, 2009"]}]
    assert "mackinder2004" in report["uncited"] and "nasir2007" not in report["uncited"]
    assert [r["status"] for r in report["citations"]] == [
        "corrected",
        "exact",
        "unresolved",
        "exact",
    ]


def test_corrections_file_errors_name_the_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text('- cited: "Aris, 2001"\n  key: aris2009\n  reason: ok\n- cited: "X, 2000"\n')
    with pytest.raises(CitationError) as error:
        citations.load_corrections(path)
    assert str(error.value).startswith(f"{path}:4: ")


REPORT_TEXT = (
    "# Heading\n\nAs Halford Mackinder said (Mackinder, 2004, p.298-303). More (Ibid., p. 301).\n"
    "The organization (SCO) grew (Xinhua News Agency, 27 April, 1997) and (Aris, 2001, p.469) "
    "and (Lewis, 1990).\n"
)


def test_report_summary_and_record_fields(bib):
    """One citation of each status: the summary counts and the fields of each record, at the
    1-based line and column of its opening parenthesis. The corrections are loaded afresh: they
    count their uses, and other tests use the module's."""
    decisions = citations.load_corrections(DATA / "corrections.yaml")
    result = citations.normalize_citations([("01-a.md", REPORT_TEXT)], bib, decisions)
    report = result.report()
    assert report["summary"] == {
        "citations": 5,
        "exact": 1,
        "corrected": 1,
        "ibid": 1,
        "candidates": 1,
        "unresolved": 1,
        "kept_as_text": 1,
        "failing": 1,
    }
    assert report["citations"][0] == {
        "source": "01-a.md",
        "line": 3,
        "column": 28,
        "text": "Mackinder, 2004, p.298-303",
        "citation": "(Mackinder, 2004, p.298-303)",
        "keys": ["mackinder2004"],
        "locator": {"label": "page", "value": "298–303"},
        "status": "exact",
        "candidates": [],
        "mode": "parenthetical",
        "flags": ["narrative lead-in: 'As Halford Mackinder'"],
    }
    rows = [
        (r["line"], r["column"], r["status"], r["keys"], r.get("keep_as_text", False))
        for r in report["citations"]
    ]
    assert rows == [
        (3, 28, "exact", ["mackinder2004"], False),
        (3, 63, "ibid", ["mackinder2004"], False),
        (4, 30, "unresolved", [], True),
        (4, 71, "corrected", ["aris2009"], False),
        (4, 95, "candidates", [], False),
    ]
    assert [c["cited"] for c in report["corrections_unused"]] == [
        "http://ecrats.org/en/",
        "Article 10 RATS Agreement",
    ]
    assert result.texts["01-a.md"].splitlines()[2:] == [
        "As Halford Mackinder said [@mackinder2004, p. 298–303]. More [@mackinder2004, p. 301].",
        "The organization (SCO) grew (Xinhua News Agency, 27 April, 1997) and "
        "[@aris2009, p. 469] and (Lewis, 1990).",
    ]


# ------------------------------------------------------------------ bad input

BAD_INPUT = [
    ("cut-by-end-of-file", "cut.md", "cut.md:3:42: citation cut by the end of the file"),
    ("unbalanced-open", "unbalanced.md", "unbalanced.md:2:19: unbalanced parentheses"),
    ("unbalanced-close", "stray.md", "stray.md:1:31: unbalanced parentheses: ')' has no matching"),
    ("not-utf8", "latin1.txt", "latin1.txt:2:22: file is not UTF-8: byte 0xfc"),
    ("empty-file", "empty.md", "empty.md:1: file is empty"),
]


@pytest.mark.parametrize(
    ("name", "message"), [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT]
)
def test_bad_input_is_a_clear_error_and_leaves_the_source_untouched(name, message, tmp_path):
    source = tmp_path / name
    shutil.copy(DATA / name, source)
    before = source.read_bytes()
    with pytest.raises(CitationError) as error:
        citations.command([str(source)], bib=str(DATA / "refs.bib"), corrections=None, write=True)
    assert str(error.value).startswith(f"{tmp_path}/{message}")
    assert source.read_bytes() == before


def test_keys_differing_only_in_case_are_an_error():
    with pytest.raises(CitationError) as error:
        citations.load_bibliography(DATA / "refs-case.bib")
    assert str(error.value).startswith(
        f"{DATA / 'refs-case.bib'}:7: key 'Lanteigne2005' differs only in case from 'lanteigne2005'"
    )


@pytest.mark.parametrize(
    ("bib", "expected"),
    [
        pytest.param(
            "@book{moreau1998,\n  author = {Moreau, Claire},\n  title = {Catalogues},\n"
            "  publisher = {Éditions de l'Enssib}\n  address = {Villeurbanne},\n"
            "  year = {1998}\n}\n",
            "refs.bib:4: [missing-comma] entry 'moreau1998': missing comma after field "
            "publisher (the field address on the next line was read as part of its value)\n"
            "  hint: end the line with a comma: publisher = {...},",
            id="missing-comma",
        ),
        pytest.param(
            "@article{garnier2019,\n  author = {Garnier, Hélène},\n"
            "  title = {Le {troisième lieu},\n  year = {2019}\n}\n\n"
            "@misc{lefevre2016,\n  author = {Lefèvre, Sophie},\n  year = {2016}\n}\n",
            "refs.bib:3: [parse-error] the { at column 11 is never closed: "
            "'@article{garnier2019' (line 1) could not be parsed and is not read\n"
            "  hint: check that every { has its } and every field ends with a comma; the entry "
            "is kept out of the bibliography until it parses",
            id="unclosed-brace",
        ),
    ],
)
def test_a_broken_bibliography_is_reported_as_the_lint_does(bib, expected, tmp_path, capfd):
    """The parse problems of ``article bibliography lint`` at refs.bib:line, with no raw
    bibtexparser or pandoc text."""
    (tmp_path / "refs.bib").write_text(bib, encoding="utf-8")
    with pytest.raises(CitationError) as error:
        citations.load_bibliography(tmp_path / "refs.bib")
    assert str(error.value) == f"{tmp_path}/{expected}"
    captured = capfd.readouterr()
    assert captured.out == captured.err == ""


@pytest.mark.parametrize("text", ["", "\n% no references\n", "@comment{none yet}\n"])
def test_an_empty_bibliography_has_no_entries(text, tmp_path):
    (tmp_path / "refs.bib").write_text(text, encoding="utf-8")
    assert citations.load_bibliography(tmp_path / "refs.bib").entries == {}
    source = tmp_path / "a.md"
    source.write_text("Text without citations.\n", encoding="utf-8")
    options = {"bib": str(tmp_path / "refs.bib"), "corrections": None}
    assert citations.command([str(source)], check=True, **options) == 0


# ------------------------------------------------------------------ modes


def test_check_fails_on_non_canonical_and_passes_on_canonical(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("Text (Nasir, 2007, p.40).\n")
    options = {"bib": str(DATA / "refs.bib"), "corrections": None}
    assert citations.command([str(source)], check=True, **options) == 1
    assert f"{source}:1:6: not canonical" in capsys.readouterr().err
    source.write_text("Text [@nasir2007, p. 40].\n")
    assert citations.command([str(source)], check=True, **options) == 0


def test_check_fails_on_unresolved_with_path_line_col(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("First line.\nText (Aris, 2001, p.469).\n")
    options = {"bib": str(DATA / "refs.bib"), "corrections": None, "check": True}
    assert citations.command([str(source)], **options) == 1
    err = capsys.readouterr().err
    assert f"{source}:2:7: citation 'Aris, 2001, p.469' matches no single entry" in err
    assert "manuscript/citation-corrections.yaml" in err
    assert "candidates: aris2009 (author names match 'Aris'" in err


def test_unresolved_citations_as_warnings_for_old_revisions(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("First line.\nText (Aris, 2001, p.469).\n")
    out = tmp_path / "out" / "article.md"
    options = {"bib": str(DATA / "refs.bib"), "corrections": None, "output": str(out)}
    assert citations.command([str(source)], **options) == 1
    assert f"error: {source}:2:7: citation 'Aris, 2001, p.469'" in capsys.readouterr().err
    assert citations.command([str(source)], errors_as_warnings=True, **options) == 0
    err = capsys.readouterr().err
    assert f"warning: {source}:2:7: citation 'Aris, 2001, p.469' matches no single entry" in err
    assert "error:" not in err
    assert out.read_text() == "First line.\nText (Aris, 2001, p.469).\n"  # as written


def test_write_is_atomic_and_idempotent(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("Text (Nasir, 2007, p.40) and (Lewis and Litai, 2006).\n")
    options = {"bib": str(DATA / "refs.bib"), "corrections": None, "write": True}
    assert citations.command([str(source)], **options) == 0
    assert f"{source}: rewrote 2 citations in pandoc's canonical form" in capsys.readouterr().err
    first = source.read_text()
    assert first == "Text [@nasir2007, p. 40] and [@lewis2006].\n"
    assert citations.command([str(source)], **options) == 0
    assert "rewrote" not in capsys.readouterr().err  # nothing left to rewrite
    assert source.read_text() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]


def test_workflow_mode_writes_only_outputs(tmp_path):
    source = tmp_path / "01-a.md"
    source.write_text("Text (Nasir, 2007, p.40).\n")
    out, report = tmp_path / "out" / "article.md", tmp_path / "out" / "citations.json"
    code = citations.command(
        [str(source)],
        bib=str(DATA / "refs.bib"),
        corrections=None,
        output=str(out),
        report=str(report),
    )
    assert code == 0
    assert source.read_text() == "Text (Nasir, 2007, p.40).\n"
    assert out.read_text() == "Text [@nasir2007, p. 40].\n"
    assert json.loads(report.read_text())["summary"]["exact"] == 1
    assert (tmp_path / "out" / "citations.md").read_text().startswith("# Citations")


@pytest.mark.parametrize(
    "text",
    [
        "Joined as members (@fig-timeline).\n",
        "The summits are listed in [@tbl-summits].\n",
        "See @sec-conclusion for more.\n",
    ],
    ids=["narrative-figure", "bracket-table", "section"],
)
def test_cross_references_are_not_citations(text: str) -> None:
    from build.citations import scan

    assert scan("x.md", text) == []


def test_typo_in_a_typed_key_asks_to_fix_the_source(tmp_path, capsys):
    source = tmp_path / "02-section.md"
    source.write_text("Soft balancing [@lanteinge2005].\n")
    bib = DATA / "refs.bib"
    options = {"bib": str(bib), "corrections": None, "check": True}
    assert citations.command([str(source)], **options) == 1
    assert capsys.readouterr().err == (
        f"error: {source}:1:16: citation '[@lanteinge2005]': no entry of {bib} has this key\n"
        f"  hint: did you mean: lanteigne2005 (similar key)? Correct the key in {source}\n"
    )


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["manuscript/01-a.md"], ("refs.bib", "manuscript/citation-corrections.yaml")),
        (
            ["manuscript/submitted/article.txt"],
            ("refs.bib", "manuscript/citation-corrections.yaml"),
        ),
        (
            ["articles/x/manuscript/01-a.md", "articles/x/manuscript/02-b.md"],
            ("articles/x/refs.bib", "articles/x/manuscript/citation-corrections.yaml"),
        ),
        (["/tmp/draft.md"], ("refs.bib", "manuscript/citation-corrections.yaml")),
    ],
    ids=["root", "submitted", "article", "outside"],
)
def test_the_bibliography_is_that_of_the_files_article(files, expected):
    assert citations.article_files(files) == expected


def test_files_of_two_articles_need_their_own_runs():
    with pytest.raises(CitationError) as caught:
        citations.article_files(["manuscript/01-a.md", "articles/x/manuscript/01-a.md"])
    assert str(caught.value) == (
        "manuscript/01-a.md: the files belong to different articles (., articles/x)\n"
        "  hint: run the command once per article, or give --bib and --corrections"
    )


def test_a_passing_check_says_what_it_checked(tmp_path, capsys):
    source = tmp_path / "a.md"
    source.write_text("Typed [@aris2011, p. 469].\n", encoding="utf-8")
    options = {"bib": str(DATA / "refs.bib"), "corrections": None, "check": True}
    assert citations.command([str(source)], **options) == 0
    assert capsys.readouterr().out == (
        f"citations: ok: 1 file, 1 citation of 1 work against {DATA / 'refs.bib'}, "
        "all resolved and canonical\n"
    )


def test_a_passing_check_counts_citations_and_the_works_they_cite(tmp_path, capsys):
    """Three citations of two works in two files: a work cited twice is one work."""
    first, second = tmp_path / "01-a.md", tmp_path / "02-b.md"
    first.write_text("Typed [@aris2011, p. 469] and [@lewis2006].\n", encoding="utf-8")
    second.write_text("Again [@aris2011, p. 470].\n", encoding="utf-8")
    options = {"bib": str(DATA / "refs.bib"), "corrections": None, "check": True}
    assert citations.command([str(first), str(second)], **options) == 0
    assert capsys.readouterr().out == (
        f"citations: ok: 2 files, 3 citations of 2 works against {DATA / 'refs.bib'}, "
        "all resolved and canonical\n"
    )

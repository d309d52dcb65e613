"""The citations stage on the root article with its real values: the submitted text
(manuscript/submitted/article.txt) normalised with refs.bib and
manuscript/citation-corrections.yaml, and the manuscript's citations equal to it (the stage's
rules on small inputs: tests/unit/test_citations.py)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from build import citations

ROOT = Path(__file__).resolve().parents[2]
REAL_BIB = ROOT / "refs.bib"
REAL_CORRECTIONS = ROOT / "manuscript" / "citation-corrections.yaml"
SUBMITTED = ROOT / "manuscript" / "submitted" / "article.txt"


@pytest.fixture(scope="module")
def real_result() -> citations.Result:
    bib = citations.load_bibliography(REAL_BIB)
    decisions = citations.load_corrections(REAL_CORRECTIONS)
    text = citations.read_text(SUBMITTED)
    return citations.normalize_citations(
        [("manuscript/submitted/article.txt", text)], bib, decisions
    )


def test_submitted_text_citation_count_and_statuses(real_result):
    # 106 parentheses of the body are citations, one work each (counted by reading: 109
    # parentheses hold a year, "Article", a URL or "charter"; (2003), (1815-1853) and
    # (1920-1939) are not citations).
    summary = real_result.report()["summary"]
    assert summary == {
        "citations": 106,
        "exact": 87,
        "corrected": 13,
        "ibid": 3,
        "candidates": 0,
        "unresolved": 3,
        "kept_as_text": 3,
        "failing": 0,
    }


def test_submitted_text_report_fields(real_result):
    report = real_result.report()
    first = report["citations"][0]
    assert first == {
        "source": "manuscript/submitted/article.txt",
        "line": 17,
        "column": 282,
        "text": "Mackinder, 2004, p.298-303",
        "citation": "(Mackinder, 2004, p.298-303)",
        "keys": ["mackinder2004"],
        "locator": {"label": "page", "value": "298–303"},
        "status": "exact",
        "candidates": [],
        "mode": "parenthetical",
        "flags": ["narrative lead-in: 'Halford Mackinder'"],
    }
    assert report["missing"] == []
    assert report["uncited"] == [
        "jiaqing1998",
        "megoran2013",
        "ministry2002",
        "scalpino1986",
        "united2009",
    ]
    assert report["duplicates"] == [
        {"key": "aris2009", "forms": ["Aris, 2001", "Aris, 2009"]},
        {"key": "scond", "forms": ["Charter of the SCO", "SCO Charter"]},
    ]
    kept = [r["text"] for r in report["citations"] if r.get("keep_as_text")]
    assert kept == [
        "https://cis-legislation.com/ document.fwx?rgn=3851",
        "Xinhua News Agency, 27 April, 1997",
        "http://ecrats.org/en/",
    ]
    ibid = [(r["line"], r["keys"], r.get("flags", [])) for r in report["citations"]]
    ibid = [x for x, r in zip(ibid, report["citations"], strict=True) if r["status"] == "ibid"]
    assert [(line, keys) for line, keys, _ in ibid] == [
        (43, ["aris2011"]),
        (51, ["ambrosio2008"]),
        (83, ["mahmud2001"]),
    ]
    assert [bool(flags) for _, _, flags in ibid] == [True, False, True]
    assert not report["corrections_unused"]


def test_submitted_text_nothing_else_is_taken_for_a_citation(real_result):
    new = real_result.texts["manuscript/submitted/article.txt"]
    for aside in ["(SCO)", "(2003)", "(CBMs)", "(NATO plus ISAF)", "(Kyrgyzstan)", "(IMF)"]:
        assert aside in new
    assert "(Ibid" not in new.split("\nReferences\n")[0]


def _citation_sequence(result: citations.Result) -> list[tuple[tuple[str, ...], str | None]]:
    return [
        (tuple(r.keys), r.locator.canonical() if r.locator else None)
        for r in result.records
        if not r.keep_as_text
    ]


def test_manuscript_citations_equal_the_normalized_submission(real_result):
    sections = sorted((ROOT / "manuscript").glob("[0-9][0-9]-*.md"))
    bib = citations.load_bibliography(REAL_BIB)
    decisions = citations.load_corrections(REAL_CORRECTIONS)
    manuscript = citations.normalize_citations(
        [(str(p.relative_to(ROOT)), citations.read_text(p)) for p in sections], bib, decisions
    )
    assert manuscript.failing == []
    assert manuscript.not_canonical == []
    expected, actual = _citation_sequence(real_result), _citation_sequence(manuscript)
    assert Counter(actual) == Counter(expected)
    assert actual == expected

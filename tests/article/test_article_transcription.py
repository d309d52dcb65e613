"""The transcription of the submitted article into manuscript/ loses and adds no word.

The source is manuscript/submitted/article.txt (the text extracted from the submitted PDF): the
front matter (title, authors, affiliations, abstract, keywords) and the body from the first
heading to the "References" line. Its author-note paragraphs, running head and footnote texts
are accounted for by their new places (metadata author-note and running-head, pandoc footnotes).
Citations are removed on both sides before comparing: the author's parenthetical citations in
the source, pandoc citations (and the few citations deliberately kept as text) in the
manuscript. Every other difference must be listed in words_removed / words_added of
manuscript/editorial-log.yaml.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pypandoc
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANUSCRIPT = ROOT / "manuscript"
SOURCE = MANUSCRIPT / "submitted" / "article.txt"
LOG = MANUSCRIPT / "editorial-log.yaml"
REFS = ROOT / "refs.bib"

HEADINGS = [
    "Central Asia, SCO and the Great Powers Competition",
    "Shanghai Spirit and New Security Concept (NSC)",
    "The Evolution of Shanghai Five",
    "Emergence of Multilateralism: The Formation of SCO",
    "Organizational Structure of SCO",
    "Areas of Cooperation in the SCO",
    "Conclusion",
]

#: Footnote markers of the PDF (superscript digits) are not words.
_SUPERSCRIPTS = dict.fromkeys(map(ord, "⁰¹²³⁴⁵⁶⁷⁸⁹"))
#: An author-year style citation in parentheses: letters plus a year, Ibid, Charter, Article or
#: a URL. Bare years such as "(2003)" or "(1815-1853)" are text, not citations.
_PAREN_CITATION = re.compile(
    r"\((?=[^()]*[A-Za-z])(?=[^()]*(?:\b1[5-9]\d\d\b|\b20\d\d\b|Ibid|[Cc]harter|\bArticle\b"
    r"|https?://))[^()]*\)"
)
#: Pandoc citations: bracketed groups, then bare narrative keys (not e-mail addresses).
_PANDOC_GROUP = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
_PANDOC_KEY = re.compile(r"(?<![\w.@])@([\w:.#$%&+?<>~/-]*\w)")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")
_FOOTNOTE_DEF = re.compile(r"^\[\^([^\]\s]+)\]:\s+(.*)$", re.M)
_HEADING_ATTR = re.compile(r"\s*\{#[^}]*\}")

#: Citations of the submission kept as text in the manuscript -> their editorial-log entry.
KEPT_AS_TEXT = {
    "(<https://cis-legislation.com/document.fwx?rgn=3851>)": "C021",
    "(Xinhua News Agency, 27 April, 1997)": "C020",
    "(<http://ecrats.org/en/>)": "C022",
}


def words(text: str) -> list[str]:
    """Lower-case word tokens (runs of letters and digits) without footnote markers."""
    return re.findall(r"[^\W_]+", text.translate(_SUPERSCRIPTS).lower())


def strip_source_citations(text: str) -> str:
    return _PAREN_CITATION.sub(" ", text)


def strip_manuscript_citations(text: str) -> str:
    text = _PANDOC_GROUP.sub(" ", text)
    text = _PANDOC_KEY.sub(" ", text)
    return _PAREN_CITATION.sub(" ", text)


def strip_markup(text: str) -> str:
    """Remove heading ids and footnote labels (pandoc syntax, not the author's words)."""
    text = _HEADING_ATTR.sub("", text)
    return _FOOTNOTE_REF.sub(" ", text)


# --- the two sides ------------------------------------------------------------------------------


def source_lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").split("\n")


def source_text() -> tuple[str, str]:
    """(front matter, body): lines before the first heading; heading to 'References'."""
    lines = source_lines()
    start = lines.index(HEADINGS[0])
    end = lines.index("References")
    return "\n".join(lines[:start]), "\n".join(lines[start:end])


def metadata() -> dict[str, Any]:
    return yaml.safe_load((MANUSCRIPT / "metadata.yaml").read_text(encoding="utf-8"))


def metadata_text(meta: dict[str, Any]) -> str:
    """The words of metadata that come from the submission's front matter and page furniture."""
    parts = [meta["title"], meta["running-head"], meta["abstract"]]
    parts += [a["name"] for a in meta["author"]]
    parts += [a["name"] for a in meta["affiliations"]]
    parts += list(meta["author-note"].values())
    parts += meta["keywords"]
    return "\n".join(parts)


def sections() -> list[Path]:
    return sorted(MANUSCRIPT.glob("[0-9][0-9]-*.md"))


def sections_text() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sections())


def log_entries() -> list[dict[str, Any]]:
    return yaml.safe_load(LOG.read_text(encoding="utf-8"))


def logged_words(field: str) -> Counter[str]:
    return Counter(w for e in log_entries() for w in words(str(e.get(field, ""))))


def difference(source: Counter[str], manuscript: Counter[str]) -> str:
    """Readable report of two word multisets: '' when equal."""
    missing, extra = source - manuscript, manuscript - source
    if not missing and not extra:
        return ""

    def show(counts: Counter[str]) -> str:
        return ", ".join(f"{w}×{n}" if n > 1 else w for w, n in sorted(counts.items()))

    return (
        f"words of the source missing from the manuscript ({sum(missing.values())}): "
        f"{show(missing)}\nwords in the manuscript not in the source ({sum(extra.values())}): "
        f"{show(extra)}"
    )


def word_difference(manuscript_sections: str) -> str:
    front, body = source_text()
    source = Counter(words(strip_source_citations(front + "\n" + body)))
    source = source - logged_words("words_removed") + logged_words("words_added")
    manuscript = Counter(
        words(metadata_text(metadata()))
        + words(strip_manuscript_citations(strip_markup(manuscript_sections)))
    )
    return difference(source, manuscript)


# --- tests --------------------------------------------------------------------------------------


def test_submitted_copy_is_the_source_as_extracted() -> None:
    lines = source_lines()
    assert lines[0].startswith("Sino-Russia Strategic Partnership")
    assert lines.count("References") == 1
    assert "SHANGHAI COOPERATION ORGANIZATION (SCO)" in lines


def test_words_preserved() -> None:
    report = word_difference(sections_text())
    assert not report, "\n" + report


def test_word_check_catches_a_dropped_sentence() -> None:
    sentence = (
        "According to Alexei Borodavkin, the Russian Federation Deputy Minister of Foreign "
        "Affairs.\n"
    )
    text = sections_text()
    assert text.count(sentence) == 1
    report = word_difference(text.replace(sentence, ""))
    assert "missing from the manuscript (12): according, affairs, alexei, borodavkin" in report


def test_body_word_order_preserved() -> None:
    """Sections without footnotes read word for word as the source body without its page
    furniture (author notes, footnote rule, footnotes, running head): joins changed no order."""
    meta = metadata()
    furniture = {*meta["author-note"].values(), meta["running-head"], "_"}
    _, body = source_text()
    footnote = re.compile("^[⁰¹²³⁴⁵⁶⁷⁸⁹] ")
    kept = [line for line in body.split("\n") if line not in furniture and not footnote.match(line)]
    source = words(strip_source_citations("\n".join(kept)))
    text = _FOOTNOTE_DEF.sub(" ", sections_text())
    manuscript = words(strip_manuscript_citations(strip_markup(text)))
    if source != manuscript:
        at = next(
            (i for i, (a, b) in enumerate(zip(source, manuscript, strict=False)) if a != b),
            min(len(source), len(manuscript)),
        )
        pytest.fail(
            f"word {at} differs:\n  source:     {' '.join(source[at - 8 : at + 8])}\n"
            f"  manuscript: {' '.join(manuscript[at - 8 : at + 8])}"
        )


def test_every_citation_converted_or_logged() -> None:
    _, body = source_text()
    in_source = _PAREN_CITATION.findall(body)
    text = sections_text()
    pandoc = _PANDOC_GROUP.findall(text)
    left = _PAREN_CITATION.findall(_PANDOC_GROUP.sub(" ", text))
    assert left == list(KEPT_AS_TEXT)
    assert len(in_source) == 106
    assert len(pandoc) + len(left) == len(in_source)
    log = {e["id"]: f"{e['source']} {e['action']}" for e in log_entries()}
    for kept, entry in KEPT_AS_TEXT.items():
        assert kept in log[entry]


def test_sections_and_headings() -> None:
    files = sections()
    assert len(files) == 7
    firsts = [p.read_text(encoding="utf-8").split("\n", 1)[0] for p in files]
    assert [_HEADING_ATTR.sub("", f.removeprefix("# ")) for f in firsts] == HEADINGS
    assert all(re.fullmatch(r"# .+ \{#sec-[a-z0-9-]+\}", f) for f in firsts)
    text = sections_text()
    assert re.findall(r"^#+ ", text, re.M) == ["# "] * 7  # the source shows one heading level


def test_footnotes_defined_once_and_referenced() -> None:
    text = sections_text()
    definitions = _FOOTNOTE_DEF.findall(text)
    labels = [label for label, _ in definitions]
    references = [m for m in _FOOTNOTE_REF.findall(_FOOTNOTE_DEF.sub(" ", text))]
    assert dict(definitions) == {
        "zhenbao": "Zhenbao in Chinese.",
        "members": "China, Russia, Kazakhstan, Kyrgyzstan, Tajikistan, Uzbekistan, India and "
        "Pakistan.",
    }
    assert sorted(references) == sorted(labels)  # each called exactly once
    assert "Damansky[^zhenbao] Island" in text
    assert "Presently it has 8 permanent members[^members]" in text
    assert not re.search("[¹²³►]", text + json.dumps(metadata(), ensure_ascii=False))


def test_pandoc_reads_notes_and_citations() -> None:
    ast = json.loads(pypandoc.convert_text(sections_text(), "json", format="markdown"))
    kinds: Counter[str] = Counter()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                ids = [c["citationId"] for c in node["c"][0]]
                if all(i.startswith(("tbl-", "fig-")) for i in ids):
                    kinds["CrossRef"] += 1
                    return
            if "t" in node:
                kinds[node["t"]] += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(ast["blocks"])
    assert kinds["Note"] == 2
    assert kinds["Cite"] == 103
    assert kinds["CrossRef"] == 3  # @fig-timeline, @tbl-summits, @fig-bodies (T022-T024)
    assert kinds["Header"] == 7
    assert kinds["BulletList"] == 1
    assert kinds["Link"] == 2  # the two URLs kept as autolinks (C021, C022)


def test_citation_keys_are_in_refs_bib() -> None:
    if not REFS.exists():
        pytest.skip("refs.bib not written yet")
    bib_keys = set(re.findall(r"^@\w+\s*\{\s*([^,\s]+)\s*,", REFS.read_text("utf-8"), re.M))
    used = set()
    for group in _PANDOC_GROUP.findall(sections_text()):
        used.update(_PANDOC_KEY.findall(group))
    assert used, "no citation found"
    assert sorted(used - bib_keys) == []


def test_editorial_log_shape() -> None:
    entries = log_entries()
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[TCRQ]\d{3}", i) for i in ids)
    for entry in entries:
        assert {"id", "kind", "where", "source", "action", "reason"} <= entry.keys(), entry["id"]
        for where in str(entry["where"]).split("; "):
            path = where.split(":")[0]
            assert (ROOT / path).exists(), f"{entry['id']}: {where}"

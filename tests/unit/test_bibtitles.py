"""Proper nouns of an article's own text (issue 15): the words its section files capitalise in
mid-sentence (build.bibtitles.manuscript_proper_nouns, read by
build.bibliography.manuscript_evidence), on small manuscripts of their own in three languages.
What they make pandoc's citeproc print is tested in test_bibclean.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.bibliography import manuscript_evidence
from build.errors import BibliographyError


def evidence(tmp_path: Path, text: str, lang: str = "en-US") -> dict[str, tuple[str, ...]]:
    """phrase -> evidence of a manuscript folder with one section file holding ``text``."""
    folder = tmp_path / "manuscript"
    folder.mkdir()
    (folder / "metadata.yaml").write_text(f"title: T\nlang: {lang}\n", encoding="utf-8")
    (folder / "01-intro.md").write_text(text, encoding="utf-8")
    known = manuscript_evidence(folder)
    assert known.reason == "manuscript"
    return {
        phrase: tuple(w.split("/")[-1] for w in where) for phrase, where in known.phrases.items()
    }


CASES = [
    ("mid-sentence", "In 2017 India and Pakistan joined the group.\n", ["India", "Pakistan"]),
    ("line-start", "# Intro\n\nIndia joined in 2017.\n", []),
    ("after-a-full-stop", "It grew. India joined. Then, e.g. Nepal.\n", []),
    ("after-a-colon", "One joined: India.\n", []),
    ("a-run-is-one-phrase", "Trade with Central Asia grew.\n", ["Central Asia"]),
    ("a-run-at-the-start", "Central Asia grew.\n", ["Asia"]),
    ("possessive", "Ties with China’s neighbours grew.\n", ["China"]),
    ("emphasis-is-a-title", "They read *The Great Game* and **Big Words** again.\n", []),
    ("quotation", 'He said "Trade is War" and ‘Peace Now’ then, “Sea Time”.\n', []),
    ("citations", "As @roe2015 [Chapter 2] show, it grew [see @doe2014, Part 3].\n", []),
    ("brackets", "Small states (Bhutan is one) and Nepal too.\n", ["Nepal"]),
    ("heading-and-table", "# Trade With Asia\n\n| Head | Row |\n|---|---|\n| a Bb | c |\n", []),
    ("footnote", "It grew.^[Nepal joined, as did Sri Lanka.] The end.\n", ["Sri Lanka"]),
    (
        "lower-case-disagrees",
        "The Organization met.\nWe saw the Organization and an organization.\n",
        [],
    ),
    (
        "phrase-in-lower-case-disagrees",
        "The theory of Soft Balancing is old.\nStates use soft balancing.\n",
        [],
    ),
]


@pytest.mark.parametrize(("text", "phrases"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_words_capitalised_in_mid_sentence(tmp_path: Path, text: str, phrases: list) -> None:
    assert sorted(evidence(tmp_path, text)) == phrases


def test_the_evidence_names_file_and_line(tmp_path: Path) -> None:
    text = "# Trade With India\n\nIndia joined.\nIn 2017 India and Pakistan joined.\n"
    assert evidence(tmp_path, text) == {"India": ("01-intro.md:4",), "Pakistan": ("01-intro.md:4",)}


def test_spanish_capitals_are_evidence(tmp_path: Path) -> None:
    text = "La cooperación entre China e India creció.\nEl comercio con la India también.\n"
    assert sorted(evidence(tmp_path, text, "es-ES")) == ["China", "India"]


def test_german_capitals_are_no_evidence(tmp_path: Path) -> None:
    # German capitalises every noun: "Handel", "Bank" would pass for proper nouns
    text = "Der Handel zwischen China und Indien wächst.\nDie Bank und der Staat.\n"
    assert evidence(tmp_path, text, "de-DE") == {}


def test_a_folder_without_section_files_is_no_evidence(tmp_path: Path) -> None:
    # a build of the tables alone; the manuscript stage reports missing sections
    assert dict(manuscript_evidence(tmp_path).phrases) == {}


def test_a_section_file_that_is_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "01-intro.md").write_bytes(b"# Intro\n\nTrade with Espa\xf1a.\n")
    with pytest.raises(BibliographyError, match="cannot read the section file") as raised:
        manuscript_evidence(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path}/01-intro.md: ")

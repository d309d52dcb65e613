"""Semantic line breaks: one sentence per line, content never changed (pandoc AST round trip)."""

from __future__ import annotations

import json
from pathlib import Path

import pypandoc
import pytest

from build.errors import ManuscriptError
from build.linebreaks import (
    check_file,
    command,
    format_semantic_line_breaks,
    split_sentences,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "linebreaks"


def _ast(text: str) -> object:
    """pandoc's JSON AST with SoftBreak normalised to Space (what a reader sees)."""
    raw = pypandoc.convert_text(text, "json", format="markdown")
    return json.loads(raw.replace('{"t":"SoftBreak"}', '{"t":"Space"}'))["blocks"]


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two.", ["One.", "Two."]),
        ("See (Paul, 2018, p. 3). Then more.", ["See (Paul, 2018, p. 3).", "Then more."]),
        ("Here T. V Paul proposed it. Yes.", ["Here T. V Paul proposed it.", "Yes."]),
        ("Peace (i.e. harmony) holds. Yes.", ["Peace (i.e. harmony) holds.", "Yes."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("Prof. Dr. Razia Sultana has worked.", ["Prof. Dr. Razia Sultana has worked."]),
        ("In 2001 it began. 22 agreements.", ["In 2001 it began.", "22 agreements."]),
        (
            "It ended. @vanderberg2019 [p. 14] reads it. [@okafor2018] agrees.",
            ["It ended.", "@vanderberg2019 [p. 14] reads it. [@okafor2018] agrees."],
        ),
        ("See e.g. @vanderberg2019 here.", ["See e.g. @vanderberg2019 here."]),
        (
            "Il pleut. À Lyon aussi. Étudier coûte. É. Durand le dit (dir. Martin).",
            ["Il pleut.", "À Lyon aussi.", "Étudier coûte.", "É. Durand le dit (dir. Martin)."],
        ),
        (
            "« Non », dit-il. « Oui. » Ensuite… Rien.",
            ["« Non », dit-il.", "« Oui. »", "Ensuite…", "Rien."],
        ),
        (
            "Es regnet. Über Nacht. Äpfel, vgl. Müller, z.B. Öl. „Ja“, sagt sie.",
            ["Es regnet.", "Über Nacht.", "Äpfel, vgl. Müller, z.B. Öl.", "„Ja“, sagt sie."],
        ),
        (
            "Это так. Ещё раз, т.е. Москва. Ж. Иванов пишет. Σήμερα βρέχει.",
            ["Это так.", "Ещё раз, т.е. Москва.", "Ж. Иванов пишет.", "Σήμερα βρέχει."],
        ),
        ("Voir p.\u00a0Paul. Fin. à suivre.", ["Voir p.\u00a0Paul.", "Fin. à suivre."]),
    ],
    ids=[
        "plain",
        "citation",
        "initials",
        "ie",
        "quote",
        "titles",
        "digit-start",
        "narrative-citation-start",
        "citation-after-abbreviation",
        "french-accented-capitals",
        "french-guillemets-ellipsis",
        "german-umlauts",
        "russian-greek",
        "nbsp-kept-lower-case-continues",
    ],  # fmt: skip
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_fixture_is_reflowed_one_sentence_per_line() -> None:
    text = (DATA / "wrapped.md").read_text(encoding="utf-8")
    formatted = format_semantic_line_breaks(text)
    lines = formatted.split("\n")
    assert (
        "After 9/11, the American attack on Afghanistan and Iraq further strengthen the "
        "unilateral position of the US." in lines
    )
    assert "  It meets once a year." in lines
    assert "    A second sentence." in lines
    assert "::: {#tbl-summits .generated}" in lines


def test_fixture_ast_unchanged_and_idempotent() -> None:
    text = (DATA / "wrapped.md").read_text(encoding="utf-8")
    formatted = format_semantic_line_breaks(text)
    assert formatted != text
    assert _ast(formatted) == _ast(text)
    assert format_semantic_line_breaks(formatted) == formatted


def test_fixture_reflows_to_the_reviewed_text() -> None:
    """wrapped.md becomes reflowed.md (reviewed by hand: one sentence per line, list items and
    footnotes continued at their indent, the fenced div untouched), which passes the check."""
    text = (DATA / "wrapped.md").read_text(encoding="utf-8")
    expected = (DATA / "reflowed.md").read_text(encoding="utf-8")
    assert format_semantic_line_breaks(text) == expected
    assert check_file(DATA / "reflowed.md") == []
    assert _ast(expected) == _ast(text)


def test_check_reports_path_and_line_and_write_fixes(tmp_path: Path, capsys) -> None:
    target = tmp_path / "01-section.md"
    target.write_text((DATA / "wrapped.md").read_text(encoding="utf-8"), encoding="utf-8")
    before = target.read_bytes()
    assert command([target], check=True) == 1
    assert f"{target}:3: not one sentence per line" in capsys.readouterr().out
    assert target.read_bytes() == before, "--check must not write"
    assert command([target], write=True) == 0
    assert command([target], check=True) == 0


def test_non_utf8_names_file_and_line(tmp_path: Path) -> None:
    target = tmp_path / "02-bad.md"
    target.write_bytes(b"# Title\n\nGood line.\nBad \xff byte.\n")
    with pytest.raises(ManuscriptError) as caught:
        check_file(target)
    assert str(caught.value).startswith(f"{target}:4:5: not UTF-8")


def test_a_passing_check_says_what_it_checked(tmp_path, capsys) -> None:
    from build import linebreaks

    good = tmp_path / "01-a.md"
    good.write_text("# A {#sec-a}\n\nOne sentence.\nAnother one.\n", encoding="utf-8")
    assert linebreaks.command([good, good], check=True) == 0
    assert capsys.readouterr().out == "linebreaks: ok: 2 files, one sentence per line\n"


def test_write_keeps_sentences_that_start_with_an_accented_capital(tmp_path, capsys) -> None:
    """A French file already one sentence per line passes the check and ``--write`` leaves its
    bytes alone (it joined "…(2018).\nÀ Lyon…" when only A-Z began a sentence)."""
    text = (
        "# Lyon {#sec-lyon}\n\nLa République fait de la lecture un instrument.\n"
        "À Lyon, le conseil vote un plan.\nÉtudier les lecteurs suppose de croiser les sources.\n"
        "Über die Stadt schreibt Müller.\nЭто тоже предложение.\n"
    )
    target = tmp_path / "01-lyon.md"
    target.write_text(text, encoding="utf-8")
    assert check_file(target) == []
    assert command([target], write=True) == 0
    assert target.read_text(encoding="utf-8") == text
    assert capsys.readouterr().out == "linebreaks: ok: 1 files, one sentence per line\n"
    wrapped = tmp_path / "02-wrapped.md"
    wrapped.write_text("Il pleut. À Lyon\naussi.\n", encoding="utf-8")
    assert format_semantic_line_breaks(wrapped.read_text(encoding="utf-8")) == (
        "Il pleut.\nÀ Lyon aussi.\n"
    )

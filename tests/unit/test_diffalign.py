"""Alignment of two revisions (build.difftokens sentences, build.diffalign): line wrapping
changes nothing, moves are marked at both places with their own edits, duplicates are
insertions, a changed locator marks only the locator."""

from __future__ import annotations

import re

import pytest

from build.diffcounts import Counts
from build.difftokens import document_from_ast
from diffcases import ast, counts, diff, page, section

HEAD = "# Les Alpes {#sec-alpes}\n\n"

#: One paragraph, one sentence per line (other authors, other topic than the article's).
SEMBR = (
    "Glaciers in the Alps lost a tenth of their volume between 2021 and 2023.\n"
    "Dr. Huss and his colleagues measured the loss on 176 glaciers, e.g. the Aletsch.\n"
    "The loss is reported on p. 12 of the survey (see Table 2).\n"
)
#: The same paragraph hard-wrapped at 38 columns, with one word changed ("176" -> "180").
WRAPPED = (
    "Glaciers in the Alps lost a tenth of\n"
    "their volume between 2021 and 2023. Dr.\n"
    "Huss and his colleagues measured the\n"
    "loss on 180 glaciers, e.g. the\n"
    "Aletsch. The loss is reported on p. 12\n"
    "of the survey (see Table 2).\n"
)


def sentences_text(markdown: str) -> list[str]:
    doc = document_from_ast(ast(HEAD + markdown))
    block = next(s for s in doc.sections if s.ident == "sec-alpes").blocks[0]
    return [" ".join(t.plain for t in s) for s in block.sentences]


def test_sentences_are_found_by_punctuation_not_by_line_ends() -> None:
    expected = [
        "Glaciers in the Alps lost a tenth of their volume between 2021 and 2023 .",
        "Dr . Huss and his colleagues measured the loss on 176 glaciers , e.g . the Aletsch .",
        "The loss is reported on p . 12 of the survey ( see Table 2 ) .",
    ]
    assert sentences_text(SEMBR) == expected
    assert sentences_text(SEMBR.replace("\n", " ")) == expected


@pytest.mark.parametrize(
    "new",
    [
        pytest.param(WRAPPED.replace("180", "176"), id="re-wrapped"),
        pytest.param(SEMBR.replace("\n", " ").strip() + "\n", id="one-line"),
        pytest.param(SEMBR.replace("glaciers, ", "glaciers,\n"), id="broken-mid-sentence"),
    ],
)
def test_re_wrapping_changes_nothing(new: str) -> None:
    result = diff(HEAD + SEMBR, HEAD + new)
    assert not result.changed
    assert counts(result, "sec-alpes").total == 0


def test_re_wrapped_paragraph_with_one_changed_word_is_one_changed_word() -> None:
    result = diff(HEAD + SEMBR, HEAD + WRAPPED)
    assert counts(result, "sec-alpes") == Counts(
        "Les Alpes", "sec-alpes", sentences_changed=1, words_added=1, words_removed=1
    )
    html = page(HEAD + SEMBR, HEAD + WRAPPED)
    paragraph = re.search(r'<p id="change-1" class="changed">(.*?)</p>', html).group(1)
    assert paragraph == (
        "Glaciers in the Alps lost a tenth of their volume between 2021 and 2023."
        " Dr. Huss and his colleagues measured the loss on"
        ' <del><span class="vh">deleted: </span>176</del>'
        ' <ins><span class="vh">inserted: </span>180</ins> glaciers, e.g. the Aletsch.'
        " The loss is reported on p. 12 of the survey (see Table 2)."
    )


P1 = "Le Rhône prend sa source au glacier du Rhône, dans le canton du Valais.\n"
P2 = "Il traverse le lac Léman avant d'entrer en France à Genève.\n"
P3 = "À Lyon, il reçoit la Saône, son principal affluent de rive gauche.\n"
P4 = "Il se jette dans la Méditerranée par un vaste delta, la Camargue.\n"
FLEUVE = "# Le fleuve {#sec-fleuve}\n\n"
DELTA = "# Le delta {#sec-delta}\n\n"


def statuses(result, ident: str) -> list[tuple[str, int, str]]:
    return [(b.status, b.move, b.where) for b in section(result, ident).blocks]


def test_two_swapped_paragraphs_are_both_moved_at_both_places() -> None:
    old = FLEUVE + P1 + "\n" + P2 + "\n" + P3
    new = FLEUVE + P2 + "\n" + P1 + "\n" + P3
    result = diff(old, new)
    assert statuses(result, "sec-fleuve") == [
        ("moved-from", 1, "Le fleuve"),
        ("moved-to", 2, "Le fleuve"),
        ("moved-from", 2, "Le fleuve"),
        ("moved-to", 1, "Le fleuve"),
        ("same", 0, ""),
    ]
    assert counts(result, "sec-fleuve") == Counts("Le fleuve", "sec-fleuve", sentences_moved=2)
    html = page(old, new)
    for n in (1, 2):
        assert f'<del class="moved" id="move-{n}-from">' in html
        assert f'<ins class="moved" id="move-{n}-to">' in html
        assert f'<a class="move-note" href="#move-{n}-to">[moved to Le fleuve]</a>' in html
        assert f'<a class="move-note" href="#move-{n}-from">[moved from Le fleuve]</a>' in html
    assert "<ins><span" not in html.split("</section>", 2)[2]  # nothing shown as inserted


def test_paragraph_taken_past_two_others_is_the_only_one_moved() -> None:
    old = FLEUVE + P1 + "\n" + P2 + "\n" + P3
    new = FLEUVE + P2 + "\n" + P3 + "\n" + P1
    assert [s for s, _, _ in statuses(diff(old, new), "sec-fleuve")] == [
        "moved-from",
        "same",
        "same",
        "moved-to",
    ]


def test_word_edited_in_a_moved_paragraph_is_a_move_with_its_edit_inside() -> None:
    old = FLEUVE + P1 + "\n" + P2 + "\n" + P3 + "\n" + DELTA + P4
    new = FLEUVE + P1 + "\n" + P3 + "\n" + DELTA + P4 + "\n" + P2.replace("lac", "grand lac")
    result = diff(old, new)
    assert statuses(result, "sec-fleuve") == [
        ("same", 0, ""),
        ("moved-from", 1, "Le delta"),
        ("same", 0, ""),
    ]
    assert statuses(result, "sec-delta") == [("same", 0, ""), ("moved-to", 1, "Le fleuve")]
    assert counts(result, "sec-delta") == Counts(
        "Le delta", "sec-delta", sentences_moved=1, words_added=1
    )
    assert counts(result, "sec-fleuve") == Counts("Le fleuve", "sec-fleuve")
    html = page(old, new)
    assert (
        '<ins class="moved" id="move-1-to"><span class="vh">moved here: </span>Il traverse le'
        ' <ins><span class="vh">inserted: </span>grand</ins> lac Léman avant'
    ) in html


def test_paragraph_that_appears_twice_is_the_original_and_an_insertion() -> None:
    old = FLEUVE + P1 + "\n" + P2
    new = FLEUVE + P1 + "\n" + P2 + "\n" + P1
    result = diff(old, new)
    assert [s for s, _, _ in statuses(result, "sec-fleuve")] == ["same", "same", "added"]
    assert counts(result, "sec-fleuve") == Counts(
        "Le fleuve", "sec-fleuve", sentences_added=1, words_added=14
    )
    assert "moved" not in page(old, new).split("</section>", 2)[2]


def sentence_statuses(result, ident: str) -> list[list[tuple[str, int]]]:
    return [[(s.status, s.move) for s in b.sentences] for b in section(result, ident).blocks]


def test_two_swapped_sentences_are_both_moved() -> None:
    old = FLEUVE + P1 + P2 + P3
    new = FLEUVE + P2 + P1 + P3
    result = diff(old, new)
    assert sentence_statuses(result, "sec-fleuve") == [
        [("moved-from", 1), ("moved-to", 2), ("moved-from", 2), ("moved-to", 1), ("same", 0)]
    ]
    assert counts(result, "sec-fleuve") == Counts("Le fleuve", "sec-fleuve", sentences_moved=2)


def test_edited_sentence_moved_to_another_section_keeps_its_edit_inside() -> None:
    old = FLEUVE + P1 + P2 + "\n" + DELTA + P4
    new = FLEUVE + P1 + "\n" + DELTA + P4 + P2.replace("Genève", "Genève-Plage")
    result = diff(old, new)
    assert sentence_statuses(result, "sec-fleuve") == [[("same", 0), ("moved-from", 1)]]
    assert sentence_statuses(result, "sec-delta") == [[("same", 0), ("moved-to", 1)]]
    assert counts(result, "sec-delta") == Counts(
        "Le delta", "sec-delta", sentences_moved=1, words_added=1, words_removed=1
    )


def test_sentence_that_appears_twice_is_the_original_and_an_insertion() -> None:
    old = FLEUVE + P1 + P2
    new = FLEUVE + P1 + P2 + P1
    result = diff(old, new)
    assert sentence_statuses(result, "sec-fleuve") == [[("same", 0), ("same", 0), ("added", 0)]]


def _reading(paragraph: str, without: str) -> str:
    """The text of a paragraph of the HTML diff without its ``<ins>`` (the old revision) or
    ``<del>`` (the new) marks and their content, and without the hidden labels."""
    kept = re.sub(rf"<{without}>.*?</{without}>", "", paragraph)
    return re.sub(r"<[^>]+>", "", re.sub(r'<span class="vh">[^<]*</span>', "", kept))


@pytest.mark.parametrize(
    ("old", "new", "marked", "readings"),
    [
        pytest.param(
            "[-@garver2016, p. 5]",
            "[@garver2016, p. 5]",
            '(<ins><span class="vh">inserted: </span>Garver, </ins>2016, p. 5)',
            ("(2016, p. 5)", "(Garver, 2016, p. 5)"),
            id="author-added",
        ),
        pytest.param(
            "[@garver2016, p. 5]",
            "[-@garver2016, p. 5]",
            '(<del><span class="vh">deleted: </span>Garver, </del>2016, p. 5)',
            ("(Garver, 2016, p. 5)", "(2016, p. 5)"),
            id="author-dropped",
        ),
        pytest.param(
            "[see @hyer1996]",
            "[@hyer1996]",
            '(<del><span class="vh">deleted: </span>see </del>Hyer, 1996)',
            ("(see Hyer, 1996)", "(Hyer, 1996)"),
            id="prefix-dropped",
        ),
    ],
)
def test_words_changed_right_after_a_bracket_keep_both_readings_spaced(
    old, new, marked, readings
) -> None:
    """The space after words inserted (deleted) right after "(" is inside the mark, as in the
    Word file (build.diffalign.opener_spaces): neither revision reads "( 2016" or "Garver,2016"."""
    html_text = page(HEAD + f"Le glacier recule {old}.\n", HEAD + f"Le glacier recule {new}.\n")
    paragraph = re.search(r'<p id="change-1" class="changed">(.*?)</p>', html_text).group(1)
    assert paragraph == f'Le glacier recule <span class="citation">{marked}</span>.'
    assert (_reading(paragraph, "ins"), _reading(paragraph, "del")) == tuple(
        f"Le glacier recule {r}." for r in readings
    )

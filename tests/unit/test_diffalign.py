"""Alignment of two revisions (build.difftokens sentences, build.diffalign): line wrapping
changes nothing, moves are marked at both places with their own edits, duplicates are
insertions, a changed locator marks only the locator."""

from __future__ import annotations

import re

import pytest

from build.diffalign import Counts
from build.difftokens import document_from_ast
from diffcases import ast, counts, diff, page

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

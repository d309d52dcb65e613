"""A reference-list entry that an edit re-sorts (build.diffalign._diff_entries): a deletion at
its old place and an insertion at its new one, linked as a move; the Word file read back with
every change rejected (accepted) lists the old (new) revision's entries in its own order."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from build.diffalign import diff_documents
from build.diffcounts import Counts, summary_rows
from build.diffdocx import document_lines, write_docx
from build.diffhtml import diff_html
from build.diffmoves import heaviest_chain
from build.difftokens import document_from_ast
from build.trackchanges import DIFF_CSS
from diffcases import NEW, OLD, ast, lines_back


@pytest.mark.parametrize(
    ("sequence", "weights", "chosen"),
    [
        # new places of the common entries in old order: the unchanged ones (weight 5) stay
        ([0, 2, 1, 3], [5, 5, 1, 5], [True, True, False, True]),
        ([0, 2, 1, 3], [5, 1, 5, 5], [True, False, True, True]),
        ([2, 0, 1], [1, 1, 1], [False, True, True]),
        ([], [], []),
    ],
)
def test_heaviest_chain(sequence, weights, chosen) -> None:
    assert heaviest_chain(sequence, weights) == chosen


def test_heaviest_chain_wants_one_weight_per_number() -> None:
    with pytest.raises(ValueError, match="^3 numbers but 2 weights$"):
        heaviest_chain([0, 1, 2], [1, 1])


def entry(key: str, author: str, year: int, title: str, kind: str = "book") -> str:
    """A BibTeX entry (``author`` empty: none)."""
    name = f"  author = {{{author}}},\n" if author else ""
    where = "  publisher = {Lumen},\n" if kind == "book" else "  journal = {Der Bund},\n"
    return f"@{kind}{{{key},\n{name}  title = {{{title}}},\n{where}  year = {{{year}}}\n}}\n"


def revisions(tmp_path: Path, text: str, bibs: tuple[str, str]) -> tuple:
    """The old and new revision of one Markdown text, each with its own bibliography."""
    docs = []
    for side, bib in zip(("old", "new"), bibs, strict=True):
        path = tmp_path / f"{side}.bib"
        path.write_text(bib, encoding="utf-8")
        docs.append(document_from_ast(ast(text, path)))
    return tuple(docs)


#: One entry's first author changes (Okafor -> Bello): APA sorts it from third to second.
RIVERS = (
    "# Rivers {#sec-r}\n\nRivers carry silt [@abe2001; @moreau2010; @okafor2012; @zapata2015].\n"
)
RIVERS_OLD = (
    entry("abe2001", "Abe, Kenji", 2001, "Silt")
    + entry("moreau2010", "Moreau, Claire", 2010, "Deltas")
    + entry("okafor2012", "Okafor, Ngozi", 2012, "Floods")
    + entry("zapata2015", "Zapata, Luis", 2015, "Banks")
)
RIVERS_NEW = RIVERS_OLD.replace("Okafor, Ngozi", "Bello, Amina")


@pytest.fixture(scope="module")
def rivers(tmp_path_factory: pytest.TempPathFactory) -> tuple:
    tmp = tmp_path_factory.mktemp("rivers")
    old, new = revisions(tmp, RIVERS, (RIVERS_OLD, RIVERS_NEW))
    result = diff_documents(old, new)
    path = tmp / "rivers.docx"
    write_docx(result, NEW, path)
    return old, new, result, path


def test_a_re_sorted_entry_is_moved_not_changed_in_place(rivers) -> None:
    _old, _new, result, _path = rivers
    refs = next(s for s in result.sections if s.ident == "references")
    assert [(b.status, b.block.ident, b.move) for b in refs.blocks] == [
        ("same", "abe2001", 0),
        ("moved-to", "okafor2012", 1),
        ("same", "moreau2010", 0),
        ("moved-from", "okafor2012", 1),
        ("same", "zapata2015", 0),
    ]
    assert {b.where for b in refs.blocks if b.move} == {"References"}
    # one entry moved, its author's two words ("Okafor, N." -> "Bello, A.") changed in it
    assert next(c for c in summary_rows(result) if c.ident == "references") == Counts(
        "References", "references", sentences_moved=1, words_added=2, words_removed=2
    )


def test_a_re_sorted_entry_reads_back_as_either_revision(rivers) -> None:
    old, new, _result, path = rivers
    assert lines_back(path, "reject") == document_lines(old)
    assert lines_back(path, "accept") == document_lines(new)
    assert document_lines(old)[3:] == [
        "Abe, K. (2001). Silt. Lumen.",
        "Moreau, C. (2010). Deltas. Lumen.",
        "Okafor, N. (2012). Floods. Lumen.",
        "Zapata, L. (2015). Banks. Lumen.",
    ]
    assert document_lines(new)[3:] == [
        "Abe, K. (2001). Silt. Lumen.",
        "Bello, A. (2012). Floods. Lumen.",
        "Moreau, C. (2010). Deltas. Lumen.",
        "Zapata, L. (2015). Banks. Lumen.",
    ]
    comments = zipfile.ZipFile(path).read("word/comments.xml").decode("utf-8")
    assert "Moved to References" in comments and "Moved from References" in comments


def test_a_re_sorted_entry_in_the_html_links_its_two_places(rivers) -> None:
    _old, _new, result, _path = rivers
    page = diff_html(result, OLD, NEW, DIFF_CSS.read_text(encoding="utf-8"))
    assert (
        '<p id="change-2" class="ref-entry moved-to"><span class="block-label">Moved entry:</span>'
        ' <ins class="moved" id="move-1-to"><span class="vh">moved here: </span>'
        '<del><span class="vh">deleted: </span>Okafor</del> <ins><span class="vh">inserted: </span>'
        'Bello</ins>, <del><span class="vh">deleted: </span>N</del> <ins><span class="vh">'
        "inserted: </span>A</ins>. (2012). <em>Floods</em>. Lumen."
        '</ins> <a class="move-note" href="#move-1-from">[moved from References]</a></p>'
    ) in page
    assert (
        '<p id="change-3" class="ref-entry moved-from"><span class="block-label">Moved entry:'
        '</span> <del class="moved" id="move-1-from"><span class="vh">moved away: </span>'
        "Okafor, N. (2012). <em>Floods</em>. Lumen.</del>"
        ' <a class="move-note" href="#move-1-to">[moved to References]</a></p>'
    ) in page


#: A German newspaper article without an author (sorted by its title, "Hochwasser") gains its
#: newspaper as group author (sorted under "Der Bund"); one entry is dropped, one added.
FLOODS = (
    "# Die Aare {#sec-aare}\n\n"
    "Die Aare trat über die Ufer [@egli2004; @bund2005; @suter2011; NEW].\n"
)
FLOODS_OLD = (
    entry("egli2004", "Egli, Hans", 2004, "{Die Aare}")
    + entry("bund2005", "", 2005, "Hochwasser in {Bern}", "article")
    + entry("keller2008", "Keller, Anna", 2008, "Uferschutz")
    + entry("suter2011", "Suter, Beat", 2011, "Pegel")
)
FLOODS_NEW = (
    entry("ammann2019", "Ammann, Lea", 2019, "Auen")
    + entry("egli2004", "Egli, Hans", 2004, "{Die Aare}")
    + entry("bund2005", "{Der Bund}", 2005, "Hochwasser in {Bern}", "article")
    + entry("suter2011", "Suter, Beat", 2011, "Pegel")
)


def test_an_entry_gaining_a_group_author_beside_removed_and_added_ones(tmp_path: Path) -> None:
    old_text = FLOODS.replace("NEW", "@keller2008")
    new_text = FLOODS.replace("NEW", "@ammann2019")
    old = revisions(tmp_path, old_text, (FLOODS_OLD, FLOODS_OLD))[0]
    new = revisions(tmp_path, new_text, (FLOODS_NEW, FLOODS_NEW))[1]
    result = diff_documents(old, new)
    refs = next(s for s in result.sections if s.ident == "references")
    assert [(b.status, b.block.ident) for b in refs.blocks] == [
        ("added", "ammann2019"),
        ("moved-to", "bund2005"),
        ("same", "egli2004"),
        ("moved-from", "bund2005"),
        ("removed", "keller2008"),
        ("same", "suter2011"),
    ]
    path = tmp_path / "floods.docx"
    write_docx(result, NEW, path)
    assert lines_back(path, "reject") == document_lines(old)
    assert lines_back(path, "accept") == document_lines(new)
    assert document_lines(old)[3:] == [
        "Egli, H. (2004). Die Aare. Lumen.",
        "Hochwasser in Bern. (2005). Der Bund.",
        "Keller, A. (2008). Uferschutz. Lumen.",
        "Suter, B. (2011). Pegel. Lumen.",
    ]
    assert document_lines(new)[3:] == [
        "Ammann, L. (2019). Auen. Lumen.",
        "Der Bund. (2005). Hochwasser in Bern. Der Bund.",
        "Egli, H. (2004). Die Aare. Lumen.",
        "Suter, B. (2011). Pegel. Lumen.",
    ]

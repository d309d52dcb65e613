"""The tracked-changes Word file (build.diffdocx): read back with pandoc, accepting every
change gives the new revision's text, rejecting every change the old one's."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from build.diffalign import diff_documents
from build.diffdocx import document_lines, write_docx
from build.difftokens import document_from_ast
from diffcases import NEW, ast, inline_text, lines_back, read_back

OLD_MD = (
    "# Le fleuve {#sec-fleuve}\n\n"
    "Le Rhône prend sa source au glacier du Rhône, dans le canton du Valais.\n"
    "Il traverse le lac Léman avant d'entrer en France à Genève [@garver2016, p. 544].\n\n"
    "À Lyon, il reçoit la Saône.\n\n"
    "# Le delta {#sec-delta}\n\n"
    "Il se jette dans la Méditerranée par un vaste delta, la Camargue.\n"
)
NEW_MD = (
    "# Le fleuve {#sec-fleuve}\n\n"
    "À Lyon, il reçoit la Saône, son principal affluent.\n\n"
    "Le Rhône prend sa source au glacier du Rhône, dans le canton du Valais.\n"
    "Il traverse le grand lac Léman avant d'entrer en France à Genève [@garver2016, p. 545].\n\n"
    "# Le delta {#sec-delta}\n\n"
    "Il se jette dans la Méditerranée par un delta, la Camargue.\n"
    "Les flamants roses y nichent.\n"
)


def _written(factory: pytest.TempPathFactory, old_md: str, new_md: str, name: str) -> tuple:
    """The Word diff of two revisions' Markdown, written to a new folder: (path, old, new)."""
    old, new = document_from_ast(ast(old_md)), document_from_ast(ast(new_md))
    path = factory.mktemp("docx") / name
    write_docx(diff_documents(old, new), NEW, path)
    return path, old, new


@pytest.fixture(scope="module")
def docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    return _written(tmp_path_factory, OLD_MD, NEW_MD, "article-diff.docx")


def test_accepting_every_change_gives_the_new_text(docx) -> None:
    path, _old, new = docx
    assert lines_back(path, "accept") == document_lines(new)


def test_rejecting_every_change_gives_the_old_text(docx) -> None:
    path, old, _new = docx
    assert lines_back(path, "reject") == document_lines(old)


def test_changes_are_word_tracked_changes_by_the_revision_author(docx) -> None:
    path, _old, _new = docx
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    marks = re.findall(r'<w:(ins|del) w:id="\d+" w:author="([^"]*)" w:date="([^"]*)"', xml)
    assert marks and {(a, d) for _, a, d in marks} == {("Noa New", "2025-01-02T11:00:00Z")}
    assert {k for k, _, _ in marks} == {"ins", "del"}
    comments = zipfile.ZipFile(path).read("word/comments.xml").decode("utf-8")
    assert "Moved to Le fleuve" in comments and "Moved from Le fleuve" in comments


# --- emphasis, tables, notes, whole paragraphs (issue 18)
RICH_OLD = (
    "# Das Tal {#sec-tal}\n\n"
    "Die Aare entspringt am *Aaregletscher im Berner Oberland*.[^quelle]\n"
    "Sie fließt durch den Brienzersee.\n\n"
    "Dieser Absatz fällt in der neuen Fassung ganz weg.\n\n"
    "| Stadt | Rang |\n|---|---|\n| Bern | 1 |\n| Thun | 2 |\n| Aarau | 5 |\n\n"
    ": Städte an der Aare {#tbl-staedte}\n\n"
    "Die Mündung liegt bei Koblenz.[^alt]\n\n"
    "[^quelle]: Nach einer alten Karte.\n"
    "[^alt]: Diese Anmerkung entfällt.\n"
)
RICH_NEW = (
    "# Das Tal {#sec-tal}\n\n"
    "Die Aare entspringt am **Aaregletscher** im Berner Oberland.[^quelle]\n"
    "Sie fließt durch den Brienzersee und den Thunersee.[^neu]\n\n"
    "| Stadt | Rang |\n|---|---|\n| Bern | 1 |\n| Aarau | 5 |\n| Olten | 7 |\n\n"
    ": Städte an der Aare {#tbl-staedte}\n\n"
    "Die Mündung liegt bei Koblenz.\n\n"
    "Ein ganz neuer Absatz.\nEr hat zwei Sätze.\n\n"
    "[^quelle]: Nach einer neuen Karte.\n"
    "[^neu]: Eine neue Anmerkung.\n"
)


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    return _written(tmp_path_factory, RICH_OLD, RICH_NEW, "rich-diff.docx")


def test_tables_notes_and_whole_paragraphs_read_back_as_either_revision(rich) -> None:
    path, old, new = rich
    accepted = [
        "Das Tal",
        "Die Aare entspringt am Aaregletscher im Berner Oberland.[note: Nach einer neuen "
        "Karte.] Sie fließt durch den Brienzersee und den Thunersee.[note: Eine neue "
        "Anmerkung.]",
        "Städte an der Aare",
        "Stadt | Rang",
        "Bern | 1",
        "Aarau | 5",
        "Olten | 7",
        "Die Mündung liegt bei Koblenz.",
        "Ein ganz neuer Absatz. Er hat zwei Sätze.",
    ]
    assert document_lines(new) == accepted
    assert lines_back(path, "accept") == accepted
    assert lines_back(path, "reject") == document_lines(old)
    assert document_lines(old)[2:4] == [
        "Dieser Absatz fällt in der neuen Fassung ganz weg.",
        "Städte an der Aare",
    ]


def _find(node: object, kind: str) -> list:
    """Every pandoc element of type ``kind`` under ``node``."""
    found = []
    if isinstance(node, dict):
        if node.get("t") == kind:
            found.append(node)
        for value in node.values():
            found += _find(value, kind)
    elif isinstance(node, list):
        for item in node:
            found += _find(item, kind)
    return found


def test_emphasis_is_kept_on_both_sides(rich) -> None:
    path, _old, _new = rich
    accepted, rejected = read_back(path, "accept"), read_back(path, "reject")
    assert [inline_text(e["c"]) for e in _find(accepted, "Strong")] == ["Aaregletscher"]
    assert _find(accepted, "Emph") == []
    assert [inline_text(e["c"]) for e in _find(rejected, "Emph")] == [
        "Aaregletscher", "im", "Berner", "Oberland",
    ]  # fmt: skip
    assert _find(rejected, "Strong") == []


def test_whole_rows_and_paragraphs_are_marked(rich) -> None:
    path, _old, _new = rich
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    author = 'w:author="Noa New" w:date="2025-01-02T11:00:00Z"'
    # the removed and the added paragraph: their paragraph marks
    assert len(re.findall(rf'<w:rPr><w:del w:id="\d+" {author} /></w:rPr></w:pPr>', xml)) == 1
    assert len(re.findall(rf'<w:rPr><w:ins w:id="\d+" {author} /></w:rPr></w:pPr>', xml)) == 1
    # the removed row (Thun) and the added row (Olten)
    rows = re.findall(r"<w:tr>(.*?)</w:tr>", xml, re.DOTALL)
    marked = {
        re.sub(r"<[^>]+>", "", row): kind
        for row in rows
        for kind in re.findall(
            rf'<w:trPr>(?:<w:tblHeader w:val="on" />)?<w:(ins|del) w:id="\d+" {author} /></w:trPr>',
            row,
        )
    }
    assert marked == {"Thun2": "del", "Olten7": "ins"}
    # the removed note went with its call, the added one came with its call
    notes = zipfile.ZipFile(path).read("word/footnotes.xml").decode("utf-8")
    assert "Diese Anmerkung entfällt." in re.sub(r"<[^>]+>", "", notes)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[-@garver2016, p. 5]", "[@garver2016, p. 5]"),
        ("[@garver2016, p. 5]", "[-@garver2016, p. 5]"),
    ],
)
def test_words_changed_right_after_a_bracket_keep_both_texts_spaced(tmp_path, old, new) -> None:
    """The author inserted or deleted after "(" of a citation (marked within it): the space
    after it is the change's, so neither revision reads "( 2016" or "Garver,2016"."""
    docs = [document_from_ast(ast(f"# T {{#sec-t}}\n\nAs argued {c}.\n")) for c in (old, new)]
    path = tmp_path / "cite.docx"
    write_docx(diff_documents(*docs), NEW, path)
    texts = {"(Garver, 2016, p. 5)", "(2016, p. 5)"}
    assert lines_back(path, "reject") == document_lines(docs[0])
    assert lines_back(path, "accept") == document_lines(docs[1])
    assert {
        lines_back(path, mode)[1].removeprefix("As argued ")[:-1] for mode in ("accept", "reject")
    } == texts

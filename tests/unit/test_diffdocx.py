"""The tracked-changes Word file (build.diffdocx): read back with pandoc, accepting every
change gives the new revision's text, rejecting every change the old one's."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pypandoc
import pytest

from build.diffalign import diff_documents
from build.diffdocx import document_text, write_docx
from build.difftokens import document_from_ast
from diffcases import NEW, ast

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


def read_back(path: Path, mode: str) -> str:
    text = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            f"--track-changes={mode}",
            "-t",
            "plain",
            "--wrap=none",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())


@pytest.fixture(scope="module")
def docx(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    old, new = document_from_ast(ast(OLD_MD)), document_from_ast(ast(NEW_MD))
    path = tmp_path_factory.mktemp("docx") / "article-diff.docx"
    write_docx(diff_documents(old, new), NEW, path)
    return path, old, new


def test_accepting_every_change_gives_the_new_text(docx) -> None:
    path, _old, new = docx
    assert read_back(path, "accept") == " ".join(document_text(new).split())


def test_rejecting_every_change_gives_the_old_text(docx) -> None:
    path, old, _new = docx
    assert read_back(path, "reject") == " ".join(document_text(old).split())


def test_changes_are_word_tracked_changes_by_the_revision_author(docx) -> None:
    path, _old, _new = docx
    xml = zipfile.ZipFile(path).read("word/document.xml").decode("utf-8")
    marks = re.findall(r'<w:(ins|del) w:id="\d+" w:author="([^"]*)" w:date="([^"]*)"', xml)
    assert marks and {(a, d) for _, a, d in marks} == {("Noa New", "2025-01-02T11:00:00Z")}
    assert {k for k, _, _ in marks} == {"ins", "del"}
    comments = zipfile.ZipFile(path).read("word/comments.xml").decode("utf-8")
    assert "Moved to Le fleuve" in comments and "Moved from Le fleuve" in comments

"""End-to-end: the preview's warm build (build.livebuild.LiveBuild) on a copy of the project
with the test articles: after an edit, its page is the page a fresh build of the same sources
makes, also when the edit gives the cleaned copy of the bibliography a new proper noun (the
copy is made beside the parse, which then runs again)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from projects import copy_project

pytestmark = pytest.mark.e2e

SLUG = "test-short-article"
SECTION = f"articles/{SLUG}/manuscript/03-reminders.md"


def test_an_edit_that_adds_a_proper_noun_gives_the_page_of_a_fresh_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from build.articles import choose_article
    from build.livebuild import LiveBuild

    copy_project(tmp_path, test_articles=True)
    monkeypatch.chdir(tmp_path)
    warm = LiveBuild(choose_article(SLUG))
    first = warm.build()
    assert first.error == ""
    assert b"Renewal requests as a signal of reader demand" in first.html

    # a prose edit without a new proper noun: the copy of the last build is kept
    text = Path(SECTION).read_text(encoding="utf-8")
    Path(SECTION).write_text(text + "\nThe desk staff counted every loan again.\n", "utf-8")
    plain = warm.build()
    assert plain.error == "" and b"counted every loan again" in plain.html
    assert b"Renewal requests as a signal of reader demand" in plain.html

    # "Reader Demand" in mid-sentence: the title keeps the words capitalised
    Path(SECTION).write_text(text + "\nThe desk staff read the Reader Demand survey.\n", "utf-8")
    edited = warm.build()
    assert edited.error == "", edited.error
    assert b"Renewal requests as a signal of Reader Demand" in edited.html
    assert "clean_bibliography (beside parse_article)" in edited.seconds

    os.remove(Path(warm.work) / "article.html")
    fresh = LiveBuild(choose_article(SLUG)).build()
    assert fresh.error == ""
    assert edited.html == fresh.html

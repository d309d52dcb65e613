"""End-to-end: `snakemake diff` (tracked changes between two revisions) on this repository.

Runs in a clone of the repository under a temporary folder (``git clone``), with the current
workflow (``--snakefile`` of this working tree, ``--directory`` the clone) and this working
tree's config/, so the real working tree, its index and its output/ are never touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from validators import nu_errors

from build.joblog import HINTS_LINE
from diffcases import lines_back
from projects import ROOT, SNAKEMAKE, TEST_ARTICLES, copy_project, snakemake

pytestmark = pytest.mark.e2e

HTML = Path("output/diff/article-diff.html")
PDF = Path("output/diff/article-diff.pdf")
DOCX = Path("output/diff/article-diff.docx")
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Editor",
    "GIT_AUTHOR_EMAIL": "editor@example.org",
    "GIT_COMMITTER_NAME": "Test Editor",
    "GIT_COMMITTER_EMAIL": "editor@example.org",
    "GIT_AUTHOR_DATE": "2025-11-30T00:00:00Z",
    "GIT_COMMITTER_DATE": "2025-11-30T00:00:00Z",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(repo), **GIT_ENV},
    )
    return done.stdout.strip()


def diff(clone: Path, diff_from: str, diff_to: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(SNAKEMAKE),
            "--snakefile",
            str(ROOT / "Snakefile"),
            "--directory",
            str(clone),
            "--cores",
            "2",
            "diff",
            "--config",
            f"diff_from={diff_from}",
            f"diff_to={diff_to}",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )


def summary_row(page: str, section: str) -> list[str]:
    """The cells of the summary table's row of ``section``."""
    for row in re.findall(r"<tr[^>]*><th scope=\"row\">(.*?)</tr>", page):
        cells = [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.split(r"</t[hd]>", row)]
        if cells[0] == section:
            return cells[1:-1]
    raise AssertionError(f"no summary row {section!r}")


def revision_texts(out: Path, old: str, new: str) -> tuple[list[str], list[str]]:
    """The texts of the two revisions the diff wrote to its logs (one line per paragraph,
    heading, table row: build.diffdocx.document_lines), old then new."""
    return tuple(  # type: ignore[return-value]
        (out / "logs" / f"text-{side}-{short}.txt").read_text(encoding="utf-8").splitlines()
        for side, short in (("old", old), ("new", new))
    )


def vnu_errors(path: Path) -> list[str]:
    """The Nu HTML Checker's errors on one page (``[]``: valid)."""
    return nu_errors([path])[str(path)]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git repository")
    path = tmp_path_factory.mktemp("diff") / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(path)], check=True)
    for name in ("config.yaml", "schema.yaml"):  # the working tree's pipeline settings
        shutil.copyfile(ROOT / "config" / name, path / "config" / name)
    return path


def test_manuscript_is_one_sentence_per_line_for_readable_diffs() -> None:
    sections = sorted(str(p) for p in (ROOT / "manuscript").glob("[0-9][0-9]-*.md"))
    done = subprocess.run(
        [sys.executable, "-m", "build.cli", "linebreaks", "--check", *sections],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (done.returncode, done.stdout) == (
        0,
        f"linebreaks: ok: {len(sections)} files, one sentence per line\n",
    )


#: The commit that placed Table 1 and Figures 1-2 and their cross-references (issue 5).
WIRED = "e97325e"


def test_diff_from_the_first_commit(clone: Path) -> None:
    """From the first commit to the commit that wired the generated content (exact counts),
    or to HEAD where that commit is not in the history."""
    first = git(clone, "rev-list", "--max-parents=0", "HEAD")
    known = subprocess.run(["git", "-C", str(clone), "cat-file", "-e", f"{WIRED}^{{commit}}"])
    target = WIRED if known.returncode == 0 else "HEAD"
    result = diff(clone, first, target)
    assert result.returncode == 0, result.stderr[-3000:]
    page = (clone / HTML).read_text(encoding="utf-8")
    assert (clone / PDF).read_bytes().startswith(b"%PDF-")
    short = git(clone, "rev-parse", "--short=7", target)
    assert f"From <code>{first[:7]}</code>" in page and f"to <code>{short}</code>" in page
    assert (
        "<p>Both revisions were built with this pipeline, its checks reporting as warnings"
        " instead of failing (<code>--config lint=warn glyphs=warn</code>: an old revision"
        " may predate today's rules; the safety checks stay errors):</p>"
    ) in page
    assert f"<li>old ({first[:7]}): " in page and f"<li>new ({short}): " in page
    if target == WIRED:
        # The commit that placed Table 1 and Figures 1-2 and their cross-references:
        # two sentences gain "(Figure 1)", "(Table 1)", the table note is a new paragraph
        # of four sentences (found by punctuation) and 46 words: that commit's scripts need
        # modules this pipeline lacks, so the working tree's figures/tbl-summits.py writes the
        # note (build.trackchanges.replace_stale_scripts).
        assert summary_row(page, "The Evolution of Shanghai Five") == [
            *["4", "0", "2", "0", "46", "0"],
            "1 table, 1 figure",
        ]
        assert summary_row(page, "Organizational Structure of SCO") == [
            *["0", "0", "1", "0", "1", "0"],
            "1 figure",
        ]
        assert summary_row(page, "References") == ["0"] * 7
        assert (
            "The Evolution of Shanghai Five: +4 -0 ~2 sentences, 0 sentences moved, "
            "+46 -0 words, 1 table changed, 1 figure changed"
        ) in result.stderr
    # the old revision's warnings name a kept copy of its job log, not the working tree's
    build_log = clone / HTML.parent / "logs" / f"build-old-{first[:7]}.log"
    hints = HINTS_LINE.findall(build_log.read_text(encoding="utf-8"))
    kept = f"output/diff/logs/build-old-{first[:7]}/output/logs/lint_bibliography.log"
    assert kept in [named for _, named in hints]
    assert all((clone / named).is_file() for _, named in hints), hints
    assert vnu_errors(clone / HTML) == []
    # the Word file: rejecting every change gives the old revision's text, accepting the new
    old_text, new_text = revision_texts(clone / HTML.parent, first[:7], short)
    if target == WIRED:
        assert (len(old_text), len(new_text)) == (114, 125)
    assert lines_back(clone / DOCX, "reject") == old_text
    assert lines_back(clone / DOCX, "accept") == new_text
    assert git(clone, "status", "--porcelain", "--", "manuscript", "refs.bib", "figures") == ""


def test_synthetic_revision_shows_the_sentence_and_locator_change(clone: Path) -> None:
    section = clone / "manuscript" / "03-shanghai-five.md"
    text = section.read_text(encoding="utf-8")
    old = (
        "The Russian President Boris Yeltsin second visit to China was very important "
        "development [@garver2016, p. 544]."
    )
    new = (
        "The Russian President Boris Yeltsin second visit to China was a decisive "
        "development [@garver2016, p. 545]."
    )
    assert old in text
    section.write_text(text.replace(old, new), encoding="utf-8")
    # and an author's name, which re-sorts the entry in the reference list (H -> W)
    bib = (clone / "refs.bib").read_text(encoding="utf-8")
    assert "author = {Hopkirk, P.}," in bib
    (clone / "refs.bib").write_text(bib.replace("{Hopkirk, P.}", "{Wood, P.}"), encoding="utf-8")
    git(clone, "commit", "-q", "-am", "Edit a sentence, a locator and an author")
    result = diff(clone, "HEAD~1", "HEAD")
    assert result.returncode == 0, result.stderr[-3000:]
    page = (clone / HTML).read_text(encoding="utf-8")
    assert (
        "second visit to China was "
        '<del><span class="vh">deleted: </span>very important</del> '
        '<ins><span class="vh">inserted: </span>a decisive</ins> development '
        '<span class="citation">(Garver, 2016, p. <del><span class="vh">deleted: </span>544'
        '</del> <ins><span class="vh">inserted: </span>545</ins>)</span>.'
    ) in page
    assert summary_row(page, "The Evolution of Shanghai Five") == [
        *["0", "0", "1", "0", "3", "3"],
        "0",
    ]
    # "(Hopkirk, 2002)" -> "(Wood, 2002)"; the entry moved from H to W, its author edited
    assert summary_row(page, "Central Asia, SCO and the Great Powers Competition") == [
        *["0", "0", "1", "0", "1", "1"],
        "0",
    ]
    assert summary_row(page, "References") == [*["0", "0", "0", "1", "1", "1"], "0"]
    # the two insertions, the two authors, and the legend's example
    assert page.count("<ins>") == 2 + 2 + 1
    assert vnu_errors(clone / HTML) == []
    pdf_text = subprocess.run(
        ["pdftotext", str(clone / PDF), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "decisive" in pdf_text and "545)" in pdf_text
    docx = clone / "output/diff/article-diff.docx"
    accepted, rejected = ("\n".join(lines_back(docx, mode)) for mode in ("accept", "reject"))
    assert "was a decisive development (Garver, 2016, p. 545)." in accepted
    assert "was very important development (Garver, 2016, p. 544)." in rejected
    assert "decisive" not in rejected and "very important" not in accepted
    shorts = (git(clone, "rev-parse", "--short=7", rev) for rev in ("HEAD~1", "HEAD"))
    old_text, new_text = revision_texts(clone / HTML.parent, *shorts)
    assert lines_back(docx, "reject") == old_text  # Hopkirk's entry back among the H's
    assert lines_back(docx, "accept") == new_text
    entries = [
        [t for t in text if t.startswith(("Hopkirk, P.", "Wood, P."))]
        for text in (old_text, new_text)
    ]
    assert entries == [
        ["Hopkirk, P. (2002). The Great Game revisited? Asian Affairs, (33), 127–140."],
        ["Wood, P. (2002). The Great Game revisited? Asian Affairs, (33), 127–140."],
    ]


def test_identical_revisions_give_no_changes_and_a_valid_page(clone: Path) -> None:
    result = diff(clone, "HEAD", git(clone, "rev-parse", "HEAD"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "no changes between HEAD = " in result.stderr
    page = (clone / HTML).read_text(encoding="utf-8")
    assert '<p class="no-changes" role="status">No changes' in page
    assert vnu_errors(clone / HTML) == []
    assert (clone / PDF).read_bytes().startswith(b"%PDF-")


def test_unknown_revision_fails_with_a_clear_message(clone: Path) -> None:
    result = diff(clone, "no-such-tag", "HEAD")
    assert result.returncode != 0
    assert (
        "error: unknown revision 'no-such-tag': git knows no commit, tag or branch of that name"
    ) in result.stderr
    assert "hint: give a commit hash, tag or branch" in result.stderr


def test_revision_before_the_manuscript_fails_with_a_clear_message(tmp_path: Path) -> None:
    repo = tmp_path / "young"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "readme")
    shutil.copytree(ROOT / "config", repo / "config")
    shutil.copytree(ROOT / "manuscript", repo / "manuscript")
    shutil.copyfile(ROOT / "refs.bib", repo / "refs.bib")
    git(repo, "add", "manuscript", "refs.bib")
    git(repo, "commit", "-q", "-m", "manuscript")
    result = diff(repo, "HEAD~1", "HEAD")
    assert result.returncode != 0
    assert "has no manuscript/: it predates the manuscript; it was first committed in" in (
        result.stderr
    )
    assert "hint: choose a revision listed by `git log --oneline -- manuscript`" in result.stderr


# --- the diff of a further article (articles/<slug>/), issue 18
#: the test article (tests/data/articles/) and the sentence its second revision edits
SLUG = "test-short-article"
SENTENCE = (
    "A loan period is the time a reader may keep an item before it is due [@brandt2015, p. 23]."
)
EDITED = "A loan period is the time a reader may keep a book before it is due [@brandt2015, p. 24]."


@pytest.fixture(scope="module")
def article_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository of the project's sources in three commits: without the test article,
    with it, with one sentence of it edited (a word and a page locator)."""
    repo = copy_project(tmp_path_factory.mktemp("article-diff") / "repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "The project without the test article")
    shutil.copytree(TEST_ARTICLES / SLUG, repo / "articles" / SLUG)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Add the test article")
    section = repo / "articles" / SLUG / "manuscript" / "02-loan-periods.md"
    text = section.read_text(encoding="utf-8")
    assert SENTENCE in text
    section.write_text(text.replace(SENTENCE, EDITED), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "Edit a sentence of the test article")
    return repo


def test_diff_of_a_further_article(article_repo: Path) -> None:
    target = f"output/articles/{SLUG}/diff/article-diff.html"
    result = snakemake(article_repo, target, "--config", "diff_from=HEAD~1", "diff_to=HEAD")
    assert result.returncode == 0, result.stderr[-3000:]
    out = article_repo / "output" / "articles" / SLUG / "diff"
    page = (out / "article-diff.html").read_text(encoding="utf-8")
    assert f'<p class="article-folder">The article of <code>articles/{SLUG}/</code>.</p>' in page
    assert '<h1 lang="en-US">A Short Test Article on Library Lending Practices</h1>' in page
    assert '<main lang="en-US">' in page  # the article's language (its metadata's lang)
    # one sentence changed: "an item" -> "a book" (two words) and the locator 23 -> 24 (one)
    assert summary_row(page, "Loan Periods and Renewals") == [*["0", "0", "1", "0", "3", "3"], "0"]
    assert summary_row(page, "Introduction") == ["0"] * 7
    assert (out / "article-diff.pdf").read_bytes().startswith(b"%PDF-")
    docx = out / "article-diff.docx"
    accepted, rejected = ("\n".join(lines_back(docx, mode)) for mode in ("accept", "reject"))
    assert "may keep a book before it is due (Brandt, 2015, p. 24)." in accepted
    assert "may keep an item before it is due (Brandt, 2015, p. 23)." in rejected
    assert not (article_repo / "output" / "diff").exists()  # the root article's is not made
    assert vnu_errors(out / "article-diff.html") == []


def test_diff_of_an_article_before_it_existed_fails_naming_both(article_repo: Path) -> None:
    target = f"output/articles/{SLUG}/diff/article-diff.html"
    built = article_repo / "output" / "articles" / SLUG / "article.pdf"  # a build's, standing in
    built.parent.mkdir(parents=True, exist_ok=True)
    built.write_bytes(b"%PDF-")
    result = snakemake(article_repo, target, "--config", "diff_from=HEAD~2", "diff_to=HEAD")
    assert result.returncode != 0
    assert built.read_bytes() == b"%PDF-"  # a failed diff is no failed build of the article
    first, added = (
        git(article_repo, "rev-parse", "--short", "HEAD~2"),
        git(article_repo, "rev-parse", "--short", "HEAD~1"),
    )
    assert (
        f"error: the article articles/{SLUG} does not exist at revision 'HEAD~2' ({first}, "
        f"2025-11-30): it was first committed in {added}"
    ) in result.stderr
    assert (
        f"hint: choose a revision listed by `git log --oneline -- articles/{SLUG}/manuscript`"
        in (result.stderr)
    )

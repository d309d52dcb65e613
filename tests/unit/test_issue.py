"""Unit tests of the issue stage (src/build/issue.py): the table of contents of an issue.

Inputs: the small issue in tests/data/issue/ (a root article and articles/alpha, articles/beta,
a journal profile and an issue file), copied with the real schemas of config/ into a temporary
project; hostile or empty metadata is written by the tests themselves. The Nu HTML Checker and
axe-core verdicts on a generated page are in tests/e2e/test_issue_page.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from build import cli, issue
from build.errors import ConfigError, ErrorList, ManuscriptError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "issue"
FOLDERS = [".", "articles/alpha", "articles/beta"]
ISSUE_PATH = "config/issue.yaml"


def schema() -> dict:
    return yaml.safe_load((ROOT / "config" / "issue.schema.yaml").read_text(encoding="utf-8"))


def read(text: str) -> issue.Issue:
    return issue.read_issue(text, ISSUE_PATH, schema())


def messages(error: ErrorList | ConfigError) -> list[str]:
    return [str(e) for e in (error.errors if isinstance(error, ErrorList) else [error])]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """tests/data/issue/ plus the real schemas, as the working folder."""
    shutil.copytree(DATA, tmp_path, dirs_exist_ok=True)
    for name in ("schema.yaml", "issue.schema.yaml"):
        shutil.copy(ROOT / "config" / name, tmp_path / "config" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sources(folders=FOLDERS) -> list[issue.ArticleSource]:
    return [
        issue.ArticleSource(
            folder,
            f"{folder}/manuscript/metadata.yaml",
            "output" if folder == "." else f"output/{folder}",
        )
        for folder in folders
    ]


def build_page(issue_file: str | None = ISSUE_PATH, folders=FOLDERS) -> str:
    issue.write_issue("config/config.yaml", issue_file, sources(folders), "output/issue/index.html")
    return Path("output/issue/index.html").read_text(encoding="utf-8")


def titles(page: str) -> list[str]:
    return re.findall(r'<h3 class="toc-title"[^>]*><a href="([^"]+)">', page)


# --------------------------------------------------------------------------- order


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(
            ["articles/beta", ".", "articles/alpha"],
            [".", "articles/alpha", "articles/beta"],
            id="root-first-then-names",
        ),
        pytest.param(
            ["articles/b10", "articles/B", "articles/a", "articles/b2"],
            ["articles/B", "articles/a", "articles/b10", "articles/b2"],
            id="code-point-order-without-root",
        ),
        pytest.param(["./articles/x/", "."], [".", "articles/x"], id="paths-normalized"),
    ],
)
def test_order_without_issue_file_is_the_folders_names(given, expected):
    assert issue.order_folders(given, None) == expected


def test_order_with_issue_file_is_the_files():
    listed = read((DATA / "config" / "issue.yaml").read_text(encoding="utf-8"))
    given = ["articles/alpha", ".", "articles/beta"]
    assert issue.order_folders(given, listed) == ["articles/beta", ".", "articles/alpha"]


def test_page_lists_articles_in_issue_order_and_without_issue_file(project):
    with_file = titles(build_page())
    assert with_file == [
        "../articles/beta/article.html",
        "../article.html",
        "../articles/alpha/article.html",
    ]
    without = titles(build_page(issue_file=None))
    assert without == [
        "../article.html",
        "../articles/alpha/article.html",
        "../articles/beta/article.html",
    ]


# --------------------------------------------------------------------------- the issue file


def test_read_issue_takes_numbers_and_unquoted_dates_as_text():
    value = read((DATA / "config" / "issue.yaml").read_text(encoding="utf-8"))
    assert (value.volume, value.number, value.date) == ("3", "2", "2025-06-30")
    assert value.title == "Special issue: *Small* inputs"
    assert value.articles == ("articles/beta", ".", "articles/alpha")
    assert value.article_lines == (7, 8, 9)
    assert value.articles_line == 7


GOOD = "volume: 1\nnumber: 2\narticles:\n  - .\n  - articles/alpha\n"


@pytest.mark.parametrize(
    ("text", "expected", "hint"),
    [
        pytest.param(
            "number: 2\narticles: [.]\n",
            "config/issue.yaml:1:1: (top level): 'volume' is a required property",
            "add the missing key (see config/issue.schema.yaml)",
            id="missing-volume",
        ),
        pytest.param(
            GOOD + "date: 2025-13-01\n",
            "config/issue.yaml:6:7: date: '2025-13-01' is not a 'date'",
            "write a valid date, e.g. 2025-06-30",
            id="bad-date",
        ),
        pytest.param(
            GOOD + 'date: "30 June 2025"\n',
            "config/issue.yaml:6:7: date: '30 June 2025' is not a 'date'",
            "write a valid date, e.g. 2025-06-30",
            id="quoted-date-not-iso",
        ),
        pytest.param(
            GOOD + "editor: Someone\n",
            "config/issue.yaml:6:9: editor: Additional properties are not allowed "
            "('editor' was unexpected)",
            "remove or rename the key; known keys here: articles, date, lang, number, title, "
            "volume",
            id="unknown-key",
        ),
        pytest.param(
            "volume: 1\nnumber: 2\narticles:\n  - manuscript\n",
            "config/issue.yaml:4:5: articles.0: 'manuscript' does not match",
            "the value must match the pattern",
            id="not-a-folder-path",
        ),
        pytest.param(
            "volume: 1\nnumber: 2\narticles:\n  - .\n  - articles/alpha/\n  - .\n",
            "config/issue.yaml:6: article folder '.' is listed twice (first on line 4)",
            "list each article once; remove this line",
            id="listed-twice",
        ),
        pytest.param(
            "volume: 1\nnumber: [2\narticles: []\n",
            "config/issue.yaml:2:9: malformed YAML: a '[' list is not closed with ']'",
            "fix the YAML syntax",
            id="yaml-syntax",
        ),
    ],
)
def test_issue_file_errors_name_file_line_and_hint(text, expected, hint):
    with pytest.raises((ErrorList, ConfigError)) as caught:
        read(text)
    first = messages(caught.value)[0]
    assert first.startswith(expected), first
    assert f"hint: {hint}" in first


def test_issue_file_listing_a_non_article_and_missing_one():
    listed = read("volume: 1\nnumber: 2\narticles:\n  - .\n  - articles/gamma\n")
    with pytest.raises(ErrorList) as caught:
        issue.order_folders(FOLDERS, listed)
    assert messages(caught.value) == [
        "config/issue.yaml:5: 'articles/gamma' is not an article folder (one with "
        "manuscript/metadata.yaml)\n  hint: remove it or correct the path; the articles "
        "are: ., articles/alpha, articles/beta",
        "config/issue.yaml:4: the article 'articles/alpha' is missing from the issue's "
        "articles\n  hint: add `- articles/alpha` to `articles` where it belongs in the table "
        "of contents",
        "config/issue.yaml:4: the article 'articles/beta' is missing from the issue's "
        "articles\n  hint: add `- articles/beta` to `articles` where it belongs in the table "
        "of contents",
    ]


def test_the_profile_has_no_issue_values(project):
    config = (project / "config" / "config.yaml").read_text(encoding="utf-8")
    (project / "config" / "config.yaml").write_text(
        config.replace("  issn: 1234-5678\n", "  issn: 1234-5678\n  volume: 4\n"), "utf-8"
    )
    with pytest.raises(ErrorList) as caught:
        build_page()
    assert messages(caught.value)[0].startswith(
        "config/config.yaml:5:11: journal.volume: Additional properties are not allowed"
    )


def test_missing_issue_file_and_bad_metadata_name_their_file(project):
    with pytest.raises(ConfigError, match=r"^config/nope\.yaml: cannot read file"):
        build_page("config/nope.yaml")
    (project / "articles" / "beta" / "manuscript" / "metadata.yaml").write_text(
        "title: x\nbad: value: other\n", encoding="utf-8"
    )
    with pytest.raises(ErrorList) as caught:
        build_page()
    assert messages(caught.value)[0].startswith(
        "articles/beta/manuscript/metadata.yaml:2:11: malformed YAML: mapping values"
    )


# --------------------------------------------------------------------------- the page


def test_page_of_the_small_issue(project):
    page = build_page()
    assert '<html lang="en">' in page  # the articles' languages differ: the page's own words
    assert (
        "<title>Special issue: Small inputs – Volume 3, Number 2 – Journal of Small Tests</title>"
        in page
    )
    assert page.count("<h1") == 1
    assert '<h1 class="issue-title">Special issue: <em>Small</em> inputs</h1>' in page
    assert (
        '<p class="journal-line"><span class="journal-name">Journal of Small Tests</span> '
        '<span class="journal-issn">ISSN 1234-5678</span></p>'
    ) in page
    assert (
        '<p class="issue-details">Volume 3, Number 2, '
        '<time datetime="2025-06-30">30 June 2025</time></p>'
    ) in page
    assert (
        '<h3 class="toc-title" id="article-1" lang="de"><a href="../articles/beta/article.html">'
        "Beta: Ein Artikel</a></h3>"
    ) in page
    assert '<p class="toc-subtitle" lang="en-GB">A Study of <em>Markers</em></p>' in page
    assert (
        '<p class="toc-authors"><span class="toc-author">Ann Alpha</span>, '
        '<span class="toc-author">Bo Alpha-Beta</span></p>'
    ) in page
    for file, word in (("article.html", "HTML"), ("article.pdf", "PDF"), ("article.epub", "EPUB")):
        assert (
            f'<a href="../{file}">{word}<span class="visually-hidden">: '
            '<span lang="en-GB">The Root Article</span></span></a>'
        ) in page
        assert f'<a href="../articles/alpha/{file}">{word}' in page
    assert ".toc-formats" in page  # issue.css is inlined: the folder works as it is


def test_page_bytes_are_reproducible(project):
    first = build_page().encode("utf-8")
    assert build_page().encode("utf-8") == first
    assert b"\r" not in first


def test_one_shared_language_is_the_pages(project):
    page = build_page(folders=[".", "articles/alpha"], issue_file=None)
    assert '<html lang="en-GB">' in page
    assert ' lang="en-GB"' not in page.split("<html", 1)[1].split(">", 1)[1]


def test_issue_lang_wins(project):
    text = (project / ISSUE_PATH).read_text(encoding="utf-8")
    (project / ISSUE_PATH).write_text(text + "lang: de\n", encoding="utf-8")
    page = build_page()
    assert '<html lang="de">' in page
    assert '<h3 class="toc-title" id="article-1"><a' in page  # beta is German like the page
    assert '<h3 class="toc-title" id="article-2" lang="en-GB">' in page


HOSTILE = """\
title: "<script>alert(1)</script> & \\"Quotes\\" <i>italic</i> *ok*"
subtitle: "<img src=x onerror=alert(2)>"
author:
  - name: "<b onclick=alert(3)>Eve</b>"
abstract: "x"
lang: en
"""


def test_hostile_metadata_prints_as_text(project):
    (project / "articles" / "alpha" / "manuscript" / "metadata.yaml").write_text(
        HOSTILE, encoding="utf-8"
    )
    page = build_page()
    body = page.split("</style>", 1)[1]
    assert re.findall(r"<(?:script|img|b|i)[\s>]", body) == []
    assert (
        '<a href="../articles/alpha/article.html">&lt;script&gt;alert(1)&lt;/script&gt; &amp; '
        "&quot;Quotes&quot; &lt;i&gt;italic&lt;/i&gt; <em>ok</em></a>"
    ) in body
    assert '<p class="toc-subtitle">&lt;img src=x onerror=alert(2)&gt;</p>' in body
    assert '<span class="toc-author">&lt;b onclick=alert(3)&gt;Eve&lt;/b&gt;</span>' in body


@pytest.mark.parametrize(
    ("title", "html", "plain"),
    [
        pytest.param("*A* and _B_", "<em>A</em> and <em>B</em>", "A and B", id="both-markers"),
        pytest.param("snake_case_name", "snake_case_name", "snake_case_name", id="intraword"),
        pytest.param("2 * 3 * 4", "2 * 3 * 4", "2 * 3 * 4", id="spaced-stars"),
        pytest.param(r"\*not\* it", "*not* it", "*not* it", id="escaped"),
        pytest.param("**strong**", "**strong**", "**strong**", id="no-strong"),
        pytest.param(
            "*<b>x</b>*", "<em>&lt;b&gt;x&lt;/b&gt;</em>", "<b>x</b>", id="escaped-inside"
        ),
    ],
)
def test_inline_title_whitelist(title, html, plain):
    assert issue.inline_title(title) == html
    assert issue.plain_title(title) == plain


def test_empty_fields_print_nothing(project):
    (project / "config" / "config.yaml").write_text(
        "journal:\n  name: null\n  issn: null\n"
        "csl_style: apa\npage:\n  size: A4\n  margin_mm: {top: 25, bottom: 25, inner: 25, "
        "outer: 20}\nfonts:\n  body: Linux Libertine O\n",
        encoding="utf-8",
    )
    (project / "manuscript" / "metadata.yaml").write_text(
        'title: "Only a Title"\nsubtitle: ""\nauthor:\n  - name: A B\nabstract: x\nlang: en\n',
        encoding="utf-8",
    )
    page = build_page(issue_file=None, folders=["."])
    body = page.split("</style>", 1)[1]
    for absent in ("None", "null", "journal-line", "issue-details", "toc-subtitle", "ISSN"):
        assert absent not in body
    assert '<h1 class="issue-title">Table of contents</h1>' in body
    assert '<html lang="en">' in page


def test_without_issue_file_the_page_names_no_volume_number_or_year(project):
    body = build_page(issue_file=None).split("</style>", 1)[1]
    assert '<h1 class="issue-title">Journal of Small Tests</h1>' in body
    assert "issue-details" not in body and "Volume" not in body


def test_entry_links_are_relative_to_the_page():
    entry = issue.article_entry(
        "articles/x", {"title": "T", "author": ["Plain Name"]}, "output/articles/x", "output/issue"
    )
    assert (entry.href_base, entry.authors, entry.subtitle) == (
        "../articles/x",
        ("Plain Name",),
        None,
    )
    root = issue.article_entry(".", {"title": "T", "author": []}, "output", "output/issue")
    assert root.href_base == ".."


# --------------------------------------------------------------------------- command line


def test_cli_writes_the_page_and_reports_errors(project, capsys):
    argv = ["issue", "--config", "config/config.yaml", "--issue", ISSUE_PATH]
    for source in sources():
        argv += ["--article", source.folder, source.metadata, source.outdir]
    assert cli.main([*argv, "--output", "out/toc.html"]) == 0
    assert titles((project / "out" / "toc.html").read_text(encoding="utf-8"))[0] == (
        "../output/articles/beta/article.html"
    )
    assert cli.main([*argv[:-4], "--output", "out/toc.html"]) == 1
    assert capsys.readouterr().err.startswith(
        "error: config/issue.yaml:7: 'articles/beta' is not an article folder"
    )


def test_no_article_is_an_error(project):
    with pytest.raises(ConfigError, match="the issue has no article"):
        issue.write_issue("config/config.yaml", None, [], "output/issue/index.html")


def test_metadata_without_title_is_the_manuscript_stages_error(project):
    (project / "manuscript" / "metadata.yaml").write_text("author: [{name: A}]\n", encoding="utf-8")
    with pytest.raises((ManuscriptError, ErrorList), match="required metadata field 'title'"):
        build_page()

"""Unit tests of the live preview's pure parts (build.preview, build.livebuild): what changed
between two looks at the sources, the preview bar and where it goes, the first error shown, the
article named on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.articles import Article
from build.errors import ErrorList, ManuscriptError, PipelineError
from build.livebuild import first_error, work_folder
from build.preview import (
    EMPTY_PAGE,
    changed_paths,
    choose_article,
    code_files,
    preview_bar,
    restart_argv,
    with_bar,
)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        pytest.param({"a": (1, 2)}, {"a": (1, 2)}, [], id="nothing"),
        pytest.param({"a": (1, 2)}, {"a": (3, 2)}, ["a"], id="modified"),
        pytest.param({"a": (1, 2)}, {"a": (1, 2), "b": (1, 1)}, ["b"], id="added"),
        pytest.param({"a": (1, 2), "b": (1, 1)}, {"b": (1, 1)}, ["a"], id="removed"),
        pytest.param(
            {"b": (1, 1), "a": (1, 1)}, {"b": (2, 1), "a": (1, 3)}, ["a", "b"], id="sorted"
        ),
    ],
)
def test_changed_paths(before: dict, after: dict, expected: list[str]) -> None:
    assert changed_paths(before, after) == expected


def test_the_bar_goes_before_the_last_body_end_and_escapes_the_error() -> None:
    page = b"<html><body><p>x</p></body></html>"
    bar = preview_bar(7, "built in 1.00 s", "ready", "a.md:3:1: <bad>\n  hint: fix", "/article.pdf")
    served = with_bar(page, bar)
    assert served.startswith(b'<html><body><p>x</p><div id="article-preview"')
    assert served.endswith(b"</script></body></html>")
    assert 'var shown="7"' in bar
    assert "a.md:3:1: &lt;bad&gt;\n  hint: fix</div>" in bar
    assert '<a href="/article.pdf">latest PDF</a>' in bar


def test_no_error_no_error_box_and_no_pdf_link_before_a_pdf() -> None:
    bar = preview_bar(1, "building", "not built yet", "", None)
    assert "article-preview-error" not in bar
    assert "href" not in bar
    assert with_bar(None, bar).startswith(EMPTY_PAGE[: EMPTY_PAGE.rindex(b"</body>")])


def test_first_error_of_a_list_is_its_first_problem_with_its_hint() -> None:
    errors = ErrorList(
        [
            ManuscriptError("first", "m/01-a.md", 4, 2, hint="do this"),
            ManuscriptError("second", "m/02-b.md", 1),
        ]
    )
    assert first_error(errors) == "m/01-a.md:4:2: first\n  hint: do this"
    assert first_error(ValueError("odd")) == "ValueError: odd"


def test_work_folders() -> None:
    assert work_folder(Article(".")) == Path("output/preview")
    assert work_folder(Article("articles/x")) == Path("output/preview/articles/x")


def test_choose_article(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in (tmp_path, tmp_path / "articles" / "second"):
        (folder / "manuscript").mkdir(parents=True)
        (folder / "manuscript" / "metadata.yaml").write_text("title: T\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert choose_article(None) == Article(".")
    assert choose_article("second") == Article("articles/second")
    assert choose_article("articles/second") == Article("articles/second")
    with pytest.raises(PipelineError) as raised:
        choose_article("third")
    assert str(raised.value) == (
        "articles/third: no article 'third' in this project\n"
        "  hint: name the root article (.) or a folder of articles/ (here: ., second)"
    )


def test_restart_keeps_the_command_line_and_the_port_it_serves() -> None:
    python = "/v/bin/python"
    assert restart_argv([python, "/v/bin/article", "preview", "x", "--port", "0"], 8123) == [
        python, "/v/bin/article", "preview", "x", "--port", "8123",
    ]  # fmt: skip
    assert restart_argv([python, "-m", "build.cli", "preview", "--port=0", "--once"], 9) == [
        python, "-m", "build.cli", "preview", "--once", "--port", "9",
    ]  # fmt: skip
    assert restart_argv([python, "/v/bin/article", "preview"], 8000)[-2:] == ["--port", "8000"]


def test_the_code_watched_is_the_imported_build_package() -> None:
    import build.preview

    names = {p.name for p in code_files()}
    assert {"preview.py", "livebuild.py", "render.py", "cli.py"} <= names
    assert {"labels.yaml", "name-particles.yaml"} <= names  # read once per process
    assert Path(build.preview.__file__).resolve() in {p.resolve() for p in code_files()}

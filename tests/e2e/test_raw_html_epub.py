"""Raw HTML of every kind the policy allows reaches the EPUB as XHTML (issue 16), and a
build's warnings reach the terminal with their path:line:col: one small build of the test
article with a section of raw HTML, a character no font has and active content, run with
``--config glyphs=warn`` (the documented option: the PDF is kept, the glyph is a warning).
"""

from __future__ import annotations

import base64
import zipfile

import pytest
from validators import epubcheck

from projects import copy_project, snakemake

pytestmark = pytest.mark.e2e

SLUG = "test-short-article"

#: a 1 x 1 PNG (a grey dot)
DOT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg=="
)

SECTION = """# Raw HTML {#sec-raw-html}

A dot <img src="images/dot.png" alt="a dot"> and one unquoted <img src=images/dot.png alt=dot>.
A line<br>break, x<sup>2</sup> and H<sub>2</sub>O, a <span class="note">span with a class</span>.
A <span onclick="alert(1)">handler</span> is removed; the Tokyo branch (東京) has no glyph.

<hr>

<table class=loans>
<caption>Loan periods</caption>
<tr><th scope=col>Item</th><th scope=col>Days</th></tr>
<tr><td>Book</td><td class=num>21</td></tr>
</table>

<p>A paragraph<br/>of raw HTML &amp; an entity&nbsp;here.</p>
"""


@pytest.fixture(scope="module")
def raw_html_build(project_build, tmp_path_factory) -> dict:
    copy = copy_project(
        tmp_path_factory.mktemp("rawhtml") / "project",
        test_articles=True,
        output_from=project_build.root,
    )
    folder = copy / "articles" / SLUG
    (folder / "images").mkdir()
    (folder / "images" / "dot.png").write_bytes(DOT_PNG)
    (folder / "manuscript" / "04-raw-html.md").write_text(SECTION, encoding="utf-8")
    out = f"output/articles/{SLUG}"
    result = snakemake(copy, f"{out}/article.epub", f"{out}/article.pdf", "--config", "glyphs=warn")
    return {"copy": copy, "out": copy / out, "result": result}


def test_the_build_passes_with_glyphs_warn(raw_html_build: dict) -> None:
    result = raw_html_build["result"]
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    assert (raw_html_build["out"] / "article.pdf").is_file()


def test_raw_html_of_every_allowed_kind_makes_a_valid_epub(raw_html_build: dict) -> None:
    epub = raw_html_build["out"] / "article.epub"
    verdict = epubcheck(epub)
    assert (verdict["fatals"], verdict["errors"], verdict["warnings"]) == (0, 0, 0), verdict[
        "report"
    ][-3000:]
    with zipfile.ZipFile(epub) as archive:
        text = "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xhtml")
        )
    # as pandoc's EPUB writer prints them (attributes in its order, the image in media/)
    shown = [
        '<img alt="a dot" src="../media/file0.png" />',
        '<img alt="dot" src="../media/file0.png" />',
        "line<br />break",
        "x<sup>2</sup>",
        '<span class="note">',
        "<hr />\n<table",
        '<td class="num">',
        "paragraph<br />of raw HTML &amp; an entity\u00a0here",
    ]
    assert [xhtml for xhtml in shown if xhtml not in text] == []
    assert "onclick" not in text


def test_the_builds_warnings_reach_the_terminal_at_their_line(raw_html_build: dict) -> None:
    result = raw_html_build["result"]
    shown = (result.stdout + result.stderr).splitlines()
    path = f"articles/{SLUG}/manuscript/04-raw-html.md"
    expected = [
        f"warning: {path}:5:9: active content removed from the outputs: attribute onclick=",
        f"warning: {path}:5:73: no font of the PDF (fonts.body 'Linux Libertine O') has a "
        "glyph for '東' (U+6771): it would print as an empty box",
    ]
    for line in expected:
        assert line in shown, "\n".join(ln for ln in shown if "warning" in ln)

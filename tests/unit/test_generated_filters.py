"""Tests of the Lua filters that place generated tables and figures (generated.lua) and
number and link cross-references (crossref.lua), on a small fixture (tests/data/summits/)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "data" / "summits"
FILTERS = ROOT / "src" / "build" / "styles" / "filters"


def pandoc(source: Path, to: str, *extra: str, output: Path | None = None) -> str:
    import pypandoc

    args = [
        f"--lua-filter={FILTERS / 'generated.lua'}",
        f"--lua-filter={FILTERS / 'crossref.lua'}",
        "--citeproc",
        f"--bibliography={FIXTURES / 'refs.bib'}",
        *extra,
    ]
    if output is not None:
        pypandoc.convert_file(str(source), to, extra_args=args, outputfile=str(output))
        return ""
    return pypandoc.convert_file(str(source), to, extra_args=args)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    cwd = os.getcwd()
    os.chdir(ROOT)  # generated-dir in the fixture is relative to the project root
    try:
        return pandoc(FIXTURES / "article.md", "html", "--wrap=none")
    finally:
        os.chdir(cwd)


def test_placeholder_becomes_a_captioned_table(html):
    table = re.search(r"<table id=\"tbl-summits\">.*?</table>", html, re.S).group(0)
    assert re.search(r"<caption>.*Table 1.*Summits of the Shanghai Five.*</caption>", table, re.S)
    assert '<th scope="col">Meeting</th>' in table
    assert table.count('<th scope="col">') == 3
    assert 'data-cites="bakshi2002">(Bakshi 2002, 267)</span>' in table  # citeproc ran
    assert '<div class="table-note">' in html


def test_placeholder_becomes_a_figure(html):
    figure = re.search(r'<figure id="fig-timeline">.*?</figure>', html, re.S).group(0)
    assert 'alt="A timeline of the summits, 1996 to 2017."' in figure
    assert re.search(
        r"<figcaption>.*Figure 1.*Timeline of the summits.*</figcaption>", figure, re.S
    )
    assert re.search(r'<figure id="fig-bodies">.*Figure 2', html, re.S)


def test_crossreferences_are_links(html):
    assert '(<a href="#fig-timeline" class="crossref">Figure 1</a>)' in html
    assert 'see <a href="#tbl-summits" class="crossref">Table 1</a>' in html
    assert 'in <a href="#fig-bodies" class="crossref">Figure 2</a>.' in html
    assert '<a href="#sec-evolution" class="crossref">The Evolution of Shanghai Five</a>' in html
    assert "tbl-summits?" not in html and "???" not in html


def test_unknown_crossreference_stops_pandoc(tmp_path):
    source = tmp_path / "bad.md"
    source.write_text("See @tbl-missing.\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="no table, figure or heading has the id #tbl-missing"):
        pandoc(source, "html")


def test_missing_generated_file_stops_pandoc(tmp_path):
    source = tmp_path / "bad.md"
    source.write_text(
        f"---\ngenerated-dir: {tmp_path}\n---\n\n::: {{#tbl-nothing .generated}}\n:::\n",
        encoding="utf-8",
    )
    with pytest.raises(RuntimeError, match="tbl-nothing.md not found"):
        pandoc(source, "html")

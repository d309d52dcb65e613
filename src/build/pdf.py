"""The PDF: print HTML from the AST, the profile's print CSS, WeasyPrint (PDF/UA-1).

The print HTML is the HTML that WeasyPrint paginates; footnotes are inline spans floated to
the foot of their page (CSS GCPM 3 ``float: footnote``).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from build.atomic import atomic_output
from build.errors import ErrorList, RenderError
from build.frontmatter import running_heads
from build.locate import find_in_sources
from build.pandoc import CSS_DIR, DEFAULTS_DIR, STYLES_DIR, emit_warnings, run_pandoc, write_atomic
from build.profile import Profile


def css_string(text: str) -> str:
    """A CSS string literal of ``text`` (CSS Syntax 3 §4.3.5: escape ``"`` ``\\`` newline)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return f'"{escaped}"'


def css_font_family(name: str, fallback: str) -> str:
    """A font-family list: the named family (quoted) then a generic fallback."""
    return f"{css_string(name)}, {fallback}"


def profile_css(profile: Profile, recto: str, verso: str) -> str:
    """Print CSS generated from the profile: page size and margins (mm), fonts, running heads.

    CSS Paged Media 3: ``@page :left``/``:right`` put the inner margin at the binding and the
    running heads on the outer side; ``@page :first`` has none (the title page).

    Returns:
        CSS text, linked from the print HTML after ``print.css`` so that it wins.
    """
    m = profile.margins
    return f"""/* Generated from the journal profile (config/config.yaml); do not edit. */
@page {{
  size: {profile.page_size};
  margin: {m.top_mm}mm {m.outer_mm}mm {m.bottom_mm}mm {m.inner_mm}mm;
}}
@page :left {{
  margin-left: {m.outer_mm}mm;
  margin-right: {m.inner_mm}mm;
  @top-left {{ content: {css_string(verso)}; }}
}}
@page :right {{
  margin-left: {m.inner_mm}mm;
  margin-right: {m.outer_mm}mm;
  @top-right {{ content: {css_string(recto)}; }}
}}
@page :first {{
  @top-left {{ content: none; }}
  @top-right {{ content: none; }}
}}
html {{
  font-family: {css_font_family(profile.body_font, "serif")};
  font-size: {profile.font_size_pt}pt;
  line-height: {profile.line_height};
}}
h1, h2, h3, h4, h5, h6, .running-head, .keywords-label, .abstract-title, .masthead, .orcid {{
  font-family: {css_font_family(profile.heading_font, "sans-serif")};
}}
code, pre, kbd {{
  font-family: {css_font_family(profile.mono_font, "monospace")};
}}
"""


def print_html(ast: dict[str, Any], stylesheets: Sequence[str], profile: Profile) -> str:
    """The print HTML (``defaults/pdf.yaml``) linking ``stylesheets`` (hrefs, in order)."""
    args = ["--defaults", str(DEFAULTS_DIR / "pdf.yaml")]
    for href in stylesheets:
        args += ["--css", href]
    stdout, stderr = run_pandoc(args, json.dumps(ast).encode("utf-8"), profile.source_date_epoch_s)
    emit_warnings(stderr)
    return stdout.decode("utf-8")


#: suffix of a generated figure's print SVG beside its screen SVG (rules/figures.smk)
PRINT_SVG_SUFFIX = ".print.svg"


def print_figures(
    ast: dict[str, Any], exists: Callable[[str], bool] = os.path.isfile
) -> dict[str, Any]:
    """The AST with every SVG image that has a print SVG beside it pointing to that file.

    ``output/generated/fig-x.svg`` draws text as glyph outlines (screens, HTML and EPUB);
    ``fig-x.print.svg`` keeps it as text, which WeasyPrint sets in the embedded font: the
    PDF's figure labels can be searched and selected, and WeasyPrint is ~0.7 s faster
    (:func:`build.figures.figure_svg`, issue 10).

    Args:
        ast: pandoc's JSON AST (not modified).
        exists: whether a path (as written in the image's src) is a file.

    Returns:
        a new AST; images without a print SVG, and every other element, are unchanged.
    """

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("t") == "Image":
            attr, inlines, (src, title) = node["c"]
            if src.endswith(".svg") and not src.endswith(PRINT_SVG_SUFFIX):
                candidate = src[: -len(".svg")] + PRINT_SVG_SUFFIX
                if exists(candidate):
                    return {"t": "Image", "c": [attr, walk(inlines), [candidate, title]]}
        return {key: walk(value) for key, value in node.items()}

    return walk(ast)


def _confined_fetcher(roots: Sequence[Path]) -> Any:
    """A WeasyPrint URL fetcher that serves only ``data:`` URLs and files under ``roots``.

    Anything else stops the rendering (``FatalURLFetchingError``), so a PDF never depends on
    the network or on files outside the project.
    """
    from urllib.request import url2pathname

    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    allowed = [r.resolve() for r in roots]

    class ConfinedURLFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if not any(path == r or r in path.parents for r in allowed):
                    raise FatalURLFetchingError(f"outside the project: {url}")
            elif not url.startswith("data:"):
                raise FatalURLFetchingError(f"only project files and data: URLs: {url}")
            return super().fetch(url, headers)

    return ConfinedURLFetcher(allowed_protocols={"file", "data"})


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def write_pdf(
    ast: dict[str, Any],
    output: str | Path,
    profile: Profile,
    metadata: dict[str, Any],
    print_html_path: str | Path,
    roots: Sequence[Path] = (),
    sources: Sequence[str | Path] = (),
    glyphs: str = "error",
    config: str | Path = "config/config.yaml",
) -> int:
    """Write the PDF: pandoc -> print HTML (linking ``print.css`` and the generated profile CSS,
    figures from their print SVGs: :func:`print_figures`) -> WeasyPrint, PDF/UA-1 variant
    (tagged, language set, structure tree).

    Args:
        ast: the article AST.
        output: the PDF path.
        profile: page size, margins, fonts, running heads.
        metadata: the article metadata (running-head text, authors for the verso head).
        print_html_path: where the print HTML is kept (``profile.css`` is written beside it).
        roots: directories WeasyPrint may read besides the styles, the print HTML's folder and
            the working directory (the project root, against which relative URLs resolve).
        sources: the article's section files and metadata.yaml, to name the line of a
            character the fonts lack.
        glyphs: ``"error"``: a character no font has, or a font that is not the profile's
            (:func:`build.fonts.font_problems`), fails the PDF; ``"warn"``: each is printed as
            ``warning: path:line:col: ...`` on standard error and the PDF is kept
            (``snakemake --config glyphs=warn``, README).
        config: the journal profile file, to name the line of a font that is not installed.

    Returns:
        the number of pages.

    Raises:
        RenderError: a resource outside the allowed roots, a resource that fails to load, or a
            WeasyPrint failure.
        ErrorList: of :class:`RenderError`, one per character that no font of the PDF has
            (WeasyPrint drew an empty box), at its first ``path:line:col`` in ``sources``,
            and one per font fallback (a family of the profile not installed, at its line of
            ``config``; a character set in another font, at its line in ``sources``); the
            PDF is not kept. Not with ``glyphs="warn"``.
    """
    from build.fonts import font_problems

    html_path = Path(print_html_path).resolve()
    base = Path.cwd().resolve()  # images (output/generated/...) are relative to the project
    recto, verso = running_heads(metadata, profile)
    profile_css_path = html_path.with_name("profile.css")
    write_atomic(profile_css_path, profile_css(profile, recto, verso))
    hrefs = [(CSS_DIR / "print.css").as_uri(), profile_css_path.as_uri()]
    # importing WeasyPrint takes ~0.5 s: done while pandoc writes the print HTML (issue 10)
    importer = threading.Thread(target=importlib.import_module, args=("weasyprint",))
    importer.start()
    write_atomic(html_path, print_html(print_figures(ast), hrefs, profile))
    importer.join()

    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    fetcher = _confined_fetcher([STYLES_DIR, html_path.parent, base, *roots])
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    options = {"pdf_variant": "pdf/ua-1"}
    try:
        document = HTML(
            filename=str(html_path), base_url=base.as_uri() + "/", url_fetcher=fetcher
        ).render(**options)
        failed = [m for m in collector.messages if "Failed to load" in m]
        if failed:
            raise RenderError(
                f"WeasyPrint could not load a resource: {failed[0]}",
                str(html_path),
                hint="check the stylesheet and image paths in the print HTML",
            )
        # provenance (build.provenance): build date and commit in the Info dictionary and XMP;
        # the file identifier is the md5 of the PDF's objects, so it depends on nothing else
        date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(profile.source_date_epoch_s))
        document.metadata.created = document.metadata.modified = date
        document.metadata.custom = {"BuildDate": date}
        if profile.commit:
            document.metadata.custom["BuildCommit"] = profile.commit
        options.update(custom_metadata=True, pdf_identifier=True)
        with atomic_output(output, remove_stale=True) as tmp:
            document.write_pdf(str(tmp), **options)
            missing = missing_glyphs(collector.messages)
            problems = [_glyph_error(c, profile, sources or [str(html_path)]) for c in missing]
            # the fonts embedded in the PDF, read from it: another font than the profile's?
            problems += font_problems(tmp.read_bytes(), profile, sources, config, "".join(missing))
            if problems and glyphs != "warn":  # raised inside: the PDF is not kept
                raise ErrorList(problems)
            for problem in problems:
                print(f"warning: {problem}", file=sys.stderr)
    except FatalURLFetchingError as error:  # derives from BaseException
        raise RenderError(
            f"WeasyPrint refused a resource: {error}",
            str(html_path),
            hint="only files under the project and data: URLs may be used",
        ) from None
    finally:
        logger.removeHandler(collector)
    for message in collector.messages:
        if not _NOTDEF_RE.search(message):  # those are reported above, at their source line
            print(f"weasyprint: {message}", file=sys.stderr)
    return len(document.pages)


#: WeasyPrint's warning for a character that no font has (it draws the .notdef box).
_NOTDEF_RE = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*?)"')


def missing_glyphs(messages: Sequence[str]) -> list[str]:
    """The characters WeasyPrint's ``messages`` say no font has, each once, in order."""
    found: list[str] = []
    for message in messages:
        match = _NOTDEF_RE.search(message)
        for char in match.group(1) if match else "":
            if char not in found:
                found.append(char)
    return found


def _glyph_error(char: str, profile: Profile, sources: Sequence[str | Path]) -> RenderError:
    """A :class:`RenderError` for a character the fonts lack, at its first place in ``sources``."""
    where = find_in_sources(sources, lambda line: line.find(char)) or (str(sources[0]), 0, 0)
    return RenderError(
        f"no font of the PDF (fonts.body {profile.body_font!r}) has a glyph for {char!r} "
        f"(U+{ord(char):04X}): it would print as an empty box",
        *where,
        hint="use a font that has it (fonts.body in config/config.yaml) or write the character "
        "another way; `snakemake --config glyphs=warn` builds the PDF anyway",
    )

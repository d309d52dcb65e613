"""Render stage: the manuscript as HTML, EPUB 3 and PDF.

Terms used in this module:

* ``AST``: pandoc's JSON abstract syntax tree of the whole article, produced once by
  :func:`parse_article` (Markdown + metadata + bibliography, citations resolved by pandoc's
  citeproc with the profile's CSL style). Every output is written from it.
* ``profile``: the journal profile of ``config/config.yaml`` (see ``config/schema.yaml``):
  CSL style, page size and margins in millimetres, fonts, running heads, journal values.
* ``defaults``: pandoc defaults files in ``styles/defaults/`` in layers: ``common`` (parse),
  then one of ``html``, ``epub``, ``pdf``.
* ``print HTML``: the HTML that WeasyPrint paginates; footnotes are inline spans floated to the
  foot of their page (CSS GCPM 3 ``float: footnote``).
* ``citekey``: a citation key as written after ``@`` in the Markdown.

pandoc is the 3.x binary bundled with ``pypandoc-binary`` (``pypandoc.get_pandoc_path()``),
run as a subprocess so that its warnings (missing citations) and exit code are ours to read.
Every file is written atomically (temporary file in the target directory, then
``os.replace``): a failed step leaves no partial output.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from build.epub import write_epub, xhtml_problems  # noqa: F401 - the render stage's writers
from build.errors import ErrorList, ManuscriptError, PipelineError, RenderError
from build.frontmatter import (  # noqa: F401 - the front matter, as the render stage uses it
    ARTICLE_JOURNAL_KEYS,
    add_profile_meta,
    author_surnames,
    epub_identifier,
    meta_title,
    read_metadata,
    running_heads,
    with_jsonld,
)
from build.labels import AND_WORDS_FILE, LABELS_FILE
from build.locate import (  # noqa: F401
    article_sources,
    find_in_sources,
    pandoc_warnings,
    printed_sources,
)
from build.names import PARTICLES_FILE
from build.pandoc import (  # noqa: F401 - running pandoc, as the render stage uses it
    BASE_ENV,
    CSS_DIR,
    DEFAULTS_DIR,
    STYLES_DIR,
    emit_warnings,
    pandoc_path,
    read_text,
    run_pandoc,
    write_atomic,
)
from build.pdf import (  # noqa: F401 - the PDF writer and its parts
    PRINT_SVG_SUFFIX,
    css_font_family,
    css_string,
    missing_glyphs,
    print_figures,
    profile_css,
    write_pdf,
)
from build.profile import (  # noqa: F401 - the profile's names, as the render stage uses them
    PAGE_SIZES_MM,
    UNIT_SUFFIXES,
    Margins,
    Profile,
    check_config,
    issue_values,
    load_profile,
    profile_from_config,
    read_profile,
    resolve_csl,
    schema_errors,
    text_width_mm,
    validate_workflow_config,
)
from build.yamlfile import yaml_data, yaml_position  # noqa: F401

FORMATS = ("json", "html", "epub", "pdf")

#: Metadata pandoc adds from the command line that names files of this build (the CSL file's
#: absolute path, the bibliography's path): removed from the AST, so that its bytes and the
#: EPUB identifier made from them do not depend on where the project or .venv is.
BUILD_PATH_META = ("csl", "bibliography")

#: pandoc's citeproc warning for a citekey the bibliography lacks (pandoc 3.x wording).
MISSING_CITATION_RE = re.compile(r"\[WARNING\] Citeproc: citation (\S+) not found")

#: The style files each render step reads (relative to styles/), kept in step with the pandoc
#: defaults files and the templates they include: ``parse`` is defaults/common.yaml's filters.
STYLE_FILES_BY_STEP: dict[str, tuple[str, ...]] = {
    "parse": (
        "defaults/common.yaml",
        "filters/generated.lua",
        "filters/crossref.lua",
        "filters/sanitize.lua",
        "filters/metadata.lua",
        "filters/citation-lang.lua",
        "filters/narrative-and.lua",
        "filters/and-words.json",
        "filters/narrative-capital.lua",
        "filters/nobreak.lua",
        "filters/nobreak-words.json",
    ),
    "html": (
        "defaults/html.yaml",
        "templates/article.html",
        "templates/scholarmeta.html",
        "templates/titleblock.html",
        "templates/masthead.html",
        "filters/citation-backlinks.lua",
        "filters/figure-caption-top.lua",
        "filters/screen-scroll.lua",
        "css/article.css",
    ),
    "epub": (
        "defaults/epub.yaml",
        "templates/epub.html",
        "templates/titleblock.html",
        "templates/masthead.html",
        "filters/epub-anchors.lua",
        "filters/citation-backlinks.lua",
        "filters/figure-caption-top.lua",
        "css/epub.css",
    ),
    "pdf": (
        "defaults/pdf.yaml",
        "templates/print.html",
        "templates/titleblock.html",
        "templates/masthead.html",
        "filters/bookmarks.lua",
        "filters/footnotes.lua",
        "filters/figure-caption-top.lua",
        "filters/print-typography.lua",
        "css/print.css",
    ),
    "issue": ("css/issue.css",),  # build.issue: the issue's table of contents
}


#: The modules of the render stage (in src/build/): every render step depends on them.
RENDER_MODULES = (
    "render.py",
    "pandoc.py",
    "frontmatter.py",
    "locate.py",
    "epub.py",
    "pdf.py",
    "fonts.py",
    "labels.py",
    "names.py",
)

#: The data files of the render stage's words (build.labels, build.names): every render step
#: prints them.
RENDER_LEXICON = (LABELS_FILE, PARTICLES_FILE, AND_WORDS_FILE)


def style_inputs(step: str) -> list[str]:
    """The files a render step depends on: the render modules and its style files (absolute paths).

    Args:
        step: ``parse``, ``html``, ``epub``, ``pdf`` or ``issue``.
    Returns:
        Paths as strings, for the ``input:`` of the workflow's render rules, so that a change
        to an EPUB stylesheet re-renders the EPUB and nothing else.
    Raises:
        RenderError: a file under styles/ (outside styles/diff/) belongs to no step, so a new
            template or filter cannot be forgotten as an input.
    """
    listed = {name for names in STYLE_FILES_BY_STEP.values() for name in names}
    present = {
        p.relative_to(STYLES_DIR).as_posix()
        for p in STYLES_DIR.rglob("*")
        if p.is_file() and not {"__pycache__", "diff", "lua"} & set(p.parts)
    }  # diff/: the diff's styles; lua/: scripts of other stages (build.safety.READ_EACH)
    if present - listed:
        raise RenderError(
            f"style files not declared for a render step: {sorted(present - listed)}",
            str(Path(__file__)),
            hint="add them to STYLE_FILES_BY_STEP in src/build/render.py",
        )
    modules = [str(Path(__file__).with_name(name)) for name in RENDER_MODULES]
    modules += [str(p) for p in RENDER_LEXICON]
    return [*modules, *(str(STYLES_DIR / name) for name in STYLE_FILES_BY_STEP[step])]


# --------------------------------------------------------------------------- citations


def missing_citations(stderr: str) -> list[str]:
    """Citekeys that pandoc's citeproc reported as not found, in order, without repeats."""
    keys: list[str] = []
    for key in MISSING_CITATION_RE.findall(stderr):
        if key not in keys:
            keys.append(key)
    return keys


def locate_citekey(key: str, sources: Sequence[tuple[str, str]]) -> list[tuple[str, int, int]]:
    """Where ``@key`` is written: (path, line, column), 1-based, for every occurrence.

    Args:
        key: the citekey (as in pandoc's warning).
        sources: (path, text) pairs searched in order.
    """
    pattern = re.compile(r"(?<![\w@])@\{?" + re.escape(key) + r"(?![\w:.#$%&+?<>~/-]*\w)")
    found = []
    for path, text in sources:
        for number, line in enumerate(text.splitlines(), start=1):
            for match in pattern.finditer(line):
                found.append((path, number, match.start() + 1))
    return found


def missing_citation_errors(
    keys: Sequence[str],
    sources: Sequence[tuple[str, str]],
    bibliography: str,
    fallback: Sequence[tuple[str, str]] = (),
) -> list[RenderError]:
    """One :class:`RenderError` per occurrence of each missing citekey (at least one per key).

    Occurrences are searched in ``sources`` (the section files), then in ``fallback`` (the
    assembled Markdown, where a normalized citation may differ from the section's text).
    """
    errors = []
    for key in keys:
        places = (
            locate_citekey(key, sources)
            or locate_citekey(key, fallback)
            or [((sources or fallback or [("", "")])[0][0], 0, 0)]
        )
        for path, line, column in places:
            errors.append(
                RenderError(
                    f"citation @{key} has no entry in {bibliography}",
                    path,
                    line,
                    column,
                    hint=f"add an entry with key {key!r} to {bibliography} or fix the citekey",
                )
            )
    return errors


# --------------------------------------------------------------------------- AST


def parse_options(
    metadata: str | Path,
    bibliography: str | Path,
    profile: Profile,
    generated_dir: str | Path,
    data: dict[str, Any] | None = None,
) -> list[str]:
    """pandoc's options of the parse (after ``--defaults common.yaml``): the checked metadata,
    the bibliography, the profile's CSL style, the generated folder, the labels of the
    article's ``lang`` that its metadata does not set (:func:`build.labels.label_options`)
    and, for an APA style, "and" in narrative citations (APA 7 §8.17,
    ``filters/narrative-and.lua``). ``data``: the metadata already read (default: read here)."""
    from build.intext import citation_locale, is_apa_style
    from build.labels import label_options

    csl = resolve_csl(profile.csl_style)
    data = _metadata_mapping(metadata) if data is None else data
    lang = data.get("lang") if isinstance(data.get("lang"), str) else None
    locale = citation_locale(csl, lang)
    return [
        *("--metadata-file", str(metadata), "--bibliography", str(bibliography)),
        *("--csl", str(csl), "--metadata", f"generated-dir={Path(generated_dir).as_posix()}"),
        *label_options(lang, data),
        *(["--metadata", "narrative-and=true"] if is_apa_style(csl) else []),
        # the style's locale for citeproc alone (filters/citation-lang.lua)
        *(["--metadata", f"citation-lang={locale}"] if locale and locale != lang else []),
    ]


def _metadata_mapping(metadata: str | Path) -> dict[str, Any]:
    """The checked metadata (JSON of the manuscript stage, or YAML) as a mapping; {} when it
    is not one (pandoc then reports the file)."""
    text = read_text(metadata)
    try:
        data = (
            json.loads(text) if str(metadata).endswith(".json") else yaml_data(text, str(metadata))
        )
    except (ValueError, PipelineError):
        return {}
    return data if isinstance(data, dict) else {}


def parse_article(
    markdown: str | Path,
    metadata: str | Path,
    bibliography: str | Path,
    profile: Profile,
    sections: Sequence[str | Path] = (),
    generated_dir: str | Path = "output/generated",
) -> dict[str, Any]:
    """Parse the article once into pandoc's JSON AST, with citations resolved.

    Args:
        markdown: the article's Markdown (``output/cite/article.md``).
        metadata: the checked metadata (``<output folder>/manuscript/metadata.json`` of
            ``article manuscript --metadata-json``; the sources' safety checks ran there).
        bibliography: the article's ``refs.bib``.
        profile: the journal profile (CSL style, journal values).
        sections: the manuscript's section files; missing citekeys are reported at their
            place in these files (else in ``markdown``).
        generated_dir: the article's generated tables and figures (``<output folder>/generated``,
            read by ``generated.lua``), relative to the project root.

    Returns:
        the AST as a dict (pandoc-api-version, meta, blocks), journal values in ``meta``.

    Raises:
        RenderError: pandoc fails, or citations name keys that ``bibliography`` lacks
            (an :class:`ErrorList` with every occurrence).
    """
    from build import safety

    text = read_text(metadata)  # the typed values as written (build.frontmatter)
    raw = json.loads(text) if str(metadata).endswith(".json") else yaml_data(text, str(metadata))
    options = parse_options(
        metadata, bibliography, profile, generated_dir, raw if isinstance(raw, dict) else {}
    )
    args = ["--defaults", str(DEFAULTS_DIR / "common.yaml"), *options, str(markdown)]
    try:
        stdout, stderr = run_pandoc(args, epoch_s=profile.source_date_epoch_s)
    except RenderError as error:
        raise filter_error_at_source(error, sections) from None
    keys = missing_citations(stderr)
    if keys:
        # the metadata too: a citation in the abstract
        sources = [(str(p), read_text(p)) for p in article_sources(sections)]
        assembled = [(str(markdown), read_text(markdown))]
        raise ErrorList(missing_citation_errors(keys, sources, str(bibliography), assembled))
    for line in pandoc_warnings(stderr, str(markdown), sections):  # at the sections' lines
        print(line, file=sys.stderr)
    tree = json.loads(stdout)
    if sections:  # the article's image paths, from its folder to the repository root's
        from build.articles import article_folder

        tree = rebase_images(tree, article_folder(sections[0]), Path(generated_dir))
    safety.guard_ast(tree, str(markdown))  # generated tables and figures included
    meta = tree.get("meta", {})
    for key in BUILD_PATH_META:  # where the files were, not what the article says
        meta.pop(key, None)
    return add_profile_meta(tree, profile, raw)


#: an id a filter's error names: "the id #sec-x is used twice", "no ... has the id #tbl-x"
_NAMED_ID = re.compile(r"#([\w:.-]+)")


def filter_error_at_source(error: RenderError, sections: Sequence[str | Path]) -> RenderError:
    """``error`` (a parse filter's, :func:`build.pandoc.first_pandoc_error`) placed in the
    article's own files: an id used twice (crossref.lua) at its second ``{#id``, another id
    the message names (a cross-reference to nothing: ``@tbl-x``) at its first use; else
    ``error`` itself."""
    match = _NAMED_ID.search(error.message)
    if not match or not sections:
        return error
    ident, sources = match.group(1), article_sources(sections)
    if "used twice" in error.message:
        written = re.compile(r"\{#" + re.escape(ident) + r"(?=[\s}])")
        places = [
            (str(path), number, found.start() + 1)
            for path in sources
            for number, line in enumerate(read_text(path).splitlines(), start=1)
            for found in written.finditer(line)
        ]
        where = places[1] if len(places) > 1 else (places[0] if places else None)
        hint = "give each heading, table and figure an id of its own"
        if len(places) > 1:
            hint += f" (the first is at {places[0][0]}:{places[0][1]})"
    else:
        where = find_in_sources(sources, lambda line: line.find("@" + ident))
        hint = error.hint
        if "no table, figure or heading" in error.message:
            hint = (
                f"write {{#{ident}}} after the caption or heading meant, or correct the "
                "cross-reference"
            )
    if where is None:
        return error
    return RenderError(
        re.sub(r"^pandoc failed \(exit \d+\): ", "", error.message), *where, hint=hint
    )


#: a src= or poster= attribute in raw HTML, its value quoted or not (HTML §13.1.2.3)
_RAW_SRC = re.compile(r"""(\s(?:src|poster)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.I)


def rebase_images(ast: dict[str, Any], folder: Path, generated: Path) -> dict[str, Any]:
    """The AST with the relative image paths of an article's manuscript made relative to the
    repository root, where every later stage runs: an article in ``articles/x/`` writes
    ``![](images/a.png)`` for ``articles/x/images/a.png``; so are the ``src``/``poster`` of raw
    HTML (``<img src=images/a.png>``). Paths under ``generated`` (the
    article's generated figures, already so), remote and absolute ones are left as they are;
    so is everything of the root article (``folder`` ``.``)."""
    if folder == Path("."):
        return ast
    prefix, made = folder.as_posix(), generated.as_posix().rstrip("/") + "/"

    def rebased(src: str) -> str:
        relative = src and not re.match(r"^([a-zA-Z][\w+.-]*:|/|#)", src)
        return f"{prefix}/{src}" if relative and not src.startswith(made) else src

    def raw(match: re.Match[str]) -> str:  # src=/poster= of raw HTML, quoted or not
        quote = match.group(2)[:1] if match.group(2)[:1] in "\"'" else ""
        value = match.group(2)[len(quote) : len(match.group(2)) - len(quote)]
        return f"{match.group(1)}{quote}{rebased(value)}{quote}"

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result = {k: walk(v) for k, v in node.items()}
        if result.get("t") == "Image":
            attr, caption, (src, title) = result["c"]
            result["c"] = [attr, caption, [rebased(src), title]]
        elif result.get("t") in ("RawInline", "RawBlock") and result["c"][0].startswith("html"):
            text = _RAW_SRC.sub(raw, result["c"][1])
            result["c"] = [result["c"][0], text]
        return result

    return walk(ast)


def write_html(ast: dict[str, Any], output: str | Path, profile: Profile) -> None:
    """Write the standalone screen HTML page (``defaults/html.yaml``) atomically."""
    stdout, stderr = run_pandoc(
        ["--defaults", str(DEFAULTS_DIR / "html.yaml"), "--resource-path", str(CSS_DIR)],
        json.dumps(with_jsonld(ast)).encode("utf-8"),
        profile.source_date_epoch_s,
    )
    emit_warnings(stderr)
    write_atomic(output, stdout)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article render``."""
    parser.add_argument("--to", required=True, choices=FORMATS, help="output format")
    parser.add_argument("--markdown", help="the article's Markdown (output/cite/article.md)")
    parser.add_argument("--metadata", help="manuscript/metadata.yaml")
    parser.add_argument("--bibliography", help="refs.bib")
    parser.add_argument(
        "--ast", help="a JSON AST from `--to json` (instead of --markdown/--bibliography)"
    )
    parser.add_argument(
        "--profile", help="the checked journal profile (output/profile.json of `article profile`)"
    )
    parser.add_argument(
        "--config", default="config/config.yaml", help="journal profile, without --profile"
    )
    parser.add_argument(
        "--csl-style", help="CSL style replacing the profile's csl_style (without --profile)"
    )
    parser.add_argument(
        "--sections", nargs="*", default=[], help="section files, to place errors in them"
    )
    parser.add_argument(
        "--issue", help="the issue file (config/issue.yaml), without --profile: volume, number"
    )
    parser.add_argument(
        "--generated-dir",
        default="output/generated",
        help="the article's generated tables and figures (default: %(default)s)",
    )
    parser.add_argument("--print-html", help="where to keep the print HTML (PDF only)")
    parser.add_argument(
        "--glyphs",
        choices=("error", "warn"),
        default="error",
        help="a character no font has, or a font fallback: fail the PDF (default) or warn and "
        "keep it (snakemake --config glyphs=warn)",
    )
    parser.add_argument("--output", required=True, help="the file to write")


def command(
    to: str,
    output: str,
    markdown: str | None = None,
    metadata: str | None = None,
    bibliography: str | None = None,
    ast: str | None = None,
    config: str = "config/config.yaml",
    sections: Sequence[str] = (),
    print_html: str | None = None,
    csl_style: str | None = None,
    generated_dir: str = "output/generated",
    issue: str | None = None,
    profile: str | None = None,
    glyphs: str = "error",
) -> int:
    """Render one output; returns 0. Errors are raised as :class:`PipelineError`.

    The journal profile is the checked one of ``profile`` (the workflow's jobs), else
    ``config`` with ``csl_style`` and ``issue`` is checked here (by hand)."""
    from build.provenance import stamp_from_environment

    if profile:
        checked = read_profile(profile)
    else:
        checked = load_profile(config, {"csl_style": csl_style} if csl_style else None)
        checked = dataclasses.replace(checked, issue=issue_values(issue))
    epoch_s, commit = stamp_from_environment(checked.source_date_epoch_s)
    profile_value = dataclasses.replace(checked, source_date_epoch_s=epoch_s, commit=commit)
    return _render(
        to, output, profile_value, markdown, metadata, bibliography, ast, sections, print_html,
        generated_dir, glyphs, config,
    )  # fmt: skip


def _render(
    to: str,
    output: str,
    profile: Profile,
    markdown: str | None,
    metadata: str | None,
    bibliography: str | None,
    ast: str | None,
    sections: Sequence[str],
    print_html: str | None,
    generated_dir: str,
    glyphs: str = "error",
    config: str = "config/config.yaml",
) -> int:
    if ast:
        tree = json.loads(read_text(ast))
    elif markdown and metadata and bibliography:
        tree = parse_article(markdown, metadata, bibliography, profile, sections, generated_dir)
    else:
        raise RenderError(
            "no input", hint="give --ast, or --markdown with --metadata and --bibliography"
        )
    if to == "json":
        write_atomic(output, json.dumps(tree, ensure_ascii=False))
    elif to == "html":
        write_html(tree, output, profile)
    elif to == "epub":
        write_epub(tree, output, profile, sections)
    else:
        if not metadata:
            raise RenderError("--to pdf needs --metadata", hint="pass manuscript/metadata.yaml")
        meta = read_metadata(read_text(metadata, ManuscriptError), metadata)
        keep = print_html or str(Path(output).with_suffix(".print.html"))
        sources = printed_sources(sections)
        pages = write_pdf(tree, output, profile, meta, keep, [Path.cwd()], sources, glyphs, config)
        print(f"render: {output}: {pages} pages", file=sys.stderr)
    return 0

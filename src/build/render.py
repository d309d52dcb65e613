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
import hashlib
import importlib
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from build.atomic import atomic_output, read_utf8
from build.errors import ErrorList, ManuscriptError, PipelineError, RenderError
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

#: Package data: defaults files, templates, Lua filters, CSS.
STYLES_DIR = Path(__file__).resolve().parent / "styles"
DEFAULTS_DIR = STYLES_DIR / "defaults"
CSS_DIR = STYLES_DIR / "css"

FORMATS = ("json", "html", "epub", "pdf")

#: Fixed environment of every pandoc run (time zone and locale fixed for the build).
BASE_ENV = {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}

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
        "filters/narrative-and.lua",
    ),
    "html": (
        "defaults/html.yaml",
        "templates/article.html",
        "templates/scholarmeta.html",
        "templates/titleblock.html",
        "filters/citation-backlinks.lua",
        "filters/figure-caption-top.lua",
        "css/article.css",
    ),
    "epub": (
        "defaults/epub.yaml",
        "templates/epub.html",
        "templates/titleblock.html",
        "filters/epub-anchors.lua",
        "filters/citation-backlinks.lua",
        "filters/figure-caption-top.lua",
        "css/epub.css",
    ),
    "pdf": (
        "defaults/pdf.yaml",
        "templates/print.html",
        "templates/titleblock.html",
        "filters/bookmarks.lua",
        "filters/footnotes.lua",
        "filters/figure-caption-top.lua",
        "css/print.css",
    ),
    "issue": ("css/issue.css",),  # build.issue: the issue's table of contents
}


def style_inputs(step: str) -> list[str]:
    """The files a render step depends on: this module plus its style files (absolute paths).

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
        if p.is_file() and "__pycache__" not in p.parts and "diff" not in p.parts
    }
    if present - listed:
        raise RenderError(
            f"style files not declared for a render step: {sorted(present - listed)}",
            str(Path(__file__)),
            hint="add them to STYLE_FILES_BY_STEP in src/build/render.py",
        )
    return [__file__, *(str(STYLES_DIR / name) for name in STYLE_FILES_BY_STEP[step])]


# --------------------------------------------------------------------------- metadata


def read_metadata(text: str, path: str = "manuscript/metadata.yaml") -> dict[str, Any]:
    """Parse the article's metadata YAML and check the keys the templates need.

    Args:
        text: the content of ``manuscript/metadata.yaml``.
        path: its path, for error messages.

    Returns:
        the metadata mapping.

    Raises:
        ManuscriptError: malformed YAML (``path:line:col``), not a mapping, or no ``title``.
    """
    data = yaml_data(text, path, ManuscriptError)
    if not isinstance(data, dict):
        raise ManuscriptError(
            "metadata is not a YAML mapping", path, 1, hint="write `key: value` lines"
        )
    if not data.get("title"):
        raise ManuscriptError("metadata has no title", path, 1, hint="add `title: ...`")
    return data


def author_surnames(metadata: dict[str, Any]) -> str:
    """Short author line for the verso running head: "Okafor and Lindqvist", "Okafor et al." (3+).

    The surname is the last word of ``name`` (or ``surname`` when given).
    """
    names = []
    for author in metadata.get("author") or []:
        if isinstance(author, dict):
            surname = author.get("surname") or str(author.get("name", "")).split()[-1:]
            names.append(surname if isinstance(surname, str) else " ".join(surname))
        else:
            names.append(str(author).split()[-1])
    names = [n for n in names if n]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def running_heads(metadata: dict[str, Any], profile: Profile) -> tuple[str, str]:
    """(recto, verso) running-head texts: the profile's values, else ``running-head`` (or the
    title) on the recto and the authors' surnames on the verso."""
    recto = profile.running_head_recto or metadata.get("running-head") or metadata["title"]
    verso = profile.running_head_verso or author_surnames(metadata)
    return str(recto), str(verso)


def epub_identifier(
    title: str, configured: str | None = None, doi: str | None = None, digest: str = ""
) -> str:
    """The EPUB's fixed ``dc:identifier`` (EPUB 3.3 §5.5.3.1): the configured one, else the
    profile's DOI (``doi:10....``), else a name-based UUID (v5) of the title and ``digest``
    (a hash of the sources), so that rebuilding the same sources gives the same identifier."""
    if configured:
        return configured
    if doi:
        return f"doi:{doi}"
    name = "article:" + title + (f":{digest}" if digest else "")
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


# --------------------------------------------------------------------------- CSS


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
h1, h2, h3, h4, h5, h6, .running-head, .keywords-label, .abstract-title {{
  font-family: {css_font_family(profile.heading_font, "sans-serif")};
}}
code, pre, kbd {{
  font-family: {css_font_family(profile.mono_font, "monospace")};
}}
"""


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


def _meta_value(value: Any) -> dict[str, Any]:
    """A Python value as a pandoc JSON MetaValue (strings stay MetaString)."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): _meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value]}
    return {"t": "MetaString", "c": str(value)}


#: Keys of an article's own metadata (``manuscript/metadata.yaml``) that the journal line and
#: the scholarly ``<meta>`` tags print with the journal's and the issue's values.
ARTICLE_JOURNAL_KEYS = ("doi", "pages", "first-page", "last-page")


def add_profile_meta(ast: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """Return a copy of ``ast`` with ``meta.journal`` (used by the templates' journal line and
    scholarly ``<meta>`` tags): the profile's set journal values, the issue's (``volume``,
    ``issue``, ``year``: :attr:`Profile.issue`) and the article's own ``doi``, ``pages``,
    ``first-page`` and ``last-page`` from its metadata; ``meta.rights`` from
    ``journal.license`` and ``meta.date`` (EPUB ``dc:date``) from the issue's year. Unset
    values add nothing."""
    result = dict(ast)
    meta = dict(result.get("meta", {}))
    values = {**profile.journal, **profile.issue}
    journal = {str(k): _meta_value(v) for k, v in values.items()}
    journal.update({k: meta[k] for k in ARTICLE_JOURNAL_KEYS if k in meta})
    if journal:
        meta["journal"] = {"t": "MetaMap", "c": journal}
        if "license" in values and "rights" not in meta:
            meta["rights"] = _meta_value(values["license"])
        if "year" in values and "date" not in meta:  # EPUB dc:date = publication
            meta["date"] = _meta_value(values["year"])
    result["meta"] = meta
    return result


def meta_title(ast: dict[str, Any], *keys: str) -> str:
    """The plain text of ``meta.title`` of a pandoc JSON AST ('' when absent); with ``keys``,
    of that metadata value instead (``"journal", "doi"``: a MetaMap's entry)."""

    def text(node: Any) -> str:
        if isinstance(node, dict):
            kind, content = node.get("t"), node.get("c")
            if kind == "Str":
                return content
            if kind in ("Space", "SoftBreak", "LineBreak"):
                return " "
            return text(content)
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        return node if isinstance(node, str) else ""

    node: Any = ast.get("meta", {})
    for key in keys or ("title",):
        node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get("t") == "MetaMap":
            node = node["c"]
    return text(node)


# --------------------------------------------------------------------------- edge: files


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically (text is UTF-8), first removing temporary files
    of ``path`` that a killed run left."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, remove_stale=True) as tmp:
        tmp.write_bytes(payload)


def _read_text(path: str | Path, error_type: type[PipelineError] = RenderError) -> str:
    return read_utf8(path, error_type)


# --------------------------------------------------------------------------- edge: pandoc


def pandoc_path() -> str:
    """The pandoc 3.x binary bundled with pypandoc-binary (Debian's pandoc 2.17 is too old)."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def run_pandoc(
    args: Sequence[str], stdin: bytes | None = None, epoch_s: int | None = None
) -> tuple[bytes, str]:
    """Run pandoc with ``args``; return (stdout bytes, stderr text).

    The environment is fixed (UTC, C.UTF-8) and ``SOURCE_DATE_EPOCH`` set when given, so
    that dates in EPUB metadata do not depend on the clock.

    Raises:
        RenderError: pandoc exits non-zero; the message is pandoc's first error line.
    """
    env = {**os.environ, **BASE_ENV}
    if epoch_s is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch_s)
    process = subprocess.run(
        [pandoc_path(), *args], input=stdin, capture_output=True, env=env, check=False
    )
    stderr = process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        first = next((ln for ln in stderr.splitlines() if ln.strip()), "pandoc failed")
        raise RenderError(
            f"pandoc failed (exit {process.returncode}): {first}",
            hint="see the full pandoc message in the log; run pandoc by hand with "
            + " ".join(args[:3]),
        )
    return process.stdout, stderr


def _emit_warnings(stderr: str, skip: Sequence[str] = ()) -> None:
    for line in stderr.splitlines():
        if line.strip() and not any(s in line for s in skip):
            print(line, file=sys.stderr)


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
    from build.intext import is_apa_style

    csl = resolve_csl(profile.csl_style)
    args = [
        "--defaults",
        str(DEFAULTS_DIR / "common.yaml"),
        "--metadata-file",
        str(metadata),
        "--bibliography",
        str(bibliography),
        "--csl",
        str(csl),
        "--metadata",
        f"generated-dir={Path(generated_dir).as_posix()}",
        *(["--metadata", "narrative-and=true"] if is_apa_style(csl) else []),
        str(markdown),
    ]
    stdout, stderr = run_pandoc(args, epoch_s=profile.source_date_epoch_s)
    keys = missing_citations(stderr)
    if keys:
        # the metadata too: a citation in the abstract
        sources = [(str(p), _read_text(p)) for p in article_sources(sections)]
        assembled = [(str(markdown), _read_text(markdown))]
        raise ErrorList(missing_citation_errors(keys, sources, str(bibliography), assembled))
    _emit_warnings(stderr)
    tree = json.loads(stdout)
    if sections:  # the article's image paths, from its folder to the repository root's
        from build.articles import article_folder

        tree = rebase_images(tree, article_folder(sections[0]), Path(generated_dir))
    safety.guard_ast(tree, str(markdown))  # generated tables and figures included
    meta = tree.get("meta", {})
    for key in BUILD_PATH_META:  # where the files were, not what the article says
        meta.pop(key, None)
    return add_profile_meta(tree, profile)


def rebase_images(ast: dict[str, Any], folder: Path, generated: Path) -> dict[str, Any]:
    """The AST with the relative image paths of an article's manuscript made relative to the
    repository root, where every later stage runs: an article in ``articles/x/`` writes
    ``![](images/a.png)`` for ``articles/x/images/a.png``. Paths under ``generated`` (the
    article's generated figures, already so), remote and absolute ones are left as they are;
    so is everything of the root article (``folder`` ``.``)."""
    if folder == Path("."):
        return ast
    prefix, made = folder.as_posix(), generated.as_posix().rstrip("/") + "/"

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        result = {k: walk(v) for k, v in node.items()}
        if result.get("t") == "Image":
            attr, caption, (src, title) = result["c"]
            relative = not re.match(r"^([a-zA-Z][\w+.-]*:|/|#)", src)
            if relative and not src.startswith(made):
                result["c"] = [attr, caption, [f"{prefix}/{src}", title]]
        return result

    return walk(ast)


def write_html(ast: dict[str, Any], output: str | Path, profile: Profile) -> None:
    """Write the standalone screen HTML page (``defaults/html.yaml``) atomically."""
    stdout, stderr = run_pandoc(
        ["--defaults", str(DEFAULTS_DIR / "html.yaml"), "--resource-path", str(CSS_DIR)],
        json.dumps(ast).encode("utf-8"),
        profile.source_date_epoch_s,
    )
    _emit_warnings(stderr)
    write_atomic(output, stdout)


def write_epub(
    ast: dict[str, Any],
    output: str | Path,
    profile: Profile,
    sections: Sequence[str | Path] = (),
) -> None:
    """Write the EPUB 3 (``defaults/epub.yaml``) atomically, with a fixed identifier and
    ``SOURCE_DATE_EPOCH`` so that a rebuild gives the same bytes.

    Raises:
        ErrorList: of :class:`RenderError`, one per XHTML content document that is not
            well-formed (:func:`xhtml_problems`), at the line of ``sections`` that holds the
            raw HTML when it is found there; nothing is written then.
    """
    digest = hashlib.sha256(json.dumps(ast, sort_keys=True).encode("utf-8")).hexdigest()
    identifier = epub_identifier(
        meta_title(ast), profile.epub_identifier, meta_title(ast, "journal", "doi") or None, digest
    )
    # the commit as dc:source (build.provenance); the build date is dc:date/dcterms:modified
    source = ["--metadata", f"source=commit {profile.commit}"] if profile.commit else []
    with atomic_output(output, remove_stale=True) as tmp:
        _, stderr = run_pandoc(
            [
                "--defaults",
                str(DEFAULTS_DIR / "epub.yaml"),
                "--metadata",
                f"identifier={identifier}",
                *source,
                "--output",
                str(tmp),
            ],
            json.dumps(ast).encode("utf-8"),
            profile.source_date_epoch_s,
        )
        _emit_warnings(stderr)
        problems = xhtml_problems(tmp.read_bytes())
        if problems:  # raised inside: the EPUB is not kept
            raise ErrorList([_xhtml_error(p, sections or ()) for p in problems])


#: one problem of an EPUB's XHTML: (member, line, column, message, the line's text)
XHTMLProblem = tuple[str, int, int, str, str]


def xhtml_problems(epub: bytes) -> list[XHTMLProblem]:
    """Every XHTML content document of an EPUB that is not well-formed XML (EPUB 3.3 §6.1.2:
    XHTML content documents are XML), as (member, line, column, parser message, line text).
    Raw HTML of the manuscript is copied into them as it is (``<img src="a.png">`` unclosed):
    EPUBCheck calls that fatal (RSC-016)."""
    import io
    import xml.etree.ElementTree as ElementTree
    import zipfile

    problems = []
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            data = archive.read(name)
            try:
                ElementTree.fromstring(data)
            except ElementTree.ParseError as error:
                line, column = error.position
                lines = data.decode("utf-8", "replace").splitlines()
                text = lines[line - 1] if 0 < line <= len(lines) else ""
                problems.append((name, line, column + 1, str(error).split(":")[0], text))
    return problems


def article_sources(sections: Sequence[str | Path]) -> list[Path]:
    """The article's ``metadata.yaml`` (beside its section files, when there is one) and its
    ``sections``: where a message looks for the line of something the author wrote."""
    paths = [Path(p) for p in sections]
    meta = paths[0].parent / "metadata.yaml" if paths else None
    return ([meta] if meta is not None and meta.is_file() else []) + paths


def find_in_sources(
    sources: Sequence[str | Path], find: Callable[[str], int]
) -> tuple[str, int, int] | None:
    """The first (path, line, column), 1-based, of ``sources`` (an article's section files
    and metadata) where ``find(line)`` gives a 0-based column (-1: not on this line); ``None``
    when no line has it. A file that cannot be read is skipped."""
    for path in sources:
        try:
            lines = _read_text(path).splitlines()
        except PipelineError:
            continue
        for number, line in enumerate(lines, start=1):
            column = find(line)
            if column >= 0:
                return str(path), number, column + 1
    return None


def _xhtml_error(problem: XHTMLProblem, sections: Sequence[str | Path]) -> RenderError:
    """A :class:`RenderError` for one XHTML problem, at the manuscript's line when the raw HTML
    of the EPUB's line is found in a section file."""
    member, line, column, message, text = problem
    where: tuple[str, int, int] = (member, line, column)
    for name, attributes in re.findall(r"<([a-zA-Z][\w:-]*)([^<>]*)>", text):
        # the raw HTML's line in a section: its element with its attribute values (pandoc
        # reorders attributes and rewrites paths: ../figure.png is figure.png in the source)
        values = [v.rsplit("/", 1)[-1] for v in re.findall(r'="([^"]*)"', attributes)]

        def element(source_line: str, name: str = name, values: list[str] = values) -> int:
            start = source_line.find(f"<{name}")
            return start if start >= 0 and all(v in source_line for v in values) else -1

        found = find_in_sources(sections, element)
        if found:
            where = found
            break
    return RenderError(
        f"raw HTML is not well-formed XHTML in the EPUB ({member}:{line}: {message})",
        *where,
        hint="write raw HTML as XHTML: close every element, void ones too (<img ... />, <br />),"
        " and quote every attribute value",
    )


def print_html(ast: dict[str, Any], stylesheets: Sequence[str], profile: Profile) -> str:
    """The print HTML (``defaults/pdf.yaml``) linking ``stylesheets`` (hrefs, in order)."""
    args = ["--defaults", str(DEFAULTS_DIR / "pdf.yaml")]
    for href in stylesheets:
        args += ["--css", href]
    stdout, stderr = run_pandoc(args, json.dumps(ast).encode("utf-8"), profile.source_date_epoch_s)
    _emit_warnings(stderr)
    return stdout.decode("utf-8")


# --------------------------------------------------------------------------- edge: PDF


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

    Returns:
        the number of pages.

    Raises:
        RenderError: a resource outside the allowed roots, a resource that fails to load, or a
            WeasyPrint failure.
        ErrorList: of :class:`RenderError`, one per character that no font of the PDF has
            (WeasyPrint drew an empty box), at its first ``path:line:col`` in ``sources``;
            the PDF is not kept.
    """
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
            if missing:  # raised inside: the PDF is not kept
                raise ErrorList(
                    [_glyph_error(char, profile, sources or [str(html_path)]) for char in missing]
                )
    except FatalURLFetchingError as error:  # derives from BaseException
        raise RenderError(
            f"WeasyPrint refused a resource: {error}",
            str(html_path),
            hint="only files under the project and data: URLs may be used",
        ) from None
    finally:
        logger.removeHandler(collector)
    for message in collector.messages:
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
        f"the PDF's fonts have no glyph for {char!r} (U+{ord(char):04X}): it would print as an "
        "empty box",
        *where,
        hint=f"use a font that has it (fonts.body is {profile.body_font!r} in config/config.yaml) "
        "or write the character another way",
    )


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
        generated_dir,
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
) -> int:
    if ast:
        tree = json.loads(_read_text(ast))
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
        meta = read_metadata(_read_text(metadata, ManuscriptError), metadata)
        keep = print_html or str(Path(output).with_suffix(".print.html"))
        sources = article_sources(sections)
        pages = write_pdf(tree, output, profile, meta, keep, roots=[Path.cwd()], sources=sources)
        print(f"render: {output}: {pages} pages", file=sys.stderr)
    return 0

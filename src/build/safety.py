"""Bad and hostile input (issue 9): nothing fetched, nothing read outside the project.

Terms used in this module:

* ``resource``: something a writer loads and embeds: a Markdown image, and in raw HTML the
  ``src``/``srcset``/``poster``/``data``/``background`` of media elements, ``href`` of
  ``<link>``, ``xlink:href``/``href`` of SVG ``<image>``/``<use>``, ``url(...)`` and
  ``@import`` in ``style`` attributes and ``<style>`` elements, and any link marked
  ``rel="attachment"`` (WeasyPrint embeds attachments in the PDF).
* ``project root``: the working directory of the build (Snakemake's ``--directory``).
  A resource must be a relative path that resolves (symbolic links followed) to a file under
  the root, outside hidden folders (``.git``, ``.venv``, ``.snakemake``), or a ``data:`` URL.
  ``http:``, ``https:``, ``ftp:``, ``file:``, protocol-relative ``//host`` and absolute paths
  are refused: pandoc embeds resources in HTML and EPUB, so a remote or outside resource
  would be fetched or read at build time.
* ``active content``: raw HTML elements ``script``, ``iframe``, ``object``, ``embed``,
  ``frame``, ``frameset``, ``applet``, ``base``, ``meta``, ``link``, ``noscript``,
  ``template``, ``style``; event-handler attributes (``on*``), ``srcdoc``;
  ``javascript:``, ``vbscript:`` and ``data:text/html`` URLs; ``rel="attachment"``.
  The Lua filter ``styles/filters/sanitize.lua`` removes them from every output; this
  module reports each one as a warning at its file and line (docs/conventions.md,
  "Raw HTML").
* ``dangerous metadata key``: a metadata key that makes pandoc or a filter read a file or
  fetch a URL (``bibliography``, ``csl``, ``css``, ``header-includes``, ...). In a section
  file's YAML block or in ``metadata.yaml`` it is an error: the workflow passes these on the
  command line.

Policy: a resource that would be fetched or read outside the project is an **error** (the
build stops before pandoc runs, with ``path:line:col``, and nothing is requested); active
content is a **warning** (removed from the outputs, the build goes on). Metadata markup is
rendered as text by ``sanitize.lua`` (a warning here).

The module also holds the guard of issue 9 that runs before the workflow
(``rules/safety.smk``): :func:`check_yaml_or_exit` (a journal profile that is not YAML, with
its line, before Snakemake's ``configfile:``). How a failed job reports its first error is
:mod:`build.joblog`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from build.articles import article_folder
from build.atomic import read_utf8
from build.errors import ErrorList, ManuscriptError, PipelineError

#: Raw HTML elements removed from the outputs by sanitize.lua.
ACTIVE_ELEMENTS = frozenset(
    {
        "script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "meta",
        "link", "noscript", "template", "style",
    }
)  # fmt: skip

#: (element, attribute) pairs whose value is a resource that writers load; "*" = any element.
RESOURCE_ATTRIBUTES = {
    ("*", "src"),
    ("*", "srcset"),
    ("*", "poster"),
    ("*", "background"),
    ("object", "data"),
    ("link", "href"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
    ("feimage", "href"),
    ("feimage", "xlink:href"),
}

#: Metadata keys that make pandoc or a filter read a file or fetch a URL.
DANGEROUS_META_KEYS = frozenset(
    {
        "bibliography", "csl", "citation-abbreviations", "css", "header-includes",
        "include-before", "include-after", "epub-cover-image", "cover-image", "epub-fonts",
        "epub-metadata", "template", "resource-path", "generated-dir", "logo", "references",
    }
)  # fmt: skip

#: Metadata fields shown as text in the outputs (HTML and EPUB head and body).
TEXT_META_KEYS = ("title", "subtitle", "author", "abstract", "keywords", "running-head")

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_UNSAFE_URL = re.compile(r"^(javascript|vbscript|data:text/html)", re.I)
_GENERATED_ID = re.compile(r"^(tbl|fig)-[a-z0-9]+(-[a-z0-9]+)*$")


# --------------------------------------------------------------------------- findings


@dataclass
class Findings:
    """What a check found: ``errors`` stop the build, ``warnings`` are printed."""

    errors: list[PipelineError] = field(default_factory=list)
    warnings: list[PipelineError] = field(default_factory=list)

    def extend(self, other: Findings) -> None:
        self.errors.extend(other.errors)
        self.warnings.extend(other.warnings)

    def raise_errors(self) -> None:
        """Raise nothing, the one error, or an :class:`ErrorList` of all errors."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise ErrorList(self.errors)


def resource_problem(url: str, root: Path, base: Path | None = None) -> str | None:
    """Why ``url`` may not be loaded by a build rooted at ``root`` (``None``: it may).

    Args:
        url: the resource reference as written (an image source, a ``src`` attribute).
        root: the project root (resolved).
        base: the folder a relative ``url`` is relative to (an article's folder: its
            manuscript's images are written relative to it); default ``root``.

    Returns:
        a short reason ("remote URL (https:)", "absolute path", "outside the project", ...).
    """
    url = url.strip()
    if not url or url.startswith("#"):
        return None
    scheme = _SCHEME.match(url)
    if scheme:
        name = scheme.group(1).lower()
        if name == "data":
            return "an HTML document in a data: URL" if _UNSAFE_URL.match(url) else None
        if name == "file":
            return "a file: URL (reads a file by absolute path)"
        if name in ("javascript", "vbscript"):
            return f"a {name}: URL"
        return f"a remote URL ({name}:)"
    if url.startswith("//") or url.startswith("\\\\"):
        return "a remote URL (protocol-relative //host)"
    path_text = unquote(url.split("#")[0].split("?")[0])
    if path_text.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", path_text):
        return "an absolute path"
    root = root.resolve()
    target = (base.resolve() if base is not None else root) / path_text
    resolved = target.resolve()
    if resolved != root and root not in resolved.parents:
        lexical = Path(*(p for p in target.relative_to(root).parts))
        if ".." not in lexical.parts:
            return "a symbolic link that leads out of the project"
        return "a path outside the project"
    inside = resolved.relative_to(root).parts
    if any(part.startswith(".") for part in inside):
        return "a file in a hidden folder of the project"
    return None


def missing_file(url: str, base: Path) -> bool:
    """Whether ``url``, a local path that :func:`resource_problem` accepts, names no file
    under ``base`` (the article's folder): it would fail at the PDF step, far from its line."""
    path_text = unquote(url.strip().split("#")[0].split("?")[0])
    if not path_text or _SCHEME.match(url.strip()):
        return False
    return not (base / path_text).is_file()


def _shown(folder: Path, root: Path) -> str:
    """``folder`` relative to ``root`` for messages (``.`` for the root)."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix() or "."
    except ValueError:
        return str(folder)


# --------------------------------------------------------------------------- raw HTML


#: where a finding is in its source: a text to look for, or (text, column offset from it,
#: whether it is in the same place as the text's previous finding: another attribute of a tag)
Needle = str | tuple[str, int, bool]


class _RawHTML(HTMLParser):
    """Collect (kind, detail, needle) from one chunk of raw HTML.

    kind: ``resource`` (detail: the URL; needle: the URL), ``active`` (detail: what is
    removed; needle: the first line of its tag as written and the attribute's offset in it,
    so that ``onclick`` in the text or an earlier ``href=`` is not taken for it).
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, Needle]] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        tag = tag.lower()
        written = (self.get_starttag_text() or f"<{tag}").splitlines()[0]
        again = False  # a second finding in this tag: at the tag already found

        def active(detail: str, name: str = "") -> None:
            nonlocal again
            match = re.search(rf"\s{re.escape(name)}\s*(=|\s|/|>|$)", written, re.I)
            offset = match.start() + 1 if name and match else 0
            self.found.append(("active", detail, (written, offset, again)))
            again = True

        if tag in ACTIVE_ELEMENTS:
            active(f"<{tag}> element")
        self._style = tag == "style"
        for name, value in attrs:
            name, value = name.lower(), value or ""
            if name.startswith("on"):
                active(f"event-handler attribute {name}= on <{tag}>", name)
            elif name == "srcdoc":
                active(f"srcdoc= on <{tag}>", name)
            elif name == "rel" and "attachment" in value.lower():
                active(f'rel="attachment" on <{tag}>', name)
                href = dict(attrs).get("href")
                if href:
                    self.found.append(("resource", href, href))
            elif _UNSAFE_URL.match(re.sub(r"[\s\x00-\x1f]", "", value)):
                active(f"{value.split(':')[0]}: URL in {name}= on <{tag}>", name)
            elif (tag, name) in RESOURCE_ATTRIBUTES or ("*", name) in RESOURCE_ATTRIBUTES:
                urls = [u.strip().split()[0] for u in value.split(",") if u.strip()]
                urls = urls if name == "srcset" else [value]
                self.found.extend(("resource", u, u) for u in urls)
            elif name == "style":
                self.found.extend(("resource", u, u) for u in css_urls(value))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.found.extend(("resource", u, u) for u in css_urls(data))


#: CSS functions whose string arguments are URLs of images (CSS Images 4 §2.2 ``image-set()``,
#: §2.3 ``image()``, §2.6 ``cross-fade()``), and ``url()``/``src()`` with a quoted URL (CSS
#: Values 4 §4.5).
CSS_URL_FUNCTIONS = frozenset(
    {"url", "src", "image-set", "-webkit-image-set", "image", "cross-fade", "-webkit-cross-fade"}
)


def css_urls(css: str) -> list[str]:
    """Every URL that CSS text can load: ``url()`` (quoted or not), ``src()``, the strings of
    ``image-set()``, ``image()`` and ``cross-fade()``, and ``@import "..."``, in source order.

    The text is tokenized by tinycss2 (CSS Syntax 3), which resolves escapes, so ``u\\72l(...)``
    is the ``url()`` it is; the result is the same for a ``style`` attribute and a stylesheet.
    """
    import tinycss2

    found: list[str] = []

    def walk(tokens: Iterable[Any], strings_are_urls: bool = False) -> None:
        previous_import = False
        for token in tokens:
            kind = token.type
            if kind == "url" or (kind == "string" and (strings_are_urls or previous_import)):
                found.append(token.value)
            elif kind == "function":
                walk(token.arguments, token.lower_name in CSS_URL_FUNCTIONS)
            elif kind in ("() block", "[] block", "{} block"):
                walk(token.content)
            if kind != "whitespace":
                previous_import = kind == "at-keyword" and token.lower_value == "import"

    walk(tinycss2.parse_component_value_list(css))
    return found


def raw_html_findings(html: str) -> list[tuple[str, str, Needle]]:
    """(kind, detail, needle) of every resource and active content in a chunk of raw HTML
    (:class:`_RawHTML`)."""
    parser = _RawHTML()
    parser.feed(html)
    parser.close()
    return parser.found


# --------------------------------------------------------------------------- AST walk


def _attributes(node: dict[str, Any]) -> list[list[str]]:
    """The key-value attributes of a pandoc JSON element that has an Attr, else []."""
    content = node.get("c")
    kind = node.get("t")
    attr = None
    if kind in ("Link", "Image", "Span", "Div", "Header", "Code", "CodeBlock", "Figure"):
        if kind == "Header":
            attr = content[1]
        elif kind in ("Code", "CodeBlock", "Link", "Image", "Span", "Div", "Figure"):
            attr = content[0]
    if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[2], list):
        return attr[2]
    return []


def ast_findings(node: Any) -> list[tuple[str, str, Needle]]:
    """(kind, detail, needle) for every resource and active content in a pandoc JSON AST.

    ``needle`` is text to look for in the source to find the line (the URL, the tag), or
    (text, offset): the place is ``offset`` columns after the text (an attribute in its tag).
    """
    found: list[tuple[str, str, Needle]] = []

    def walk(n: Any) -> None:
        if isinstance(n, list):
            for item in n:
                walk(item)
            return
        if not isinstance(n, dict):
            return
        if "t" not in n:  # a MetaMap's content: field name -> value
            walk(list(n.values()))
            return
        kind, content = n.get("t"), n.get("c")
        if kind == "Image":
            found.append(("resource", content[2][0], content[2][0]))
        elif kind == "Link":
            target = content[2][0]
            if _UNSAFE_URL.match(re.sub(r"[\s\x00-\x1f]", "", target)):
                found.append(("active", f"{target.split(':')[0]}: link", target))
        elif kind in ("RawInline", "RawBlock"):
            fmt, text = content
            if fmt.lower().startswith(("html", "epub")):
                found.extend(raw_html_findings(text))
        elif kind == "Div":
            identifier, classes = content[0][0], content[0][1]
            if "generated" in classes and not _GENERATED_ID.match(identifier):
                found.append(("generated", identifier, identifier or ".generated"))
        for key, value in _attributes(n):
            lower = key.lower()
            if lower.startswith("on") or lower == "srcdoc":  # the attribute, not a word
                found.append(("active", f"attribute {key}=", f"{key}="))
            elif lower == "rel" and "attachment" in value.lower():
                found.append(("active", 'rel="attachment"', "attachment"))
                if kind == "Link":
                    found.append(("resource", content[2][0], content[2][0]))
            elif lower == "style":
                found.extend(("resource", u, u) for u in css_urls(value))
        if kind not in ("Str",):
            walk(content)

    walk(node)
    return found


# --------------------------------------------------------------------------- sources


class _Lines:
    """Find 1-based (line, column) of needles in a text, in reading order: a needle is looked
    for after the place of the previous finding (findings come in the order of the text), then,
    when it is not there, after its own previous place."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.after: dict[str, tuple[int, int]] = {}
        self.cursor = (0, 0)  # just after the previous finding, 0-based (line, column)
        self.last: dict[str, tuple[int, int, bool]] = {}  # a tag's place, found as written?

    def place(self, needle: Needle) -> tuple[int, int]:
        """:meth:`find` of a text, or of (text, offset, again): ``offset`` columns after the
        text, at the text's previous place when ``again`` (another attribute of that tag)."""
        if not isinstance(needle, tuple):
            return self.find(needle)
        text, offset, again = needle
        if not (again and text in self.last):
            line, column = self.find(text)
            exact = line > 0
            if not exact and text.split():  # written otherwise (a YAML string's escapes)
                line, column = self.find(text.split()[0])  # at its tag's name
            self.last[text] = (line, column, exact)
        line, column, exact = self.last[text]
        if line and not exact and offset:  # the attribute's name after the tag's, on its line
            name = re.match(r"[^\s=/>]*", text[offset:]).group(0)
            found = self.lines[line - 1].find(name, column) if name else -1
            return (line, found + 1) if found >= 0 else (line, column)
        if not (line and exact):
            return line, column
        self.cursor = max(self.cursor, (line - 1, column + offset))  # after this attribute
        return line, column + offset

    def find_any(self, needles: Sequence[str]) -> tuple[int, int]:
        """The place of the first of ``needles`` found (the others keep their cursor)."""
        for needle in needles:
            place = self.find(needle)
            if place != (0, 0):
                return place
        return (0, 0)

    def find(self, needle: str) -> tuple[int, int]:
        own = self.after.get(needle, (0, 0))
        for start_line, start_col in (max(self.cursor, own), own):
            for variant in (needle, needle.lower()):
                for index in range(start_line, len(self.lines)):
                    line = self.lines[index] if variant == needle else self.lines[index].lower()
                    col = line.find(variant, start_col if index == start_line else 0)
                    if col >= 0:
                        self.after[needle] = self.cursor = (index, col + 1)
                        return index + 1, col + 1
        return (0, 0)


def _pandoc_json(text: str) -> dict[str, Any]:
    """Parse Markdown with pandoc (sandboxed, no filters, no citeproc) into its JSON AST."""
    from build.render import BASE_ENV, pandoc_path

    process = subprocess.run(
        [pandoc_path(), "--sandbox", "--from", "markdown+smart", "--to", "json"],
        input=text.encode("utf-8"),
        capture_output=True,
        env={**os.environ, **BASE_ENV},
        check=False,
        timeout=300,
    )
    if process.returncode != 0:
        message = process.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ManuscriptError(
            f"pandoc cannot parse the Markdown: {message[0] if message else 'unknown error'}",
            hint="fix the Markdown syntax",
        )
    return json.loads(process.stdout)


def _classify(
    found: Iterable[tuple[str, str, str]],
    path: str,
    text: str,
    root: Path,
    base: Path | None = None,
) -> Findings:
    result = Findings()
    lines = _Lines(text)
    for kind, detail, needle in found:
        if kind == "resource":
            reason = resource_problem(detail, root, base)
            missing = reason is None and missing_file(detail, base or root)
            if reason is None and not missing:
                continue
            line, column = lines.find_any([f"({needle}", f'"{needle}', f"'{needle}", needle])
            column += 1 if column and lines.lines[line - 1][column - 1] in "(\"'" else 0
            folder = _shown(base or root, root)
            if missing:
                message = f"no such file {detail!r}"
                hint = f"check the path: it is relative to the article's folder ({folder})"
            else:
                message = f"refused resource {detail!r}: {reason}"
                hint = (
                    f"put the file in the article's folder ({folder}, e.g. images/) and refer "
                    "to it by a path relative to it; the build never fetches URLs or reads "
                    "outside files"
                )
            result.errors.append(ManuscriptError(message, path, line, column, hint=hint))
        elif kind == "generated":
            line, column = lines.find(needle)
            result.errors.append(
                ManuscriptError(
                    f"placeholder id {detail!r} is not tbl-name or fig-name",
                    path,
                    line,
                    column,
                    hint="write ::: {#tbl-name .generated} with lower-case letters, digits, dashes",
                )
            )
        else:
            line, column = lines.place(needle)
            result.warnings.append(
                ManuscriptError(
                    f"active content removed from the outputs: {detail}",
                    path,
                    line,
                    column,
                    hint="raw HTML may not run code or embed other documents "
                    '(docs/conventions.md, "Raw HTML")',
                )
            )
    return result


def _meta_findings(meta: dict[str, Any], path: str, text: str, in_section: bool) -> Findings:
    """Dangerous keys and markup in metadata (a section's YAML block or metadata.yaml)."""
    result = Findings()
    lines = _Lines(text)
    for key in meta:
        if key.lower() in DANGEROUS_META_KEYS:
            line, column = lines.find(f"{key}:")
            result.errors.append(
                ManuscriptError(
                    f"metadata key {key!r} makes the build read or fetch files",
                    path,
                    line,
                    column,
                    hint="remove it; the workflow sets bibliography, CSL style and stylesheets "
                    "(refs.bib, config/config.yaml)",
                )
            )
    if in_section:
        return result
    for key in TEXT_META_KEYS:
        if key not in meta:
            continue
        for kind, detail, needle in ast_findings(meta[key]):
            if kind == "resource":
                continue  # images in metadata: reported by _classify
            result.warnings.append(
                ManuscriptError(
                    f"markup in metadata field {key!r} is shown as text: {detail}",
                    path,
                    *lines.place(needle),
                    hint="metadata is plain text: write the text without HTML",
                )
            )
        raw = json.dumps(meta[key])
        shown = any(
            w.message.startswith(f"markup in metadata field {key!r}") for w in result.warnings
        )
        chunk = re.search(r'"t": "Raw(?:Inline|Block)", "c": \["[^"]*", "((?:[^"\\]|\\.)*)"', raw)
        if chunk and not shown:
            written = json.loads(f'"{chunk.group(1)}"').splitlines()[0]
            result.warnings.append(
                ManuscriptError(
                    f"HTML in metadata field {key!r} is shown as text",
                    path,
                    *lines.find_any([written, f"{key}:"]),
                    hint="metadata is plain text: write the text without HTML",
                )
            )
    return result


#: ``pandoc lua`` script that parses a JSON list of Markdown texts into their ASTs in one process
READ_EACH = Path(__file__).with_name("styles") / "lua" / "read-each.lua"


def parse_markdown_texts(texts: Sequence[str]) -> list[dict[str, Any] | ManuscriptError]:
    """:func:`_pandoc_json` of every text, in one pandoc process (``pandoc lua``,
    :data:`READ_EACH`: one start-up for all of an article's files instead of one each); in
    order, a text pandoc cannot parse gives its :class:`ManuscriptError` in place of the AST.

    Raises:
        RenderError: pandoc itself fails (not a text it cannot parse).
    """
    from build.pandoc import run_pandoc

    if not texts:
        return []
    stdout, _ = run_pandoc(["lua", str(READ_EACH)], json.dumps(list(texts)).encode("utf-8"))
    out: list[dict[str, Any] | ManuscriptError] = []
    for item in json.loads(stdout):
        if "error" in item and "blocks" not in item:
            first = (item["error"].strip().splitlines() or ["unknown error"])[0]
            out.append(
                ManuscriptError(
                    f"pandoc cannot parse the Markdown: {first}", hint="fix the Markdown syntax"
                )
            )
        else:
            out.append(item)
    return out


def check_markdown(
    path: str, text: str, root: Path, ast: dict[str, Any] | None = None, base: Path | None = None
) -> Findings:
    """Check one section file (or any pandoc Markdown) for refused resources, active content
    and dangerous metadata keys in YAML blocks.

    Args:
        path: the file name to report.
        text: its content.
        root: the project root.
        ast: ``text`` already parsed by :func:`_pandoc_json` (None: parse it here).
        base: the folder its relative resources are relative to (its article's; default
            ``root``).

    Returns:
        the findings, each at the 1-based line and column of its source text (0 when the
        text cannot be found verbatim, e.g. after pandoc normalized a URL).
    """
    ast = _pandoc_json(text) if ast is None else ast
    findings = _classify(ast_findings(ast["blocks"]), path, text, root, base)
    findings.extend(_classify(ast_findings(ast.get("meta", {})), path, text, root, base))
    findings.extend(_meta_findings(ast.get("meta", {}), path, text, in_section=True))
    return findings


def metadata_document(text: str) -> str:
    """``metadata.yaml`` as the Markdown document pandoc parses it in (a YAML block)."""
    return f"---\n{text}\n...\n"


def check_metadata(path: str, text: str, root: Path, ast: dict[str, Any] | None = None) -> Findings:
    """Check ``metadata.yaml`` (pandoc reads its strings as Markdown) like a section file:
    refused resources in any field, dangerous keys, markup in the text fields (warnings).
    ``ast``: :func:`metadata_document` already parsed (None: parse it here).

    A YAML syntax error is left to the manuscript and render stages (they report its line).
    """
    ast = _pandoc_json(metadata_document(text)) if ast is None else ast
    meta = ast.get("meta", {})
    resources = [f for f in ast_findings(meta) if f[0] == "resource"]
    findings = _classify(resources, path, text, root)
    findings.extend(_meta_findings(meta, path, text, in_section=False))
    return findings


def check_sources(
    sections: Sequence[str | Path],
    metadata: str | Path | None,
    root: str | Path = ".",
    parsed: list[dict[str, Any]] | None = None,
) -> Findings:
    """Check the section files and the metadata file (thin file edge).

    Args:
        parsed: when given, receives the pandoc JSON AST of each section file, in order (the
            reader of the render stage, ``markdown+smart``): later stages read them instead of
            parsing the files again (``article manuscript --sections-ast``).

    Raises:
        ManuscriptError: a file cannot be read or is not UTF-8.
    """
    root_path = Path(root).resolve()
    findings = Findings()
    texts = [(str(section), _read(section)) for section in sections]
    meta_text = _read(metadata) if metadata else None
    documents = [text for _, text in texts]
    if meta_text is not None:
        documents.append(metadata_document(meta_text))
    asts = parse_markdown_texts(documents)  # the slow part: pandoc, one process for all
    for (path, text), ast in zip(texts, asts, strict=False):
        if isinstance(ast, ManuscriptError):
            raise ast
        if parsed is not None:
            parsed.append(ast)
        base = root_path / article_folder(path)  # images are relative to the article
        findings.extend(check_markdown(path, text, root_path, ast, base))
    if meta_text is not None and not isinstance(asts[-1], ManuscriptError):
        try:
            findings.extend(check_metadata(str(metadata), meta_text, root_path, asts[-1]))
        except ManuscriptError:
            pass  # malformed YAML: the render stage reports it with its line
    return findings


def check_ast(ast: dict[str, Any], path: str, root: str | Path = ".") -> Findings:
    """Check a parsed article (after the generated tables and figures are in): every image
    must be a project file. Errors are named after ``path`` (the assembled Markdown)."""
    found = [f for f in ast_findings([ast.get("blocks", []), ast.get("meta", {})])]
    return _classify([f for f in found if f[0] == "resource"], path, "", Path(root).resolve())


def _read(path: str | Path) -> str:
    return read_utf8(path, ManuscriptError)


def print_warnings(findings: Findings) -> None:
    for warning in findings.warnings:
        print(f"warning: {warning}", file=sys.stderr)


# --------------------------------------------------------------------------- profile


def check_yaml_or_exit(path: str | Path) -> None:
    """For the Snakefile, before ``configfile:``: a journal profile that is not valid YAML is
    reported as ``path:line:col: message`` plus a hint, and the run stops (exit 1).

    Snakemake's own message for this case names no line. Type, unit and CSL style errors
    are checked after loading (``build.render.validate_workflow_config``).
    """
    from build.errors import ConfigError
    from build.joblog import exit_on_error
    from build.yamlfile import load_yaml

    if Path(path).is_file():  # Snakemake reports a missing config file itself
        exit_on_error(load_yaml, path, ConfigError)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article safety``."""
    parser.add_argument("files", nargs="*", help="section files (Markdown)")
    parser.add_argument("--metadata", help="manuscript/metadata.yaml")
    parser.add_argument("--root", default=".", help="the project root (default: .)")


def command(
    files: Sequence[str] = (),
    metadata: str | None = None,
    root: str = ".",
) -> int:
    """Check the sources; warnings are printed, errors raised (exit 1). Returns 0."""
    findings = check_sources(files, metadata, root)
    print_warnings(findings)
    findings.raise_errors()
    print(f"safety: {len(files)} files checked, {len(findings.warnings)} warnings", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- hooks


def guard_sources(
    sections: Sequence[str | Path], metadata: str | Path | None, root: str | Path = "."
) -> list[dict[str, Any]]:
    """The render stage's hook before pandoc parses the article: print the warnings of
    :func:`check_sources`, raise its errors (one error or an :class:`ErrorList`). Returns the
    pandoc JSON AST of each section file, in order."""
    parsed: list[dict[str, Any]] = []
    findings = check_sources(sections, metadata, root, parsed)
    print_warnings(findings)
    findings.raise_errors()
    return parsed


def guard_ast(ast: dict[str, Any], path: str, root: str | Path = ".") -> None:
    """The render stage's hook after parsing: raise the errors of :func:`check_ast`."""
    check_ast(ast, path, root).raise_errors()

"""The EPUB 3 writer, its raw HTML as XHTML, and its XHTML check (EPUB 3.3).

EPUB content documents are XHTML (EPUB 3.3 §6.1.2), which is XML: raw HTML of the manuscript
(``<img src=a.png>``, ``<br>``, unquoted attributes) is not, and pandoc copies it as it is.
:func:`xhtml_raw` re-serializes each raw HTML chunk of the AST as XHTML before pandoc writes
the EPUB; :func:`xhtml_problems` checks the result (the backstop).

Raw HTML reaches the AST in pieces: pandoc makes one ``RawInline`` of each tag
(``<span class="x">``, text, ``</span>``), so a chunk is re-serialized token by token (the
stdlib's HTML tokenizer, ``html.parser``), never balanced on its own. nh3 (Ammonia) would
balance and sanitize each piece as a document fragment (it closes the ``<span>`` at once and
drops the lone ``</span>``) and serializes HTML, not XHTML (``<br>``, ``&nbsp;``), so it is
not used here; what is active is removed earlier (``sanitize.lua``, ``build.safety``).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from build.atomic import atomic_output
from build.errors import ErrorList, RenderError
from build.frontmatter import epub_identifier, meta_title
from build.locate import find_in_sources
from build.pandoc import DEFAULTS_DIR, emit_warnings, run_pandoc
from build.profile import Profile


def write_epub(
    ast: dict[str, Any],
    output: str | Path,
    profile: Profile,
    sections: Sequence[str | Path] = (),
) -> None:
    """Write the EPUB 3 (``defaults/epub.yaml``) atomically, with a fixed identifier and
    ``SOURCE_DATE_EPOCH`` so that a rebuild gives the same bytes; raw HTML as XHTML
    (:func:`xhtml_raw`). The identifier is made from ``ast`` as given. ``dc:date`` is the
    article's ``date:``; without one the OPF has none (:func:`without_build_date`), while
    ``dcterms:modified`` is the build date.

    Raises:
        ErrorList: of :class:`RenderError`, one per XHTML content document that is not
            well-formed (:func:`xhtml_problems`), at the line of ``sections`` that holds the
            raw HTML when it is found there; nothing is written then.
    """
    digest = hashlib.sha256(json.dumps(ast, sort_keys=True).encode("utf-8")).hexdigest()
    identifier = epub_identifier(
        meta_title(ast),
        profile.epub_identifier,
        meta_title(ast, "journal", "doi") or None,
        digest,
        meta_title(ast, "identifier") or None,
    )
    # the commit as dc:source (build.provenance); the build date is dcterms:modified, and
    # dc:date (the publication date) is the article's date: or absent (without_build_date)
    source = ["--metadata", f"source=commit {profile.commit}"] if profile.commit else []
    # each content document's <title> (pandoc gives a chapter its file name, "ch001.xhtml"):
    # the article's title as text (EPUB Accessibility 1.1 via WCAG 2.4.2); -V is not escaped
    title = meta_title(ast)
    source += ["--variable", f"document-title={html.escape(title)}"] if title else []
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
            json.dumps(xhtml_raw(ast)).encode("utf-8"),
            profile.source_date_epoch_s,
        )
        emit_warnings(stderr)
        if not meta_title(ast, "date").strip():
            tmp.write_bytes(without_build_date(tmp.read_bytes()))
        problems = xhtml_problems(tmp.read_bytes())
        if problems:  # raised inside: the EPUB is not kept
            raise ErrorList([_xhtml_error(p, sections or ()) for p in problems])


#: pandoc's EPUB 3 ``dc:date`` in the OPF (one element, ``id="epub-date"``), its whole line
_DC_DATE = re.compile(rb"[ \t]*<dc:date\b[^>]*>[^<]*</dc:date>[ \t]*\r?\n?")


def without_build_date(epub: bytes) -> bytes:
    """The EPUB without the ``dc:date`` of its package document, every other byte of content
    the same.

    pandoc's EPUB writer always writes a ``dc:date``: without ``date`` in the metadata it is
    the build time (``SOURCE_DATE_EPOCH``), a publication date the article never gave (issue
    17: the publication date is the article's ``date:``). EPUB 3.3 ("DCMES optional
    elements") makes ``dc:date`` optional; ``dcterms:modified`` (required, the build date)
    stays. pandoc has no option to
    leave it out (Text.Pandoc.Writers.EPUB adds the time when ``epubDate`` is empty), so the
    archive is rewritten: its members in the same order with the same names, timestamps,
    attributes and compression (``mimetype`` first and stored: EPUB 3.3, "OCF ZIP
    container"), so that the result is as reproducible as pandoc's.

    Args:
        epub: the EPUB's bytes (a ZIP archive, as pandoc wrote it).

    Returns:
        the rewritten archive's bytes (``epub`` itself when its OPF has no ``dc:date``).

    Raises:
        RenderError: the archive names no package document in ``META-INF/container.xml``.
    """
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        container = archive.read("META-INF/container.xml").decode("utf-8")
        found = re.search(r'full-path="([^"]+)"', container)
        if not found:
            raise RenderError(
                "the EPUB's META-INF/container.xml names no package document",
                "META-INF/container.xml",
                1,
                hint="this is pandoc's output: report it with the build log",
            )
        opf_name = found[1]
        opf = archive.read(opf_name)
        if not _DC_DATE.search(opf):
            return epub
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as rewritten:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename == opf_name:
                    data = _DC_DATE.sub(b"", data, count=1)
                copy = zipfile.ZipInfo(info.filename, info.date_time)
                copy.compress_type = info.compress_type
                copy.create_system = info.create_system
                copy.external_attr = info.external_attr
                rewritten.writestr(copy, data)
    return out.getvalue()


#: HTML's void elements (HTML Living Standard §13.1.2): no end tag, written ``<br />`` in XHTML
VOID_ELEMENTS = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    }
)  # fmt: skip

#: namespaces an element of raw HTML needs declared in XHTML (it inherits XHTML's otherwise)
_NAMESPACES = {"svg": "http://www.w3.org/2000/svg", "math": "http://www.w3.org/1998/Math/MathML"}
_XLINK = "http://www.w3.org/1999/xlink"

#: an XML name (XML 1.0 §2.3, the ASCII subset, as attribute names of HTML are)
_XML_NAME = re.compile(r"^[A-Za-z_][\w.:-]*$")


def xhtml_fragment(html: str) -> str:
    """A chunk of raw HTML as XHTML, token by token (HTML's syntax, XML's serialization):
    every attribute value quoted and escaped (a valueless attribute gets its name as value:
    ``disabled="disabled"``; an attribute name XML cannot have is dropped, a repeated one kept
    once), void elements closed (``<img ... />``) and their end tags dropped, character
    references resolved to characters (``&nbsp;`` is no XML entity) and text escaped, comments
    and declarations dropped; ``<svg>``/``<math>`` get their namespace. Tags are not
    balanced: a chunk may hold only ``<span>`` or ``</span>`` (pandoc splits raw inline HTML).
    """
    from html import escape
    from html.parser import HTMLParser

    out: list[str] = []

    def start(tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        seen: dict[str, str] = {}
        for name, value in attrs:
            if _XML_NAME.match(name) and name not in seen:
                seen[name] = name if value is None else value
        if tag in _NAMESPACES and "xmlns" not in seen:
            seen["xmlns"] = _NAMESPACES[tag]
        if any(n.startswith("xlink:") for n in seen) and "xmlns:xlink" not in seen:
            seen["xmlns:xlink"] = _XLINK
        text = "".join(f' {n}="{escape(v, quote=True)}"' for n, v in seen.items())
        out.append(f"<{tag}{text}{' />' if closed or tag in VOID_ELEMENTS else '>'}")

    class Serializer(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            start(tag, attrs, False)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            start(tag, attrs, True)

        def handle_endtag(self, tag: str) -> None:
            if tag not in VOID_ELEMENTS:
                out.append(f"</{tag}>")

        def handle_data(self, data: str) -> None:
            out.append(escape(data, quote=False))

    parser = Serializer(convert_charrefs=True)
    parser.feed(html)
    parser.close()
    return "".join(out)


def xhtml_raw(ast: dict[str, Any]) -> dict[str, Any]:
    """The AST with every raw HTML chunk (``RawBlock``/``RawInline`` of format ``html``) as
    XHTML (:func:`xhtml_fragment`), for the EPUB writer; a new AST, the rest unchanged."""

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if node.get("t") in ("RawBlock", "RawInline"):
            fmt, text = node["c"]
            if fmt.lower() in ("html", "html5", "html4"):
                return {"t": node["t"], "c": [fmt, xhtml_fragment(text)]}
            return node
        return {key: walk(value) for key, value in node.items()}

    return walk(ast)


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

"""The EPUB 3 writer and its XHTML check (EPUB 3.3)."""

from __future__ import annotations

import hashlib
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
    ``SOURCE_DATE_EPOCH`` so that a rebuild gives the same bytes.

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
        emit_warnings(stderr)
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

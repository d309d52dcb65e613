"""The bibliography cleaner: the canonical layout of a ``.bib`` file (``article bibliography
format``) and the cleaned copy the build reads.
"""

from __future__ import annotations

import re

from build.bibtex import (
    _LATEX_ACCENT_RE,
    ERROR,
    _quiet_bibtexparser,
    decode_bib,
    parse_bibliography,
    parse_stack,
)
from build.errors import ErrorList

#: Canonical field order (fields not listed follow in alphabetical order).
FIELD_ORDER = (
    "author",
    "editor",
    "title",
    "subtitle",
    "titleaddon",
    "booktitle",
    "maintitle",
    "journal",
    "journaltitle",
    "entrysubtype",
    "series",
    "volume",
    "number",
    "pages",
    "edition",
    "type",
    "eventtitle",
    "venue",
    "institution",
    "school",
    "organization",
    "publisher",
    "address",
    "location",
    "howpublished",
    "year",
    "month",
    "date",
    "doi",
    "url",
    "urldate",
    "langid",
    "note",
    "addendum",
)

# ---------------------------------------------------------------------------------------------
# Formatter
# ---------------------------------------------------------------------------------------------

_DASHES_RE = re.compile(r"\s*(?:-+|[‐‑‒–—])\s*")


def _decode_accents(value: str) -> str:
    from pylatexenc.latex2text import LatexNodes2Text

    converter = LatexNodes2Text()
    return _LATEX_ACCENT_RE.sub(lambda m: converter.latex_to_text(m.group(0)), value)


def normalize_value(name: str, value: str) -> str:
    """Canonical value: LaTeX accents decoded to Unicode, white space collapsed to one space,
    ranges in ``pages`` written with ``--``."""
    value = " ".join(_decode_accents(value).split())
    if name == "pages":
        value = _DASHES_RE.sub("--", value)
    return value


def format_bibliography(data: bytes | str, path: str = "refs.bib") -> str:
    """Canonical layout of a bibliography: ``@comment`` blocks first (file order), then entries
    sorted by key (case-insensitive), ``@type{key,`` in lower case, one field per line indented
    by two spaces in :data:`FIELD_ORDER` (others alphabetically after), every value in braces,
    macros and ``#`` resolved, Unicode text, ``--`` in page ranges, one blank line between
    blocks, one newline at the end. Idempotent.

    Raises:
        ErrorList/BibliographyError: the file has problems that formatting would hide or lose
            (encoding, parse errors, duplicate keys or fields, undefined macros, empty file).
    """
    import bibtexparser
    from bibtexparser import model
    from bibtexparser.middlewares import (
        AddEnclosingMiddleware,
        SortBlocksMiddleware,
        SortFieldsAlphabeticallyMiddleware,
        SortFieldsCustomMiddleware,
    )

    text, problems = decode_bib(data, path)
    _quiet_bibtexparser()
    _, parse_problems, _ = parse_bibliography(text, path)
    blocking = [p for p in problems + parse_problems if p.severity == ERROR]
    if blocking:
        errors = [p.to_error() for p in blocking]
        raise errors[0] if len(errors) == 1 else ErrorList(errors)

    library = bibtexparser.parse_string(text, parse_stack=parse_stack())
    blocks = []
    for block in library.blocks:
        if isinstance(block, model.Entry):
            block.entry_type = block.entry_type.lower()
            for fld in block.fields:
                fld.value = normalize_value(fld.key, str(fld.value))
            blocks.append(block)
        elif isinstance(block, model.ExplicitComment):
            blocks.append(model.ExplicitComment(block.comment.strip(), block.start_line))
        elif isinstance(block, model.ImplicitComment) and block.comment.strip():
            blocks.append(model.ExplicitComment(block.comment.strip(), block.start_line))
        # @string and @preamble: strings are resolved into the values; a preamble is
        # LaTeX-only and has no meaning for pandoc.
    library = bibtexparser.Library(blocks)

    def sort_key(block) -> tuple:
        if isinstance(block, model.Entry):
            return (1, block.key.lower(), block.key)
        return (0, "", "")

    fmt = bibtexparser.BibtexFormat()
    fmt.indent = "  "
    fmt.block_separator = "\n"
    fmt.value_column = 0
    stack = [
        SortBlocksMiddleware(key=sort_key, preserve_comments_on_top=False),
        SortFieldsAlphabeticallyMiddleware(allow_inplace_modification=True),
        SortFieldsCustomMiddleware(order=FIELD_ORDER, allow_inplace_modification=True),
        AddEnclosingMiddleware(
            reuse_previous_enclosing=False,
            enclose_integers=True,
            default_enclosing="{",
            allow_inplace_modification=True,
        ),
    ]
    return bibtexparser.write_string(library, unparse_stack=stack, bibtex_format=fmt)

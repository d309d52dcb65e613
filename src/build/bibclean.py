"""The bibliography cleaner: the canonical layout of a ``.bib`` file (``article bibliography
format``, ``--write``) and the cleaned copy the build reads (``article bibliography lint
--clean-bib``; the render stage's pandoc reads that copy, never the unclean source).

Besides the layout, the cleaner fixes what would print wrong where the evidence is clear
(:func:`clean_entry`):

* name particles (``van Berg, Anna``): ``options = {useprefix=true}`` so that pandoc's citeproc
  keeps the particle in front, "van Berg, A." and "(van Berg, 2014)", as APA 7 writes a name as
  its bearer does; without it pandoc (BibLaTeX's default, useprefix=false) prints
  "Berg, A. van" and "(Berg, 2014)". The option applies to every name of the entry (BibLaTeX
  manual 3.1.3, measured with pandoc 3.9; a braced ``{van Berg}, Anna`` does the same for one
  name);
* a corporate author with an organisation word of :func:`corporate_lexicon` (APA 7 9.11) goes in
  double braces, or BibTeX reads "European Research Agency" as "Agency, E. R.";
* a DOI given as a URL or with ``doi:`` becomes the bare DOI, and a ``url`` repeating it is
  deleted (APA 7 9.34; pandoc prefixes https://doi.org/ itself);
* a capital of a title written in sentence case is braced, and in every English title a word
  or phrase that another title of the bibliography or the article's text writes as a proper
  noun (:func:`build.bibtitles.protect_title`);
* LaTeX accent commands become precomposed Unicode (:func:`build.bibtex.latex_to_unicode`).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from build.bibtex import (
    _LATEX_ACCENT_RE,
    ERROR,
    NO_RULES,
    ArticleRules,
    _quiet_bibtexparser,
    decode_bib,
    latex_to_unicode,
    parse_bibliography,
    parse_stack,
    split_names,
)
from build.bibtitles import (
    NO_KNOWN_NOUNS,
    TITLE_FIELDS,
    KnownNouns,
    bibliography_proper_nouns,
    protect_title,
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
_DOI_PREFIX_RE = re.compile(r"^(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)", re.IGNORECASE)
_USEPREFIX_RE = re.compile(r"\buseprefix\b", re.IGNORECASE)
#: The option that makes pandoc keep a name's particle in front (BibLaTeX manual 3.1.3).
USEPREFIX = "useprefix=true"
LEXICON = Path(__file__).with_name("lexicon") / "corporate-words.yaml"
#: Fields holding names (BibLaTeX manual 2.2.2, name lists pandoc reads).
NAME_FIELDS = ("author", "editor", "translator")


def _decode_accents(value: str) -> str:
    return _LATEX_ACCENT_RE.sub(lambda m: latex_to_unicode(m.group(0)), value)


@functools.cache
def corporate_lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The general organisation words (``build/lexicon/corporate-words.yaml``): (strong, weak,
    joining), see the file's comments. Source: APA 7 section 9.11 (group authors)."""
    import yaml

    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return tuple(frozenset(data[key]) for key in ("strong", "weak", "joining"))


def corporate_evidence(name: str, extra_words: tuple[str, ...] = ()) -> str | None:
    """Whether one BibTeX name (as typed, not in braces) is a corporate author.

    Args:
        name: one name of an author list (``European Research Agency``, ``Berg, Anna``).
        extra_words: the article's own organisation words (``corporate-words``).
    Returns:
        ``"clear"``: no comma and a strong organisation word (or a weak one with three or
        more words or a joining word such as "of"); ``"unclear"``: a weak word alone, an
        organisation word in the ``Family, Given`` form, or four or more words (the linter
        asks); ``None``: a person's name (``Gabriel García Márquez``, ``Bank, Mary``... is
        ``"unclear"``, never ``"clear"``). A name already in braces gives ``None``.
    """
    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return None
    strong, weak, joining = corporate_lexicon()
    strong = strong | frozenset(extra_words)
    words = stripped.replace(",", " ").split()
    has_strong = any(w in strong or w.rstrip(".,") in strong for w in words)
    has_weak = any(w.rstrip(".,") in weak for w in words)
    if "," in stripped:
        family = [w for w in stripped.split(",", 1)[0].split() if not w[:1].islower()]
        if has_strong or has_weak or len(family) >= 3:  # particles aside ("van der Berg")
            return "unclear"
        return None
    if has_strong or (has_weak and (len(words) >= 3 or any(w in joining for w in words))):
        return "clear"
    if has_weak or len([w for w in words if not w[:1].islower()]) >= 4:  # particles aside
        return "unclear"
    return None


def name_particles(name: str) -> tuple[str, ...]:
    """The particle words (BibTeX's "von" part: van, de, von der, ...) of one name as typed;
    ``()`` for a name in braces or without particle (bibtexparser's BibTeX name parser)."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    stripped = name.strip()
    if not stripped or (stripped.startswith("{") and stripped.endswith("}")):
        return ()
    return tuple(parse_single_name_into_parts(stripped, strict=False).von)


def bare_doi(value: str) -> str:
    """The bare DOI of ``value``: ``doi:``, ``https://doi.org/`` and ``dx.doi.org/``
    prefixes removed (repeatedly), white space stripped (DOI Handbook 2.2; APA 7 9.34)."""
    doi = value.strip()
    while True:
        shorter = _DOI_PREFIX_RE.sub("", doi, count=1).strip()
        if shorter == doi:
            return doi
        doi = shorter


def clean_entry(
    fields: dict[str, str],
    rules: ArticleRules = NO_RULES,
    known: KnownNouns = NO_KNOWN_NOUNS,
    key: str = "",
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> dict[str, str]:
    """The fields of one entry with the print fixes of this module's docstring applied.

    Args:
        fields: field name -> value (as :func:`build.bibtex.parse_bibliography` gives them).
        rules: the article's corporate words, proper nouns and common words.
        known: the bibliography's proper nouns (:func:`build.bibtitles.bibliography_proper_nouns`);
        key: the entry's key (no evidence for itself);
        manuscript: the article text's (:func:`build.bibtitles.manuscript_proper_nouns`).
    Returns:
        a new mapping (same order; ``url`` removed when it repeats the DOI, ``options``
        added or extended with ``useprefix=true`` when a name has a particle).
    """
    out = dict(fields)
    if out.get("doi", "").strip():
        out["doi"] = bare_doi(out["doi"])
    url = out.get("url", "").strip()
    if url:
        as_doi = bare_doi(url)
        if as_doi != url and re.match(r"^10\.\d", as_doi):
            out.setdefault("doi", as_doi)
            if out["doi"].lower() == as_doi.lower():
                del out["url"]
        elif out.get("doi") and out["doi"].lower() in url.lower():
            del out["url"]
    particles = False
    for role in NAME_FIELDS:
        if not out.get(role, "").strip():
            continue
        names = split_names(out[role])
        fixed = [
            "{" + n.strip() + "}"
            if corporate_evidence(n, rules.corporate_words) == "clear"
            else n.strip()
            for n in names
        ]
        particles = particles or any(name_particles(n) for n in fixed)
        if fixed != [n.strip() for n in names]:
            out[role] = " and ".join(fixed)
    for name in TITLE_FIELDS:
        if out.get(name):
            langid = out.get("langid", "")
            out[name] = protect_title(out[name], langid, rules, known, key, manuscript)
    options = out.get("options", "").strip()
    if particles and not _USEPREFIX_RE.search(options):
        out["options"] = f"{options},{USEPREFIX}" if options else USEPREFIX
    return out


def normalize_value(name: str, value: str) -> str:
    """Canonical value: LaTeX accents decoded to Unicode, white space collapsed to one space,
    ranges in ``pages`` written with ``--``."""
    value = " ".join(_decode_accents(value).split())
    if name == "pages":
        value = _DASHES_RE.sub("--", value)
    return value


def format_bibliography(
    data: bytes | str,
    path: str = "refs.bib",
    rules: ArticleRules = NO_RULES,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> str:
    """Canonical layout of a bibliography: ``@comment`` blocks first (file order), then entries
    sorted by key (case-insensitive), ``@type{key,`` in lower case, one field per line indented
    by two spaces in :data:`FIELD_ORDER` (others alphabetically after), every value in braces,
    macros and ``#`` resolved, Unicode text, ``--`` in page ranges, one blank line between
    blocks, one newline at the end, and the print fixes of :func:`clean_entry` (with the
    article's ``rules``, the bibliography's own proper nouns and those of the article's text,
    ``manuscript``). Idempotent.

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
    entries = [b for b in library.blocks if isinstance(b, model.Entry)]
    values = {
        id(b): {f.key: normalize_value(f.key, str(f.value)) for f in b.fields} for b in entries
    }
    known = bibliography_proper_nouns(
        (b.key, fields.get("langid", ""), fields[name])
        for b in entries
        for fields in [values[id(b)]]
        for name in TITLE_FIELDS
        if fields.get(name)
    )
    blocks = []
    for block in library.blocks:
        if isinstance(block, model.Entry):
            block.entry_type = block.entry_type.lower()
            fixed = clean_entry(values[id(block)], rules, known, block.key, manuscript)
            block.fields = [model.Field(k, v) for k, v in fixed.items()]
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

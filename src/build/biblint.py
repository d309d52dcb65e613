"""The bibliography linter: rules with ids applied to parsed entries (pure: entries in, problems
out).

Terms (see also :mod:`build.bibtex`): *key scheme* -- the one of docs/conventions.md
("Citekeys"): lowercase ASCII of the first author's family name with its particles (corporate
author: its first word; no author: first word of the title, else of the periodical) + year (or
``nd``) + an optional a/b/... suffix. *Severity* ``error`` stops the build, ``warning`` goes to the
report (and must be 0 for the project's refs.bib), ``info`` is advice (missing recommended APA 7
elements). *Waiver* -- ``@comment{lint-allow: KEY RULE reason}`` in the file: a problem of that
rule on that entry is moved from the problems to the ``waived`` list of the report (used where the
submitted reference list lacks a fact that must not be invented).

Sources of the rules: the BibLaTeX manual (data model, section 2.1 entry types and their required
fields, 2.3.8 date fields), APA Publication Manual 7th ed. chapter 9 (reference elements: 9.12 no
author, 9.17 n.d., 9.19-9.22 titles, 9.25 periodical titles, 9.34-9.36 DOIs and URLs) and 6.17
(capitalization of proper nouns), and the DOI Handbook (2.2 DOI syntax).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from build.bibclean import (
    _USEPREFIX_RE,
    NAME_FIELDS,
    USEPREFIX,
    bare_doi,
    corporate_evidence,
    format_bibliography,
    name_particles,
)
from build.bibtex import (
    _DOI_RE,
    _DOI_URL_RE,
    _LATEX_ACCENT_RE,
    ARTICLE_RULE_KEYS,
    ERROR,
    INFO,
    NO_RULES,
    RULES,
    WARNING,
    ArticleRules,
    BibEntry,
    Problem,
    _plain,
    decode_bib,
    entry_year,
    expected_key_stem,
    family_name,
    parse_bibliography,
    split_names,
)
from build.bibtitles import (
    EVIDENCE,
    NO_KNOWN_NOUNS,
    TITLE_FIELDS,
    KnownNouns,
    bibliography_proper_nouns,
    braced_whole,
    proper_nouns,
    sentence_cased,
)
from build.errors import BibliographyError, ErrorList

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
    return ArticleRules(
        values.get("proper-nouns", ()),
        values.get("corporate-words", ()),
        values.get("common-words", ()),
    )


#: A LaTeX command left once the accent commands are decoded (escaped \\& \\% \\$ \\# \\_ are text).
_LATEX_COMMAND_RE = re.compile(r"\\(?:[A-Za-z]+|[^A-Za-z\s&%$#_{}])")
_RETRIEVED_RE = re.compile(r"\bretrieved\s+from\b", re.IGNORECASE)
_URL_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_PAGE = r"[A-Za-z]{0,3}\d+[A-Za-z]?|[ivxlcdm]+|[IVXLCDM]+"
_PAGES_RE = re.compile(rf"^(?:{_PAGE})(?:--(?:{_PAGE}))?$")
_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_KEY_RE = re.compile(r"^[a-z0-9]+$")
_WAIVER_RE = re.compile(r"^\s*lint-allow:\s*(\S+)\s+(\S+)\s+(\S.*?)\s*$", re.DOTALL)


@dataclass
class LintResult:
    """Outcome of :func:`lint_bibliography`: the entries read, problems found and waived, and
    the canonical text (:func:`build.bibclean.format_bibliography`; '' when errors kept it
    from being made)."""

    path: str
    entries: list[BibEntry]
    problems: list[Problem]
    waived: list[dict[str, object]]
    canonical: str = ""

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
        bare = bare_doi(doi)
        if bare != doi and _DOI_RE.match(bare):
            yield Problem(
                "doi-as-url",
                path,
                entry.line_of("doi"),
                entry.key,
                f"entry '{entry.key}' gives its DOI with a prefix ({doi}); pandoc would print "
                f"https://doi.org/{doi}; the build's cleaned copy writes the bare DOI",
                f"fix the source: doi = {{{bare}}} (article bibliography format --write does)",
            )
        elif not _DOI_RE.match(bare):
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
                f"move it to doi = {{{bare.strip()}}} and delete url (APA 7 9.34); the build's "
                "cleaned copy and article bibliography format --write do",
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
        elif doi and bare_doi(doi).lower() in url.lower():
            yield Problem(
                "doi-url-duplicate",
                path,
                entry.line_of("url"),
                entry.key,
                f"entry '{entry.key}' url points to its DOI {doi} a second time",
                "delete url: APA 7 9.34 prints the DOI and no URL when a DOI exists (the "
                "build's cleaned copy and article bibliography format --write do)",
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
        left = _LATEX_COMMAND_RE.search(_LATEX_ACCENT_RE.sub("", value))
        if left and name not in ("url", "doi", "file"):
            yield Problem(
                "latex-command",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' field '{name}' has the LaTeX command {left.group(0)}, "
                "which pandoc would print wrongly or drop",
                "write the text it stands for in Unicode",
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
    month = entry.fields.get("month", "").strip().strip("{}")
    if month and not (month.isdigit() and 1 <= int(month) <= 12):
        yield Problem(
            "month-format",
            path,
            entry.line_of("month"),
            entry.key,
            f"entry '{entry.key}' has month '{month}', which pandoc does not read: the month "
            "would be lost",
            "write month = {3} (a number 1-12), or the whole date as date = {YYYY-MM-DD}",
        )
    for name in ("title", "booktitle"):
        value = re.sub(r"\{[^{}]*\}", "", entry.fields.get(name, ""))  # braced words are kept
        words = [w for w in re.findall(r"[^\W\d_]+", value) if len(w) > 1]
        if len(words) >= 3 and all(w.isupper() for w in words):
            yield Problem(
                "title-capitals",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' has its {name} in capitals: it would print so, where APA 7 "
                "(6.17, 9.19) prints a title in sentence or title case",
                "write it in title case (Capitalised Main Words), acronyms braced ({UNESCO})",
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
    particles = []
    for role in NAME_FIELDS:
        for name in split_names(entry.fields.get(role, "")):
            stripped = name.strip()
            evidence = corporate_evidence(stripped, rules.corporate_words)
            if evidence == "clear":
                yield Problem(
                    "corporate-author",
                    path,
                    entry.line_of(role),
                    entry.key,
                    f"entry '{entry.key}' {role} '{stripped}' is a corporate name that BibTeX "
                    "would split into given and family names (printed as initials and a last "
                    "word); the build's cleaned copy puts it in double braces",
                    f"fix the source: {role} = {{{{{stripped}}}}} (article bibliography format "
                    "--write does)",
                )
            elif evidence == "unclear":
                yield Problem(
                    "corporate-author-unclear",
                    path,
                    entry.line_of(role),
                    entry.key,
                    f"entry '{entry.key}' {role} '{stripped}' may be a corporate (group) "
                    "author, which BibTeX would split into given and family names",
                    f"if it is a group, put it in double braces: {role} = {{{{{stripped}}}}}; "
                    "if it is a person, write Family, Given (a family name of several words in "
                    f"braces) or waive it: @comment{{lint-allow: {entry.key} "
                    "corporate-author-unclear a person's name}",
                )
            elif name_particles(stripped) and not _USEPREFIX_RE.search(
                entry.fields.get("options", "")
            ):
                particles.append((role, stripped, " ".join(name_particles(stripped))))
    if particles:
        role, name, particle = particles[0]
        yield Problem(
            "name-particle",
            path,
            entry.line_of(role),
            entry.key,
            f"entry '{entry.key}' {role} '{name}' has the particle '{particle}', which pandoc "
            "drops from in-text citations and puts after the initials unless the entry has "
            f"options = {{{USEPREFIX}}}; the build's cleaned copy adds it",
            f"fix the source: options = {{{USEPREFIX}}} (article bibliography format --write "
            "does; APA 7 writes the particle as the author does: 'van Berg, A.', '(van Berg, "
            "2014)')",
        )


def _check_title_case(
    entry: BibEntry,
    path: str,
    rules: ArticleRules,
    known: KnownNouns = NO_KNOWN_NOUNS,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> Iterable[Problem]:
    langid = entry.fields.get("langid", "")
    for name in TITLE_FIELDS:
        value = entry.fields.get(name, "")
        if not value or not sentence_cased(langid):
            continue
        if braced_whole(value) and name != "eventtitle":  # an event's name is a proper noun
            yield Problem(
                "title-braced-whole",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' {name} is wrapped whole in braces: it prints in title "
                "case as typed, not in APA sentence case",
                "remove the outer braces and brace only proper nouns ({Shanghai}) (APA 7 6.17)",
            )
            continue
        for word in proper_nouns(value, langid, rules, known, entry.key, manuscript):
            if word.reason in EVIDENCE:
                where = {
                    "bibliography": f"written as a proper noun in entry '{word.evidence}'",
                    "place": "the name of a country or region (CLDR)",
                }.get(word.reason, f"written as a proper noun in mid-sentence at {word.evidence}")
                manuscript_dir = Path(path).parent / "manuscript"
                yield Problem(
                    "proper-noun-evidence",
                    path,
                    entry.line_of(name),
                    entry.key,
                    f"entry '{entry.key}' {name} has '{word.word}' ({where}) outside braces; APA "
                    f"sentence case would print it '{word.word.lower()}'; the build's cleaned "
                    "copy protects it",
                    f"fix the source: {{{word.word}}} (article bibliography format --write "
                    f"--manuscript-dir {manuscript_dir.as_posix()} does); if it is a common word "
                    f"here, list it under common-words in {manuscript_dir.as_posix()}"
                    "/bibliography.yaml",
                )
                continue
            if word.reason == "sentence-case":
                yield Problem(
                    "sentence-case-capital",
                    path,
                    entry.line_of(name),
                    entry.key,
                    f"entry '{entry.key}' {name} is in sentence case and has '{word.word}' "
                    "outside braces, which APA sentence case would lower; the build's cleaned "
                    "copy protects it",
                    f"fix the source: {{{word.word}}} (article bibliography format --write does)",
                )
                continue
            why = {
                "listed": "listed as a proper noun in the article's bibliography rules",
            }.get(word.reason, "not a common English word (wordfreq)")
            yield Problem(
                "unprotected-capitals",
                path,
                entry.line_of(name),
                entry.key,
                f"entry '{entry.key}' {name} has '{word.word}' ({why}) outside braces; APA "
                f"sentence case would print it '{word.word.lower()}'",
                f"protect it: {{{word.word}}} (APA 7 6.14-6.17: proper nouns keep their "
                "capitals); if it is a common word, list it under common-words in the "
                "article's manuscript/bibliography.yaml",
            )


def _key_source(entry: BibEntry) -> str:
    """The text the key's word comes from: the first author's family name, else the title,
    else the periodical (as decoded text, for messages)."""
    names = split_names(entry.fields.get("author", ""))
    if names:
        return family_name(names[0])
    for name in ("title", "journal", "journaltitle"):
        if entry.fields.get(name, "").strip():
            return _plain(entry.fields[name]).strip()
    return ""


def _check_key(entry: BibEntry, path: str) -> Iterable[Problem]:
    stem = expected_key_stem(entry)
    if stem == (entry_year(entry) or "nd"):
        # no Latin letter to take the word from (王, Иванов): any lower-case ASCII word
        # before the year is accepted, the transliteration being the author's choice
        if re.fullmatch(r"[a-z][a-z0-9]*?" + re.escape(stem) + "[a-z]?", entry.key):
            return
        source = _key_source(entry)
        yield Problem(
            "key-scheme",
            path,
            entry.line,
            entry.key,
            f"key '{entry.key}' does not follow the key scheme (expected the first word of "
            f"'{source}' transliterated to Latin letters, then '{stem}', plus an optional a/b)",
            "the key's word is lowercase ASCII (docs/conventions.md): transliterate the name "
            "(Pinyin for Chinese: 王 -> wang2015; a standard romanization for Russian: "
            "Иванов -> ivanov2015), as APA 7 (9.38, works in another language) also asks of "
            "names in the reference list; rename the key and its citations",
        )
        return
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
    entries: list[BibEntry],
    path: str,
    today: _dt.date,
    rules: ArticleRules = NO_RULES,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> list[Problem]:
    """Apply every entry-level and collection-level rule of :data:`RULES`.

    Args:
        entries: parsed entries (:func:`parse_bibliography`).
        path: file name for messages.
        today: reference date of ``year-future``.
        rules: the article's proper nouns and corporate words (:func:`load_article_rules`).
        manuscript: the proper nouns of the article's text
            (:func:`build.bibtitles.manuscript_proper_nouns`).

    Returns:
        problems in file order (by line, then rule id).
    """
    problems: list[Problem] = []
    known = bibliography_proper_nouns(
        (e.key, e.fields.get("langid", ""), e.fields[name])
        for e in entries
        for name in TITLE_FIELDS
        if e.fields.get(name)
    )
    for entry in entries:
        for check in (_check_entry_type, _check_required, _check_key):
            problems.extend(check(entry, path))
        problems.extend(_check_names(entry, path, rules))
        problems.extend(_check_doi_url(entry, path))
        problems.extend(_check_values(entry, path, today))
        problems.extend(_check_title_case(entry, path, rules, known, manuscript))
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
    rules: ArticleRules = NO_RULES,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> LintResult:
    """Lint a bibliography file's content.

    Args:
        data: the file's bytes (checked for UTF-8) or text.
        path: file name used in messages.
        today: reference date for ``year-future`` (default: today).
        rules: the article's proper nouns and corporate words (default: none, only the
            general rules such as acronyms in capitals).
        manuscript: the proper nouns of the article's text (default: none).

    Returns:
        :class:`LintResult` with every problem (none raised) and the waived ones.
    """
    today = today or _dt.date.today()
    text, problems = decode_bib(data, path)
    entries, parse_problems, comments = parse_bibliography(text, path)
    problems += parse_problems
    # a file of no entry (empty, or comments only) is the bibliography of an article that
    # cites nothing: no problem here; a citation of a key it lacks is the citation stage's error
    problems += lint_entries(entries, path, today, rules, manuscript)
    canonical = ""
    if not any(p.severity == ERROR for p in problems):
        canonical = format_bibliography(text, path, rules, manuscript)
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
    return LintResult(path, entries, kept, waived, canonical)

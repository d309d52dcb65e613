"""Citation normalizer: free-text author–year citations become checked pandoc citations.

Terms used throughout this module:

* **citation** – one group as written in the text: a parenthesis such as
  ``(Aris, 2009, p.457; Deng, 2007)``, a pandoc bracket ``[@aris2009, p. 457]``, a pandoc
  narrative ``@dadabaev2014 [p. 111]`` or a narrative ``Paul (2018)``.
* **cited work** (``Item``) – one work inside a citation (``Aris, 2009, p.457``); the report has
  one record per cited work.
* **citekey** – a key as typed in a pandoc citation; **key** – the id of an entry of ``refs.bib``.
* **locator**, **form**, **remark**: see :mod:`build.citesyntax`.

The stage's modules: :mod:`build.citesyntax` (locators, comparison keys, the parse of one cited
work), :mod:`build.citescan` (finding citations in a source), :mod:`build.citebib` (entries and
corrections), :mod:`build.intext` (the in-text forms pandoc's citeproc prints), this module
(resolution and the pure core) and :mod:`build.citecli` (report files and the command line).

Resolution (issue 3): family names and year against ``refs.bib``, insensitive to case,
diacritics, LaTeX accents, name particles and initials. The lookup is built from the in-text
form the article's CSL style prints for each entry (pandoc's citeproc, :mod:`build.intext`,
rendering together the entries the manuscript may cite, so that disambiguation matches),
plus the entry's own names and titles, so what is matched is what the reader sees. A citation
that does not match exactly one entry is never guessed: it is reported with ranked candidates
and their evidence, and the editorial decision is read from the corrections file
(``manuscript/citation-corrections.yaml``). A year suffix as written (``2009a``) must be the
label citeproc prints among the works the manuscript cites.

The pure core is :func:`normalize_citations` (texts and bibliography in, texts and report out);
:func:`command` is the thin file edge used by ``article citations`` and the workflow.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from build.citebib import (
    Bibliography,
    Correction,
    Entry,
    _correction_match_keys,
    _meaningful_words,
    load_bibliography,
    load_corrections,
    load_csl_bibliography,
    normalize_url,
    read_text,
)
from build.citescan import Found, _Positions, is_crossref, scan
from build.citesyntax import (
    LOCATOR_TERMS,
    CitationErrors,
    Locator,
    ParsedItem,
    corporate_key,
    family_key,
    fold,
    pandoc_suffix,
    parse_item,
    parse_locator,
    split_names,
    unknown_locator_wording,
)
from build.citesyntax import raise_all as _raise_all
from build.errors import CitationError

__all__ = [
    "LOCATOR_TERMS",
    "Bibliography",
    "CitationErrors",
    "Correction",
    "Entry",
    "Locator",
    "ParsedItem",
    "Result",
    "article_files",
    "command",
    "configure_parser",
    "is_crossref",
    "load_bibliography",
    "load_corrections",
    "load_csl_bibliography",
    "normalize_citations",
    "normalize_text",
    "parse_item",
    "parse_locator",
    "read_text",
    "scan",
    "unresolved_errors",
]

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
    offset: int = -1  # offset of the citation in its source (not reported)
    year: str | None = None  # the year as written in a free-text citation (``2009a``)

    #: a problem that is not about which entry is cited (locator wording pandoc cannot read, a
    #: year suffix citeproc does not print): the citation fails with this message
    problem: str = ""
    problem_hint: str = ""

    @property
    def failing(self) -> bool:
        if self.problem:
            return True
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
        personal = (
            bool(cited)
            and (
                (cited == rendered and et_al == rendered_et_al)
                or (cited == families and not et_al)
                # APA 7 8.17: "et al." after the first author (3 or more authors), or after as
                # many names as tell two works apart (APA 7 8.18, CSL disambiguate-add-names)
                or (
                    et_al
                    and len(families) >= max(3, len(cited) + 1)
                    and cited == families[: len(cited)]
                )
            )
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
    suffix = pandoc_suffix(record.locator, record.suffix)
    return text + (", " + suffix if suffix else "")


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
        elif found.kind == "narrative" and (
            back := _back_references(path, text, found, records, bib, corrections, positions)
        ):
            start, group = found.start, back  # "(2009, p. 460)" -> "[-@aris2009, p. 460]"
            history.extend(group)
            found.kind = "paren"
            canonical = _render_free_group(group, found, text, start)
        else:
            start = found.start
            if found.kind == "narrative":
                resolved = _resolve_narrative(text, found, bib, corrections)
                if resolved is None:
                    continue  # "Iraq (2003)": no author of that name, no earlier mention
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
                    offset=at,
                    year=item.years[0],
                )
                _check_remark(record)
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
                offset=found.start,
            )
        )
    return group


def _narrative_text(record: Record) -> str:
    text = ("-" if record.suppress_author else "") + "@" + record.keys[0]
    extra = pandoc_suffix(record.locator, record.suffix)
    return text + (f" [{extra}]" if extra else "")


def _check_remark(record: Record) -> None:
    """Set :attr:`Record.problem` when the remark names a page, chapter ... with a number in
    wording that is not a locator (``from page 3 onwards``): pandoc would print it with no
    locator, and the normalizer does not guess one."""
    wording = unknown_locator_wording(record.suffix)
    if wording and not record.problem:
        record.problem = (
            f"citation '{record.text}': '{wording}' reads as a locator, but pandoc does not "
            "know this wording and would print it without a locator label"
        )
        record.problem_hint = (
            "write the locator with a CSL term ('p. 3', 'pp. 3-4', 'chap. 2', 'sec. 4', "
            "'para. 2'), or write the remark as pandoc text after '{}' in a pandoc citation"
        )


def _render_pandoc_group(group: list[Record], found: Found, text: str) -> str:
    """Canonical text of a pandoc citation; unchanged when a key is not in refs.bib."""
    if any(r.status != "exact" or r.problem for r in group):
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


def _back_references(
    path: str,
    text: str,
    found: Found,
    earlier: list[Record],
    bib: Bibliography,
    corrections: list[Correction],
    positions: _Positions,
) -> list[Record]:
    """Records for a year-only parenthesis that follows no author's name but a mention of the
    work earlier in its paragraph ("Aris (2009) argues ... later adds (2009, p. 460)"): an
    author-suppressed citation ``[-@aris2009, p. 460]`` (pandoc manual, "Citation syntax")
    when exactly one work cited earlier in the paragraph has that year.

    Returns [] when the words before the parenthesis name an author (:func:`_resolve_narrative`
    decides), or when nothing fits and nothing suggests a citation (no locator: "(2003)"); a
    record with a problem when no work or several works fit a parenthesis with a locator.
    """
    if _resolve_narrative(text, found, bib, corrections) is not None:
        return []
    paragraph = text.rfind("\n\n", 0, found.start) + 1
    mentioned: list[str] = []
    for record in earlier:
        if paragraph <= record.offset < found.start:
            mentioned.extend(k for k in record.keys if k in bib.entries and k not in mentioned)
    group = []
    line, column = positions.at(found.start)
    for item in found.items or []:
        year = item.years[0]
        fits = [
            k
            for k in mentioned
            if year and (bib.entries[k].year == year or bib.entries[k].csl_year == year)
        ]
        if len(fits) != 1 and item.locator is None:
            return []
        record = Record(
            path,
            line,
            column,
            text[found.start : found.end],
            text[found.start : found.end],
            fits[:1],
            item.locator,
            "exact" if len(fits) == 1 else "candidates",
            [{"key": k, "reason": f"cited earlier in the paragraph, year {year}"} for k in fits],
            form=item.form,
            suffix=item.suffix,
            suppress_author=True,
            offset=found.start,
        )
        if len(fits) != 1:
            record.keys = []
            what = "several works" if fits else "no work"
            record.problem = (
                f"citation '{record.text}' gives a year without an author, and {what} of "
                f"{year or 'that year'} is cited earlier in its paragraph"
            )
            record.problem_hint = (
                "name the work: write '[-@key, ...]' for the work meant"
                + (f" ({', '.join(fits)})" if fits else "")
                + ", or give the author's name before the parenthesis"
            )
        _check_remark(record)
        group.append(record)
    return group


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
    sources = list(sources)
    bib.prepare([text for _path, text in sources])
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
    _check_year_suffixes(records, bib)
    return Result(texts, records, not_canonical, bib, corrections)


def _check_year_suffixes(records: list[Record], bib: Bibliography) -> None:
    """Compare each year suffix as written (``Aris, 2009a``) with the label pandoc's citeproc
    prints for the resolved entry among the works the manuscript cites (CSL 1.0.2,
    "Disambiguation": year suffixes follow the order of the bibliography, not of citation).
    A contradiction is a problem of the record; a decision of the corrections file that
    contradicts the label is named in the hint."""
    suffixed = [
        r
        for r in records
        if r.keys and r.year and re.fullmatch(r"\d{4}[a-z]", r.year) and r.status != "ibid"
    ]
    if not suffixed:
        return
    printed = bib.forms_cited_together([k for r in records for k in r.keys])
    for record in suffixed:
        form = printed.get(record.keys[0])
        if form is None or form.year == record.year:
            continue
        record.problem = (
            f"citation '{record.text}' is cited as {record.year}, but pandoc's citeproc prints "
            f"{record.keys[0]} as '{form.in_text}' among the works this manuscript cites"
        )
        labelled = [k for k, f in printed.items() if f.year == record.year and k in bib.entries]
        if record.correction is not None:
            record.problem_hint = (
                f"the decision on line {record.correction} of the corrections file contradicts "
                "citeproc's year-suffix labels: "
                + (f"{record.year} is {labelled[0]}; " if labelled else "")
                + "correct its key, or the year as written"
            )
        else:
            record.problem_hint = (
                f"write the year as pandoc prints it, or cite {labelled[0]}"
                if labelled
                else "write the year without a suffix: only one such work is cited"
            )


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
        if r.problem:
            errors.append(CitationError(r.problem, r.source, r.line, r.column, r.problem_hint))
            continue
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
# Command line (in build.citecli; kept here because build.cli looks for them in this module)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article citations`` (:func:`build.citecli.configure_parser`)."""
    from build.citecli import configure_parser as configure

    configure(parser)


def command(*args, **kwargs) -> int:
    """Run ``article citations`` (:func:`build.citecli.command`); returns the exit code."""
    from build.citecli import command as run

    return run(*args, **kwargs)


def article_files(files: list[str]) -> tuple[str, str]:
    """(refs.bib, corrections file) of the files' article (:func:`build.citecli.article_files`)."""
    from build.citecli import article_files as find

    return find(files)

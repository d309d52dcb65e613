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
(resolution and the pure core), :mod:`build.citereport` (the report's records, the checks that
give a record a problem: remarks, back-references, year suffixes, lead-ins; the errors of
failing records) and :mod:`build.citecli` (report files and the command line).

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
import dataclasses
import difflib
import re
from collections.abc import Iterable, Sequence

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
from build.citereport import (
    Record,
    Result,
    back_references,
    check_remark,
    check_year_suffixes,
    flag_lead_ins,
    unresolved_errors,
)
from build.citescan import Found, _Positions, is_crossref, scan
from build.citesyntax import (
    LOCATOR_TERMS,
    CitationErrors,
    Locator,
    ParsedItem,
    acronym,
    and_words,
    corporate_key,
    family_key,
    fold,
    pandoc_suffix,
    parse_item,
    parse_locator,
    split_names,
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
    "Record",
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


def _digits_differ_by_one(a: str, b: str) -> bool:
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def _probe_words(item: ParsedItem, conjunctions: Sequence[str] = ("and",)) -> set[str] | None:
    """Words one of which an entry must have to match ``item`` by name (:meth:`Entry.may_match`):
    the meaningful words of its names; None (no filter) when a key compared with an entry's
    names has none: the corporate name, its first segment, or every family name (``De``)."""
    names, _ = split_names(item.names, conjunctions)
    segments = item.segments or [item.names]
    families = [family_key(n) for n in names]
    if any(families) and not any(_meaningful_words(k) for k in families):
        return None
    for key in (corporate_key(item.names), corporate_key(segments[0])):
        if key and not _meaningful_words(key):
            return None
    return _meaningful_words(item.names)


def _exact_matches(item: ParsedItem, year: str | None, bib: Bibliography) -> list[str]:
    conjunctions = and_words(bib.lang)
    names, et_al = split_names(item.names, conjunctions)
    cited = [family_key(n) for n in names]
    whole = corporate_key(item.names)
    words = _probe_words(item, conjunctions)
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
    owner = getattr(entry, "_owner", None)
    names, _et_al = split_names(item.names, and_words(owner.lang if owner else None))
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
    words = _probe_words(item, and_words(bib.lang))
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
    words = _probe_words(item, and_words(bib.lang))
    return any(
        wanted & _corporate_names(entry) for entry in bib.entries.values() if entry.may_match(words)
    )


def _corporate_names(entry: Entry, rendered: bool = True) -> set[str]:
    """Keys of the names a reader sees for an entry: its rendered in-text name (unless
    ``rendered`` is false), its corporate authors and, for an entry without authors, its
    titles."""
    names = {corporate_key(n) for n in entry.literals}
    names |= {corporate_key(acronym(n)) for n in entry.literals}  # "WHO" (APA 7 8.21)
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
        elif (
            found.kind == "narrative"
            and (resolved := _resolve_narrative(text, found, bib, corrections)) is None
        ):
            # no author's name before the parenthesis: "(2009, p. 460)" -> "[-@aris2009, ...]"
            group = back_references(path, text, found, records, bib, positions)
            if not group:
                continue  # "Iraq (2003)": no author of that name, no earlier mention
            start = found.start
            history.extend(group)
            found.kind = "paren"
            canonical = _render_free_group(group, found, text, start)
        else:
            start = found.start
            if found.kind == "narrative" and resolved is not None:
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
                check_remark(record)
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
    flag_lead_ins(text, records, positions, and_words(bib.lang))
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
    if found.kind == "narrative" and len(group) > 1 and all(r.keys for r in group):
        # "Dupont (2010a, 2010b)": one author, several works (APA 7 8.19); pandoc prints
        # "@a [-@b]" so, the name once
        first = pandoc_suffix(group[0].locator, group[0].suffix)
        rest = [_render_pandoc_item(dataclasses.replace(r, suppress_author=True)) for r in group]
        rest = rest[1:]
        return f"@{group[0].keys[0]} [" + "; ".join([*([first] if first else []), *rest]) + "]"
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
    check_year_suffixes(records, bib)
    return Result(texts, records, not_canonical, bib, corrections)


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

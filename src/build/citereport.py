"""The normalizer's report: its records, the checks that give a record a problem or a flag, and
the errors of the failing records.

Terms as in :mod:`build.citations` (citation, cited work, citekey, key). A **record** is one
cited work of the report (:class:`Record`); a **problem** is what makes a record fail although
its entry may be known (locator wording pandoc cannot read, a year suffix citeproc does not
print, a back-reference that fits no single work); a **flag** is a note that does not fail.

* :func:`check_remark`: a remark that reads as a locator in wording pandoc does not know.
* :func:`back_references`: "Aris (2009) argues ... later adds (2009, p. 460)" becomes an
  author-suppressed citation, or a problem when no single work fits.
* :func:`check_year_suffixes`: "2009a" as written must be citeproc's label (CSL 1.0.2,
  "Disambiguation").
* :func:`flag_lead_ins`: the cited name already stands earlier in the sentence.
* :func:`unresolved_errors`: one :class:`~build.errors.CitationError` per failing record.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from build.citebib import Bibliography, Correction
from build.citescan import Found, _Positions
from build.citesyntax import Locator, family_key, fold, split_names, unknown_locator_wording
from build.errors import CitationError

__all__ = [
    "Record",
    "Result",
    "back_references",
    "check_remark",
    "check_year_suffixes",
    "flag_lead_ins",
    "unresolved_errors",
]


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


def check_remark(record: Record) -> None:
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


def back_references(
    path: str,
    text: str,
    found: Found,
    earlier: list[Record],
    bib: Bibliography,
    positions: _Positions,
) -> list[Record]:
    """Records for a year-only parenthesis that follows no author's name but a mention of the
    work earlier in its paragraph ("Aris (2009) argues ... later adds (2009, p. 460)"): an
    author-suppressed citation ``[-@aris2009, p. 460]`` (pandoc manual, "Citation syntax")
    when exactly one work cited earlier in the paragraph has that year.

    Called for a parenthesis whose preceding words name no author (the normalizer's
    ``_resolve_narrative`` decides). Returns [] when nothing fits and nothing suggests a
    citation (no locator: "(2003)"); a record with a problem when no work or several works fit
    a parenthesis with a locator.
    """
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
        check_remark(record)
        group.append(record)
    return group


_SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?]\s")


def flag_lead_ins(
    text: str, records: list[Record], positions: _Positions, conjunctions: Sequence[str] = ("and",)
) -> None:
    """Flag narrative lead-ins: the cited family name already appears earlier in the sentence
    ("According to Timur Dadabaev ... (Dadabaev, 2014, p.111)"); ``conjunctions`` join names
    (:func:`build.citesyntax.and_words`)."""
    starts = positions.starts
    for record in records:
        if record.mode != "parenthetical" or not record.form:
            continue
        offset = starts[record.line - 1] + record.column - 1
        boundaries = [m.end() - 1 for m in _SENTENCE_END.finditer(text, 0, offset)]
        sentence_start = max([*boundaries[-1:], text.rfind("\n", 0, offset)])
        before = text[sentence_start + 1 : offset]
        before = re.sub(r"\([^()]*\)?|\[[^\[\]]*\]", " ", before)
        names, _ = split_names(record.form.rsplit(",", 1)[0], conjunctions)
        if names and family_key(names[0]) and family_key(names[0]) in fold(before).split():
            match = re.search(
                r"(?:[A-Z][\w.’'\-]*\s+){0,2}" + re.escape(names[0].split()[-1]), before
            )
            if match:
                record.flags.append(f"narrative lead-in: '{match.group().strip()}'")


def check_year_suffixes(records: list[Record], bib: Bibliography) -> None:
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

"""The preflight stage: what a journal checks before it publishes an article (issue 17).

Terms:
    *finding* -- one thing an editor must decide before publication: a rule id, its *subject*
    (what it is about: an e-mail address, a citekey, a field name, an editorial-log entry id,
    the text of a citation), the file and 1-based line (0: the file or the key is missing), a
    message and a hint. Printed ``path:line[:col]: [rule] subject: message`` plus ``hint:``.
    *waiver* -- an entry ``{rule, subject, reason}`` of the article's own
    ``manuscript/preflight-waivers.yaml`` (:data:`WAIVERS_SCHEMA`): a finding of that rule and
    subject is moved to the report's waived list, as ``@comment{lint-allow: KEY RULE reason}``
    does for the bibliography linter. A normal build reports the findings; a final build
    (``--final``, ``snakemake --config final=true``) fails on any finding not waived.
    *journal waiver* -- the same, in the journal's ``config/preflight-waivers.yaml``
    (:data:`JOURNAL_WAIVERS_FILE`), for a field of the journal profile or the issue file
    (``journal.*``, ``issue.*`` of ``empty-journal-field``): decided once for every article of
    the issue. An article's own waiver of the same finding wins.

The rules (:data:`RULES`) read what earlier stages made (the parsed AST of the article, the
citation report, the linted bibliography as CSL-JSON with the entries' lines) and the article's
sources (metadata, section files, refs.bib, editorial log), never re-parsing the Markdown. The
pure core (:func:`find_placeholder_contacts` ... :func:`apply_waivers`) works on values; the
edge (:func:`preflight_article`, :func:`command`) reads the files and writes the reports.
Sources of the rules: RFC 2606 sections 2-3 and RFC 6761 section 6 (reserved domain names),
WCAG 2.2 success criterion 1.1.1 and HTML's ``alt`` attribute (text alternatives), APA
Publication Manual 7th ed. chapter 8 (every work in the reference list is cited in the text
and every citation has an entry) and 9.4 (the four elements of a reference: author, date,
title, source; 9.17: "n.d." for an undated work is correct).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from build.errors import ErrorList, PipelineError
from build.yamlfile import Located, parse_yaml


class PreflightError(PipelineError):
    """A preflight input that cannot be read, or a final build with findings not waived."""


#: rule id -> what it reports (the order of the report's summary)
RULES: dict[str, str] = {
    "placeholder-contact": "an e-mail address or URL in a reserved (placeholder) domain",
    "missing-alt-text": "an image without a text alternative",
    "non-descriptive-alt-text": "alt text that is the caption, a file name or a generic word",
    "uncited-reference": "an entry of refs.bib that the text never cites",
    "citation-as-text": "a citation left as plain text, without a bibliography entry",
    "incomplete-reference": "a reference without a title, or without author and any source",
    "empty-journal-field": "a field the journal prints that is left empty",
    "undecided-typo": "a possible typo noted in the editorial log but not decided",
}

#: The article's waivers, relative to its folder.
WAIVERS_FILE = "manuscript/preflight-waivers.yaml"

#: The journal's waivers (the journal-wide fields), relative to the repository root.
JOURNAL_WAIVERS_FILE = "config/preflight-waivers.yaml"

#: JSON Schema (2020-12) of the waivers file.
WAIVERS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Preflight waivers of an article (manuscript/preflight-waivers.yaml)",
    "type": ["array", "null"],
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["rule", "subject", "reason"],
        "properties": {
            "rule": {"enum": list(RULES), "description": "the finding's rule id"},
            "subject": {
                "type": "string",
                "minLength": 1,
                "description": "the finding's subject, as the report prints it after the rule",
            },
            "reason": {
                "type": "string",
                "minLength": 10,
                "description": "why the finding may stand in the published article (who decided)",
            },
        },
    },
}

#: JSON Schema (2020-12) of the journal's waivers file: the article's format, for the fields
#: of the journal profile and the issue file only (an article's own finding is waived in its
#: own folder, never for every article at once).
JOURNAL_WAIVERS_SCHEMA: dict[str, Any] = {
    **WAIVERS_SCHEMA,
    "title": "Preflight waivers of the journal (config/preflight-waivers.yaml)",
    "items": {
        **WAIVERS_SCHEMA["items"],
        "properties": {
            **WAIVERS_SCHEMA["items"]["properties"],
            "rule": {
                "const": "empty-journal-field",
                "description": "only the journal's and the issue's fields are waived here",
            },
            "subject": {
                "type": "string",
                "pattern": r"^(journal|issue)\.[a-z_-]+$",
                "description": "journal.<key> of config/config.yaml or issue.<key> of "
                "config/issue.yaml, as the report prints it",
            },
        },
    },
}

# --- reserved domains: RFC 2606 sections 2-3, RFC 6761 section 6
#: top-level domains reserved for testing, documentation, invalid and local names
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost"})
#: second-level domains reserved for documentation
RESERVED_DOMAINS = frozenset({"example.com", "example.net", "example.org"})

_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@((?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+)")
_URL_RE = re.compile(
    r"\b[A-Za-z][A-Za-z0-9+.-]*://(?:[^/\s@<>]*@)?([^/\s:?#<>)\]}\"'|]+)[^\s<>\"')\]}|]*"
)

#: the fields a journal prints, where they are kept: (file role, keys) -- build.profile,
#: config/issue.schema.yaml, the article's metadata (README "Several articles")
JOURNAL_FIELDS = ("name", "issn", "license")
ISSUE_FIELDS = ("volume", "number", "date")

#: CSL-JSON variables that name who made a work (APA 7 9.7-9.12)
_CREATORS = ("author", "editor", "translator", "director", "composer", "interviewer")
#: CSL-JSON variables that say where a work is found (APA 7 9.23-9.37)
_SOURCES = (
    "container-title",
    "collection-title",
    "publisher",
    "publisher-place",
    "URL",
    "DOI",
    "ISBN",
    "ISSN",
    "event",
    "event-title",
    "event-place",
    "archive",
    "authority",
)


@dataclass(frozen=True)
class Finding:
    """One finding: see the module's terms. ``line``/``column`` 1-based, 0 = unknown."""

    rule: str
    subject: str
    message: str
    hint: str
    path: str
    line: int = 0
    column: int = 0

    @property
    def where(self) -> str:
        """``path``, ``path:line`` or ``path:line:col``."""
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    def __str__(self) -> str:
        return f"{self.where}: [{self.rule}] {self.subject}: {self.message}\n  hint: {self.hint}"


@dataclass(frozen=True)
class Waiver:
    """One entry of the waivers file, with the line it starts on."""

    rule: str
    subject: str
    reason: str
    path: str
    line: int


@dataclass(frozen=True)
class PreflightResult:
    """The findings of an article: ``findings`` not waived, ``waived`` as (finding, waiver)
    pairs, and the waivers that matched no finding."""

    label: str
    findings: list[Finding]
    waived: list[tuple[Finding, Waiver]]
    unused: list[Waiver]

    def summary(self) -> str:
        """One line: ``preflight: LABEL: N findings (W waived): n rule, ...``."""
        counts = Counter(f.rule for f in self.findings)
        parts = [f"{counts[rule]} {rule}" for rule in RULES if counts[rule]]
        text = f"preflight: {self.label}: {len(self.findings)} findings ({len(self.waived)} waived)"
        return text + (": " + ", ".join(parts) if parts else "")

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form of the report."""
        return {
            "article": self.label,
            "summary": dict(Counter(f.rule for f in self.findings)),
            "findings": [asdict(f) for f in self.findings],
            "waived": [
                {**asdict(f), "reason": w.reason, "waiver_path": w.path, "waiver_line": w.line}
                for f, w in self.waived
            ],
            "unused_waivers": [asdict(w) for w in self.unused],
        }

    def text(self) -> str:
        """The report: the summary line, each finding, the waived ones, unused waivers."""
        lines = [self.summary(), *map(str, self.findings)]
        lines += [f"waived: {f.where}: [{f.rule}] {f.subject}: {w.reason}" for f, w in self.waived]
        lines += [
            f"{w.path}:{w.line}: note: waiver [{w.rule}] {w.subject} matches no finding"
            for w in self.unused
        ]
        return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the rules


def reserved_domain(host: str) -> bool:
    """Whether ``host`` is in a domain reserved by RFC 2606 (sections 2-3) and RFC 6761
    (section 6): the TLDs .example, .test, .invalid, .localhost, and example.com/.net/.org
    with their subdomains. Case and a final dot are ignored."""
    name = host.lower().rstrip(".")
    labels = name.split(".")
    if labels[-1] in RESERVED_TLDS:
        return True
    return ".".join(labels[-2:]) in RESERVED_DOMAINS


def find_placeholder_contacts(text: str, path: str) -> list[Finding]:
    """Every e-mail address and URL of ``text`` whose domain is reserved (:func:`reserved_domain`).

    Args:
        text: a source file's text; path: its name in the findings.

    Returns:
        One finding per address or URL, at its line and column (file order).
    """
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        spans: list[tuple[int, str, str]] = []
        for match in _URL_RE.finditer(line):
            spans.append((match.start(), match.group(0), match.group(1)))
        for match in _EMAIL_RE.finditer(line):
            if not any(s <= match.start() < s + len(t) for s, t, _ in spans):
                spans.append((match.start(), match.group(0), match.group(1)))
        for start, shown, host in sorted(spans):
            if reserved_domain(host):
                found.append(
                    Finding(
                        "placeholder-contact",
                        shown.rstrip(".,;"),
                        f"'{host}' is a reserved domain (RFC 2606, RFC 6761): a placeholder, "
                        "not a real contact",
                        "put the real address from the author (or remove it), or record a "
                        "query in the editorial log",
                        path,
                        number,
                        start + 1,
                    )
                )
    return found


def walk_ast(node: Any) -> Iterable[dict[str, Any]]:
    """Every pandoc AST element (a dict with ``t``) under ``node``, depth first."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "t" in item:
                yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def stringify(inlines: Any) -> str:
    """The plain text of pandoc inlines (Str and spaces; markup dropped)."""
    words = []
    for node in walk_ast(inlines):
        if node["t"] == "Str":
            words.append(node["c"])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            words.append(" ")
    return "".join(words).strip()


def locate(needle: str, sources: Mapping[str, str]) -> tuple[str, int]:
    """The first ``(path, line)`` of ``sources`` (path -> text, searched in order) whose text
    holds ``needle``, else holds it without its leading folders (a path the parse made
    relative to another folder); ``("", 0)`` when none does."""
    parts = needle.split("/")
    for start in range(len(parts)):
        tail = "/".join(parts[start:])
        for path, text in sources.items():
            for number, line in enumerate(text.splitlines(), 1):
                if tail in line:
                    return path, number
    return "", 0


def cited_keys(ast: Mapping[str, Any]) -> set[str]:
    """The citekeys of every citation in the article's body (``blocks``; ``nocite`` in the
    metadata does not count)."""
    return {
        citation["citationId"]
        for node in walk_ast(ast.get("blocks", []))
        if node["t"] == "Cite"
        for citation in node["c"][0]
    }


def find_uncited_references(
    ast: Mapping[str, Any], bibliography: Mapping[str, Any], bib_path: str
) -> list[Finding]:
    """Every entry of the bibliography that no citation of the body names (APA 7 chapter 8:
    each work in the reference list is cited in the text).

    Args:
        ast: the parsed article (its citations, those of generated tables included).
        bibliography: the linter's CSL-JSON bundle (``items``, ``lines``: key -> line).
        bib_path: the refs.bib the findings name.
    """
    cited = cited_keys(ast)
    lines = bibliography.get("lines", {})
    keys = [item["id"] for item in bibliography.get("items", []) if item["id"] not in cited]
    nocite = {
        citation["citationId"]
        for node in walk_ast([ast.get("meta", {}).get("nocite", [])])
        if isinstance(node, dict) and node.get("t") == "Cite"
        for citation in node["c"][0]
    }

    def where(key: str) -> str:
        if key in nocite or "*" in nocite:
            return "it prints in the reference list only through nocite"
        return "it does not print: the reference list holds the cited works only"

    return [
        Finding(
            "uncited-reference",
            key,
            f"no citation of the text names this entry ({where(key)})",
            "cite it where the text draws on it, or remove the entry if the author agrees "
            "(record the decision in the editorial log)",
            bib_path,
            lines.get(key, 0),
        )
        for key in sorted(keys, key=lambda k: (lines.get(k, 0), k))
    ]


def find_citations_as_text(report: Mapping[str, Any]) -> list[Finding]:
    """Every citation the normalizer left as plain text because no entry matches it (its
    report's citations with ``keep_as_text``, or still ``unresolved``).

    Args:
        report: the citation report (``citations.json`` of build.citations).
    """
    found = []
    for citation in report.get("citations", []):
        if not (citation.get("keep_as_text") or citation.get("status") == "unresolved"):
            continue
        where = (
            f" (kept as text by the citation corrections, line {citation['correction_line']})"
            if citation.get("correction_line")
            else ""
        )
        found.append(
            Finding(
                "citation-as-text",
                citation.get("text") or citation.get("citation", ""),
                "a citation without a bibliography entry" + where,
                "add the work to refs.bib from the author's answer and cite it, or record a "
                "query in the editorial log; never invent the reference",
                citation.get("source", ""),
                citation.get("line", 0),
                citation.get("column", 0),
            )
        )
    return found


def find_incomplete_references(bibliography: Mapping[str, Any], bib_path: str) -> list[Finding]:
    """Every entry that lacks a title, or has neither an author nor any source (container,
    publisher, place, URL, DOI, event, ...), so that a reader cannot find the work (APA 7
    9.4; a missing date alone is not a finding: "n.d." is correct, 9.17).

    Args:
        bibliography: the linter's CSL-JSON bundle (``items``, ``lines``).
        bib_path: the refs.bib the findings name.
    """
    lines = bibliography.get("lines", {})
    found = []
    for item in bibliography.get("items", []):
        missing = []
        if not str(item.get("title", "")).strip():
            missing.append("no title")
        if not any(item.get(k) for k in _CREATORS) and not any(item.get(k) for k in _SOURCES):
            missing.append("no author and no source (container, publisher, URL, DOI, event)")
        if missing:
            found.append(
                Finding(
                    "incomplete-reference",
                    item["id"],
                    " and ".join(missing) + ": the reference does not identify the work",
                    "complete the entry from the article's own evidence (the submission), or "
                    "record a query for the author in the editorial log; never invent it",
                    bib_path,
                    lines.get(item["id"], 0),
                )
            )
    return sorted(found, key=lambda f: f.line)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def find_empty_journal_fields(
    profile: Located | None, issue: Located | None, metadata: Located, issue_path: str
) -> list[Finding]:
    """The fields a journal prints that are empty: the profile's ``journal.`` name, ISSN and
    licence (:data:`JOURNAL_FIELDS`), the issue file's volume, number and date
    (:data:`ISSUE_FIELDS`; no file: all three) and the article's own fields that its front
    matter prints (:func:`build.frontmatter.missing_front_matter`: DOI, pages, dates,
    licence when the journal gives none, ORCID iDs, ROR ids, the corresponding author).

    Args:
        profile: the journal profile (config/config.yaml), None when absent.
        issue: the issue file, None when absent; issue_path: its name in the findings.
        metadata: the article's metadata.yaml.
    """
    hint = "fill it in when the journal assigns it; the outputs print nothing for it until then"
    found = []

    def check(document: Located | None, path: str, keys: Sequence[str | int], subject: str):
        data: Any = document.data if document else None
        for key in keys:
            data = data.get(key) if isinstance(data, dict) else None
        if not _empty(data):
            return
        given = document is not None and tuple(keys) in document.locations
        line = document.where(keys)[0] if given and document else 0
        state = "is empty" if given else "is not given"
        told = hint
        if document is None:
            state += " (the file does not exist)"
            told = (
                f"create {path} when the journal assigns the issue (its volume, number and "
                "date: the example in docs/conventions.md, 'The issue file and the table of "
                "contents'; the schema config/issue.schema.yaml)"
            )
        found.append(Finding("empty-journal-field", subject, state, told, path, line))

    if profile is not None:
        for key in JOURNAL_FIELDS:
            check(profile, profile.path, ("journal", key), f"journal.{key}")
    for key in ISSUE_FIELDS:
        check(issue, issue.path if issue else issue_path, (key,), f"issue.{key}")
    # the article's own fields: those the front matter prints (build.frontmatter, one list)
    from build.frontmatter import missing_front_matter

    journal = profile.data.get("journal") if profile and isinstance(profile.data, dict) else None
    licensed = isinstance(journal, dict) and not _empty(journal.get("license"))
    data = metadata.data if isinstance(metadata.data, dict) else {}
    for field, field_hint in missing_front_matter(data):
        if field == "license" and (licensed or profile is not None):
            continue  # the journal's licence covers it, or journal.license is reported
        match = re.fullmatch(r"(author|affiliations)\[(\d+)\]\.(\w+)", field)
        keys: tuple[str | int, ...] = (
            (match[1], int(match[2])) if match else ("author",) if field == "corresponding"
            else (field,)
        )  # fmt: skip
        given = keys in metadata.locations
        line = metadata.where(keys)[0] if given else 0
        state = "is not given" if match or field == "corresponding" or not given else "is empty"
        told = f"{field_hint}; the outputs print nothing for it until then"
        found.append(Finding("empty-journal-field", field, state, told, metadata.path, line))
    return found


def find_undecided_typos(log: Located) -> list[Finding]:
    """Every editorial-log entry that notes a possible typo of the author (``typo:``, the text
    as written) and has no ``decision:`` yet (docs/conventions.md, "Manuscript format").

    Args:
        log: the article's editorial log (a YAML list of entries).
    """
    found = []
    for index, entry in enumerate(log.data if isinstance(log.data, list) else []):
        if not isinstance(entry, dict) or _empty(entry.get("typo")):
            continue
        if not _empty(entry.get("decision")):
            continue
        found.append(
            Finding(
                "undecided-typo",
                str(entry.get("id", f"entry {index + 1}")),
                f"possible typo {entry['typo']!r} in {entry.get('where', '?')}, not decided",
                "ask the author; record the answer as decision: in the entry (and correct the "
                "source if it is a typo)",
                log.path,
                log.where((index,))[0],
            )
        )
    return found


# --------------------------------------------------------------------------- waivers


def read_waivers(text: str, path: str, journal: bool = False) -> list[Waiver]:
    """Parse and check a waivers file against :data:`WAIVERS_SCHEMA` (an article's) or, with
    ``journal``, :data:`JOURNAL_WAIVERS_SCHEMA` (the journal's: journal and issue fields).

    Raises:
        PreflightError: malformed YAML, or each schema violation at its ``path:line:col``
            (several: an :class:`ErrorList`).
    """
    from build.profile import schema_errors

    document = parse_yaml(text, path, PreflightError)
    name = "JOURNAL_WAIVERS_SCHEMA" if journal else "WAIVERS_SCHEMA"
    schema = JOURNAL_WAIVERS_SCHEMA if journal else WAIVERS_SCHEMA
    errors = schema_errors(
        document.data, schema, path, text, f"build.preflight.{name}", PreflightError
    )
    if errors:
        raise errors[0] if len(errors) == 1 else ErrorList(errors)
    return [
        Waiver(
            w["rule"], w["subject"], " ".join(w["reason"].split()), path, document.where((i,))[0]
        )
        for i, w in enumerate(document.data or [])
    ]


def apply_waivers(
    findings: Sequence[Finding],
    waivers: Sequence[Waiver],
    label: str = "",
    journal_waivers: Sequence[Waiver] = (),
) -> PreflightResult:
    """Split ``findings`` into those not waived and those a waiver (same rule and subject)
    covers: the article's ``waivers`` first, then the journal's ``journal_waivers`` (journal
    and issue fields, :data:`JOURNAL_WAIVERS_SCHEMA`); waivers that cover nothing are
    returned as unused (the article's, then the journal's)."""
    by_key = {(w.rule, w.subject): w for w in [*journal_waivers, *waivers]}  # the article's win
    kept, waived, used = [], [], set()
    for finding in findings:
        waiver = by_key.get((finding.rule, finding.subject))
        if waiver is None:
            kept.append(finding)
        else:
            waived.append((finding, waiver))
            used.add(id(waiver))
    unused = [w for w in [*waivers, *journal_waivers] if id(w) not in used]
    return PreflightResult(label, kept, waived, unused)


# --------------------------------------------------------------------------- the edge


def _read_json(path: str) -> Any:
    from build.atomic import read_utf8

    if not Path(path).is_file():
        raise PreflightError(
            "not found: an earlier stage's output",
            path,
            hint="build the article first (snakemake --cores 2), then run article preflight",
        )
    try:
        return json.loads(read_utf8(path, PreflightError))
    except json.JSONDecodeError as error:
        raise PreflightError(
            f"invalid JSON: {error.msg}", path, error.lineno, error.colno, hint="rebuild it"
        ) from None


def _load(path: str) -> Located | None:
    from build.yamlfile import load_yaml

    return load_yaml(path, PreflightError) if Path(path).is_file() else None


def preflight_article(
    folder: str = ".",
    outdir: str | None = None,
    profile_path: str = "config/config.yaml",
    issue_path: str = "config/issue.yaml",
    journal_waivers_path: str = JOURNAL_WAIVERS_FILE,
) -> PreflightResult:
    """Every finding of the article in ``folder`` (``.`` or ``articles/<slug>``), from its
    sources and the outputs of its earlier stages in ``outdir`` (default: its output folder):
    ``render/article.json``, ``citations.json``, ``bibliography/refs.json``, ``generated/``.

    Returns:
        :class:`PreflightResult` after the waivers of ``folder``/:data:`WAIVERS_FILE` and
        those of the journal (``journal_waivers_path``, optional).

    Raises:
        PreflightError: an input is missing or malformed, or the waivers file is invalid.
    """
    from build.articles import Article
    from build.atomic import read_utf8

    article = Article(str(Path(folder)))
    out = outdir or article.outdir
    metadata_path = article.path("manuscript/metadata.yaml")
    bib_path = article.path("refs.bib")
    sections = sorted(str(p) for p in Path(article.path("manuscript")).glob("[0-9][0-9]-*.md"))
    texts = {p: read_utf8(p, PreflightError) for p in [metadata_path, *sections]}
    generated = sorted(str(p) for p in Path(out, "generated").glob("*.md"))
    sources = {**texts, **{p: read_utf8(p, PreflightError) for p in generated}}
    ast = _read_json(f"{out}/render/article.json")
    bibliography = _read_json(f"{out}/bibliography/refs.json")
    report = _read_json(f"{out}/citations.json")
    metadata = parse_yaml(texts[metadata_path], metadata_path, PreflightError)

    findings: list[Finding] = []
    for path, text in [*texts.items(), (bib_path, read_utf8(bib_path, PreflightError))]:
        findings += find_placeholder_contacts(text, path)
    from build.alttext import find_alt_text_problems

    findings += find_alt_text_problems(ast, sources)
    findings += find_uncited_references(ast, bibliography, bib_path)
    findings += find_citations_as_text(report)
    findings += find_incomplete_references(bibliography, bib_path)
    findings += find_empty_journal_fields(
        _load(profile_path), _load(issue_path), metadata, issue_path
    )
    log = _load(article.path("manuscript/editorial-log.yaml"))
    if log is not None:
        findings += find_undecided_typos(log)
    waivers_path = article.path(WAIVERS_FILE)
    waivers = (
        read_waivers(read_utf8(waivers_path, PreflightError), waivers_path)
        if Path(waivers_path).is_file()
        else []
    )
    journal_waivers = (
        read_waivers(read_utf8(journal_waivers_path, PreflightError), journal_waivers_path, True)
        if Path(journal_waivers_path).is_file()
        else []
    )
    return apply_waivers(findings, waivers, article.label, journal_waivers)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article preflight``."""
    parser.add_argument(
        "article",
        nargs="?",
        default=".",
        help="the article's folder: . (the root article, default) or articles/<slug>",
    )
    parser.add_argument("--outdir", help="its output folder (default: output[/articles/<slug>])")
    parser.add_argument("--profile", default="config/config.yaml", help="the journal profile")
    parser.add_argument("--issue", default="config/issue.yaml", help="the issue file (optional)")
    parser.add_argument(
        "--journal-waivers",
        default=JOURNAL_WAIVERS_FILE,
        help="the journal's waivers of journal and issue fields (optional)",
    )
    parser.add_argument("--report", help="write the report (text) here")
    parser.add_argument("--json", dest="json_report", help="write the report (JSON) here")
    parser.add_argument(
        "--final",
        action="store_true",
        help="a final build: fail (exit 1) on any finding not waived",
    )


def command(
    article: str = ".",
    outdir: str | None = None,
    profile: str = "config/config.yaml",
    issue: str = "config/issue.yaml",
    report: str | None = None,
    json_report: str | None = None,
    final: bool = False,
    journal_waivers: str = JOURNAL_WAIVERS_FILE,
) -> int:
    """``article preflight``: print the report (summary line first), write it with
    ``--report``/``--json``; returns 0.

    Raises:
        PreflightError: bad input; with ``final``, the findings not waived (an
            :class:`ErrorList` of them, each with its hint), after printing the report.
    """
    from build.articles import Article, choose_article
    from build.atomic import write_text_atomic

    article = choose_article(article).folder  # ".", a slug or articles/<slug>
    result = preflight_article(article, outdir, profile, issue, journal_waivers)
    text = result.text()
    print(text, end="")
    if final and result.findings:
        shared = any(f.subject.startswith(("journal.", "issue.")) for f in result.findings)
        summary = PreflightError(
            f"final build: {len(result.findings)} preflight findings not waived ({result.label})",
            hint="fix each one, or waive it with a reason in "
            + Article(article).path(WAIVERS_FILE)
            + (f" (a journal or issue field: in {journal_waivers})" if shared else "")
            + " (the format: docs/conventions.md, 'preflight-waivers.yaml'; the whole report:"
            " article preflight, or this job's log)",
        )
        findings = [
            PreflightError(f"[{f.rule}] {f.subject}: {f.message}", f.path, f.line, f.column, f.hint)
            for f in result.findings
        ]
        raise ErrorList([summary, *findings])
    if report:
        write_text_atomic(report, text)
    if json_report:
        write_text_atomic(
            json_report, json.dumps(result.as_dict(), ensure_ascii=False, indent=1) + "\n"
        )
    return 0

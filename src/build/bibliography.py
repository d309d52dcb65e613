"""The bibliography stage: lint and clean ``refs.bib`` (BibLaTeX, read with bibtexparser v2).

The stage has four parts along its seams: :mod:`build.bibtex` reads BibTeX (the shared values
:class:`Problem`, :class:`BibEntry`, :data:`RULES`, the parse stack, names); :mod:`build.biblint`
holds the lint rules (pure: text in, :class:`LintResult` out); :mod:`build.bibclean` the
canonical layout and the cleaned copy the build reads; this module the file edge and the command
line (:func:`lint_file`, :func:`format_file`, :func:`command`), which read bytes and write the
report or, with ``--write``, replace the file atomically. Its public names are re-exported here.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path

from build.atomic import read_utf8, write_text_atomic
from build.bibclean import FIELD_ORDER, format_bibliography, normalize_value
from build.biblint import (
    ARTICLE_RULE_KEYS,
    ENTRY_TYPES,
    RECOMMENDED_FIELDS,
    REQUIRED_FIELDS,
    ArticleRules,
    LintResult,
    lint_bibliography,
    lint_entries,
    load_article_rules,
)
from build.bibtex import (
    ERROR,
    INFO,
    MONTH_MACROS,
    RULES,
    WARNING,
    BibEntry,
    Problem,
    _quiet_bibtexparser,
    decode_bib,
    entry_year,
    expected_key_stem,
    family_name,
    parse_bibliography,
    parse_stack,
    split_names,
)
from build.bibtitles import NO_KNOWN_NOUNS, TITLE_FIELDS, KnownNouns, manuscript_proper_nouns
from build.errors import BibliographyError, ErrorList

__all__ = [
    "ARTICLE_RULE_KEYS",
    "ENTRY_TYPES",
    "ERROR",
    "FIELD_ORDER",
    "INFO",
    "MONTH_MACROS",
    "RECOMMENDED_FIELDS",
    "REQUIRED_FIELDS",
    "RULES",
    "TITLE_FIELDS",
    "WARNING",
    "ArticleRules",
    "BibEntry",
    "LintResult",
    "Problem",
    "clean_copy",
    "command",
    "configure_parser",
    "csl_bibliography",
    "decode_bib",
    "entry_year",
    "expected_key_stem",
    "family_name",
    "format_bibliography",
    "format_file",
    "lint_bibliography",
    "lint_entries",
    "lint_file",
    "load_article_rules",
    "manuscript_evidence",
    "sections_evidence",
    "normalize_value",
    "parse_bibliography",
    "parse_stack",
    "split_names",
]
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


def manuscript_evidence(manuscript_dir: str | Path | None) -> KnownNouns:
    """The proper nouns the article's text writes as such
    (:func:`build.bibtitles.manuscript_proper_nouns`), read from the section files
    ``NN-*.md`` of ``manuscript_dir`` (each parsed as the safety check parses it, one pandoc
    process for all, :func:`build.safety.parse_markdown_texts`: the parse the build's
    ``sections.json`` holds, :func:`sections_evidence`) in the language of its
    ``metadata.yaml`` (``lang``; default en).

    Returns:
        ``NO_KNOWN_NOUNS`` when ``manuscript_dir`` is None; no phrases when the folder has no
        section file (a build of the tables alone; the manuscript stage reports it).
    Raises:
        BibliographyError: a section file cannot be read as UTF-8, or pandoc cannot parse
            them.
    """
    import yaml

    from build.errors import PipelineError
    from build.manuscript import SECTION_GLOB
    from build.safety import parse_markdown_texts

    if manuscript_dir is None:
        return NO_KNOWN_NOUNS
    folder = Path(manuscript_dir)
    paths = sorted(folder.glob(SECTION_GLOB))
    if not paths:  # no text, no evidence: the manuscript stage reports missing sections
        return manuscript_proper_nouns([])
    texts = []
    for path in paths:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            raise BibliographyError(
                f"cannot read the section file: {error}",
                str(path),
                hint="the manuscript stage names the problem (article manuscript check)",
            ) from None
    sections = []
    for path, text, ast in zip(paths, texts, parse_markdown_texts(texts), strict=True):
        if isinstance(ast, PipelineError):  # the manuscript stage reports it at its line
            raise BibliographyError(
                f"pandoc cannot parse the section file: {ast.message}",
                str(path),
                hint="build the article to see the problem",
            ) from None
        sections.append((str(path), text.splitlines(), ast["blocks"]))
    lang = "en"
    try:
        # every scalar as text: an impossible date ("2024-13-45") is the manuscript stage's
        # to report, with its line, not a ValueError of PyYAML's here
        text = (folder / "metadata.yaml").read_text(encoding="utf-8")
        metadata = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader is safe
        if isinstance(metadata, dict) and isinstance(metadata.get("lang"), str):
            lang = metadata["lang"]
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        pass  # the manuscript stage reports a broken metadata.yaml
    return manuscript_proper_nouns(sections, lang)


def sections_evidence(sections_ast: str | Path) -> KnownNouns:
    """:func:`manuscript_evidence` from the manuscript stage's parse of the section files
    (``<out>/manuscript/sections.json`` of ``article manuscript --sections-ast``: its ``lang``
    and, per section file in reading order, ``path``, ``text`` and pandoc's ``blocks``), so
    that the text is not parsed again.

    Raises:
        BibliographyError: the file is missing or is not such a JSON file.
    """
    import json

    try:
        data = json.loads(read_utf8(sections_ast, BibliographyError))
        sections = [(s["path"], s["text"].splitlines(), s["blocks"]) for s in data["sections"]]
        lang = data.get("lang") or "en"
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BibliographyError(
            f"not the manuscript stage's parse of the section files: {error}",
            str(sections_ast),
            hint="rebuild it: article manuscript --sections-ast FILE (rule check_manuscript)",
        ) from None
    return manuscript_proper_nouns(sections, str(lang))


def lint_file(
    path: str,
    report: str | None = None,
    today: _dt.date | None = None,
    rules: ArticleRules | None = None,
    errors_as_warnings: bool = False,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> LintResult:
    """Lint ``path`` with the article's ``rules``; write the JSON report to ``report`` if given
    (atomically). When errors remain, the warnings are printed to stderr first (so that the
    console shows them beside the errors). With ``errors_as_warnings`` (a diff's build of an
    old revision, which predates today's rules), problems of severity error are printed as
    warnings instead. ``manuscript``: the article text's proper nouns
    (:func:`manuscript_evidence`).

    Raises:
        BibliographyError/ErrorList: when a problem of severity error remains (after the
            report is written), all of them at once.
    """
    result = lint_bibliography(_read(path), path, today, rules or ArticleRules(), manuscript)
    if report:
        write_atomic(report, json.dumps(result.report(), ensure_ascii=False, indent=2) + "\n")
    errors = [p.to_error() for p in result.problems if p.severity == ERROR]
    if errors and errors_as_warnings:  # the command prints the warnings after these
        for error in errors:
            print(f"warning (an error of today's rules): {error}", file=sys.stderr)
    elif errors:  # the warnings beside the errors (issue 15): the console shows both
        for problem in result.problems:
            if problem.severity == WARNING:
                print(problem, file=sys.stderr)
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
    from build.errors import RenderError
    from build.pandoc import bibtex_to_csl

    try:
        items = bibtex_to_csl(text)
    except (RenderError, ValueError) as error:
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


def clean_copy(
    path: str, rules: ArticleRules | None = None, manuscript: KnownNouns = NO_KNOWN_NOUNS
) -> str:
    """The cleaned copy of ``path`` that the build's pandoc reads (``--clean-bib``): the
    canonical text of :func:`build.bibclean.format_bibliography` with its print fixes (name
    particles, corporate authors, bare DOIs, Unicode accents, protected capitals of
    sentence-case titles). A file that cannot be formatted (parse errors, kept only by a
    diff's build of an old revision, ``--errors-as-warnings``) is copied as it is.
    """
    data = _read(path)
    try:
        return format_bibliography(data, path, rules or ArticleRules(), manuscript)
    except BibliographyError:
        return data.decode("utf-8", errors="replace")


def write_lint_outputs(
    result: LintResult,
    bib: str,
    rules: ArticleRules | None = None,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
    clean_bib: str | Path | None = None,
    csl_json: str | Path | None = None,
) -> str:
    """Write what the lint hands on (``article bibliography lint --clean-bib --csl-json``, and
    the preview's lint stage): the cleaned copy of ``bib`` (formatted once: the lint's own
    canonical text when it made one, else :func:`clean_copy`) to ``clean_bib`` and the CSL-JSON
    made from that copy (:func:`csl_bibliography`) to ``csl_json``; returns the cleaned text."""
    cleaned = result.canonical or clean_copy(bib, rules, manuscript)
    if clean_bib:
        write_atomic(clean_bib, cleaned)
    if csl_json:
        bundle = csl_bibliography(result, cleaned)
        write_atomic(csl_json, json.dumps(bundle, ensure_ascii=False, indent=1) + "\n")
    return cleaned


def clean_with_manuscript(
    lint_copy: str,
    path: str,
    rules: ArticleRules | None = None,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> str:
    """The cleaned copy with the proper nouns of the article's text (``article bibliography
    clean``): ``lint_copy`` itself (the lint's cleaned copy of ``path``, made without the text)
    when none of its titles (:data:`build.bibtitles.TITLE_FIELDS`) holds a phrase of
    ``manuscript`` outside braces, so that there is nothing to add; else :func:`clean_copy` of
    ``path`` with ``manuscript``. The common case costs a parse of the copy, not a second title
    analysis."""
    import bibtexparser

    if not manuscript.phrases:
        return lint_copy
    _quiet_bibtexparser()
    for entry in bibtexparser.parse_string(lint_copy).entries:
        for name in TITLE_FIELDS:
            field = entry.fields_dict.get(name)
            if field is not None and manuscript.in_title(str(field.value), entry.key):
                return clean_copy(path, rules, manuscript)
    return lint_copy


def format_file(
    path: str,
    write: bool = False,
    rules: ArticleRules | None = None,
    manuscript: KnownNouns = NO_KNOWN_NOUNS,
) -> bool:
    """Format ``path`` (with the article's ``rules`` and the proper nouns of its text,
    ``manuscript``); with ``write`` replace it atomically if it changes.

    Returns:
        True if the file is already canonical.
    """
    data = _read(path)
    canonical = format_bibliography(data, path, rules or ArticleRules(), manuscript)
    same = canonical.encode("utf-8") == data
    if write and not same:
        write_atomic(path, canonical)
    return same


_MANUSCRIPT_HELP = (
    "the article's manuscript folder (its NN-*.md section files): a word its text writes "
    "capitalised in mid-sentence is a proper noun in the titles (braced in the cleaned copy)"
)


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
        "--clean-bib",
        metavar="BIB",
        help="write the cleaned copy here (canonical, with the print fixes of "
        "build.bibclean): the bibliography the build's pandoc reads",
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
    lint.add_argument("--manuscript-dir", metavar="DIR", help=_MANUSCRIPT_HELP)
    clean = sub.add_parser(
        "clean",
        help="write the cleaned copy that the build's pandoc reads, with the proper nouns "
        "the manuscript's text gives braced (a stage of its own, so that the lint, and the "
        "table scripts that read its CSL-JSON, do not rerun on a prose edit)",
    )
    clean.add_argument("bib", help="the .bib file (e.g. refs.bib)")
    clean.add_argument("--output", metavar="BIB", required=True, help="the cleaned copy")
    clean.add_argument(
        "--proper-nouns",
        metavar="YAML",
        help="the article's bibliography rules, e.g. manuscript/bibliography.yaml",
    )
    clean.add_argument("--manuscript-dir", metavar="DIR", help=_MANUSCRIPT_HELP)
    clean.add_argument(
        "--sections-ast",
        metavar="FILE",
        help="the manuscript stage's parse of the section files (article manuscript "
        "--sections-ast), read instead of parsing them again (the workflow's way)",
    )
    clean.add_argument(
        "--lint-copy",
        metavar="BIB",
        help="the lint's cleaned copy (lint --clean-bib, made without the text): used as it is "
        "when the text's proper nouns add nothing to it",
    )
    fmt = sub.add_parser("format", help="print or write the canonical layout")
    fmt.add_argument("bib", help="the .bib file (e.g. refs.bib)")
    mode = fmt.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if the file is not canonical")
    mode.add_argument("--write", action="store_true", help="rewrite the file (atomic)")
    fmt.add_argument(
        "--proper-nouns",
        metavar="YAML",
        help="the article's bibliography rules (its corporate-words), e.g. "
        "manuscript/bibliography.yaml",
    )
    fmt.add_argument("--manuscript-dir", metavar="DIR", help=_MANUSCRIPT_HELP)


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
    clean_bib: str | None = None,
    manuscript_dir: str | None = None,
    output: str | None = None,
    lint_copy: str | None = None,
    sections_ast: str | None = None,
) -> int:
    """Run ``lint``, ``clean`` or ``format`` on ``bib``; returns the exit code (errors raise).

    ``proper_nouns``: the article's rules file for ``lint`` (:func:`load_article_rules`);
    ``None`` or a missing file: only the general rules. ``clean_bib``: where ``lint`` writes
    the cleaned copy (:func:`clean_copy`); the CSL-JSON is made from that copy too.
    ``manuscript_dir``: the article's manuscript folder, whose text is evidence of proper nouns
    (:func:`manuscript_evidence`) for ``lint``, ``clean`` and ``format``. ``output``: where
    ``clean`` writes the cleaned copy (:func:`clean_with_manuscript` of the lint's ``lint_copy``,
    else :func:`clean_copy`). ``sections_ast``: for ``clean``, the text's evidence from the
    manuscript stage's parse (:func:`sections_evidence`) instead of ``manuscript_dir``."""
    rules = load_article_rules(proper_nouns)
    if sections_ast:
        manuscript = sections_evidence(sections_ast)
    else:
        manuscript = manuscript_evidence(manuscript_dir)
    if action == "clean":
        assert output is not None  # required by the parser
        if lint_copy:
            text = read_utf8(lint_copy, BibliographyError)
            cleaned = clean_with_manuscript(text, bib, rules, manuscript)
        else:
            cleaned = clean_copy(bib, rules, manuscript)
        write_atomic(output, cleaned)
        count = len(manuscript.phrases)
        print(f"{bib}: cleaned copy {output} ({count} proper nouns from the manuscript's text)")
        return 0
    if action == "lint":
        if proper_nouns and not Path(proper_nouns).exists():
            print(f"note: {proper_nouns} not found: no article proper nouns", file=sys.stderr)
        try:
            result = lint_file(
                bib,
                report,
                rules=rules,
                errors_as_warnings=errors_as_warnings,
                manuscript=manuscript,
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
        write_lint_outputs(result, bib, rules, manuscript, clean_bib, csl_json)
        for problem in result.problems:
            if problem.severity == WARNING:
                print(problem, file=sys.stderr)
        print(summary)
        return 0
    same = format_file(bib, write=write, rules=rules, manuscript=manuscript)
    if check:
        if not same:
            print(f"{bib}: not in canonical format; run: article bibliography format {bib} --write")
            return 1
        print(f"{bib}: canonical")
        return 0
    if write:
        print(f"{bib}: {'unchanged' if same else 'rewritten'}")
        return 0
    sys.stdout.write(format_bibliography(_read(bib), bib, rules, manuscript))
    return 0

"""The file edge of the citations stage: report files and ``article citations``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from build.atomic import write_text_atomic
from build.citations import Result, normalize_citations, unresolved_errors
from build.citebib import load_bibliography, load_corrections, load_csl_bibliography, read_text
from build.errors import CitationError

# --------------------------------------------------------------------------------------------
# Report files


def counted(report: dict) -> str:
    """``106 citations of 59 works``: the citations of ``report`` (:meth:`Result.report`) and
    the distinct keys they cite (an entry cited twice is one work)."""
    citations = report["summary"]["citations"]
    works = len({key for record in report["citations"] for key in record["keys"]})
    return f"{citations} citation{'s' * (citations != 1)} of {works} work{'s' * (works != 1)}"


def markdown_table(report: dict) -> str:
    """A human-readable Markdown table of the report."""
    s = report["summary"]
    lines = [
        "# Citations",
        "",
        f"{counted(report)}: {s['exact']} exact, {s['corrected']} corrected, "
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
    style = parser.add_mutually_exclusive_group()
    style.add_argument(
        "--profile",
        help="the checked journal profile (`article profile` output): its CSL style decides "
        "the in-text forms citations are matched against",
    )
    style.add_argument("--csl", help="a CSL style name or .csl file (default: APA 7)")
    parser.add_argument(
        "--lang",
        help="the article's language for CSL terms (e.g. de-DE; default: `lang` of the "
        "files' manuscript/metadata.yaml)",
    )
    parser.add_argument("--output", help="write the normalized sources, concatenated, here")
    parser.add_argument(
        "--errors-as-warnings",
        action="store_true",
        help="print unresolved citations as warnings and exit 0 (builds of old revisions)",
    )
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


def article_lang(files: list[str]) -> str | None:
    """The ``lang`` (BCP 47) of the metadata of the article that ``files`` belong to
    (``manuscript/metadata.yaml`` beside them), which the render stage gives pandoc's citeproc
    for its CSL locale (et al., and); ``None`` when there is none or it cannot be read (the
    manuscript stage reports a bad metadata file)."""
    from build.errors import PipelineError
    from build.yamlfile import yaml_data

    metadata = Path(files[0]).parent / "metadata.yaml" if files else None
    if metadata is None or not metadata.is_file():
        return None
    try:
        data = yaml_data(read_text(str(metadata)), str(metadata), CitationError)
    except PipelineError:
        return None
    lang = data.get("lang") if isinstance(data, dict) else None
    return str(lang) if lang else None


def style_file(profile: str | None, csl: str | None) -> Path:
    """The CSL file of a checked journal profile's ``csl_style``, else of ``csl``.

    Raises:
        ConfigError: not a checked profile, or no such style.
    """
    from build.profile import read_profile, resolve_csl

    return resolve_csl(read_profile(profile).csl_style if profile else str(csl))


def command(
    files: list[str],
    bib: str = OF_THE_ARTICLE,
    corrections: str | None = OF_THE_ARTICLE,
    output: str | None = None,
    report: str | None = None,
    check: bool = False,
    write: bool = False,
    profile: str | None = None,
    csl: str | None = None,
    lang: str | None = None,
    errors_as_warnings: bool = False,
) -> int:
    """Run the stage on files; returns the exit code (0 ok, 1 problems).

    Without ``--check``/``--write`` it writes only ``output`` and ``report``; unresolved
    citations fail it (after the report is written) with ``path:line:col`` and candidates.

    ``bib`` and ``corrections`` default to those of the files' article (:func:`article_files`);
    ``corrections=None``: no editorial decisions. The in-text forms are those of the CSL style
    of ``profile`` (a checked journal profile), else of ``csl`` (a name or a file), else APA 7.

    ``errors_as_warnings``: unresolved citations are printed as warnings and the exit code is 0
    (the text stays as written): the diff's builds of old revisions (``--config lint=warn``).

    Raises:
        CitationError: bad input (nothing is written then).
    """
    default_bib, default_corrections = article_files(files)
    bib = default_bib if bib == OF_THE_ARTICLE else bib
    corrections = default_corrections if corrections == OF_THE_ARTICLE else corrections
    loader = load_csl_bibliography if str(bib).endswith(".json") else load_bibliography
    bibliography = loader(bib)
    bibliography.csl = str(style_file(profile, csl)) if (profile or csl) else None
    bibliography.lang = lang or article_lang(files)
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
        if result.not_canonical:  # converted in the build's copy only: say so, once
            path, line, column, written, canonical = result.not_canonical[0]
            count = len(result.not_canonical)
            named = " ".join(dict.fromkeys(p for p, *_ in result.not_canonical))
            print(
                f"warning: {path}:{line}:{column}: {count} citation{'s' * (count != 1)} "
                f"written as free text or not in pandoc's canonical form (the first: "
                f"{written!r} -> {canonical!r}); the build converts them in its own copy, "
                f"the source keeps them\n  hint: article citations --write {named} writes "
                "them into the source",
                file=sys.stderr,
            )
    if write:
        for path, original in sources:
            if result.texts[path] != original:
                write_atomic(path, result.texts[path])
                count = sum(1 for item in result.not_canonical if item[0] == path)
                print(
                    f"{path}: rewrote {count} citation{'s' * (count != 1)} in pandoc's "
                    "canonical form",
                    file=sys.stderr,
                )
    for error in problems:
        print(f"{'warning' if errors_as_warnings else 'error'}: {error}", file=sys.stderr)
    if check:
        for path, line, column, written, canonical in result.not_canonical:
            print(
                f"{path}:{line}:{column}: not canonical: {written!r} -> {canonical!r}\n"
                f"  hint: article citations --write {path} rewrites it so",
                file=sys.stderr,
            )
        if problems or result.not_canonical:
            return 1
        files_count = f"{len(files)} file{'s' * (len(files) != 1)}"
        print(
            f"citations: ok: {files_count}, {counted(result.report())} against "
            f"{bibliography.path}, all resolved and canonical"
        )
        return 0
    full = result.report()
    summary = full["summary"]
    print(
        f"citations: {counted(full)}, {summary['exact']} exact, "
        f"{summary['corrected']} corrected, {summary['ibid']} ibid, "
        f"{summary['kept_as_text']} kept as text, {summary['failing']} failing",
        file=sys.stderr,
    )
    return 1 if problems and not errors_as_warnings else 0

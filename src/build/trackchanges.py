"""Revision diffs: the article between two git revisions as a rendered tracked-changes document.

The stages, each readable alone: :mod:`build.difftokens` (AST -> tokens),
:mod:`build.diffalign` (alignment, moves), :mod:`build.diffcounts` (the summary counts),
:mod:`build.diffhtml` (the HTML page), :mod:`build.diffdocx` (the Word file),
:mod:`build.revisions` (git plumbing, building a revision). This module is the edge:
:func:`make_diff` (both revisions built in temporary folders, then compared),
:func:`write_pdf` (WeasyPrint with the render stage's confined URL fetcher) and
:func:`command` (``article diff``).

Source diffs: :func:`key_order_problems` checks that the data files under ``manuscript/data``
keep the canonical key order (the order of ``properties`` in their JSON Schema), so a diff of a
data file shows only real changes (``article diff --check-key-order FILE...``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from build import diffalign, diffcounts, diffdocx, diffhtml, diffmoves, difftokens, revisions
from build.atomic import write_bytes_atomic
from build.diffalign import DocumentDiff, diff_documents
from build.diffcounts import summary_line, summary_rows
from build.diffhtml import diff_html
from build.difftokens import document_from_ast
from build.errors import DataError, ErrorList, PipelineError
from build.revisions import (
    DiffError,
    RevisionBuildError,
    RevisionInfo,
    borrow_missing,
    build_warnings,
    export_revision,
    finish_revision_build,
    replace_stale_scripts,
    resolve_revision,
    same_generated_inputs,
    start_revision_build,
)

#: The diff's own stylesheet (package data).
DIFF_CSS = Path(__file__).resolve().parent / "styles" / "diff" / "diff.css"
#: The code of the diff (the workflow's rule reruns when one of them changes).
CODE_FILES = tuple(
    str(Path(m.__file__).resolve())
    for m in (difftokens, diffmoves, diffalign, diffcounts, diffhtml, diffdocx, revisions)
) + (str(Path(__file__).resolve()),)


# =========================================================================== edge: files


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)


def write_pdf(html_text: str, output: Path) -> tuple[int, list[str]]:
    """Paginate the diff HTML with WeasyPrint (PDF/UA-1 variant) and write it atomically.

    Only ``data:`` URLs and the diff styles may be loaded (the render stage's confined
    fetcher).

    Returns:
        the number of pages, and the characters that no font has (WeasyPrint drew an empty
        box for each: :func:`build.pdf.missing_glyphs`), each once, in order.

    Raises:
        DiffError: WeasyPrint refused a resource.
    """
    import logging

    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from build.pdf import _Collect, _confined_fetcher, missing_glyphs

    fetcher = _confined_fetcher([DIFF_CSS.parent])
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = HTML(
            string=html_text, base_url=DIFF_CSS.parent.as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_variant="pdf/ua-1")
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as error:  # derives from BaseException
        raise DiffError(
            f"WeasyPrint refused a resource: {error}",
            hint="the diff document may only use data: URLs",
        ) from None
    finally:
        logger.removeHandler(collector)
    _write_atomic(output, data)
    return len(document.pages), missing_glyphs(collector.messages)


def _where(diff: DocumentDiff, char: str) -> str:
    """Where the diff holds ``char``: ``in the old revision's text`` (``new``, ``old and
    new``), else ``in the header`` (a commit's subject)."""
    found = set()
    for section in diff.sections:
        sentences = [section.title]
        for block in (*section.blocks, *section.notes):
            sentences += [*block.sentences, *block.caption]
            sentences += [cell for _, cells in block.rows for cell in cells]
        for sentence in sentences:
            for op, tokens in sentence.ops:
                if any(char in t.plain for t in tokens):
                    found |= {"equal": {"old", "new"}, "insert": {"new"}}.get(op, {"old"})
    sides = " and ".join(side for side in ("old", "new") if side in found)
    return f"in the {sides} revision's text" if sides else "in the header"


def glyph_warnings(diff: DocumentDiff, missing: Sequence[str]) -> list[str]:
    """One line per character no font of the diff's PDF has (``missing``), naming the revision
    whose text holds it, for the header's list of warnings: ``the diff's PDF: no font has a
    glyph for '東' (U+6771, in the new revision's text): it prints as an empty box there``."""
    return [
        f"the diff's PDF: no font has a glyph for {char!r} (U+{ord(char):04X}, "
        f"{_where(diff, char)}): it prints as an empty box there"
        for char in missing
    ]


def make_diff(
    root: Path,
    from_rev: str,
    to_rev: str,
    snakefile: Path,
    log_dir: Path,
    folder: str = ".",
) -> tuple[DocumentDiff, RevisionInfo, RevisionInfo, list[str], list[str] | None]:
    """Build the article of ``folder`` (``"."``, the root article, or ``"articles/<slug>"``)
    at both revisions (in temporary folders) and diff them.

    Both are built by this pipeline with its checks reporting as warnings (``--config``
    :data:`build.revisions.CHECKS_AS_WARNINGS`: an old revision predates today's rules).
    Returns the diff, the two revisions, notes on files borrowed between them, and one line
    per side on its build's warnings (``None``: identical commits, not built, the diff is
    empty). Writes each side's text as the Word file holds it
    (:func:`build.diffdocx.document_lines`, one line per paragraph, heading or table row) to
    ``log_dir/text-{old,new}-<short commit>.txt``: what rejecting (accepting) every change of
    the Word file gives.

    Raises:
        RevisionError, RevisionBuildError: see :func:`resolve_revision`,
            :func:`finish_revision_build`.
    """
    old = resolve_revision(root, from_rev, folder)
    new = resolve_revision(root, to_rev, folder)
    if old.commit == new.commit:
        return DocumentDiff(()), old, new, [], None
    with tempfile.TemporaryDirectory(prefix="article-diff-") as tmp:
        dirs = {"old": Path(tmp) / "old", "new": Path(tmp) / "new"}
        infos = {"old": old, "new": new}
        for side, path in dirs.items():
            export_revision(root, infos[side], path, folder)
        short = {"old": old.short, "new": new.short}
        borrowed = borrow_missing(dirs, short)
        borrowed += replace_stale_scripts(dirs, short, root / folder)
        config = root / "config" / "config.yaml"
        logs = {side: log_dir / f"build-{side}-{infos[side].short}.log" for side in dirs}
        # the same data and figure scripts: draw the tables and figures once (for "new")
        reuse = same_generated_inputs(dirs["old"], dirs["new"])
        running = {
            side: start_revision_build(
                dirs[side], snakefile, config, logs[side], generated=not (reuse and side == "old")
            )
            for side in dirs
        }
        asts = {}
        errors: list[PipelineError] = []
        for side in ("new", "old"):
            source = dirs["new"] if reuse and side == "old" and "new" in asts else None
            try:
                asts[side] = finish_revision_build(
                    running[side], dirs[side], infos[side], logs[side], source, folder
                )
            except RevisionBuildError as error:
                errors.append(error)
        if errors:
            raise errors[0] if len(errors) == 1 else _DiffErrors(errors)
        documents = {side: document_from_ast(asts[side], dirs[side]) for side in dirs}
        for side in dirs:  # what rejecting (old) or accepting (new) every change must give
            text = "".join(f"{line}\n" for line in diffdocx.document_lines(documents[side]))
            _write_atomic(log_dir / f"text-{side}-{infos[side].short}.txt", text.encode("utf-8"))
        checks = []
        for side in dirs:
            found = build_warnings(dirs[side], logs[side], folder)
            example = f", the first: {found[0]}" if found else ""
            checks.append(
                f"{side} ({infos[side].short}): {len(found)} warning"
                f"{'s' * (len(found) != 1)}{example} (log: {logs[side]})"
            )
    lang = asts["new"].get("meta", {}).get("lang")
    new = dataclasses.replace(new, lang=_meta_text(lang) if lang else "")
    return diff_documents(documents["old"], documents["new"]), old, new, borrowed, checks


def _meta_text(value: dict[str, Any]) -> str:
    """The text of a pandoc JSON metadata value (a MetaString or MetaInlines of Str)."""
    if value.get("t") == "MetaString":
        return str(value["c"])
    return "".join(i.get("c", "") if i.get("t") == "Str" else "" for i in value.get("c", []))


class _DiffErrors(ErrorList, DiffError):
    """Both revisions failed to build."""


# =========================================================================== key order


def _resolve(schema: dict[str, Any], schema_dir: Path, base: dict[str, Any]) -> list[Any]:
    """The schema (and its base document) after following ``$ref``; ``oneOf``/``anyOf``/
    ``allOf`` give every branch."""
    if "$ref" in schema:
        ref = schema["$ref"]
        file, _, pointer = ref.partition("#")
        doc = json.loads((schema_dir / file).read_text(encoding="utf-8")) if file else base
        target: Any = doc
        for part in [p for p in pointer.split("/") if p]:
            target = target[part]
        return _resolve(target, schema_dir, doc)
    branches = [(schema, base)]
    for keyword in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(keyword, []):
            branches.extend(_resolve(branch, schema_dir, base))
    return branches


def _field(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def key_order_problems(path: str, text: str, schema_path: Path) -> list[DataError]:
    """Check that every mapping of a data file lists its keys in the canonical order: the order
    of ``properties`` in its JSON Schema (following ``$ref``, ``oneOf``, ``anyOf``, ``items``).

    Args:
        path: the data file's path (for messages).
        text: its YAML text.
        schema_path: its schema (``manuscript/data/schemas/<stem>.schema.json``).

    Returns:
        one :class:`DataError` per mapping out of order, at the mapping's ``path:line:col``.
        Keys the schema does not list are ignored here (the schema check reports them).
    """
    import yaml

    schema_dir = schema_path.parent
    root_schema = json.loads(schema_path.read_text(encoding="utf-8"))
    problems: list[DataError] = []

    def walk(node: Any, schemas: list[Any], at: tuple[str | int, ...]) -> None:
        branches = [b for s, base in schemas for b in _resolve(s, schema_dir, base)]
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value]
            for schema, _base in branches:
                order = list(schema.get("properties", {}))
                if not order or not set(keys) & set(order):
                    continue
                actual = [k for k in keys if k in order]
                expected = [k for k in order if k in actual]
                if actual != expected:
                    mark = node.start_mark
                    problems.append(
                        DataError(
                            f"{_field(at)}: keys in the order {', '.join(actual)}; the "
                            f"canonical order is {', '.join(expected)}",
                            path,
                            mark.line + 1,
                            mark.column + 1,
                            hint=f"reorder the keys as in {schema_path.name} (properties)",
                        )
                    )
                break
            for key, value in node.value:
                subs = [
                    (s["properties"][key.value], base)
                    for s, base in branches
                    if key.value in s.get("properties", {})
                ]
                walk(value, subs, (*at, key.value))
        elif isinstance(node, yaml.SequenceNode):
            subs = [(s["items"], base) for s, base in branches if isinstance(s.get("items"), dict)]
            for i, item in enumerate(node.value):
                walk(item, subs, (*at, i))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), [(root_schema, root_schema)], ())
    return problems


# =========================================================================== CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article diff``."""
    parser.add_argument("--from", dest="from_rev", help="the old revision (commit, tag, branch)")
    parser.add_argument("--to", dest="to_rev", help="the new revision")
    parser.add_argument(
        "--article",
        default=".",
        help="the article's folder: . (the root article, default) or articles/<slug>",
    )
    parser.add_argument("--html", help="where to write the tracked-changes HTML")
    parser.add_argument("--pdf", help="where to write its PDF")
    parser.add_argument("--docx", help="where to write the Word file with tracked changes")
    parser.add_argument("--snakefile", default="Snakefile", help="the current workflow")
    parser.add_argument("--log-dir", default="output/diff/logs", help="logs of the two builds")
    parser.add_argument(
        "--check-key-order",
        nargs="+",
        metavar="FILE",
        help="instead: check that data files keep their schema's key order",
    )


def command(
    from_rev: str | None = None,
    to_rev: str | None = None,
    html: str | None = None,
    pdf: str | None = None,
    docx: str | None = None,
    snakefile: str = "Snakefile",
    log_dir: str = "output/diff/logs",
    check_key_order: Sequence[str] | None = None,
    article: str = ".",
) -> int:
    """``article diff``: write the tracked-changes HTML (and PDF, and the Word file with
    tracked changes, :func:`build.diffdocx.write_docx`), or check data key order.

    Returns 0; prints "no changes" when the revisions give the same article.

    Raises:
        RevisionError, RevisionBuildError, DiffError; DataError (an ErrorList) for key order.
    """
    if check_key_order:
        problems: list[DataError] = []
        for name in check_key_order:
            data_path = Path(name)
            schema = data_path.parent / "schemas" / f"{data_path.stem}.schema.json"
            problems += key_order_problems(name, data_path.read_text(encoding="utf-8"), schema)
        if problems:
            raise _KeyOrderErrors(problems)
        print(f"key order ok: {len(check_key_order)} files", file=sys.stderr)
        return 0
    if not html:
        raise DiffError("no output", hint="give --html (and --pdf)")
    folder = article.strip().rstrip("/") or "."
    if not revisions.ARTICLE_FOLDER_RE.match(folder):
        raise DiffError(
            f"--article {article!r} is not an article folder",
            hint="give . (the root article) or articles/<slug>",
        )
    root = Path.cwd()
    diff, old, new, borrowed, checks = make_diff(
        root, from_rev or "", to_rev or "", Path(snakefile).resolve(), Path(log_dir), folder
    )
    css = DIFF_CSS.read_text(encoding="utf-8")
    text = diff_html(diff, old, new, css, borrowed, checks, folder)
    _write_atomic(Path(html), text.encode("utf-8"))
    if docx:
        diffdocx.write_docx(diff, new, Path(docx))
    if pdf:
        pages, missing = write_pdf(text, Path(pdf))
        glyphs = glyph_warnings(diff, missing)
        for line in glyphs:
            print(f"warning: {line}", file=sys.stderr)
        if glyphs and checks is not None:  # in the header's warnings too: written again (rare)
            text = diff_html(diff, old, new, css, borrowed, [*checks, *glyphs], folder)
            _write_atomic(Path(html), text.encode("utf-8"))
            pages, _ = write_pdf(text, Path(pdf))
        print(f"diff: {pdf}: {pages} pages", file=sys.stderr)
    if not diff.changed:
        print(f"no changes between {old.label()} and {new.label()}", file=sys.stderr)
        return 0
    for row in summary_rows(diff):
        if row.total or row.words_added or row.words_removed:
            print(summary_line(row), file=sys.stderr)
    return 0


class _KeyOrderErrors(ErrorList, DataError):
    """Data files whose keys are out of the canonical order."""

"""The manuscript stage: load ``manuscript/metadata.yaml`` and find the section files.

Terms:
    *manuscript directory* -- ``manuscript/`` of the project: ``metadata.yaml`` plus the section
    files, see docs/conventions.md ("Manuscript format").
    *section file* -- ``NN-slug.md`` (``NN`` two digits, ``01`` first); reading order is filename
    order. Each is non-empty UTF-8 and starts with a level-1 ATX heading carrying an id,
    ``# Heading text {#sec-slug}`` (pandoc's ``header_attributes`` extension).
    *metadata* -- the YAML mapping pandoc reads as document metadata (pandoc manual, "Metadata
    blocks") plus the project's keys (``running-head``, ``author-note``, ``affiliations``).

Pure checks (``metadata_problems``, ``section_problems``, ``numbering_problems``) take values
and return a list of :class:`build.errors.ManuscriptError`; the file edge (``load_metadata``,
``list_sections``) reads files and raises all problems at once (one error, or an
:class:`build.errors.ErrorList`). Nothing here writes to ``manuscript/``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from build.errors import ErrorList, ManuscriptError

#: Section file names: two digits, a dash, a slug, ``.md`` (docs/conventions.md, manuscript
#: format).
SECTION_GLOB = "[0-9][0-9]-*.md"
_SECTION_NAME = re.compile(r"^(?P<number>\d\d)-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.md$")
_HEADING = re.compile(r"^# \S.*\{#sec-[a-z0-9]+(?:-[a-z0-9]+)*\}$")

#: Metadata keys whose value must be a non-empty string.
REQUIRED_TEXT_FIELDS = ("title", "abstract")

#: JSON Schema (2020-12) of the front-matter keys of metadata.yaml (docs/conventions.md).
METADATA_SCHEMA = Path(__file__).resolve().parents[2] / "config" / "metadata.schema.yaml"

#: A BCP 47 language tag (RFC 5646 shape: a 2-3 letter language, then subtags), e.g. en-US.
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def _raise(problems: list[ManuscriptError]) -> None:
    """Raise nothing, the single problem, or all problems as one :class:`ErrorList`."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ErrorList(list(problems))


def _top_level_lines(document: Any) -> dict[str, int]:
    """Map each top-level key of a metadata document (:class:`build.yamlfile.Located`) to its
    1-based line, and ``author[i]`` to the line of each author."""
    lines: dict[str, int] = {}
    for field, (line, _column) in document.locations.items():
        if len(field) == 1:
            lines[str(field[0])] = line
        elif len(field) == 2 and field[0] == "author" and isinstance(field[1], int):
            lines[f"author[{field[1]}]"] = line
    return lines


def metadata_problems(
    metadata: Any, path: str, lines: dict[str, int] | None = None
) -> list[ManuscriptError]:
    """Check the fields every later stage relies on.

    Rules: the document is a mapping; ``title`` and ``abstract`` are non-empty strings (APA 7
    sections 2.4 and 2.9: title page and abstract); ``author`` is a non-empty list of mappings,
    each with a non-empty ``name`` (pandoc's structured author form, docs/conventions.md);
    ``lang`` is a BCP 47 language tag (EPUB 3.3 requires ``dc:language``, PDF/UA-1 §7.2 the
    document's language, WCAG 2.2 §3.1.1 the page's: the build must not guess it).

    Args:
        metadata: the value ``yaml.safe_load`` returned for the file.
        path: the file name to report.
        lines: top-level key (and ``author[i]``) -> 1-based line, for messages; optional.
    Returns:
        The problems found, in file order of the fields; empty when the metadata is usable.
    """
    lines = lines or {}
    if not isinstance(metadata, dict):
        found = "an empty file" if metadata is None else f"a {type(metadata).__name__}"
        return [
            ManuscriptError(
                f"metadata must be a YAML mapping of keys to values, found {found}",
                path,
                1,
                hint="start the file with 'title: ...' and the other keys of "
                "docs/conventions.md (Manuscript format)",
            )
        ]
    problems: list[ManuscriptError] = []
    for field in REQUIRED_TEXT_FIELDS:
        value = metadata.get(field)
        if not isinstance(value, str) or not value.strip():
            state = "is missing" if field not in metadata else "must be a non-empty string"
            problems.append(
                ManuscriptError(
                    f"required metadata field '{field}' {state}",
                    path,
                    lines.get(field, 0),
                    hint=f"add '{field}: ...' with the article's {field} (quote it if it has ': ')",
                )
            )
    lang = metadata.get("lang")
    if not isinstance(lang, str) or not _LANGUAGE_TAG.match(lang.strip()):
        state = "is missing" if "lang" not in metadata else f"{lang!r} is not a language tag"
        problems.append(
            ManuscriptError(
                f"required metadata field 'lang' {state}",
                path,
                lines.get("lang", 0),
                hint="add the BCP 47 tag of the article's language, e.g. 'lang: en-US' or "
                "'lang: fr' (EPUB, PDF/UA and HTML need it; it is never guessed)",
            )
        )
    authors = metadata.get("author")
    if not isinstance(authors, list) or not authors:
        state = "is missing" if "author" not in metadata else "must be a non-empty list"
        problems.append(
            ManuscriptError(
                f"required metadata field 'author' {state}",
                path,
                lines.get("author", 0),
                hint="add 'author:' with one '- name: ...' item per author, in byline order",
            )
        )
    else:
        for index, author in enumerate(authors):
            name = author.get("name") if isinstance(author, dict) else None
            if not isinstance(name, str) or not name.strip():
                problems.append(
                    ManuscriptError(
                        f"author {index + 1} has no 'name'",
                        path,
                        lines.get(f"author[{index}]", lines.get("author", 0)),
                        hint="write each author as a mapping: '- name: Given Family'",
                    )
                )
    problems.sort(key=lambda p: p.location.line if p.location else 0)
    return problems


def front_matter_problems(
    metadata: Any, path: str, text: str = "", schema: dict[str, Any] | None = None
) -> list[ManuscriptError]:
    """Check the typed front-matter keys (DOI, ORCID, ROR, e-mail, URLs, dates, pages) of the
    metadata against ``config/metadata.schema.yaml`` (JSON Schema 2020-12), and that each
    date is a day of the calendar (ISO 8601).

    Args:
        metadata: the parsed metadata mapping.
        path: the file name to report.
        text: the file's YAML text, to place each problem at its line and column.
        schema: the parsed schema (default: :data:`METADATA_SCHEMA`).
    Returns:
        ``path:line:col: key: problem`` errors with a hint; empty when the keys are valid.
    """
    import datetime

    from build.profile import schema_errors
    from build.yamlfile import yaml_data, yaml_position

    if schema is None:
        schema = yaml_data(METADATA_SCHEMA.read_text(encoding="utf-8"), str(METADATA_SCHEMA))
    problems = schema_errors(
        metadata, schema, path, text, str(METADATA_SCHEMA.relative_to(METADATA_SCHEMA.parents[1])),
        ManuscriptError,
    )  # fmt: skip
    if not problems and isinstance(metadata, dict):
        for key in ("date", "received", "accepted"):
            value = metadata.get(key)
            if isinstance(value, str) and len(value) == 10:
                try:
                    datetime.date.fromisoformat(value)
                except ValueError:
                    line, column = yaml_position(text, [key]) if text else (0, 0)
                    problems.append(
                        ManuscriptError(
                            f"{key}: {value!r} is not a day of the calendar",
                            path,
                            line,
                            column,
                            hint="write the date as YYYY-MM-DD, e.g. 2025-06-30",
                        )
                    )
        for index, author in enumerate(metadata.get("author") or []):
            orcid = author.get("orcid") if isinstance(author, dict) else None
            if isinstance(orcid, str) and orcid_check_digit(orcid[:-1]) != orcid[-1:]:
                line, column = yaml_position(text, ["author", index, "orcid"]) if text else (0, 0)
                problems.append(
                    ManuscriptError(
                        f"author[{index}].orcid: {orcid!r} has a wrong check digit (it would "
                        f"end in {orcid_check_digit(orcid[:-1])})",
                        path,
                        line,
                        column,
                        hint="copy the iD from the author's ORCID record (https://orcid.org/); "
                        "a mistyped digit makes another person's iD or none",
                    )
                )
    problems.sort(key=lambda p: (p.location.line, p.location.column) if p.location else (0, 0))
    return [p for p in problems if isinstance(p, ManuscriptError)]


def orcid_check_digit(base: str) -> str:
    """The check character of an ORCID iD whose first 15 digits are in ``base`` (hyphens
    ignored): ISO/IEC 7064 MOD 11-2, as ORCID computes it ("0"-"9" or "X").
    ``orcid_check_digit("0000-0002-1825-009") == "7"``."""
    total = 0
    for char in base.replace("-", ""):
        total = (total + int(char)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def load_metadata(path: str | Path) -> dict[str, Any]:
    """Read and check ``metadata.yaml``.

    Args:
        path: the metadata file (UTF-8 YAML).
    Returns:
        The metadata mapping (:func:`build.yamlfile.parse_yaml`: dates stay text).
    Raises:
        ManuscriptError: the file is missing, not UTF-8, not valid YAML (message
            ``path:line:col`` of the YAML error, 1-based) or lacks a required field;
            ErrorList when several fields are wrong.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ManuscriptError(
            f"cannot read metadata: {error.strerror}",
            str(path),
            hint="create manuscript/metadata.yaml (title, author, abstract, lang: "
            "docs/conventions.md)",
        ) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        raise ManuscriptError(
            f"metadata is not valid UTF-8 (byte 0x{data[error.start]:02x})",
            str(path),
            line,
            column,
            hint="save the file as UTF-8",
        ) from error
    from build.yamlfile import parse_yaml

    document = parse_yaml(text, str(path), ManuscriptError)
    metadata = document.data
    problems = metadata_problems(metadata, str(path), _top_level_lines(document))
    if isinstance(metadata, dict):
        problems += front_matter_problems(metadata, str(path), text)
    _raise(problems)
    return metadata


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column) of byte ``offset`` in ``data``; the column counts bytes."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def section_problems(path: str, data: bytes) -> list[ManuscriptError]:
    """Check one section file's content.

    Rules (docs/conventions.md, manuscript format): UTF-8; not empty; the first non-blank line
    is a level-1 heading with an id, ``# Heading text {#sec-slug}``; a heading whose attribute
    block is not closed (``# Heading {#sec-x``) is reported as that, at the ``{``.

    Args:
        path: the file name to report.
        data: the file's bytes.
    Returns:
        The problems found (at most one: later rules need the earlier ones to hold).
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _byte_position(data, error.start)
        return [
            ManuscriptError(
                f"section file is not valid UTF-8 (byte 0x{data[error.start]:02x})",
                path,
                line,
                column,
                hint="save the file as UTF-8 (the byte is probably Latin-1 or Windows-1252)",
            )
        ]
    lines = text.splitlines()
    first = next(((n, s) for n, s in enumerate(lines, 1) if s.strip()), None)
    if first is None:
        return [
            ManuscriptError(
                "section file is empty",
                path,
                hint="write the section's text or delete the file (and renumber the rest)",
            )
        ]
    number, line = first
    brace = line.rfind("{")
    if line.startswith("# ") and brace >= 0 and "}" not in line[brace:]:
        block = line[brace:].rstrip()
        return [
            ManuscriptError(
                f"the heading's attribute block '{block}' is not closed",
                path,
                number,
                brace + 1,
                hint=f"close it: '# Heading text {block}}}'",
            )
        ]
    other_id = re.match(r"^# \S.*\{#([^\s}]+)\}$", line)
    if other_id and not _HEADING.match(line):
        ident = other_id.group(1)
        slug = re.sub(r"[^a-z0-9]+", "-", ident.lower().removeprefix("sec-")).strip("-") or "x"
        return [
            ManuscriptError(
                f"the section's id '#{ident}' is not 'sec-' and a slug of lower-case letters, "
                "digits and dashes",
                path,
                number,
                line.rfind("{") + 1,
                hint=f"write {{#sec-{slug}}} (ids of sections start with 'sec-'; tables "
                "'tbl-', figures 'fig-')",
            )
        ]
    if not _HEADING.match(line):
        return [
            ManuscriptError(
                "a section file must start with a level-1 heading with an id",
                path,
                number,
                1,
                hint="start the file with '# Heading text {#sec-slug}'",
            )
        ]
    return []


def numbering_problems(names: list[str], directory: str) -> list[ManuscriptError]:
    """Check that the section numbers run 01, 02, ... without gaps or repeats.

    Args:
        names: the section file names (``NN-slug.md``), any order.
        directory: the manuscript directory, for messages.
    Returns:
        One problem per bad name, repeated number or missing number.
    """
    problems: list[ManuscriptError] = []
    numbers: dict[int, list[str]] = {}
    for name in sorted(names):
        match = _SECTION_NAME.match(name)
        if not match:
            problems.append(
                ManuscriptError(
                    "section file name is not NN-slug.md (lower-case letters, digits, dashes)",
                    f"{directory}/{name}",
                    hint="rename it, e.g. '03-methods.md'",
                )
            )
            continue
        numbers.setdefault(int(match["number"]), []).append(name)
    for number, same in sorted(numbers.items()):
        if len(same) > 1:
            problems.append(
                ManuscriptError(
                    f"section number {number:02d} is used by {len(same)} files: " + ", ".join(same),
                    f"{directory}/{same[1]}",
                    hint="give each section its own number; the number sets the reading order",
                )
            )
    if numbers:
        for number in range(1, max(numbers) + 1):
            if number not in numbers:
                problems.append(
                    ManuscriptError(
                        f"section file {number:02d}-*.md is missing (numbers run to "
                        f"{max(numbers):02d})",
                        directory,
                        hint="restore the missing section or renumber the files after it",
                    )
                )
    return problems


def list_sections(manuscript_dir: str | Path) -> list[Path]:
    """The section files of the manuscript in reading order.

    Args:
        manuscript_dir: the manuscript directory.
    Returns:
        Paths of ``NN-*.md`` files sorted by name (= reading order).
    Raises:
        ManuscriptError: no section file; a file that cannot be read, is empty, is not UTF-8
            (with line and byte column of the first bad byte) or lacks its heading; a gap or a
            repeat in the numbering. Several problems raise one ErrorList.
    """
    directory = Path(manuscript_dir)
    paths = sorted(p for p in directory.glob(SECTION_GLOB))
    if not paths:
        raise ManuscriptError(
            "no section files (NN-slug.md) found",
            str(directory),
            hint="write the sections as manuscript/01-slug.md, 02-slug.md, ...",
        )
    problems = numbering_problems([p.name for p in paths], str(directory))
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(
                ManuscriptError(
                    f"cannot read section file: {error.strerror}",
                    str(path),
                    hint="check that the file exists (a broken link?) and is readable",
                )
            )
            continue
        problems.extend(section_problems(str(path), data))
    _raise(problems)
    return paths


def check_manuscript(manuscript_dir: str | Path) -> tuple[dict[str, Any], list[Path]]:
    """Load the metadata and list the sections; every problem of both is raised at once.

    Args:
        manuscript_dir: the manuscript directory (with ``metadata.yaml``).
    Returns:
        (metadata, section paths in reading order).
    Raises:
        ManuscriptError or ErrorList: see :func:`load_metadata` and :func:`list_sections`.
    """
    directory = Path(manuscript_dir)
    problems: list[ManuscriptError] = []
    metadata: dict[str, Any] = {}
    sections: list[Path] = []
    try:
        metadata = load_metadata(directory / "metadata.yaml")
    except ErrorList as error:
        problems.extend(error.errors)  # type: ignore[arg-type]
    except ManuscriptError as error:
        problems.append(error)
    try:
        sections = list_sections(directory)
    except ErrorList as error:
        problems.extend(error.errors)  # type: ignore[arg-type]
    except ManuscriptError as error:
        problems.append(error)
    _raise(problems)
    return metadata, sections


def hard_wrap_warnings(sections: list[Path]) -> list[str]:
    """Warnings for section files that are not one sentence per line (hard-wrapped text): the
    build and the revision diff accept them (the diff compares text as it prints), but a source
    diff of such a file is hard to read.

    Args:
        sections: the section files (UTF-8, already checked by :func:`list_sections`).
    Returns:
        one ``warning: path:line: ...`` line (with its hint) per file, at its first block that
        :func:`build.linebreaks.check_file` reports; empty when every file is canonical.
    Rule source: semantic line breaks, https://sembr.org/ (docs/conventions.md).
    """
    from build import linebreaks

    return [
        f"warning: {change.path}:{change.line}: not one sentence per line (hard-wrapped)\n"
        f"  hint: run `article linebreaks --write {change.path}`"
        for path in sections
        for change in linebreaks.check_file(path)
    ]


def metadata_json(metadata: dict[str, Any]) -> str:
    """The checked metadata as the JSON the later stages read (pandoc's ``--metadata-file``
    reads it like the YAML: JSON is YAML 1.2). Dates become ISO 8601 strings (YAML 1.1
    timestamps that PyYAML turns into ``date`` objects are text for pandoc too)."""
    import datetime
    import json

    def plain(value: Any) -> Any:
        if isinstance(value, datetime.date):
            return value.isoformat()
        raise TypeError(f"{type(value).__name__} in metadata")

    return json.dumps(metadata, ensure_ascii=False, indent=1, sort_keys=True, default=plain) + "\n"


def sections_ast_json(
    metadata: dict[str, Any], sections: Sequence[str | Path], parsed: Sequence[dict[str, Any]]
) -> str:
    """The section files as parsed by the safety check, for the stages that read the text
    (``build.bibliography.sections_evidence``): JSON of ``lang`` (the metadata's, default
    ``en``) and ``sections``, one ``{path, text, blocks}`` per file in reading order (``text``
    as read, UTF-8; ``blocks`` pandoc's JSON AST, reader ``markdown+smart``)."""
    lang = metadata.get("lang")
    items = [
        {"path": str(path), "text": Path(path).read_text(encoding="utf-8"), "blocks": ast["blocks"]}
        for path, ast in zip(sections, parsed, strict=True)
    ]
    data = {"lang": lang if isinstance(lang, str) else "en", "sections": items}
    return json.dumps(data, ensure_ascii=False) + "\n"


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article manuscript``."""
    parser.add_argument(
        "--check",
        action="store_true",
        help="validate metadata.yaml and the section files; print a summary",
    )
    parser.add_argument(
        "--manuscript-dir",
        default="manuscript",
        metavar="DIR",
        help="the manuscript directory (default: %(default)s)",
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the summary here (atomically) instead of stdout"
    )
    parser.add_argument(
        "--metadata-json",
        metavar="FILE",
        help="also run the safety checks of the sources and write the checked metadata here "
        "(JSON), the file every later stage reads",
    )
    parser.add_argument(
        "--sections-ast",
        metavar="FILE",
        help="with --metadata-json: also write the safety check's parse of the section files "
        "here (JSON: lang, and path, text and pandoc blocks of each), for the stages that read "
        "the text (the bibliography's proper nouns)",
    )


def command(
    check: bool = False,
    manuscript_dir: str = "manuscript",
    output: str | None = None,
    metadata_json: str | None = None,
    sections_ast: str | None = None,
) -> int:
    """Validate the manuscript; with ``--check`` print a summary, else the section paths.
    With ``metadata_json``, also refuse unsafe sources (:func:`build.safety.guard_sources`)
    and write the checked metadata (:func:`metadata_json`) for the later stages; with
    ``sections_ast`` too, the section files as the safety check parsed them
    (:func:`sections_ast_json`).

    Returns 0; problems propagate as :class:`ManuscriptError` (the CLI prints them, exit 1),
    and then nothing is written.
    """
    from build.atomic import write_text_atomic

    metadata, sections = check_manuscript(manuscript_dir)
    for warning in hard_wrap_warnings(sections):
        print(warning, file=sys.stderr)
    if metadata_json:
        from build import safety

        parsed = safety.guard_sources(sections, Path(manuscript_dir) / "metadata.yaml")
        write_text_atomic(metadata_json, globals()["metadata_json"](metadata))
        if sections_ast:
            write_text_atomic(sections_ast, sections_ast_json(metadata, sections, parsed))
    if check:
        lines = [
            f"{manuscript_dir}: ok: {len(metadata.get('author', []))} authors, "
            f"{len(sections)} sections"
        ]
    else:
        lines = [str(path) for path in sections]
    text = "\n".join(lines) + "\n"
    if output:
        write_text_atomic(output, text)
    else:
        sys.stdout.write(text)
    return 0

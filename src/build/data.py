"""Data files of an article: YAML with line numbers, checked against the article's JSON Schemas.

Terms used in this module:

* *data file*: a YAML file in an article's ``manuscript/data/`` (``NAME.yaml``), checked against
  ``manuscript/data/schemas/NAME.schema.json`` of the same article (JSON Schema 2020-12; the
  schemas refer to each other by ``$id``). What a data file holds is the article's business:
  its scripts in ``figures/`` turn the checked documents into tables and figures.
* *fact*: a value with its ``sources``: either the word ``article`` (the article states it
  without a citation) or a list of citations, each a ``citekey`` of the article's bibliography
  with an optional ``locator`` (``p. 288``, ``art. 7``) or an ``unlisted`` parenthetical that
  the article gives but its reference list lacks (:class:`Source`, :class:`Fact`).
* *partial date*: ISO 8601 ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as precise as the source; a
  schema asks for one with ``"format": "partial-date"`` and this module rejects impossible
  ones (``1997-02-30``) (:class:`PartialDate`).
* *field*: the place of a value in a data file, written ``items[2].date.value`` (0-based).

Pure core: :func:`parse_yaml`, :func:`validate_document`, :func:`check_citekeys`,
:func:`check_documents`. Thin edge: :func:`read_citekeys`, :func:`load_documents`,
:func:`command` (``article data --check``).

Every problem is a :class:`build.errors.DataError` with ``path:line:col`` of the offending
field, the field and what was expected; several problems raise :class:`DataErrorList` (itself
a ``DataError``) carrying all of them.
"""

from __future__ import annotations

import argparse
import calendar
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build.errors import DataError, DataErrorList, ErrorList, PipelineError  # noqa: F401
from build.yamlfile import FieldPath, Located, format_field, parse_yaml  # noqa: F401

#: Marker of a fact the article states without a citation.
ARTICLE = "article"
#: The JSON Schema ``format`` of a partial date (checked by :func:`validate_document`).
PARTIAL_DATE_FORMAT = "partial-date"
_PARTIAL_DATE_RE = re.compile(r"[0-9]{4}(-[0-9]{2}){0,2}")


def one_or_list(problems: Sequence[DataError]) -> DataError:
    """The one problem, or a :class:`DataErrorList` of several (for ``raise``)."""
    return problems[0] if len(problems) == 1 else DataErrorList(list(problems))


# --------------------------------------------------------------------------- schema


def read_schema(path: Path) -> dict[str, Any]:
    """Read one JSON Schema file.

    Raises:
        DataError: the file is missing or unreadable, or not JSON (at its line and column).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(
            f"cannot read the schema: {error.strerror}",
            str(path),
            hint="each data file NAME.yaml needs its JSON Schema schemas/NAME.schema.json",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"invalid JSON: {error.msg}",
            str(path),
            error.lineno,
            error.colno,
            hint="expected a JSON Schema (2020-12) in valid JSON (RFC 8259)",
        ) from None


def _registry(schema_dir: Path) -> Any:
    from referencing import Registry, Resource

    resources = []
    for schema_path in sorted(schema_dir.glob("*.schema.json")):
        contents = read_schema(schema_path)
        resources.append((contents.get("$id", schema_path.name), Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def _format_checker() -> Any:
    """jsonschema's format checker for :data:`PARTIAL_DATE_FORMAT` only (other formats, as
    before, are not checked)."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())

    @checker.checks(PARTIAL_DATE_FORMAT, raises=ValueError)
    def _partial_date(value: object) -> bool:
        if isinstance(value, str) and _PARTIAL_DATE_RE.fullmatch(value):
            PartialDate.parse(value)  # raises ValueError for a day or month that does not exist
        return True  # a wrong shape is the schema's `pattern`'s business

    return checker


def _describe_expected(error: Any, lookup: Any) -> str:
    """What the schema wanted at ``error``: its description, else the keyword's value."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator, value = error.validator, error.validator_value
    if validator == "required":
        return "the fields " + ", ".join(repr(v) for v in value)
    if validator == "additionalProperties":
        return "only the fields " + ", ".join(repr(k) for k in schema.get("properties", {}))
    if validator in ("enum", "const"):
        options = value if validator == "enum" else [value]
        text = "one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in options)
        return f"{text} ({schema['description']})" if "description" in schema else text
    if "description" in schema:
        return schema["description"]
    if validator in ("oneOf", "anyOf"):
        return " or ".join(_branch_name(branch, lookup) for branch in value)
    if validator == "type":
        return f"a value of type {value}"
    return f"{validator} {json.dumps(value, ensure_ascii=False)}"


def _leaf_errors(error: Any) -> list[Any]:
    """For ``oneOf``/``anyOf`` failures, the errors of the branch the value most nearly fits,
    recursively: the branch that got deepest into the value, else the one with the fewest
    errors that are not type mismatches; the error itself when every branch fails on type."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[Any, list[Any]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    deepest = max(error.context, key=lambda e: len(e.absolute_path))
    if len(deepest.absolute_path) > len(error.absolute_path):
        return _leaf_errors(deepest)
    fitting = [subs for subs in branches.values() if all(e.validator != "type" for e in subs)]
    if not fitting:
        return [error]
    best = min(fitting, key=len)
    return [leaf for sub in best for leaf in _leaf_errors(sub)]


def _branch_name(branch: Any, lookup: Any) -> str:
    """A short name of one ``oneOf``/``anyOf`` branch: a referenced schema's ``title`` (else
    the last part of the reference), a constant, or the branch's description or type."""
    if not isinstance(branch, dict):
        return json.dumps(branch)
    if "$ref" in branch:
        target = lookup(branch["$ref"])
        return target.get("title") or branch["$ref"].rsplit("/", 1)[-1]
    if "const" in branch:
        return json.dumps(branch["const"])
    if branch.get("type") == "null":
        return branch.get("description") or "null (not given)"
    return branch.get("description") or branch.get("type", "a value")


def validate_document(document: Located, schema_dir: Path, stem: str) -> list[DataError]:
    """Check ``document`` against ``schema_dir/<stem>.schema.json``.

    Args:
        document: the parsed data file.
        schema_dir: folder of the JSON Schemas (2020-12), ``$ref`` between them by ``$id``.
        stem: the data file's stem (``NAME`` of ``NAME.yaml``).

    Returns:
        One :class:`DataError` per violated rule, in file order (empty when valid). A string
        of ``"format": "partial-date"`` must be a real calendar date (:class:`PartialDate`).

    Raises:
        DataError: the schema file is missing or not JSON (:func:`read_schema`).
    """
    from jsonschema import Draft202012Validator

    schema = read_schema(schema_dir / f"{stem}.schema.json")
    registry = _registry(schema_dir)
    resolver = registry.resolver(base_uri=schema.get("$id", ""))

    def lookup(ref: str) -> dict[str, Any]:
        contents = resolver.lookup(ref).contents
        return contents if isinstance(contents, dict) else {}

    validator = Draft202012Validator(schema, registry=registry, format_checker=_format_checker())
    problems: list[tuple[tuple[int, int], DataError]] = []
    for raw in validator.iter_errors(document.data):
        for error in _leaf_errors(raw):
            field = tuple(error.absolute_path)
            expected = None
            if error.validator == "required":
                missing = [k for k in error.validator_value if k not in (error.instance or {})]
                message = "missing required field " + ", ".join(repr(k) for k in missing)
            elif error.validator == "additionalProperties":
                message = error.message
            elif error.validator == "format" and error.validator_value == PARTIAL_DATE_FORMAT:
                message = f"impossible date {error.instance!r}: {error.cause}"
                description = error.schema.get(
                    "description", "ISO 8601 YYYY-MM-DD, YYYY-MM or YYYY"
                )
                expected = f"a real calendar date: {description}"
            else:
                shown = json.dumps(error.instance, ensure_ascii=False)
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                message = f"invalid value {shown}"
            problem = document.error(field, message, expected or _describe_expected(error, lookup))
            problems.append((document.where(field), problem))
    problems.sort(key=lambda item: item[0])
    return [p for _, p in problems]


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, order=True)
class PartialDate:
    """An ISO 8601 date with optional month and day (``None`` = not given by the article)."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """``"1999"``, ``"1997-04"`` or ``"1996-04-26"`` -> PartialDate.

        Raises:
            ValueError: when the month or the day does not exist (ISO 8601 / Gregorian calendar).
        """
        parts = [int(p) for p in text.split("-")]
        year, month, day = (parts + [None, None])[:3]
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"month {month:02d} does not exist")
        if day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                name = calendar.month_name[month]
                raise ValueError(f"day {day:02d} does not exist in {name} {year}")
        return cls(year, month, day)

    def iso(self) -> str:
        """The ISO 8601 form, as precise as given."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def display(self) -> str:
        """US English (the article's ``lang: en-US``, APA 7 §6.7): ``April 26, 1996``, ``1999``."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        return f"{month} {self.day}, {self.year}" if self.day else f"{month} {self.year}"

    def decimal_year(self) -> float:
        """Position on a time axis in years; a year-only date sits mid-year, a month mid-month."""
        if self.month is None:
            return self.year + 0.5
        days = 366 if calendar.isleap(self.year) else 365
        start = sum(calendar.monthrange(self.year, m)[1] for m in range(1, self.month))
        day = (
            self.day if self.day is not None else calendar.monthrange(self.year, self.month)[1] / 2
        )
        return self.year + (start + day - 0.5) / days


@dataclass(frozen=True)
class Source:
    """One source of a fact: a citekey with an optional locator, or an unlisted parenthetical."""

    key: str | None = None
    locator: str | None = None
    unlisted: str | None = None

    def markdown(self) -> str:
        """Pandoc citation ``@key, p. 1`` (without brackets) or the unlisted text."""
        if self.key is None:
            return self.unlisted or ""
        return f"@{self.key}, {self.locator}" if self.locator else f"@{self.key}"


@dataclass(frozen=True)
class Fact:
    """A value with its sources; ``sources == ()`` means the article's own statement."""

    value: Any
    sources: tuple[Source, ...] = ()

    @property
    def by_article(self) -> bool:
        return not self.sources


def sources_of(raw: Any) -> tuple[Source, ...]:
    """The :class:`Source` tuple of a schema-valid ``sources`` value (``article`` -> ``()``)."""
    if raw == ARTICLE:
        return ()
    return tuple(Source(s.get("key"), s.get("locator"), s.get("unlisted")) for s in raw)


def fact_of(raw: Any, convert: Any = None) -> Fact | None:
    """A :class:`Fact` from a schema-valid ``{value, sources}`` mapping (``None`` stays ``None``).

    Args:
        raw: the mapping, or ``None`` (a fact the article does not give).
        convert: applied to the value (e.g. :meth:`PartialDate.parse`); ``None`` keeps it.
    """
    if raw is None:
        return None
    value = convert(raw["value"]) if convert else raw["value"]
    return Fact(value, sources_of(raw["sources"]))


def _citation_fields(data: Any, at: FieldPath = ()) -> Iterable[tuple[FieldPath, str]]:
    """Every ``sources[i].key`` in a document, with its field path."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "sources" and isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, dict) and isinstance(item.get("key"), str):
                        yield at + ("sources", index, "key"), item["key"]
            else:
                yield from _citation_fields(value, at + (key,))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _citation_fields(item, at + (index,))


def check_citekeys(document: Located, known: set[str], bib: str = "refs.bib") -> list[DataError]:
    """One error per ``sources[i].key`` of ``document`` that is not in ``known``.

    Args:
        document: a parsed data file.
        known: the entry keys of the article's bibliography (:func:`read_citekeys`).
        bib: the bibliography's file name, for the message.
    """
    name = Path(bib).name
    return [
        document.error(
            field,
            f"unknown citekey {key!r}: {name} has no entry with this key",
            f"a key of {name} (see docs/conventions.md)",
        )
        for field, key in _citation_fields(document.data)
        if key not in known
    ]


def read_citekeys(bib_path: Path) -> set[str]:
    """The entry keys of a bibliography: the bibliography stage's CSL-JSON (``.json``, ``article
    bibliography lint --csl-json``: nothing is parsed again) or a BibTeX file (bibtexparser v2).

    Raises:
        DataError: when the file cannot be read.
    """
    import bibtexparser

    if str(bib_path).endswith(".json"):
        import json

        try:
            items = json.loads(Path(bib_path).read_text(encoding="utf-8"))["items"]
            return {item["id"] for item in items}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DataError(
                f"not the bibliography stage's CSL-JSON ({error})",
                str(bib_path),
                hint="give refs.bib or the --csl-json output of `article bibliography lint`",
            ) from None
    try:
        library = bibtexparser.parse_file(str(bib_path))
    except OSError as error:
        raise DataError(f"cannot read {error.strerror}", str(bib_path)) from None
    return {entry.key for entry in library.entries}


# --------------------------------------------------------------------------- checked documents


def check_documents(
    documents: Mapping[str, Located],
    schema_dir: Path,
    citekeys: set[str] | None = None,
    bib: str = "refs.bib",
) -> dict[str, Located]:
    """Check parsed data files against their schemas and, with ``citekeys``, their citekeys.

    Args:
        documents: stem (``NAME`` of ``NAME.yaml``) -> parsed file; each is checked against
            ``schema_dir/NAME.schema.json``.
        schema_dir: folder of the JSON Schemas.
        citekeys: the keys of the bibliography; ``None`` skips the citekey check.
        bib: the bibliography's file name, for messages.

    Returns:
        ``documents`` as a new dict, in the same order (every one valid).

    Raises:
        DataError: the single problem found, or :class:`DataErrorList` with all of them in
            the order of ``documents``, each file's in file order.
    """
    problems: list[DataError] = []
    for stem, document in documents.items():
        problems += validate_document(document, schema_dir, stem)
        if citekeys is not None:
            problems += check_citekeys(document, citekeys, bib)
    if problems:
        raise one_or_list(problems)
    return dict(documents)


def read_document(path: Path | str) -> Located:
    """Read and parse one data file (UTF-8 YAML) with its positions.

    Raises:
        DataError: the file cannot be read or is not valid YAML.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise DataError(f"cannot read: {error.strerror}", str(path)) from None
    except UnicodeDecodeError as error:
        raise DataError(
            f"not UTF-8 (byte {error.start})", str(path), hint="save the file as UTF-8"
        ) from None
    return parse_yaml(text, str(path))


def load_documents(
    paths: Iterable[Path | str],
    schema_dir: Path | str | None = None,
    bib: Path | str | None = None,
) -> dict[str, Located]:
    """Read, parse and check data files given by path (thin edge of :func:`check_documents`).

    Args:
        paths: data files such as ``manuscript/data/NAME.yaml``; their stems name them.
        schema_dir: folder of the JSON Schemas; default ``schemas/`` beside the first file.
        bib: the bibliography to check citekeys against (it must exist); ``None`` skips it.

    Returns:
        stem -> checked document, in the order of ``paths``.

    Raises:
        DataError: see :func:`check_documents`; also a file that cannot be read, two files
            with the same stem, or a bibliography that cannot be read.
    """
    documents: dict[str, Located] = {}
    folder = Path(schema_dir) if schema_dir is not None else None
    for raw_path in paths:
        path = Path(raw_path)
        document = read_document(path)
        if path.stem in documents:
            raise DataError(
                f"a second data file named {path.name!r}",
                str(path),
                hint=f"the first is {documents[path.stem].path}; give each data file once",
            )
        documents[path.stem] = document
        folder = folder or path.parent / "schemas"
    if folder is None:
        return {}
    citekeys = read_citekeys(Path(bib)) if bib is not None else None
    return check_documents(documents, folder, citekeys, str(bib or "refs.bib"))


def data_files(data_dir: Path | str) -> list[Path]:
    """The data files of a folder: every ``*.yaml`` directly in it, by name."""
    return sorted(Path(data_dir).glob("*.yaml"))


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article data --check``."""
    parser.add_argument(
        "--check",
        action="store_true",
        help="check the data files (the default and only action)",
    )
    parser.add_argument(
        "--data-dir", default="manuscript/data", help="folder of the data files (*.yaml)"
    )
    parser.add_argument("--schemas", help="folder of the JSON Schemas (default: DATA_DIR/schemas)")
    parser.add_argument(
        "--bib", default="refs.bib", help="check citekeys against this file (skipped if absent)"
    )


def command(
    check: bool = True,
    data_dir: str = "manuscript/data",
    schemas: str | None = None,
    bib: str = "refs.bib",
) -> int:
    """Check every data file of ``data_dir`` against its schema and ``bib``'s citekeys.

    Checks what every article's data must satisfy (YAML, schema, partial dates, citekeys);
    what one article's data must satisfy beyond its schemas is checked by the article's own
    scripts in ``figures/`` when they run.

    Args:
        check: accepted for ``article data --check`` (checking is all this command does).
        data_dir: folder of the data files.
        schemas: folder of the JSON Schemas (default ``data_dir/schemas``).
        bib: the bibliography for the citekey check (skipped, with a note, when absent).

    Returns:
        0; invalid data raises :class:`DataError` (``path:line:col``).
    """
    paths = data_files(data_dir)
    if not Path(bib).exists():
        print(f"note: {bib} not found: citekeys not checked", file=sys.stderr)
    documents = load_documents(
        paths,
        schema_dir=schemas or Path(data_dir) / "schemas",
        bib=bib if Path(bib).exists() else None,
    )
    names = ", ".join(Path(d.path).name for d in documents.values()) or "none"
    print(f"data ok: {len(documents)} data files ({names})", file=sys.stderr)
    return 0

"""The data stage: summits, membership and bodies of the SCO as checked data, and Table 1.

Terms used in this module:

* *data file*: a YAML file under ``manuscript/data/`` (``summits.yaml``, ``membership.yaml``,
  ``bodies.yaml``), each checked against ``manuscript/data/schemas/<stem>.schema.json``
  (JSON Schema 2020-12; shared definitions in ``common.schema.json``).
* *fact*: a value with its ``sources``: either the word ``article`` (the article states it
  without a citation) or a list of citations, each a ``citekey`` of ``refs.bib`` with an optional
  ``locator`` (``p. 288``, ``art. 7``) or an ``unlisted`` parenthetical that the article gives but
  its reference list lacks.
* *partial date*: ISO 8601 ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as precise as the article;
  a part the article does not give stays out, it is never guessed.
* *field*: the place of a value in a data file, written ``summits[2].date.value`` (0-based).

The article's text is the only authority for the facts; the data files quote it.

Pure core: :func:`parse_yaml`, :func:`validate_document`, :func:`check_citekeys`,
:func:`build_dataset`, :func:`summits_table_markdown`, :func:`figure_markdown`.
Thin edge: :func:`load_dataset`, :func:`load_data_files`, :func:`read_citekeys`, :func:`command`.

Every problem is a :class:`build.errors.DataError` with ``path:line:col`` of the offending
field, the field and what was expected; a file with several problems raises
:class:`DataErrorList` (itself a ``DataError``) carrying all of them.
"""

from __future__ import annotations

import argparse
import calendar
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from build.atomic import write_text_atomic
from build.errors import DataError, ErrorList

#: Data file stems in the order they are checked; each has schemas/<stem>.schema.json.
DATA_FILES: tuple[str, ...] = ("summits", "membership", "bodies")
#: Marker of a fact the article states without a citation.
ARTICLE = "article"

_ORDINAL_WORDS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth"}


class DataErrorList(ErrorList, DataError):
    """Several :class:`DataError` found in one pass; ``str()`` lists them one per line."""


FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """A parsed YAML document and the 1-based ``(line, column)`` of every value in it.

    ``locations`` maps a field path (keys and list indexes from the root) to the position of
    the value node; the root is ``()``.
    """

    path: str
    data: Any
    locations: Mapping[FieldPath, tuple[int, int]]

    def where(self, field: Sequence[str | int]) -> tuple[int, int]:
        """Position of ``field``, or of its nearest located ancestor."""
        key = tuple(field)
        while key not in self.locations and key:
            key = key[:-1]
        return self.locations.get(key, (0, 0))

    def error(self, field: Sequence[str | int], message: str, expected: str) -> DataError:
        """A :class:`DataError` at ``field``: ``path:line:col: <field>: message``."""
        line, column = self.where(field)
        return DataError(
            f"{format_field(field)}: {message}",
            self.path,
            line,
            column,
            hint=f"expected {expected}",
        )


def format_field(field: Sequence[str | int]) -> str:
    """``("summits", 2, "date")`` -> ``summits[2].date``; the root is ``(document)``."""
    text = ""
    for part in field:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(document)"


# --------------------------------------------------------------------------- YAML with lines


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as strings (the schema checks them, not YAML)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, path: str) -> Located:
    """Parse YAML ``text`` keeping the line and column of every value.

    Args:
        text: the YAML source.
        path: the file name used in messages.

    Returns:
        :class:`Located` with plain Python values (dates stay strings).

    Raises:
        DataError: YAML syntax errors and duplicate mapping keys, at their line.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(path, None, {(): (1, 1)})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise DataError(
            f"invalid YAML: {error.problem or error}",
            path,
            line,
            column,
            hint="expected valid YAML (see the YAML 1.1 spec; quote text containing ': ')",
        ) from None
    finally:
        loader.dispose()
    locations: dict[FieldPath, tuple[int, int]] = {}
    problems: list[DataError] = []

    def walk(n: yaml.Node, at: FieldPath) -> None:
        locations[at] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in n.value:
                key = str(key_node.value)
                if key in seen:
                    problems.append(
                        DataError(
                            f"{format_field(at + (key,))}: duplicate key {key!r}",
                            path,
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                            hint="expected each key once per mapping (YAML 1.2 §3.2.1.1)",
                        )
                    )
                seen.add(key)
                walk(value_node, at + (key,))
        elif isinstance(n, yaml.SequenceNode):
            for index, item in enumerate(n.value):
                walk(item, at + (index,))

    walk(node, ())
    if problems:
        raise _one_or_list(problems)
    return Located(path, data, locations)


def _one_or_list(problems: list[DataError]) -> DataError:
    return problems[0] if len(problems) == 1 else DataErrorList(problems)


# --------------------------------------------------------------------------- schema


def _registry(schema_dir: Path) -> Any:
    from referencing import Registry, Resource

    resources = []
    for schema_path in sorted(schema_dir.glob("*.schema.json")):
        contents = json.loads(schema_path.read_text(encoding="utf-8"))
        resources.append((contents.get("$id", schema_path.name), Resource.from_contents(contents)))
    return Registry().with_resources(resources)


def _describe_expected(error: Any) -> str:
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
        return " or ".join(_branch_name(branch) for branch in value)
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


def _branch_name(branch: Any) -> str:
    if not isinstance(branch, dict):
        return json.dumps(branch)
    if "$ref" in branch:
        name = branch["$ref"].rsplit("/", 1)[-1]
        return {"textFact": "{value: text, sources}", "dateFact": "{value: date, sources}"}.get(
            name, name
        )
    if "const" in branch:
        return json.dumps(branch["const"])
    if branch.get("type") == "null":
        return "null (the article does not give it)"
    return branch.get("description") or branch.get("type", "a value")


def validate_document(document: Located, schema_dir: Path, stem: str) -> list[DataError]:
    """Check ``document`` against ``schema_dir/<stem>.schema.json``.

    Args:
        document: the parsed data file.
        schema_dir: folder of the JSON Schemas (2020-12), ``$ref`` between them by ``$id``.
        stem: the data file's stem (``summits``).

    Returns:
        One :class:`DataError` per violated rule, in file order (empty when valid).
    """
    from jsonschema import Draft202012Validator

    schema = json.loads((schema_dir / f"{stem}.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, registry=_registry(schema_dir))
    problems: list[tuple[tuple[int, int], DataError]] = []
    for raw in validator.iter_errors(document.data):
        for error in _leaf_errors(raw):
            field = tuple(error.absolute_path)
            if error.validator == "required":
                missing = [k for k in error.validator_value if k not in (error.instance or {})]
                message = "missing required field " + ", ".join(repr(k) for k in missing)
            elif error.validator == "additionalProperties":
                message = error.message
            else:
                shown = json.dumps(error.instance, ensure_ascii=False)
                if len(shown) > 60:
                    shown = shown[:57] + "..."
                message = f"invalid value {shown}"
            problem = document.error(field, message, _describe_expected(error))
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


@dataclass(frozen=True)
class Summit:
    """A summit of the Shanghai Five, or the founding of the SCO (``kind == "founding"``)."""

    id: str
    kind: str
    ordinal: int | None
    organization: str
    date: Fact  # value: PartialDate
    city: Fact | None
    host_country: Fact | None
    participants: Fact  # value: tuple[str, ...]
    decisions: tuple[Fact, ...]  # value: str


@dataclass(frozen=True)
class Member:
    """A member state and the year it joined."""

    state: str
    joined: int
    founder: bool
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Body:
    """An SCO body with the Charter article the article cites for it."""

    id: str
    name: str
    listed: bool
    charter_article: int
    described_in: tuple[int, ...]
    permanent: bool
    role: Fact
    seat: Fact | None = None
    established: Fact | None = None


@dataclass(frozen=True)
class Relation:
    """What body ``source`` does for body ``target``, as the article says."""

    source: str
    target: str
    text: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Dataset:
    """Everything loaded from manuscript/data/ (absent files give empty tuples)."""

    summits: tuple[Summit, ...] = ()
    members: tuple[Member, ...] = ()
    bodies: tuple[Body, ...] = ()
    relations: tuple[Relation, ...] = ()


def _sources(raw: Any) -> tuple[Source, ...]:
    if raw == ARTICLE:
        return ()
    return tuple(Source(s.get("key"), s.get("locator"), s.get("unlisted")) for s in raw)


def _fact(raw: Any, convert: Any = None) -> Fact | None:
    if raw is None:
        return None
    value = convert(raw["value"]) if convert else raw["value"]
    return Fact(value, _sources(raw["sources"]))


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


def check_citekeys(document: Located, known: set[str]) -> list[DataError]:
    """One error per citekey of ``document`` that is not in ``known`` (the keys of refs.bib)."""
    return [
        document.error(
            field,
            f"unknown citekey {key!r}: refs.bib has no entry with this key",
            "a key of refs.bib (see docs/conventions.md)",
        )
        for field, key in _citation_fields(document.data)
        if key not in known
    ]


def _check_dates(document: Located) -> list[DataError]:
    problems = []

    def walk(data: Any, at: FieldPath) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                if key in ("date", "established") and isinstance(value, dict):
                    text = value.get("value")
                    if isinstance(text, str) and re.fullmatch(r"[0-9]{4}(-[0-9]{2}){0,2}", text):
                        try:
                            PartialDate.parse(text)
                        except ValueError as error:
                            problems.append(
                                document.error(
                                    at + (key, "value"),
                                    f"impossible date {text!r}: {error}",
                                    "a real calendar date, ISO 8601 YYYY-MM-DD, YYYY-MM or "
                                    "YYYY, as precise as the article gives it",
                                )
                            )
                walk(value, at + (key,))
        elif isinstance(data, list):
            for index, item in enumerate(data):
                walk(item, at + (index,))

    walk(document.data, ())
    return problems


def _check_summits(document: Located, members: Sequence[Member]) -> list[DataError]:
    """Order, numbering and participants of summits.yaml (after the schema passed)."""
    problems = []
    seen: set[str] = set()
    previous: PartialDate | None = None
    expected_ordinal = 1
    joined = {m.state: m.joined for m in members}
    for index, raw in enumerate(document.data["summits"]):
        at: FieldPath = ("summits", index)
        if raw["id"] in seen:
            problems.append(document.error(at + ("id",), "duplicate id", "a unique id"))
        seen.add(raw["id"])
        if raw["kind"] == "summit":
            if raw["ordinal"] != expected_ordinal:
                problems.append(
                    document.error(
                        at + ("ordinal",),
                        f"summit number {raw['ordinal']} out of sequence",
                        f"{expected_ordinal} (summits are listed in order, numbered from 1)",
                    )
                )
            expected_ordinal += 1
        elif raw["ordinal"] is not None:
            problems.append(
                document.error(at + ("ordinal",), "the founding has no summit number", "null")
            )
        try:
            date = PartialDate.parse(raw["date"]["value"])
        except ValueError:
            continue  # reported by _check_dates
        if previous is not None and date.year < previous.year:
            problems.append(
                document.error(
                    at + ("date", "value"),
                    f"{date.iso()} comes before the previous entry's {previous.iso()}",
                    "entries in chronological order",
                )
            )
        previous = date
        for p_index, state in enumerate(raw["participants"]["value"]):
            if joined and (state not in joined or joined[state] > date.year):
                since = f"joined in {joined[state]}" if state in joined else "is not a member"
                problems.append(
                    document.error(
                        at + ("participants", "value", p_index),
                        f"{state!r} {since} according to membership.yaml",
                        f"a state that had joined by {date.year}",
                    )
                )
    return problems


def _check_bodies(document: Located) -> list[DataError]:
    problems = []
    ids = [b["id"] for b in document.data["bodies"]]
    for index, body_id in enumerate(ids):
        if body_id in ids[:index]:
            problems.append(document.error(("bodies", index, "id"), "duplicate id", "a unique id"))
    for index, relation in enumerate(document.data["relations"]):
        for end in ("from", "to"):
            if relation[end] not in ids:
                problems.append(
                    document.error(
                        ("relations", index, end),
                        f"unknown body {relation[end]!r}",
                        "one of the ids in bodies: " + ", ".join(ids),
                    )
                )
    return problems


def _check_membership(document: Located) -> list[DataError]:
    problems = []
    states = [m["state"] for m in document.data["members"]]
    for index, state in enumerate(states):
        if state in states[:index]:
            problems.append(
                document.error(("members", index, "state"), "duplicate state", "each state once")
            )
    return problems


def build_dataset(
    documents: Mapping[str, Located], schema_dir: Path, citekeys: set[str] | None = None
) -> Dataset:
    """Validate parsed data files and turn them into a :class:`Dataset`.

    Args:
        documents: stem (``summits``, ``membership``, ``bodies``) -> parsed file; any subset.
        schema_dir: folder of the JSON Schemas.
        citekeys: the keys of refs.bib; ``None`` skips the citekey check.

    Returns:
        The dataset, with facts in file order.

    Raises:
        DataError: the single problem found, or :class:`DataErrorList` with all of them
        (schema violations first; semantic checks only run on files that pass their schema).
    """
    problems: list[DataError] = []
    valid: dict[str, Located] = {}
    for stem in DATA_FILES:
        if stem not in documents:
            continue
        document = documents[stem]
        found = validate_document(document, schema_dir, stem)
        found += _check_dates(document)
        if citekeys is not None:
            found += check_citekeys(document, citekeys)
        problems += found
        if not found:
            valid[stem] = document
    members: tuple[Member, ...] = ()
    if "membership" in valid:
        problems += _check_membership(valid["membership"])
        members = tuple(
            Member(m["state"], m["joined"], m["founder"], _sources(m["sources"]))
            for m in valid["membership"].data["members"]
        )
    summits: tuple[Summit, ...] = ()
    if "summits" in valid:
        problems += _check_summits(valid["summits"], members)
        summits = tuple(
            Summit(
                id=s["id"],
                kind=s["kind"],
                ordinal=s["ordinal"],
                organization=s["organization"],
                date=_fact(s["date"], PartialDate.parse),
                city=_fact(s["city"]),
                host_country=_fact(s["host_country"]),
                participants=_fact(s["participants"], tuple),
                decisions=tuple(Fact(d["text"], _sources(d["sources"])) for d in s["decisions"]),
            )
            for s in valid["summits"].data["summits"]
        )
    bodies: tuple[Body, ...] = ()
    relations: tuple[Relation, ...] = ()
    if "bodies" in valid:
        problems += _check_bodies(valid["bodies"])
        bodies = tuple(
            Body(
                id=b["id"],
                name=b["name"],
                listed=b["listed"],
                charter_article=b["charter_article"],
                described_in=tuple(b["described_in"]),
                permanent=b["permanent"],
                role=_fact(b["role"]),
                seat=_fact(b.get("seat")),
                established=_fact(b.get("established"), PartialDate.parse),
            )
            for b in valid["bodies"].data["bodies"]
        )
        relations = tuple(
            Relation(r["from"], r["to"], r["text"], _sources(r["sources"]))
            for r in valid["bodies"].data["relations"]
        )
    if problems:
        raise _one_or_list(problems)
    return Dataset(summits, members, bodies, relations)


# --------------------------------------------------------------------------- file edge


def read_citekeys(bib_path: Path) -> set[str]:
    """The entry keys of a BibTeX file, read with bibtexparser v2.

    Raises:
        DataError: when the file cannot be read.
    """
    import bibtexparser

    try:
        library = bibtexparser.parse_file(str(bib_path))
    except OSError as error:
        raise DataError(f"cannot read {error.strerror}", str(bib_path)) from None
    return {entry.key for entry in library.entries}


def load_data_files(
    paths: Iterable[Path | str],
    bib_path: Path | str | None = None,
    schema_dir: Path | str | None = None,
) -> Dataset:
    """Load and validate data files given by path (their stem says which file each is).

    Args:
        paths: data files such as ``manuscript/data/summits.yaml``.
        bib_path: refs.bib to check citekeys against; ``None`` or a missing file skips the check.
        schema_dir: folder of the JSON Schemas; default ``schemas/`` beside the data files.

    Raises:
        DataError: see :func:`build_dataset`; also an unknown file name.
    """
    documents: dict[str, Located] = {}
    folder = Path(schema_dir) if schema_dir is not None else None
    for raw_path in paths:
        path = Path(raw_path)
        if path.stem not in DATA_FILES:
            raise DataError(
                f"unknown data file {path.name!r}",
                str(path),
                hint="expected one of " + ", ".join(f"{s}.yaml" for s in DATA_FILES),
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DataError(f"cannot read: {error.strerror}", str(path)) from None
        documents[path.stem] = parse_yaml(text, str(path))
        folder = folder or path.parent / "schemas"
    citekeys = None
    if bib_path is not None and Path(bib_path).exists():
        citekeys = read_citekeys(Path(bib_path))
    if folder is None:
        return Dataset()
    return build_dataset(documents, folder, citekeys)


def load_dataset(data_dir: Path | str, bib_path: Path | str | None = None) -> Dataset:
    """Load every data file of ``data_dir`` that exists (see :func:`load_data_files`)."""
    folder = Path(data_dir)
    paths = [folder / f"{s}.yaml" for s in DATA_FILES if (folder / f"{s}.yaml").exists()]
    return load_data_files(paths, bib_path)


# --------------------------------------------------------------------------- Table 1


TABLE_ID = "tbl-summits"
TABLE_CAPTION = (
    "Summits of the Shanghai Five, 1996–2000, and the Founding of the Shanghai Cooperation "
    "Organization, 2001"
)
#: column header -> dashes in the pipe-table separator (pandoc: relative column widths)
TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Meeting", 11),
    ("Date", 11),
    ("Place", 13),
    ("Participating states", 20),
    ("Agreements and decisions the article reports", 45),
)


def _escape(text: str) -> str:
    """Escape pipe-table and Markdown specials in plain data text."""
    for char in ("\\", "|", "*", "_", "[", "]", "@", "<", ">", "`", "#"):
        text = text.replace(char, "\\" + char)
    return text


def _cited(text: str, sources: Sequence[Source]) -> str:
    """``text`` followed by its pandoc citation, before a final period (APA 7 §8.11)."""
    text = _escape(text)
    if not sources:
        return text
    keyed = [s.markdown() for s in sources if s.key]
    plain = [_escape(s.unlisted) for s in sources if s.unlisted]
    parts = []
    if keyed:
        parts.append("[" + "; ".join(keyed) + "]")
    if plain:
        parts.append("(" + "; ".join(plain) + ")")
    citation = " ".join(parts)
    if text.endswith("."):
        return f"{text[:-1]} {citation}."
    return f"{text} {citation}"


def _meeting(summit: Summit) -> str:
    if summit.kind == "founding":
        return "Founding of the SCO"
    word = _ORDINAL_WORDS.get(summit.ordinal or 0, f"No. {summit.ordinal}")
    return f"{word} summit"


def _place(summit: Summit) -> str:
    city, country = summit.city, summit.host_country
    if city is None and country is None:
        return "Not stated"
    if city is None:
        return _cited(f"{country.value} (city not stated)", country.sources)
    text = _cited(city.value, city.sources)
    if country is not None:
        text += ", " + _cited(country.value, country.sources)
    return text


def summits_table_cells(summit: Summit) -> list[str]:
    """The five Markdown cells of one table row (see :data:`TABLE_COLUMNS`)."""
    decisions = " ".join(_cited(d.value, d.sources) for d in summit.decisions)
    return [
        _meeting(summit),
        _cited(summit.date.value.display(), summit.date.sources),
        _place(summit),
        _cited(", ".join(summit.participants.value), summit.participants.sources),
        decisions,
    ]


def _table_note(summits: Sequence[Summit]) -> str:
    unnamed = [s for s in summits if s.city is None]
    year_only = [s for s in summits if s.date.value.month is None]
    unlisted = sorted(
        {src.unlisted for s in summits for d in s.decisions for src in d.sources if src.unlisted}
    )
    sentences = [
        "*Note.* Compiled from the article's account of the summits.",
        "Entries without a citation are the article's own statements.",
    ]
    if year_only or unnamed:
        gaps = []
        if year_only:
            gaps.append("gives only the year for " + _years(year_only))
        if unnamed:
            gaps.append("names no city for " + _years(unnamed))
        sentences.append(
            "Dates are as precise as the article gives them: it " + " and ".join(gaps) + "."
        )
    if unlisted:
        sentences.append(
            "The parenthetical "
            + ", ".join(f"({_escape(u)})" for u in unlisted)
            + " is the article's citation of a source that its reference list lacks."
        )
    return " ".join(sentences)


def _years(summits: Sequence[Summit]) -> str:
    labels = [
        f"the {s.date.value.year} summit"
        if s.kind == "summit"
        else f"the founding in {s.date.value.year}"
        for s in summits
    ]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def summits_table_markdown(summits: Sequence[Summit]) -> str:
    """Table 1 as pandoc Markdown: caption with ``{#tbl-summits}``, pipe table, note div.

    The caption carries no number: the crossref filter numbers it ("Table 1", APA 7 §7.10).
    Citations in cells are pandoc citations, rendered by citeproc like all others. Long rows
    make pandoc use the separator's dashes as relative column widths (pandoc manual,
    "pipe_tables").

    Args:
        summits: the summits in order.

    Returns:
        Markdown text ending with a newline.
    """
    header = "| " + " | ".join(name for name, _ in TABLE_COLUMNS) + " |"
    rule = "|" + "|".join("-" * dashes for _, dashes in TABLE_COLUMNS) + "|"
    rows = ["| " + " | ".join(summits_table_cells(s)) + " |" for s in summits]
    return (
        f"Table: {TABLE_CAPTION} {{#{TABLE_ID}}}\n\n"
        + "\n".join([header, rule, *rows])
        + "\n\n::: table-note\n"
        + _table_note(summits)
        + "\n:::\n"
    )


def figure_markdown(figure_id: str, svg_path: str, caption: str, alt: str) -> str:
    """A pandoc figure: ``![caption](svg_path){#figure_id alt="..."}`` plus a newline.

    The caption is unnumbered (the crossref filter adds "Figure N", APA 7 §7.24); ``alt``
    says what the figure shows, for readers who cannot see it (WCAG 2.1 SC 1.1.1).
    """
    alt_attr = alt.replace("\\", "\\\\").replace('"', '\\"')
    return f'![{caption}]({svg_path}){{#{figure_id} alt="{alt_attr}"}}\n'


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (:mod:`build.atomic`)."""
    write_text_atomic(path, text)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article data [check|table]``."""
    parser.add_argument(
        "action",
        nargs="?",
        choices=("check", "table"),
        default="check",
        help="check the data (default) or write Table 1 as Markdown",
    )
    parser.add_argument(
        "--check", action="store_true", help="only check the data (same as 'check')"
    )
    parser.add_argument("--data-dir", default="manuscript/data", help="folder of the data files")
    parser.add_argument(
        "--bib", default="refs.bib", help="check citekeys against this file (skipped if absent)"
    )
    parser.add_argument("--output", help="where 'table' writes (default: standard output)")
    parser.add_argument(
        "--data",
        nargs="+",
        metavar="FILE",
        help="read only these data files (default: every data file of --data-dir)",
    )


def command(
    action: str = "check",
    check: bool = False,
    data_dir: str = "manuscript/data",
    bib: str = "refs.bib",
    output: str | None = None,
    data: Sequence[str] | None = None,
) -> int:
    """Run the stage; returns 0, raises :class:`DataError` on invalid data.

    Args:
        action: ``check`` (validate only) or ``table`` (write Table 1 as pandoc Markdown).
        check: same as ``action="check"`` (``article data --check``).
        data_dir: folder of the data files, read when ``data`` is not given.
        bib: refs.bib for the citekey check (skipped, with a note, when absent).
        output: file for the table (atomic write); standard output when ``None``.
        data: the data files to read instead of all of ``data_dir``.
    """
    if not Path(bib).exists():
        print(f"note: {bib} not found: citekeys not checked", file=sys.stderr)
    dataset = load_data_files(data, bib) if data else load_dataset(data_dir, bib)
    if check or action == "check":
        print(
            f"data ok: {len(dataset.summits)} summits, {len(dataset.members)} members, "
            f"{len(dataset.bodies)} bodies, {len(dataset.relations)} relations",
            file=sys.stderr,
        )
        return 0
    text = summits_table_markdown(dataset.summits)
    if output:
        write_atomic(Path(output), text)
    else:
        sys.stdout.write(text)
    return 0


# --------------------------------------------------------------------------- figures

#: Printed text width of the article (A4, 25 mm margins): figures are drawn at this size.
TEXT_WIDTH_MM = 160.0
#: The article's typeface (Debian fonts-linuxlibertine). In the screen SVG (HTML, EPUB) text is
#: drawn as glyph outlines, so that it looks the same without the font; in the print SVG (PDF)
#: it stays text, which WeasyPrint sets in the PDF's embedded font (see :func:`figure_svg`).
FIGURE_FONT = "Linux Libertine O"
#: Environment variable naming where a figure script writes its print SVG when ``--print-svg``
#: is not given (rules/figures.smk sets it, so that scripts with a command line of their own
#: still run: the rule then uses their outline SVG for the PDF as well).
PRINT_SVG_ENV = "ARTICLE_PRINT_SVG"
#: Fixed salt for matplotlib's SVG ids, so the SVG bytes repeat from run to run.
SVG_HASHSALT = "sco-article"


def figure_style(svg_text: str = "path") -> dict[str, Any]:
    """matplotlib rcParams of every figure: article font, sizes in pt, reproducible SVG.

    Args:
        svg_text: matplotlib's ``svg.fonttype``: ``"path"`` (text as glyph outlines) or
            ``"none"`` (text as SVG ``<text>`` naming the font).

    Raises:
        DataError: when the article's font is not installed (``bash .ci/setup.sh`` installs it).
    """
    from matplotlib import font_manager

    try:
        font_manager.findfont(
            font_manager.FontProperties(family=FIGURE_FONT), fallback_to_default=False
        )
    except ValueError:
        raise DataError(
            f"font {FIGURE_FONT!r} not found",
            hint="install Debian's fonts-linuxlibertine (bash .ci/setup.sh)",
        ) from None
    return {
        "font.family": FIGURE_FONT,
        "font.size": 8.5,
        "svg.fonttype": svg_text,
        "svg.hashsalt": SVG_HASHSALT,
        "path.simplify": False,
        "axes.linewidth": 0.6,
        "lines.linewidth": 1.0,
    }


def sanitize_svg(svg: str, title: str) -> str:
    """Make matplotlib's SVG valid in EPUB 3 and label it for assistive technology.

    Removes the DOCTYPE (external entities are not allowed in EPUB 3.3 content documents) and
    glyph ``<path>`` definitions without ``d`` (space characters; SVG 1.1 requires ``d``)
    together with the ``<use>`` elements that reference them; adds ``<title>`` as the first
    child of ``<svg>`` (SVG 1.1 §5.4) with the figure's alternative text.

    Args:
        svg: the SVG text written by matplotlib.
        title: the accessible name (plain text).

    Returns:
        The cleaned SVG text.
    """
    from xml.sax.saxutils import escape

    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    empty = re.findall(r'<path id="([^"]+)"(?![^>]*\sd=)[^>]*/>', svg)
    svg = re.sub(r'\s*<path id="[^"]+"(?![^>]*\sd=)[^>]*/>', "", svg)
    for glyph in empty:
        svg = re.sub(r'\s*<use xlink:href="#' + re.escape(glyph) + r'"[^>]*/>', "", svg)
    svg = re.sub(
        r"(<svg\b[^>]*>)",
        lambda m: m.group(1) + f"\n <title>{escape(title)}</title>",
        svg,
        count=1,
    )
    return svg


def figure_svg(figure: Any, title: str, text_as_text: bool = False) -> str:
    """Render a matplotlib figure to reproducible, EPUB-valid SVG text (see :func:`sanitize_svg`).

    Args:
        figure: the matplotlib Figure.
        title: the accessible name (the figure's alternative text).
        text_as_text: False (the screen SVG of HTML and EPUB): text as glyph outlines, the
            same on every reader's screen; True (the print SVG of the PDF): text as SVG
            ``<text>`` in :data:`FIGURE_FONT`, which WeasyPrint sets with the font it embeds:
            the PDF's figure text can be searched and selected (PDF/UA, ISO 14289-1 7.3: text
            is text), and WeasyPrint renders the page ~0.7 s faster than with ~900 glyph
            paths (issue 10; README "Performance").

    Returns:
        The SVG text. ``metadata={"Date": None}`` drops the time stamp; ``svg.hashsalt`` (set
        by :func:`figure_style`) fixes the ids.
    """
    import io

    import matplotlib

    buffer = io.StringIO()
    style = figure_style("none" if text_as_text else "path")
    with matplotlib.rc_context(style):  # svg.* settings are read while saving
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return sanitize_svg(buffer.getvalue(), title)


def figure_command(
    argv: list[str] | None,
    *,
    description: str,
    data_help: str,
    figure_id: str,
    caption: str,
    draw: Any,
    alt_text: Any,
) -> int:
    """The command line shared by the scripts of figures/: data files in, SVG and Markdown out.

    Args:
        argv: the arguments (None: sys.argv); ``DATA... --svg FILE --markdown FILE
            [--print-svg FILE]`` (the print SVG: text as text, see :func:`figure_svg`;
            default: the environment variable :data:`PRINT_SVG_ENV`, else none).
        description: the script's one-line description.
        data_help: which data files the script reads (for ``--help``).
        figure_id, caption: the figure's id (``fig-...``) and caption text.
        draw: ``Dataset -> matplotlib Figure``; alt_text: ``Dataset -> str``.
    Returns:
        0; a data problem raises :class:`build.errors.DataError` (``path:line``).
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("data", nargs="+", help=data_help)
    parser.add_argument("--svg", required=True, type=Path)
    parser.add_argument("--markdown", required=True, type=Path)
    parser.add_argument(
        "--print-svg",
        type=Path,
        default=os.environ.get(PRINT_SVG_ENV) or None,
        help=f"the PDF's SVG, text as text (default: ${PRINT_SVG_ENV})",
    )
    args = parser.parse_args(argv)
    dataset = load_data_files(args.data)
    alt = alt_text(dataset)
    figure = draw(dataset)
    write_atomic(args.svg, figure_svg(figure, alt))
    if args.print_svg:
        write_atomic(args.print_svg, figure_svg(figure, alt, text_as_text=True))
    write_atomic(args.markdown, figure_markdown(figure_id, args.svg.as_posix(), caption, alt))
    return 0

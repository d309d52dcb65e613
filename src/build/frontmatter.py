"""Front matter: the article's metadata, its running heads, the journal values in the AST.

The journal profile (``config/config.yaml``, :class:`build.profile.Profile`) gives the
journal's values, the issue file the issue's, the article's ``manuscript/metadata.yaml`` its own
(DOI, pages); the templates print them (``styles/templates/``).
"""

from __future__ import annotations

import uuid
from typing import Any

from build.errors import ManuscriptError
from build.profile import Profile
from build.yamlfile import yaml_data


def read_metadata(text: str, path: str = "manuscript/metadata.yaml") -> dict[str, Any]:
    """Parse the article's metadata YAML and check the keys the templates need.

    Args:
        text: the content of ``manuscript/metadata.yaml``.
        path: its path, for error messages.

    Returns:
        the metadata mapping.

    Raises:
        ManuscriptError: malformed YAML (``path:line:col``), not a mapping, or no ``title``.
    """
    data = yaml_data(text, path, ManuscriptError)
    if not isinstance(data, dict):
        raise ManuscriptError(
            "metadata is not a YAML mapping", path, 1, hint="write `key: value` lines"
        )
    if not data.get("title"):
        raise ManuscriptError("metadata has no title", path, 1, hint="add `title: ...`")
    return data


def author_surnames(metadata: dict[str, Any]) -> str:
    """Short author line for the verso running head: "Okafor and Lindqvist", "Okafor et al." (3+).

    The surname is the last word of ``name`` (or ``surname`` when given).
    """
    names = []
    for author in metadata.get("author") or []:
        if isinstance(author, dict):
            surname = author.get("surname") or str(author.get("name", "")).split()[-1:]
            names.append(surname if isinstance(surname, str) else " ".join(surname))
        else:
            names.append(str(author).split()[-1])
    names = [n for n in names if n]
    if len(names) > 2:
        return f"{names[0]} et al."
    return " and ".join(names)


def running_heads(metadata: dict[str, Any], profile: Profile) -> tuple[str, str]:
    """(recto, verso) running-head texts: the profile's values, else ``running-head`` (or the
    title) on the recto and the authors' surnames on the verso."""
    recto = profile.running_head_recto or metadata.get("running-head") or metadata["title"]
    verso = profile.running_head_verso or author_surnames(metadata)
    return str(recto), str(verso)


def epub_identifier(
    title: str, configured: str | None = None, doi: str | None = None, digest: str = ""
) -> str:
    """The EPUB's fixed ``dc:identifier`` (EPUB 3.3 §5.5.3.1): the configured one, else the
    profile's DOI (``doi:10....``), else a name-based UUID (v5) of the title and ``digest``
    (a hash of the sources), so that rebuilding the same sources gives the same identifier."""
    if configured:
        return configured
    if doi:
        return f"doi:{doi}"
    name = "article:" + title + (f":{digest}" if digest else "")
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _meta_value(value: Any) -> dict[str, Any]:
    """A Python value as a pandoc JSON MetaValue (strings stay MetaString)."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, dict):
        return {"t": "MetaMap", "c": {str(k): _meta_value(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [_meta_value(v) for v in value]}
    return {"t": "MetaString", "c": str(value)}


#: Keys of an article's own metadata (``manuscript/metadata.yaml``) that the journal line and
#: the scholarly ``<meta>`` tags print with the journal's and the issue's values.
ARTICLE_JOURNAL_KEYS = ("doi", "pages", "first-page", "last-page")


def add_profile_meta(ast: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """Return a copy of ``ast`` with ``meta.journal`` (used by the templates' journal line and
    scholarly ``<meta>`` tags): the profile's set journal values, the issue's (``volume``,
    ``issue``, ``year``: :attr:`Profile.issue`) and the article's own ``doi``, ``pages``,
    ``first-page`` and ``last-page`` from its metadata; ``meta.rights`` from
    ``journal.license`` and ``meta.date`` (EPUB ``dc:date``) from the issue's year. Unset
    values add nothing."""
    result = dict(ast)
    meta = dict(result.get("meta", {}))
    values = {**profile.journal, **profile.issue}
    journal = {str(k): _meta_value(v) for k, v in values.items()}
    journal.update({k: meta[k] for k in ARTICLE_JOURNAL_KEYS if k in meta})
    if journal:
        meta["journal"] = {"t": "MetaMap", "c": journal}
        if "license" in values and "rights" not in meta:
            meta["rights"] = _meta_value(values["license"])
        if "year" in values and "date" not in meta:  # EPUB dc:date = publication
            meta["date"] = _meta_value(values["year"])
    result["meta"] = meta
    return result


def meta_title(ast: dict[str, Any], *keys: str) -> str:
    """The plain text of ``meta.title`` of a pandoc JSON AST ('' when absent); with ``keys``,
    of that metadata value instead (``"journal", "doi"``: a MetaMap's entry)."""

    def text(node: Any) -> str:
        if isinstance(node, dict):
            kind, content = node.get("t"), node.get("c")
            if kind == "Str":
                return content
            if kind in ("Space", "SoftBreak", "LineBreak"):
                return " "
            return text(content)
        if isinstance(node, list):
            return "".join(text(n) for n in node)
        return node if isinstance(node, str) else ""

    node: Any = ast.get("meta", {})
    for key in keys or ("title",):
        node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get("t") == "MetaMap":
            node = node["c"]
    return text(node)

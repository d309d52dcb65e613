"""Front matter: the article's metadata, its running heads, the journal values in the AST.

The journal profile (``config/config.yaml``, :class:`build.profile.Profile`) gives the
journal's values, the issue file the issue's, the article's ``manuscript/metadata.yaml`` its own
(DOI, pages); the templates print them (``styles/templates/``).
"""

from __future__ import annotations

import json
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
    """Short author line for the verso running head, in the article's ``lang``: "Okafor and
    Lindqvist", "Du Bois et Lemaître" (fr), "Okafor et al." (3+ authors; de "u. a.").

    The family name is ``family`` (or ``surname``) when given, else the last word of ``name``
    with its particles (:func:`build.names.family_name`: "Anaïs Du Bois" -> "Du Bois"). The
    joining word is the CSL locale term "and" of the language (``and-words.json``), "et al."
    its term "et-al" (``lexicon/labels.yaml``); English for a language not listed.
    """
    from build.labels import and_word, labels_for
    from build.names import family_name

    lang = metadata.get("lang") if isinstance(metadata.get("lang"), str) else None
    names = [family_name(author) for author in metadata.get("author") or []]
    names = [n for n in names if n]
    if len(names) > 2:
        return f"{names[0]} {labels_for(lang)['et-al']}"
    return f" {and_word(lang)} ".join(names)


def running_heads(metadata: dict[str, Any], profile: Profile) -> tuple[str, str]:
    """(recto, verso) running-head texts: the profile's values, else ``running-head`` (or the
    title) on the recto and the authors' surnames on the verso."""
    recto = profile.running_head_recto or metadata.get("running-head") or metadata["title"]
    verso = profile.running_head_verso or author_surnames(metadata)
    return str(recto), str(verso)


def epub_identifier(
    title: str,
    configured: str | None = None,
    doi: str | None = None,
    digest: str = "",
    given: str | None = None,
) -> str:
    """The EPUB's fixed ``dc:identifier`` (EPUB 3.3 §5.5.3.1).

    Args:
        title: the article's title (plain text).
        configured: ``epub.identifier`` of the journal profile.
        doi: the article's DOI (``doi:`` of its metadata).
        digest: a hash of the sources, for the UUID.
        given: ``identifier:`` of the article's metadata.
    Returns:
        ``given`` as written; else ``configured``; else ``doi:<doi>``; else a name-based UUID
        (v5) of the title and ``digest``, so that rebuilding the same sources gives the same
        identifier.
    """
    if given:
        return given
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


#: Keys of an article's own metadata (``manuscript/metadata.yaml``) that the masthead and the
#: scholarly ``<meta>`` tags print with the journal's and the issue's values (in ``journal``).
ARTICLE_JOURNAL_KEYS = ("doi", "pages", "first-page", "last-page", "article-number")

#: The metadata keys :func:`add_profile_meta` derives (and :func:`with_jsonld`): a value given
#: for one in metadata.yaml is dropped, so that what prints is what the pipeline made from
#: validated values.
DERIVED_KEYS = (
    "masthead", "history", "citation-date", "publication-date", "corresponding", "orcid-list",
    "author-info", "citation-references", "scholarly-jsonld", "journal",
)  # fmt: skip

#: The article's history in the masthead: (metadata key, flag in the template's ``history``
#: entries). ``date`` is pandoc's date: the publication date (docs/conventions.md).
HISTORY_KEYS = (("received", "received"), ("accepted", "accepted"), ("date", "published"))


def format_date(iso: str, lang: str = "") -> str:
    """A validated ISO 8601 date (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) as printed in ``lang``
    (BCP 47): the CSL locale's month names and "text" date form of its language
    (``lexicon/labels.yaml``: ``30 June 2025``, ``12 mars 2025``, ``12. März 2025``,
    ``12 de marzo de 2025``); the ISO date as written for no ``lang`` or a language the
    labels lack (no month names are invented)."""
    from build.labels import known_language, labels_for

    parts = iso.split("-")
    if not known_language(lang) or not all(p.isdigit() for p in parts):
        return iso
    if len(parts) == 1:
        return parts[0]
    words = labels_for(lang)
    month = words["months"][int(parts[1]) - 1]
    if len(parts) == 2:
        return words["month-year-format"].format(month=month, year=parts[0])
    return words["date-format"].format(day=int(parts[2]), month=month, year=parts[0])


def _string(value: Any) -> str:
    """A metadata value of ``metadata.json`` as text ('' for None, a list or a mapping)."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _license(meta: dict[str, Any], raw: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """The ``license`` MetaMap: the article's ``license:`` (a name, or name/url/text), else the
    profile's ``journal.license`` (a name or statement, or a URL) and ``journal.license_url``.
    Name and text keep their sanitized inlines (emphasis may stay); the URL is the validated
    string."""
    own = raw.get("license")
    node = meta.get("license")
    result: dict[str, Any] = {}
    if own:
        if isinstance(own, dict):
            fields = node.get("c", {}) if isinstance(node, dict) else {}
            for key in ("name", "text"):
                if own.get(key):
                    result[key] = fields.get(key) or _meta_value(own[key])
            if own.get("url"):
                result["url"] = _meta_value(own["url"])
        else:
            result["name"] = node if isinstance(node, dict) else _meta_value(own)
        return result
    name = profile.journal.get("license", "")
    if name.startswith(("http://", "https://")):
        result["url"] = _meta_value(name)
    elif name:
        result["name"] = _meta_value(name)
    if profile.journal.get("license_url"):
        result["url"] = _meta_value(profile.journal["license_url"])
    return result


def cited_ids(ast: dict[str, Any]) -> set[str]:
    """The citation ids of every ``Cite`` of the article: its body (footnotes and generated
    tables included) and its metadata (a citation in the abstract), but not ``nocite`` (its
    works print in the reference list without being cited: ``nocite: "@*"`` or ``"@key"``).

    Args:
        ast: pandoc's JSON AST (after citeproc or before: the ``Cite`` elements stay).

    Returns:
        the ``citationId`` values as written (pandoc's ``#ref-<id>`` of the entries).
    """
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("t") == "Cite":
                found.update(c["citationId"] for c in node["c"][0])
            walk(node.get("c"))

    walk(ast.get("blocks", []))
    walk([v for k, v in ast.get("meta", {}).items() if k != "nocite"])
    return found


def _cited_works(ast: dict[str, Any]) -> list[str]:
    """The plain text of each entry of the reference list (pandoc citeproc's ``#refs`` div of
    ``csl-entry`` divs) that a citation of the article names (:func:`cited_ids`), in the
    list's order: Google Scholar's ``citation_reference`` is one tag per cited work, so an
    entry printed only through ``nocite`` is left out."""
    cited = cited_ids(ast)
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if node.get("t") == "Div":
                (ident, classes, _), content = node["c"]
                if "csl-entry" in classes and ident.startswith("ref-"):
                    text = " ".join(plain_text(content).split())
                    if text and ident.removeprefix("ref-") in cited:
                        found.append(text)
                    return
            walk(node.get("c"))

    walk(ast.get("blocks", []))
    return found


def add_profile_meta(
    ast: dict[str, Any], profile: Profile, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return a copy of ``ast`` with the front matter the templates print
    (``styles/templates/masthead.html``, ``titleblock.html``, ``scholarmeta.html``).

    Args:
        ast: pandoc's JSON AST of the article (after the parse layer's filters).
        profile: the journal profile; ``journal`` and ``issue`` give the journal's and the
            issue's values.
        metadata: the article's checked metadata (``metadata.json`` of the manuscript stage,
            validated against ``config/metadata.schema.yaml``); its typed values (DOI, ORCID,
            ROR, e-mail, URLs, dates, pages) are taken as written, so that no Markdown reading
            changes them. None: they are read from the AST's metadata instead.

    Returns:
        the AST with, in ``meta`` and only for values that are set: ``journal`` (name, issn,
        volume, issue, year, doi, pages, first-page, last-page, article-number; ``pages`` is
        ``first-page–last-page`` when only those are given), ``license`` (name, url, text),
        ``rights`` (the EPUB's ``dc:rights``), ``history`` (received, accepted, published:
        ``iso`` and printed ``text``), ``citation-date`` (``YYYY/MM/DD``, Google Scholar's
        form), ``orcid``/``email`` of ``authors``, ``ror`` of ``affiliation-list``,
        ``corresponding`` (name, email), ``orcid-list``, ``author-info``,
        ``citation-references`` (the cited works of the reference list as text, no ``nocite``
        one) and the ``masthead`` flags. The publication date is the article's ``date:`` only
        (never the issue's year or the build date). Unset values add nothing: without any,
        the AST is returned unchanged.
    """
    result = dict(ast)
    meta = {k: v for k, v in result.get("meta", {}).items() if k not in DERIVED_KEYS}
    raw = metadata if metadata is not None else {k: meta_title(ast, k) for k in meta}
    lang = _string(raw.get("lang"))
    values = {k: v for k, v in {**profile.journal, **profile.issue}.items() if v}
    values.pop("license", None)
    values.pop("license_url", None)
    journal = {str(k): _meta_value(v) for k, v in values.items()}
    for key in ARTICLE_JOURNAL_KEYS:
        if _string(raw.get(key)):
            journal[key] = _meta_value(_string(raw[key]))
    first, last = _string(raw.get("first-page")), _string(raw.get("last-page"))
    if "pages" not in journal and first:
        journal["pages"] = _meta_value(f"{first}–{last}" if last and last != first else first)
    if "pages" in journal:
        journal["page-range"] = _meta_value("–" in plain_text(journal["pages"]))
    if journal:
        meta["journal"] = {"t": "MetaMap", "c": journal}
    license_ = _license(meta, raw, profile)
    if license_:
        meta["license"] = {"t": "MetaMap", "c": license_}
        if "rights" not in meta:
            parts = [plain_text(license_.get(k)).strip() for k in ("name", "text")]
            rights = " ".join(p for p in parts if p) or plain_text(license_["url"])
            meta["rights"] = _meta_value(rights)
    history = []
    for key, flag in HISTORY_KEYS:
        iso = _string(raw.get(key))
        if iso:
            entry = {flag: True, "iso": iso, "text": format_date(iso, lang)}
            history.append(_meta_value(entry))
    if history:
        meta["history"] = {"t": "MetaList", "c": history}
    if _string(raw.get("date")):
        meta["publication-date"] = _meta_value(_string(raw["date"]))
        meta["citation-date"] = _meta_value(_string(raw["date"]).replace("-", "/"))
    if _string(raw.get("identifier")):
        meta["identifier"] = _meta_value(_string(raw["identifier"]))
    _add_people(meta, raw)
    references = _cited_works(ast)
    if references:
        meta["citation-references"] = _meta_value(references)
    flags = {
        "journal": bool(values.get("name") or values.get("issn")),
        "issue": any(k in journal for k in ("volume", "issue", "year")),
        "pages": any(k in journal for k in ("pages", "article-number")),
        "doi": "doi" in journal,
        "history": bool(history),
        "license": bool(license_),
    }
    flags["right"] = any(flags[k] for k in ("issue", "pages", "doi"))
    flags["bar"] = flags["journal"] or flags["right"]
    flags["info"] = flags["history"] or flags["license"]
    if any(flags.values()):
        meta["masthead"] = _meta_value({k: v for k, v in flags.items() if v})
    result["meta"] = meta
    return result


def _add_people(meta: dict[str, Any], raw: dict[str, Any]) -> None:
    """Put each author's ``orcid`` and ``email`` into ``meta.authors`` (metadata.lua keeps the
    order of ``author``), each affiliation's ``ror`` into ``meta.affiliation-list``, and the
    lists ``corresponding`` (name, email) and ``orcid-list`` (name, orcid)."""
    authors = raw.get("author") if isinstance(raw.get("author"), list) else []
    listed = meta.get("authors", {}).get("c", []) if isinstance(meta.get("authors"), dict) else []
    corresponding, orcids = [], []
    people = []
    for index, node in enumerate(listed):
        own = authors[index] if index < len(authors) and isinstance(authors[index], dict) else {}
        fields = dict(node.get("c", {}))
        name = meta_title({"meta": fields}, "plain-name")
        for key in ("orcid", "email"):
            if _string(own.get(key)):
                fields[key] = _meta_value(_string(own[key]))
        if own.get("corresponding") is True and "email" in fields:
            corresponding.append(_meta_value({"name": name, "email": _string(own["email"])}))
        if "orcid" in fields:
            orcids.append(_meta_value({"name": name, "orcid": _string(own["orcid"])}))
        people.append({"t": "MetaMap", "c": fields})
    if listed:
        meta["authors"] = {"t": "MetaList", "c": people}
    affiliations = raw.get("affiliations") if isinstance(raw.get("affiliations"), list) else []
    node = meta.get("affiliation-list")
    if isinstance(node, dict) and any(isinstance(a, dict) and a.get("ror") for a in affiliations):
        entries = []
        for index, entry in enumerate(node["c"]):
            fields = dict(entry.get("c", {}))
            own = affiliations[index] if index < len(affiliations) else {}
            if isinstance(own, dict) and _string(own.get("ror")):
                fields["ror"] = _meta_value(_string(own["ror"]))
            entries.append({"t": "MetaMap", "c": fields})
        meta["affiliation-list"] = {"t": "MetaList", "c": entries}
    if corresponding:
        meta["corresponding"] = {"t": "MetaList", "c": corresponding}
    if orcids:
        meta["orcid-list"] = {"t": "MetaList", "c": orcids}
    if corresponding or orcids or "author-note" in meta:
        meta["author-info"] = _meta_value(True)


def plain_text(node: Any) -> str:
    """The plain text of pandoc JSON (inlines, blocks or a MetaValue), like pandoc's
    ``stringify``: quotes as curly quotes, notes left out, breaks as spaces."""
    if isinstance(node, list):
        return "".join(plain_text(n) for n in node)
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind in ("Str", "MetaString"):
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Note", "RawInline", "RawBlock"):
        return ""
    if kind == "Quoted":
        double = content[0]["t"] == "DoubleQuote"
        left, right = ("\u201c", "\u201d") if double else ("\u2018", "\u2019")
        return left + plain_text(content[1]) + right
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("Link", "Image", "Span", "Div", "Cite"):
        return plain_text(content[1])
    if kind == "Header":
        return plain_text(content[2])
    if kind in ("Para", "Plain"):
        return plain_text(content) + " "
    if kind in ("MetaBool", "MetaMap"):
        return ""
    return plain_text(content)


def meta_title(ast: dict[str, Any], *keys: str) -> str:
    """The plain text of ``meta.title`` of a pandoc JSON AST ('' when absent); with ``keys``,
    of that metadata value instead (``"journal", "doi"``: a MetaMap's entry)."""
    node: Any = ast.get("meta", {})
    for key in keys or ("title",):
        node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and node.get("t") == "MetaMap":
            node = node["c"]
    if isinstance(node, dict) and "t" not in node:
        return ""
    return plain_text(node).strip()


def _entries(ast: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The MetaMap entries (their ``c`` dicts) of the MetaList ``meta[key]``."""
    node = ast.get("meta", {}).get(key)
    items = node.get("c", []) if isinstance(node, dict) and node.get("t") == "MetaList" else []
    return [item["c"] for item in items if isinstance(item, dict) and item.get("t") == "MetaMap"]


def scholarly_article(ast: dict[str, Any]) -> dict[str, Any]:
    """The article as a schema.org ``ScholarlyArticle`` (JSON-LD, https://schema.org/): title,
    authors (ORCID, affiliations with ROR), date, journal, volume and issue, pages, DOI,
    licence, language, keywords, abstract and the reference list, from the AST's metadata
    after :func:`add_profile_meta`. Unknown values are left out."""

    def value(*keys: str) -> str:
        return meta_title(ast, *keys)

    marks = {}
    for entry in _entries(ast, "affiliation-list"):
        org: dict[str, Any] = {"@type": "Organization", "name": plain_text(entry.get("name"))}
        if plain_text(entry.get("ror")):
            org["identifier"] = f"https://ror.org/{plain_text(entry['ror'])}"
        marks[plain_text(entry.get("mark"))] = org
    authors = []
    for entry in _entries(ast, "authors"):
        person: dict[str, Any] = {"@type": "Person", "name": plain_text(entry.get("plain-name"))}
        if plain_text(entry.get("orcid")):
            person["identifier"] = f"https://orcid.org/{plain_text(entry['orcid'])}"
        if plain_text(entry.get("email")) and entry.get("corresponding", {}).get("c"):
            person["email"] = plain_text(entry["email"])
        marks_node = entry.get("marks", {}).get("c", [])
        affiliations = [marks[m] for m in map(plain_text, marks_node) if m in marks]
        if affiliations:
            person["affiliation"] = affiliations
        authors.append(person)
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ScholarlyArticle",
        "headline": value("title"),
        "name": value("title"),
    }
    optional: dict[str, Any] = {
        "author": authors,
        "datePublished": value("date") if value("citation-date") else "",
        "inLanguage": value("lang"),
        "keywords": ", ".join(
            plain_text(k).strip() for k in ast.get("meta", {}).get("keywords", {}).get("c", [])
        ),
        "abstract": value("description"),
        "pageStart": value("journal", "first-page"),
        "pageEnd": value("journal", "last-page"),
        "pagination": value("journal", "pages"),
        "license": value("license", "url") or value("license", "name"),
        "citation": [
            {"@type": "CreativeWork", "name": plain_text(r)}
            for r in ast.get("meta", {}).get("citation-references", {}).get("c", [])
        ],
    }
    doi = value("journal", "doi")
    if doi:
        optional["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": doi}
        optional["url"] = f"https://doi.org/{doi}"
    if value("journal", "article-number"):
        optional["pagination"] = optional["pagination"] or value("journal", "article-number")
    part: dict[str, Any] = {}
    if value("journal", "name") or value("journal", "issn"):
        part = {"@type": "Periodical"}
        if value("journal", "name"):
            part["name"] = value("journal", "name")
        if value("journal", "issn"):
            part["issn"] = value("journal", "issn")
    if value("journal", "volume"):
        part = {"@type": "PublicationVolume", "volumeNumber": value("journal", "volume"),
                **({"isPartOf": part} if part else {})}  # fmt: skip
    if value("journal", "issue"):
        part = {"@type": "PublicationIssue", "issueNumber": value("journal", "issue"),
                **({"isPartOf": part} if part else {})}  # fmt: skip
    if part:
        optional["isPartOf"] = part
    article.update({k: v for k, v in optional.items() if v})
    return article


def json_for_script(data: Any) -> str:
    """``data`` as JSON text that is safe inside an HTML ``<script>`` element (HTML 5.2 §4.12.1.3,
    restrictions for contents of script elements): ``<``, ``>`` and ``&`` are written as JSON
    escapes (``\\u003c``...), so that ``</script>`` or ``<!--`` in a title cannot end the element;
    the JSON parses to the same values."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def with_jsonld(ast: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``ast`` whose ``meta.scholarly-jsonld`` is the ``<script
    type="application/ld+json">`` of :func:`scholarly_article` as a raw HTML block (printed by
    ``scholarmeta.html``). Added by the HTML writer only, after the parse layer's sanitizing:
    its text is made here from the sanitized metadata and escaped by :func:`json_for_script`."""
    script = (
        '<script type="application/ld+json">'
        + json_for_script(scholarly_article(ast))
        + "</script>"
    )
    meta = dict(ast.get("meta", {}))
    meta["scholarly-jsonld"] = {"t": "MetaBlocks", "c": [{"t": "RawBlock", "c": ["html", script]}]}
    return {**ast, "meta": meta}


#: What a journal prints that an article may leave empty: (field, where it is set). The field
#: names are those of :func:`missing_front_matter`.
FRONT_MATTER_FIELDS = (
    ("journal.name", "set journal.name in config/config.yaml"),
    ("journal.issn", "set journal.issn (NNNN-NNNC) in config/config.yaml"),
    ("license", "set journal.license in config/config.yaml or license: in metadata.yaml"),
    ("volume", "set volume: in config/issue.yaml"),
    ("issue", "set number: in config/issue.yaml"),
    ("year", "set date: (YYYY-MM-DD) in config/issue.yaml"),
    ("doi", "add doi: 10.NNNN/... to metadata.yaml once the DOI is registered"),
    ("pages", "add first-page: and last-page: (or pages:, or article-number:) to metadata.yaml"),
    ("date", "add the publication date, date: YYYY-MM-DD, to metadata.yaml"),
    ("received", "add received: YYYY-MM-DD to metadata.yaml"),
    ("accepted", "add accepted: YYYY-MM-DD to metadata.yaml"),
)


def missing_front_matter(
    metadata: dict[str, Any], profile: Profile | None = None
) -> list[tuple[str, str]]:
    """The front-matter fields a journal prints that are empty, for ``article preflight``.

    Args:
        metadata: the article's metadata (``manuscript/metadata.yaml`` as loaded).
        profile: the journal profile with its issue values (None: the journal's and the issue's
            fields are not checked).
    Returns:
        ``(field, hint)`` pairs in :data:`FRONT_MATTER_FIELDS` order, then per author and
        affiliation: ``author[i].orcid``, ``affiliations[j].ror`` (0-based ``i``, ``j``) and
        ``corresponding`` (no author marked ``corresponding: true`` with an ``email:``; one
        marked without ``email:``: ``author[i].email``). Field
        names of the journal are ``journal.*`` (config/config.yaml), of the issue ``volume``,
        ``issue``, ``year`` (config/issue.yaml), the others metadata.yaml keys. Pure: reads no
        file; an empty list when everything is set.
    """
    journal = profile.journal if profile else {}
    issue = profile.issue if profile else {}
    present = {
        "journal.name": bool(journal.get("name")),
        "journal.issn": bool(journal.get("issn")),
        "license": bool(metadata.get("license") or journal.get("license")),
        "volume": bool(issue.get("volume")),
        "issue": bool(issue.get("issue")),
        "year": bool(issue.get("year")),
        "pages": any(_string(metadata.get(k)) for k in ("pages", "first-page", "article-number")),
    }
    missing = []
    for field, hint in FRONT_MATTER_FIELDS:
        if profile is None and field in ("journal.name", "journal.issn", "volume", "issue", "year"):
            continue
        if not present.get(field, bool(_string(metadata.get(field)))):
            missing.append((field, hint))
    authors = metadata.get("author") if isinstance(metadata.get("author"), list) else []
    for index, author in enumerate(authors):
        if not (isinstance(author, dict) and _string(author.get("orcid"))):
            missing.append(
                (f"author[{index}].orcid", "add orcid: NNNN-NNNN-NNNN-NNNN to the author")
            )
    affiliations = metadata.get("affiliations")
    for index, affiliation in enumerate(affiliations if isinstance(affiliations, list) else []):
        if not (isinstance(affiliation, dict) and _string(affiliation.get("ror"))):
            missing.append((f"affiliations[{index}].ror", "add ror: (the ROR id, e.g. 05dxps055)"))
    if not any(
        isinstance(a, dict) and a.get("corresponding") is True and _string(a.get("email"))
        for a in authors
    ):
        marked = [
            i for i, a in enumerate(authors) if isinstance(a, dict) and a.get("corresponding")
        ]
        if marked:  # marked, but readers have no address to write to
            field, hint = f"author[{marked[0]}].email", "give the corresponding author's email:"
        else:
            field, hint = "corresponding", "mark one author corresponding: true and give an email:"
        missing.append((field, hint))
    return missing

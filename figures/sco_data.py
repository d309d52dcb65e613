"""The data of this article: summits, membership and bodies of the SCO, read from
manuscript/data/ (``summits.yaml``, ``membership.yaml``, ``bodies.yaml``) for the scripts of
figures/ (``tbl-summits.py``, ``fig-timeline.py``, ``fig-bodies.py``).

The pipeline's :mod:`build.data` parses the files and checks them against their schemas in
manuscript/data/schemas/ and their citekeys against refs.bib; this module adds what the schemas
cannot say (ids unique, summits in order and numbered from 1, participants members by then,
relations between known bodies) and turns the documents into the :class:`Dataset` the scripts
draw. The article's text is the only authority for the facts; the data files quote it.

A helper module, not a script: its name does not start with ``fig-`` or ``tbl-``. The scripts
run as ``python figures/NAME.py``, so this folder is on ``sys.path``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from build.data import (
    Fact,
    FieldPath,
    Located,
    PartialDate,
    Source,
    fact_of,
    load_documents,
    one_or_list,
    sources_of,
)
from build.errors import DataError


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
        date = PartialDate.parse(raw["date"]["value"])  # a real date: the schema checked it
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


def read(documents: Mapping[str, Located]) -> Dataset:
    """Check what the schemas cannot say and turn the documents into a :class:`Dataset`.

    Args:
        documents: stem (``summits``, ``membership``, ``bodies``) -> document already checked
            against its schema (:func:`build.data.load_documents`); any subset; other stems
            are ignored.

    Returns:
        The dataset, with facts in file order (absent files give empty tuples).

    Raises:
        DataError: the single problem found, or :class:`build.data.DataErrorList` with all.
    """
    problems: list[DataError] = []
    valid = dict(documents)
    members: tuple[Member, ...] = ()
    if "membership" in valid:
        problems += _check_membership(valid["membership"])
        members = tuple(
            Member(m["state"], m["joined"], m["founder"], sources_of(m["sources"]))
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
                date=fact_of(s["date"], PartialDate.parse),
                city=fact_of(s["city"]),
                host_country=fact_of(s["host_country"]),
                participants=fact_of(s["participants"], tuple),
                decisions=tuple(Fact(d["text"], sources_of(d["sources"])) for d in s["decisions"]),
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
                role=fact_of(b["role"]),
                seat=fact_of(b.get("seat")),
                established=fact_of(b.get("established"), PartialDate.parse),
            )
            for b in valid["bodies"].data["bodies"]
        )
        relations = tuple(
            Relation(r["from"], r["to"], r["text"], sources_of(r["sources"]))
            for r in valid["bodies"].data["relations"]
        )
    if problems:
        raise one_or_list(problems)
    return Dataset(summits, members, bodies, relations)


def load(
    paths: Iterable[Path | str], schema_dir: Path | str | None = None, bib: Path | str | None = None
) -> Dataset:
    """Read, check and convert data files given by path (:func:`build.data.load_documents`,
    then :func:`read`)."""
    return read(load_documents(paths, schema_dir, bib))

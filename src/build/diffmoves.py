"""Revision diffs: aligning two sequences (of blocks or of sentences) with moves.

Terms: an *item* is a block or a sentence; its *key* the token keys compared. Two items are
*equal* when their keys are. Of the equal pairs (the k-th occurrence of a key in the old
sequence with its k-th occurrence in the new one, so an item that appears once more in the new
revision is an insertion, never a move), those on *every* longest order-preserving chain stay
in place; the others *moved* (so of two swapped items both moved, while one item taken past
several others is the only one moved). Between two items in place, the rest is aligned by
:func:`difflib.SequenceMatcher` and paired by similarity (:data:`PAIR_RATIO`).
Pure: sequences in, alignments out.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

#: Blocks or sentences of a replaced range are paired when their similarity reaches this.
PAIR_RATIO = 0.5


def ratio(a: Sequence[str], b: Sequence[str]) -> float:
    """Similarity of two key sequences (``SequenceMatcher.ratio``; 0.0 when the quick upper
    bounds are already below :data:`PAIR_RATIO`)."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_RATIO or matcher.quick_ratio() < PAIR_RATIO:
        return 0.0
    return matcher.ratio()


def hashable(value: Any) -> Any:
    """A key as a dictionary key (lists become tuples)."""
    return tuple(value) if isinstance(value, list) else value


def in_every_lis(sequence: Sequence[int]) -> list[bool]:
    """For each number, whether it lies on every longest strictly increasing subsequence.

    An element lies on some longest chain when the longest chain ending at it plus the longest
    starting at it make the maximum; on every one when it is the only such element of its
    rank. O(n²), n the number of equal pairs.
    """
    n = len(sequence)
    ending, starting = [1] * n, [1] * n
    for i in range(n):
        for j in range(i):
            if sequence[j] < sequence[i] and ending[j] + 1 > ending[i]:
                ending[i] = ending[j] + 1
    for i in reversed(range(n)):
        for j in range(i + 1, n):
            if sequence[j] > sequence[i] and starting[j] + 1 > starting[i]:
                starting[i] = starting[j] + 1
    longest = max(ending, default=0)
    on_some = [ending[i] + starting[i] - 1 == longest for i in range(n)]
    ranks = Counter(ending[i] for i in range(n) if on_some[i])
    return [on_some[i] and ranks[ending[i]] == 1 for i in range(n)]


def heaviest_chain(sequence: Sequence[int], weights: Sequence[int]) -> list[bool]:
    """For each number, whether it lies on the chosen heaviest strictly increasing
    subsequence (the sum of its elements' ``weights`` the largest; of equal ones, the first
    found). O(n²).

    Raises:
        ValueError: ``sequence`` and ``weights`` differ in length.
    """
    n = len(sequence)
    if len(weights) != n:
        raise ValueError(f"{n} numbers but {len(weights)} weights")
    best = list(weights)
    before = [-1] * n
    for i in range(n):
        for j in range(i):
            if sequence[j] < sequence[i] and best[j] + weights[i] > best[i]:
                best[i], before[i] = best[j] + weights[i], j
    chosen = [False] * n
    at = max(range(n), key=lambda i: best[i], default=-1)
    while at >= 0:
        chosen[at] = True
        at = before[at]
    return chosen


def _pair(
    old: Sequence[Any], new: Sequence[Any], key: Callable, compatible: Callable | None
) -> list[tuple[Any, Any]]:
    """Pair items of a replaced range in order: each old item with the first later new item
    of ratio >= PAIR_RATIO; unpaired items come with ``None``. Reading order of ``new`` is kept,
    an unpaired old item goes before the next new item that follows its place."""
    result: list[tuple[Any, Any]] = []
    j = 0
    for item in old:
        match = None
        for k in range(j, len(new)):
            if compatible and not compatible(item, new[k]):
                continue
            if ratio(key(item), key(new[k])) >= PAIR_RATIO:
                match = k
                break
        if match is None:
            result.append((item, None))
            continue
        result.extend((None, n) for n in new[j:match])
        result.append((item, new[match]))
        j = match + 1
    result.extend((None, n) for n in new[j:])
    return result


def align(
    old: Sequence[Any], new: Sequence[Any], key: Callable, compatible: Callable | None = None
) -> list[tuple[Any, Any]]:
    """Align two sequences without moves: (old, new) pairs, equal items paired, replaced ranges
    paired by similarity (:func:`_pair`), the rest with ``None`` on one side."""
    matcher = difflib.SequenceMatcher(
        None, [hashable(key(o)) for o in old], [hashable(key(n)) for n in new], autojunk=False
    )
    result: list[tuple[Any, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        elif tag == "delete":
            result.extend((o, None) for o in old[i1:i2])
        elif tag == "insert":
            result.extend((None, n) for n in new[j1:j2])
        else:
            result.extend(_pair(old[i1:i2], new[j1:j2], key, compatible))
    return result


def align_with_moves(
    old: Sequence[Any],
    new: Sequence[Any],
    key: Callable,
    compatible: Callable | None = None,
    movable: Callable | None = None,
) -> list[tuple[Any, Any, str]]:
    """Align two sequences, equal items out of order marked as moved (see the module's terms).

    Args:
        old, new: the items; key: item -> list of str; compatible: (old, new) -> bool, whether
            two items may be paired by similarity; movable: item -> bool (default: all).

    Returns:
        (old item, new item, role) in reading order: role ``""`` for a pair or an item with
        ``None`` on the other side, ``"from"`` at a moved item's old place and ``"to"`` at its
        new place (both entries carry both items).
    """
    old_keys = [hashable(key(o)) for o in old]
    new_keys = [hashable(key(n)) for n in new]
    pool: dict[Any, list[int]] = {}
    for i, k in enumerate(old_keys):
        pool.setdefault(k, []).append(i)
    pairs = []
    for j, k in enumerate(new_keys):
        if pool.get(k):
            pairs.append((pool[k].pop(0), j))
    pairs.sort()
    keep = in_every_lis([j for _, j in pairs])
    anchors = [p for p, kept in zip(pairs, keep, strict=True) if kept]
    moved_old = {
        i: j for (i, j), kept in zip(pairs, keep, strict=True) if not kept and _can(movable, old[i])
    }
    moved_new = {j: i for i, j in moved_old.items()}
    out: list[tuple[Any, Any, str]] = []
    bounds = [(-1, -1), *anchors, (len(old), len(new))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        olds = [i for i in range(i0 + 1, i1) if i not in moved_old]
        news = [j for j in range(j0 + 1, j1) if j not in moved_new]
        froms = [i for i in range(i0 + 1, i1) if i in moved_old]
        tos = [j for j in range(j0 + 1, j1) if j in moved_new]
        aligned = _align_indices(old, new, olds, news, key, compatible)
        for a, b in aligned:
            while froms and a is not None and froms[0] < a:
                i = froms.pop(0)
                out.append((old[i], new[moved_old[i]], "from"))
            while tos and b is not None and tos[0] < b:
                j = tos.pop(0)
                out.append((old[moved_new[j]], new[j], "to"))
            out.append((old[a] if a is not None else None, new[b] if b is not None else None, ""))
        while froms or tos:  # the rest in place order, an old place before a new one
            if froms and (not tos or froms[0] - i0 <= tos[0] - j0):
                i = froms.pop(0)
                out.append((old[i], new[moved_old[i]], "from"))
            else:
                j = tos.pop(0)
                out.append((old[moved_new[j]], new[j], "to"))
        if i1 < len(old):
            out.append((old[i1], new[j1], ""))
    return out


def _can(movable: Callable | None, item: Any) -> bool:
    return movable is None or bool(movable(item))


def _align_indices(
    old: Sequence[Any],
    new: Sequence[Any],
    olds: list[int],
    news: list[int],
    key: Callable,
    compatible: Callable | None,
) -> list[tuple[int | None, int | None]]:
    """:func:`align` on the items at ``olds`` and ``news``, as index pairs."""
    pairs = align(
        [(i, old[i]) for i in olds],
        [(j, new[j]) for j in news],
        lambda x: key(x[1]),
        (lambda a, b: compatible(a[1], b[1])) if compatible else None,
    )
    return [(a[0] if a else None, b[0] if b else None) for a, b in pairs]

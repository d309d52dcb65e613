# data: summits.yaml membership.yaml
"""Figure 1: the Shanghai Five summits and the SCO's enlargement, 1996–2017.

Reads: manuscript/data/summits.yaml and manuscript/data/membership.yaml (given as arguments).
Writes: the SVG (``--svg``), the print SVG (``--print-svg``) and the pandoc Markdown that
places it (``--markdown``).

Usage::

    python figures/fig-timeline.py --svg output/generated/fig-timeline.svg
        --print-svg output/generated/fig-timeline.print.svg
        --markdown output/generated/fig-timeline.md --text-width-mm 165
        --schemas manuscript/data/schemas
        manuscript/data/summits.yaml manuscript/data/membership.yaml

(one command line, shown on five; build.figures.figure_command). Drawn at the printed text
width (``--text-width-mm``, from the journal profile) in the journal's font. Dates the
article gives as a year only are drawn mid-year with an open marker. The axis is broken
between 2002 and 2016, years in which the article reports no summit and no new member.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from sco_data import Dataset, Summit, read

from build.figures import figure_command, figure_style

FIGURE_ID = "fig-timeline"
CAPTION = "The Shanghai Five Summits and the Enlargement of the SCO, 1996–2017"
HEIGHT_MM = 82.0
EARLY = (1995.75, 2002.25)  # years shown on the left part of the broken axis
LATE = (2016.3, 2018.0)  # and on the right part
INK, GREY, LIGHT = "#1a1a1a", "#6b6b6b", "#e4e4e4"


def _place(summit: Summit) -> str:
    """The city, else the host country, else "" (the article names neither)."""
    if summit.city is not None:
        return summit.city.value
    if summit.host_country is not None:
        return summit.host_country.value
    return ""


def summit_label(summit: Summit) -> str:
    """Three short lines: which meeting, where, when (as precise as the article)."""
    head = "SCO founded" if summit.kind == "founding" else f"Summit {summit.ordinal}"
    place = _place(summit) or "place not stated"
    return f"{head}\n{place}\n{summit.date.value.display()}"


def enlargement(dataset: Dataset) -> list[tuple[int, list[str], int]]:
    """``(year, states joining that year, members after it)`` in year order."""
    years = sorted({m.joined for m in dataset.members})
    rows = []
    for year in years:
        joining = [m.state for m in dataset.members if m.joined == year]
        total = sum(1 for m in dataset.members if m.joined <= year)
        rows.append((year, joining, total))
    return rows


def alt_text(dataset: Dataset) -> str:
    """What the figure shows, in words, from the same data (WCAG 2.1 SC 1.1.1)."""
    summits = "; ".join(
        f"{s.date.value.display()}"
        + (f" in {_place(s)}" if _place(s) else "")
        + (" (founding of the SCO)" if s.kind == "founding" else f" (summit {s.ordinal})")
        for s in dataset.summits
    )
    joins = "; ".join(
        f"{year}: {', '.join(states)} ({total} members)"
        for year, states, total in enlargement(dataset)
    )
    return (
        "Timeline from 1996 to 2017 with two rows. Upper row, the meetings: "
        f"{summits}. Lower row, the members joining: {joins}."
    )


def _break_marks(left, right) -> None:
    size = 0.012
    kwargs = {"color": INK, "clip_on": False, "linewidth": 0.6}
    for ax, x in ((left, 1.0), (right, 0.0)):
        for y in (0.0,):
            scale = 1.0 if ax is left else 4.0  # right axes are narrower: same slant on paper
            ax.plot(
                (x - size * scale, x + size * scale),
                (y - 0.03, y + 0.03),
                transform=ax.transAxes,
                **kwargs,
            )


def draw(dataset: Dataset, width_mm: float):
    """Draw the timeline ``width_mm`` wide; returns a matplotlib Figure (pure: reads nothing,
    writes nothing)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    mm = 1 / 25.4
    with matplotlib.rc_context(figure_style()):
        fig, (left, right) = plt.subplots(
            1,
            2,
            figsize=(width_mm * mm, HEIGHT_MM * mm),
            gridspec_kw={
                "width_ratios": [EARLY[1] - EARLY[0], (LATE[1] - LATE[0]) * 1.6],
                "wspace": 0.05,
            },
        )
        fig.subplots_adjust(left=0.13, right=0.985, top=0.97, bottom=0.1)
        summit_y, member_y = 1.0, 0.0
        for ax, (x0, x1) in ((left, EARLY), (right, LATE)):
            ax.set_xlim(x0, x1)
            ax.set_ylim(-1.05, 2.05)
            for side in ("left", "right", "top"):
                ax.spines[side].set_visible(False)
            ax.set_yticks([])
            ax.tick_params(axis="x", length=3, width=0.6, labelsize=8, color=INK)
            ax.axhline(summit_y, color=LIGHT, linewidth=4, zorder=0, solid_capstyle="butt")
            ax.axhline(member_y, color=LIGHT, linewidth=4, zorder=0, solid_capstyle="butt")
        left.set_xticks(range(1996, 2003))
        right.set_xticks([2017])
        right.spines["left"].set_visible(False)
        _break_marks(left, right)
        left.text(EARLY[0] - 0.15, summit_y, "Meetings", ha="right", va="center", fontsize=9)
        left.text(
            EARLY[0] - 0.15,
            member_y,
            "Members\njoining",
            ha="right",
            va="center",
            fontsize=9,
            linespacing=1.1,
        )

        for index, summit in enumerate(dataset.summits):
            x = summit.date.value.decimal_year()
            precise = summit.date.value.day is not None
            ax = left if x <= EARLY[1] else right
            ax.plot(
                [x],
                [summit_y],
                marker="o",
                markersize=5.5,
                zorder=3,
                markerfacecolor=INK if precise else "white",
                markeredgecolor=INK,
                markeredgewidth=1.0,
            )
            up = index % 2 == 0
            y_text = summit_y + (0.28 if up else -0.28)
            ax.plot([x, x], [summit_y, y_text], color=GREY, linewidth=0.5, zorder=1)
            ax.text(
                x,
                y_text + (0.04 if up else -0.04),
                summit_label(summit),
                ha="center",
                va="bottom" if up else "top",
                fontsize=7.5,
                linespacing=1.1,
            )

        for year, states, total in enlargement(dataset):
            x = year + 0.5  # the article gives the year only
            ax = left if x <= EARLY[1] else right
            ax.plot(
                [x],
                [member_y],
                marker="s",
                markersize=5,
                zorder=3,
                markerfacecolor="white",
                markeredgecolor=INK,
                markeredgewidth=1.0,
            )
            names = _wrap_states(states)
            ax.text(
                x,
                member_y - 0.2,
                f"{names}\n({total} members)",
                ha="center",
                va="top",
                fontsize=7.5,
                linespacing=1.1,
            )
        left.text(
            EARLY[0],
            -1.0,
            "Open marker: year only (drawn mid-year).",
            fontsize=7,
            color=GREY,
            va="bottom",
        )
    return fig


def _wrap_states(states: Sequence[str], width: int = 22) -> str:
    lines, line = [], ""
    for index, state in enumerate(states):
        piece = state + ("," if index < len(states) - 1 else "")
        if line and len(line) + 1 + len(piece) > width:
            lines.append(line)
            line = piece
        else:
            line = f"{line} {piece}".strip()
    lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: data files in, SVG and Markdown out; returns the exit code."""
    return figure_command(
        argv,
        description=__doc__.splitlines()[0],
        figure_id=FIGURE_ID,
        caption=CAPTION,
        read=read,
        draw=draw,
        alt_text=alt_text,
    )


if __name__ == "__main__":
    sys.exit(main())

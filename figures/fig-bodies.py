# data: bodies.yaml
"""Figure 2: the SCO's bodies and their relations as the article sets them out from the Charter.

Reads: manuscript/data/bodies.yaml (given as an argument).
Writes: the SVG (``--svg``), the print SVG (``--print-svg``) and the pandoc Markdown that
places it (``--markdown``).

Usage::

    python figures/fig-bodies.py --svg output/generated/fig-bodies.svg
        --print-svg output/generated/fig-bodies.print.svg
        --markdown output/generated/fig-bodies.md --text-width-mm 165
        --schemas manuscript/data/schemas manuscript/data/bodies.yaml

(one command line, shown on four; build.figures.figure_command).

Layout: the highest decision-making body (the Council of Heads of State) on top, the other
councils and meetings in the middle row, the permanent bodies at the bottom; arrows are the
relations of bodies.yaml, labelled with what the article says. Each box names the Charter
article the article cites for the body. Drawn at the printed text width (``--text-width-mm``).
"""

from __future__ import annotations

import sys
import textwrap

from sco_data import Body, Dataset, read

from build.figures import figure_command, figure_style

FIGURE_ID = "fig-bodies"
CAPTION = "The Bodies of the SCO and Their Relations, With Their Articles in the SCO Charter"
HEIGHT_MM = 100.0
INK, GREY, FILL, PERMANENT_FILL = "#1a1a1a", "#5a5a5a", "#ffffff", "#ececec"
BOX_H = 0.2  # box height in axes units (the axes are 1 x 1)
ROWS_Y = {"top": 0.86, "middle": 0.53, "bottom": 0.2}


def tier(body: Body, bodies: tuple[Body, ...]) -> str:
    """``top`` for the first body, the article's highest decision-making body, ``bottom`` for
    permanent bodies, else ``middle``."""
    if body is bodies[0]:
        return "top"
    return "bottom" if body.permanent else "middle"


def box_text(body: Body, width: int) -> str:
    """Name (wrapped), then ``Charter Art. N`` and the seat when the article gives one."""
    lines = textwrap.wrap(body.name, width)
    detail = f"Charter Art. {body.charter_article}"
    if body.seat is not None:
        detail += f" · {body.seat.value}"
    return "\n".join(lines + [detail])


LANE_X = 0.94  # free vertical lane right of the middle row, for arrows that skip a row
MIDDLE_SPAN = (0.0, 0.87)


def layout(dataset: Dataset) -> dict[str, tuple[float, float, float]]:
    """Body id -> (x centre, y centre, width) in axes units (the axes are 1 x 1).

    Top: the first body, centred. Middle: the other non-permanent bodies, evenly spread over
    :data:`MIDDLE_SPAN`. Bottom: each permanent body under the middle body that has a relation
    to it, else at the right.
    """
    rows: dict[str, list[Body]] = {"top": [], "middle": [], "bottom": []}
    for body in dataset.bodies:
        rows[tier(body, dataset.bodies)].append(body)
    places: dict[str, tuple[float, float, float]] = {}
    for body in rows["top"]:
        places[body.id] = (0.5, ROWS_Y["top"], 0.44)
    count = max(len(rows["middle"]), 1)
    gap = 0.02
    width = (MIDDLE_SPAN[1] - MIDDLE_SPAN[0] - (count - 1) * gap) / count
    for index, body in enumerate(rows["middle"]):
        x = MIDDLE_SPAN[0] + index * (width + gap) + width / 2
        places[body.id] = (x, ROWS_Y["middle"], width)
    free_x = 0.98
    for body in reversed(rows["bottom"]):
        above = [
            r.source
            for r in dataset.relations
            if r.target == body.id
            and r.source in places
            and places[r.source][1] == ROWS_Y["middle"]
        ]
        if above:
            places[body.id] = (places[above[0]][0], ROWS_Y["bottom"], 0.27)
        else:
            places[body.id] = (free_x - 0.17, ROWS_Y["bottom"], 0.34)
            free_x -= 0.38
    return places


def route(
    source: tuple[float, float, float], target: tuple[float, float, float]
) -> tuple[list[tuple[float, float]], tuple[float, float], str]:
    """Polyline of an arrow from box ``source`` to box ``target``, its label anchor and
    alignment. Adjacent rows with overlapping boxes: a vertical line inside the overlap.
    Otherwise: out of the source's right side, along :data:`LANE_X`, into the target's top."""
    (sx, sy, sw), (tx, ty, tw) = source, target
    low, high = max(sx - sw / 2, tx - tw / 2), min(sx + sw / 2, tx + tw / 2)
    half = BOX_H / 2
    if abs(sy - ty) < 0.5 and low < high:
        x = (low + high) / 2
        y0, y1 = (sy + half, ty - half) if sy < ty else (sy - half, ty + half)
        ha = "right" if x < 0.5 else "left"
        return [(x, y0), (x, y1)], (x + (-0.012 if ha == "right" else 0.012), (y0 + y1) / 2), ha
    x_side = sx + sw / 2
    points = [(x_side, sy), (LANE_X, sy), (LANE_X, ty + half)]
    return points, ((x_side + LANE_X) / 2, sy + 0.05), "center"


def alt_text(dataset: Dataset) -> str:
    """What the figure shows, in words, from the same data (WCAG 2.1 SC 1.1.1)."""
    bodies = "; ".join(
        f"{b.name} (Charter Article {b.charter_article}"
        + (f", seat {b.seat.value}" if b.seat else "")
        + (", permanent" if b.permanent else "")
        + ")"
        for b in dataset.bodies
    )
    names = {b.id: b.name for b in dataset.bodies}
    relations = "; ".join(
        f"from the {names[r.source]} to the {names[r.target]}, {r.text}" for r in dataset.relations
    )
    return (
        "Diagram of the bodies of the Shanghai Cooperation Organization, with the Council of "
        f"Heads of State on top and the permanent bodies at the bottom: {bodies}. "
        f"Arrows: {relations}."
    )


def draw(dataset: Dataset, width_mm: float):
    """Draw the diagram ``width_mm`` wide; returns a matplotlib Figure (pure: reads nothing,
    writes nothing)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

    mm = 1 / 25.4
    places = layout(dataset)
    with matplotlib.rc_context(figure_style()):
        fig = plt.figure(figsize=(width_mm * mm, HEIGHT_MM * mm))
        ax = fig.add_axes((0.005, 0.005, 0.99, 0.99))
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.axis("off")
        patches = {}
        for body in dataset.bodies:
            x, y, width = places[body.id]
            patch = FancyBboxPatch(
                (x - width / 2, y - BOX_H / 2),
                width,
                BOX_H,
                boxstyle="round,pad=0,rounding_size=0.012",
                facecolor=PERMANENT_FILL if body.permanent else FILL,
                edgecolor=INK,
                linewidth=0.8,
                mutation_aspect=width_mm / HEIGHT_MM,
            )
            ax.add_patch(patch)
            patches[body.id] = patch
            chars = int(width * 125)
            ax.text(
                x, y, box_text(body, chars), ha="center", va="center", fontsize=8, linespacing=1.15
            )
        ax.text(0.0, 0.0, "Grey boxes: permanent bodies.", fontsize=7.5, color=GREY, va="bottom")
        for relation in dataset.relations:
            points, (lx, ly), ha = route(places[relation.source], places[relation.target])
            xs, ys = zip(*points[:-1], strict=True)
            ax.plot(
                [*xs, points[-1][0]],
                [*ys, points[-1][1]],
                color=INK,
                linewidth=0.8,
                solid_joinstyle="miter",
            )
            ax.add_patch(
                FancyArrowPatch(
                    points[-2],
                    points[-1],
                    arrowstyle="-|>",
                    mutation_scale=9,
                    color=INK,
                    linewidth=0.8,
                    shrinkA=0,
                    shrinkB=0,
                )
            )
            ax.text(
                lx,
                ly,
                textwrap.fill(relation.text, 22),
                fontsize=7.5,
                ha=ha,
                va="bottom" if ha == "center" else "center",
                style="italic",
                linespacing=1.1,
            )
    return fig


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

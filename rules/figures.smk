# Figures generated from manuscript/data/ (issue 5): one script per figure, figures/fig-*.py,
# run by one wildcard rule with exactly the data files the script declares in its
# `# data: a.yaml b.yaml` line (build.figures.declared_data) as inputs, so a change to one data
# file rebuilds only the figures that read it. Outputs: the SVG (text as glyph outlines, for
# HTML and EPUB), the print SVG (text as text, for the PDF: searchable and faster for
# WeasyPrint; build.figures.figure_svg) and the pandoc Markdown (figure, caption, alt text)
# that src/build/styles/filters/generated.lua puts in place of the placeholder
# `::: {#fig-<name> .generated}` in the section files. Figures are drawn at the text width of
# the journal profile (build.render.text_width_mm).
import glob
import sys
from pathlib import Path

from build.figures import declared_data
from build.render import profile_from_config, text_width_mm


def declared_inputs(pattern):
    """Script stem -> the data files it declares, for every script matching ``pattern``."""
    return {
        Path(script).stem: declared_data(
            Path(script).read_text(encoding="utf-8"), script
        )
        for script in sorted(glob.glob(pattern))
    }


#: figure id (= figures/<id>.py) -> the data files its script reads (names in manuscript/data/)
FIGURE_INPUTS = declared_inputs("figures/fig-*.py")
#: helper modules of the scripts (figures/*.py not named fig-* or tbl-*), inputs of every script
SCRIPT_HELPERS = sorted(
    p
    for p in glob.glob("figures/*.py")
    if not Path(p).name.startswith(("fig-", "tbl-"))
)
#: the printed text width in mm (page width minus inner and outer margins)
TEXT_WIDTH_MM = text_width_mm(profile_from_config(config))

#: every generated figure file, for the render rules' inputs
GENERATED_FIGURES = expand(
    "output/generated/{figure}.{ext}",
    figure=sorted(FIGURE_INPUTS),
    ext=("svg", "print.svg", "md"),
)


rule draw_figure:
    input:
        script="figures/{figure}.py",
        helpers=SCRIPT_HELPERS,
        data=lambda wildcards: [
            f"manuscript/data/{name}" for name in FIGURE_INPUTS[wildcards.figure]
        ],
        schemas=glob.glob("manuscript/data/schemas/*.schema.json"),
    output:
        svg="output/generated/{figure}.svg",
        print_svg="output/generated/{figure}.print.svg",
        markdown="output/generated/{figure}.md",
    log:
        "output/logs/draw_figure/{figure}.log",
    wildcard_constraints:
        figure="fig-[a-z0-9-]+",
    params:
        python=sys.executable,
        width=TEXT_WIDTH_MM,
    message:
        "Drawing {wildcards.figure} from {input.data}"
    # The print SVG's path also goes in the environment (build.figures.PRINT_SVG_ENV) for
    # scripts of earlier revisions that `diff` builds; one that writes none gets the SVG.
    shell:
        "ARTICLE_PRINT_SVG={output.print_svg:q}"
        " {params.python} {input.script} --svg {output.svg} --print-svg {output.print_svg}"
        " --markdown {output.markdown} --text-width-mm {params.width}"
        " --schemas manuscript/data/schemas {input.data} > {log} 2>&1"
        " && {{ test -f {output.print_svg} || cp {output.svg} {output.print_svg}; }}"
        " || {{ head -n 3 {log} >&2; echo 'see {log}' >&2; exit 1; }}"

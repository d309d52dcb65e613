# Figures generated from manuscript/data/ (issue 5): one script per figure in figures/,
# run by one wildcard rule with exactly the data files the script reads as inputs, so a
# change to one data file rebuilds only the figures that read it. Outputs: the SVG (text as
# glyph outlines, for HTML and EPUB), the print SVG (text as text, for the PDF: searchable and
# faster for WeasyPrint; build.summits.figure_svg) and the pandoc Markdown (figure, caption,
# alt text) that src/build/styles/filters/generated.lua puts in place of the placeholder
# `::: {#fig-<name> .generated}` in the section files.

#: figure id (= figures/<id>.py) -> the data files its script reads
FIGURE_INPUTS = {
    "fig-timeline": ["summits", "membership"],
    "fig-bodies": ["bodies"],
}

#: every generated figure file, for the render rules' inputs
GENERATED_FIGURES = expand(
    "output/generated/{figure}.{ext}",
    figure=sorted(FIGURE_INPUTS),
    ext=("svg", "print.svg", "md"),
)


rule draw_figure:
    input:
        script="figures/{figure}.py",
        data=lambda wildcards: [
            f"manuscript/data/{stem}.yaml" for stem in FIGURE_INPUTS[wildcards.figure]
        ],
        schemas=lambda wildcards: [
            f"manuscript/data/schemas/{name}.schema.json"
            for name in (*FIGURE_INPUTS[wildcards.figure], "common")
        ],
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
    message:
        "Drawing {wildcards.figure} from {input.data}"
    # The print SVG's path goes in the environment (build.summits.PRINT_SVG_ENV): a script
    # with a command line of its own, such as those of earlier revisions that `diff` builds,
    # ignores it, and its outline SVG then serves the PDF too.
    shell:
        "ARTICLE_PRINT_SVG={output.print_svg:q}"
        " {params.python} {input.script} --svg {output.svg} --markdown {output.markdown}"
        " {input.data} > {log} 2>&1"
        " && {{ test -f {output.print_svg} || cp {output.svg} {output.print_svg}; }}"
        " || {{ head -n 3 {log} >&2; echo 'see {log}' >&2; exit 1; }}"

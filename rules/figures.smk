# Figures and tables generated from each article's manuscript/data/ (issue 5). Each is made
# by one script of the article's figures/ folder (fig-<name>.py: a figure; tbl-<name>.py: a
# table) that names the data files it reads in a line `# data: a.yaml b.yaml`; the rule has
# exactly those files as inputs, so a change to one data file rebuilds only what reads it.
# Outputs, in {out}/generated/: the pandoc Markdown that src/build/styles/filters/generated.lua
# puts in place of the placeholder `::: {#fig-<name> .generated}` (or #tbl-<name>) in the
# section files; for figures also the SVG (text as glyph outlines, for HTML and EPUB) and the
# print SVG (text as text, for the PDF: searchable and faster for WeasyPrint).
rule draw_figure:
    input:
        script=script_path("figure"),
        data=script_data("figure"),
        schemas=lambda wildcards: article(wildcards).data_schemas(),
        helpers=lambda wildcards: article(wildcards).script_helpers(),
    output:
        svg="{out}/generated/{figure}.svg",
        print_svg="{out}/generated/{figure}.print.svg",
        markdown="{out}/generated/{figure}.md",
    log:
        "{out}/logs/draw_figure/{figure}.log",
    wildcard_constraints:
        figure="fig-[a-z0-9-]+",
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    params:
        schemas=source("manuscript/data/schemas"),
        text_width_mm=TEXT_WIDTH_MM,
    message:
        "Drawing {wildcards.figure} from {input.data}"
    shell:
        "{ARTICLE} --log {log} script {input.script} --svg {output.svg}"
        " --print-svg {output.print_svg} --markdown {output.markdown}"
        " --text-width-mm {params.text_width_mm} --schemas {params.schemas} {input.data}"


rule make_table:
    input:
        script=script_path("table"),
        data=script_data("table"),
        schemas=lambda wildcards: article(wildcards).data_schemas(),
        helpers=lambda wildcards: article(wildcards).script_helpers(),
        bib=rules.lint_bibliography.output.csl,  # the linted bibliography's keys
    output:
        markdown="{out}/generated/{table}.md",
    log:
        "{out}/logs/make_table/{table}.log",
    wildcard_constraints:
        table="tbl-[a-z0-9-]+",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        schemas=source("manuscript/data/schemas"),
    message:
        "Writing {wildcards.table} from {input.data}"
    shell:
        "{ARTICLE} --log {log} script {input.script} --markdown {output.markdown}"
        " --schemas {params.schemas} --bib {input.bib} {input.data}"

# Figures and tables generated from each article's manuscript/data/ (issue 5). Each is made
# by one script of the article's figures/ folder (fig-<name>.py: a figure; tbl-<name>.py: a
# table) that names the data files it reads in a line `# data: a.yaml b.yaml`; the rule has
# exactly those files as inputs, so a change to one data file rebuilds only what reads it.
# Outputs, in {out}/generated/: the pandoc Markdown that src/build/styles/filters/generated.lua
# puts in place of the placeholder `::: {#fig-<name> .generated}` (or #tbl-<name>) in the
# section files; for figures also the SVG (text as glyph outlines, for HTML and EPUB) and the
# print SVG (text as text, for the PDF: searchable and faster for WeasyPrint).
from build.articles import declared_data
from build.render import profile_from_config, text_width_mm

#: the width figures are drawn at: the text block of the journal profile's page
TEXT_WIDTH_MM = text_width_mm(profile_from_config(config))


def script_path(kind):
    """Input function: the article's figures/<name>.py of the job's {figure} or {table}."""
    return lambda wildcards: article(wildcards).path(f"figures/{wildcards[kind]}.py")


def script_data(kind):
    """Input function: the data files the job's script declares (its `# data:` line)."""

    def inputs(wildcards):
        script = article(wildcards).path(f"figures/{wildcards[kind]}.py")
        text = Path(script).read_text(encoding="utf-8")
        names = exit_on_error(declared_data, text, script)
        return [article(wildcards).path(f"manuscript/data/{name}") for name in names]

    return inputs


def generated_files(wildcards):
    """Every generated file of the job's article: what its render rules read."""
    art = article(wildcards)
    files = []
    for script in art.generated_scripts("fig-"):
        stem = f"{art.outdir}/generated/{Path(script).stem}"
        files += [f"{stem}.svg", f"{stem}.print.svg", f"{stem}.md"]
    for script in art.generated_scripts("tbl-"):
        files.append(f"{art.outdir}/generated/{Path(script).stem}.md")
    return files


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
    params:
        schemas=source("manuscript/data/schemas"),
        text_width_mm=TEXT_WIDTH_MM,
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
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
        bib=source("refs.bib"),
    output:
        markdown="{out}/generated/{table}.md",
    log:
        "{out}/logs/make_table/{table}.log",
    wildcard_constraints:
        table="tbl-[a-z0-9-]+",
    params:
        schemas=source("manuscript/data/schemas"),
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    message:
        "Writing {wildcards.table} from {input.data}"
    shell:
        "{ARTICLE} --log {log} script {input.script} --markdown {output.markdown}"
        " --schemas {params.schemas} --bib {input.bib} {input.data}"

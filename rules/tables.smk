# Tables generated from manuscript/data/ (issue 5): one script per table, figures/tbl-*.py,
# with the data files it declares (`# data: ...`, build.figures.declared_data) as inputs.
# Output: pandoc Markdown that src/build/styles/filters/generated.lua puts in place of the
# placeholder `::: {#tbl-<name> .generated}` in the section files. Citekeys in the data are
# checked against the article's bibliography.

#: table id (= figures/<id>.py) -> the data files its script reads (names in manuscript/data/)
TABLE_INPUTS = declared_inputs("figures/tbl-*.py")
#: every generated table file, for the render rules' inputs
GENERATED_TABLES = expand("output/generated/{table}.md", table=sorted(TABLE_INPUTS))


rule make_table:
    input:
        script="figures/{table}.py",
        helpers=SCRIPT_HELPERS,
        data=lambda wildcards: [
            f"manuscript/data/{name}" for name in TABLE_INPUTS[wildcards.table]
        ],
        schemas=glob.glob("manuscript/data/schemas/*.schema.json"),
        bib="refs.bib",
    output:
        table="output/generated/{table}.md",
    log:
        "output/logs/make_table/{table}.log",
    wildcard_constraints:
        table="tbl-[a-z0-9-]+",
    params:
        python=sys.executable,
    message:
        "Writing {wildcards.table} from {input.data}"
    shell:
        "{params.python} {input.script} --markdown {output.table}"
        " --schemas manuscript/data/schemas --bib {input.bib} {input.data} 2> {log}"
        " || {{ head -n 3 {log} >&2; echo 'see {log}' >&2; exit 1; }}"

# Tables generated from manuscript/data/ (issue 5). Output: pandoc Markdown that
# src/build/styles/filters/generated.lua puts in place of the placeholder
# `::: {#tbl-summits .generated}` in the section files.
# Table 1 reads summits.yaml and membership.yaml (participants must be members by then) and
# their schemas; it checks citekeys against refs.bib when that file exists.


rule make_summits_table:
    input:
        data=["manuscript/data/summits.yaml", "manuscript/data/membership.yaml"],
        schemas=expand(
            "manuscript/data/schemas/{name}.schema.json",
            name=("summits", "membership", "common"),
        ),
        bib="refs.bib",
    output:
        table="output/generated/tbl-summits.md",
    log:
        "output/logs/make_summits_table.log",
    params:
        python=sys.executable,
    message:
        "Writing Table 1 (summits) from {input.data}"
    shell:
        "{params.python} -m build.cli data table --bib refs.bib --output {output.table}"
        " --data {input.data} 2> {log}"
        " || {{ head -n 3 {log} >&2; echo 'see {log}' >&2; exit 1; }}"

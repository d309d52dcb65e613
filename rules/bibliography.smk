# STUB (owned by the bibliography stage, issue 4): replace with the real lint.
# Contract: rule lint_bibliography, output report=output/bibliography/lint.json.


rule lint_bibliography:
    input:
        bib="refs.bib",
    output:
        report="output/bibliography/lint.json",
    log:
        "output/logs/lint_bibliography.log",
    message:
        "Linting refs.bib (stub)"
    shell:
        "echo '{{}}' > {output.report} 2> {log}"

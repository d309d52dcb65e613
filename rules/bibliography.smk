# Bibliography stage (issue 4): lint refs.bib with build.bibliography.
# Errors (file:line: [rule] message + hint) stop the build; warnings and notes go to the report.


rule lint_bibliography:
    input:
        bib="refs.bib",
    output:
        report="output/bibliography/lint.json",
    log:
        "output/logs/lint_bibliography.log",
    # before the citation normalizer, which also reads refs.bib: a broken entry is reported by
    # the linter (refs.bib:line, rule id, hint), not as pandoc's parse error (issue 9)
    priority: 20
    message:
        "Linting {input.bib} (rules: build.bibliography.RULES)"
    shell:
        "{ARTICLE} bibliography lint {input.bib} --report {output.report} --log {log}"

# Bibliography stage (issue 4): lint refs.bib with build.bibliography.
# Errors (file:line: [rule] message + hint) stop the build; warnings and notes go to the report.


#: the article's bibliography rules (proper nouns, corporate words), optional
BIBLIOGRAPHY_RULES = "manuscript/bibliography.yaml"


rule lint_bibliography:
    input:
        bib="refs.bib",
        rules=[BIBLIOGRAPHY_RULES] if Path(BIBLIOGRAPHY_RULES).exists() else [],
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
        "{ARTICLE} bibliography lint {input.bib} --proper-nouns {BIBLIOGRAPHY_RULES}"
        " --report {output.report} --log {log}"

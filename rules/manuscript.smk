# Manuscript check (first stage): metadata.yaml parses and has its required fields, the
# section files exist, are UTF-8, non-empty and numbered in order. Every later stage depends
# on it, so a broken metadata.yaml is reported first, with path:line:col and a hint.


rule check_manuscript:
    input:
        metadata="manuscript/metadata.yaml",
        sections=section_files,
    output:
        check="output/manuscript/check.txt",
    log:
        "output/logs/check_manuscript.log",
    message:
        "Checking manuscript/metadata.yaml and the section files"
    shell:
        "{ARTICLE} manuscript --check > {output.check}.tmp 2> {log}"
        " && mv {output.check}.tmp {output.check}"
        " || {{ rm -f {output.check}.tmp; cat {log} >&2; echo 'full log: {log}' >&2; exit 1; }}"

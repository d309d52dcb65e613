# Revision diffs (issue 7): the root article between two git revisions as tracked changes.
# Not part of `rule all`; run: snakemake --cores 2 diff --config diff_from=REV diff_to=REV
# The article is built at both revisions from `git archive` in temporary folders (the working
# tree is never touched) with the current pipeline, then compared (build.trackchanges).
# params.commits: the commits the revisions name now, so a moved branch reruns the diff.
from build import revisions, trackchanges


rule diff:
    input:
        code=[*trackchanges.CODE_FILES, str(trackchanges.DIFF_CSS)],
    output:
        html="output/diff/article-diff.html",
        pdf="output/diff/article-diff.pdf",
        docx="output/diff/article-diff.docx",
    log:
        "output/logs/diff.log",
    threads: 2
    resources:
        mem_mb=2048,
        runtime=30,
    params:
        diff_from=shlex.quote(str(config.get("diff_from", ""))),
        diff_to=shlex.quote(str(config.get("diff_to", ""))),
        commits=[
            revisions.commit_or_given(config.get("diff_from")),
            revisions.commit_or_given(config.get("diff_to")),
        ],
        snakefile=workflow.main_snakefile,
    message:
        "Tracked changes from {params.diff_from} to {params.diff_to}"
    shell:
        "{ARTICLE} --log {log} diff --from {params.diff_from} --to {params.diff_to}"
        " --snakefile {params.snakefile} --html {output.html} --pdf {output.pdf}"
        " --docx {output.docx}"
        " --log-dir output/logs/diff && cat {log} >&2"

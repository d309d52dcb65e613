# Revision diffs (issues 7, 18): an article between two git revisions as tracked changes.
# Not part of `rule all`; run, for the root article or the article of articles/<slug>/:
#   snakemake --cores 2 diff --config diff_from=REV diff_to=REV
#   snakemake --cores 2 output/articles/<slug>/diff/article-diff.html --config diff_from=REV
# The article is built at both revisions from `git archive` in temporary folders (the working
# tree is never touched) with the current pipeline, then compared (build.trackchanges).
# params.commits: the commits the revisions name now, so a moved branch reruns the diff.
from build import revisions, trackchanges


rule diff_article:
    input:
        code=[*trackchanges.CODE_FILES, str(trackchanges.DIFF_CSS)],
    output:
        html="{out}/diff/article-diff.html",
        pdf="{out}/diff/article-diff.pdf",
        docx="{out}/diff/article-diff.docx",
    log:
        # not under {out}/logs/: a failed diff leaves the article's own outputs in place
        # (build.joblog.stale_outputs removes those of an article whose job failed)
        "{out}/diff/logs/diff.log",
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
        folder=lambda wildcards: article(wildcards).folder,
        snakefile=workflow.main_snakefile,
        label=article_label,
    message:
        "Tracked changes of {params.label} from {params.diff_from} to {params.diff_to}"
    shell:
        "{ARTICLE} --log {log} diff --from {params.diff_from} --to {params.diff_to}"
        " --article {params.folder} --snakefile {params.snakefile} --html {output.html}"
        " --pdf {output.pdf} --docx {output.docx} --log-dir {wildcards.out}/diff/logs"
        " && cat {log} >&2"


# `snakemake diff`: the root article's diff (output/diff/)
rule diff:
    input:
        expand(
            "{out}/diff/article-diff.{ext}",
            out=OUTPUT_DIR,
            ext=("html", "pdf", "docx"),
        ),

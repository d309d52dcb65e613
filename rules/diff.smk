# Revision diffs (issue 7): the article between two git revisions as tracked changes.
# Not part of `rule all`; run: snakemake --cores 2 diff --config diff_from=REV diff_to=REV
# The article is built at both revisions from `git archive` in temporary folders (the working
# tree is never touched) with the current pipeline, then compared (build.trackchanges).
import subprocess

from build import trackchanges


def resolved_revision(name):
    """The commit a configured revision names (so a moved branch reruns the diff), else the
    revision as given (the command then says what is wrong with it)."""
    revision = str(config.get(name, ""))
    process = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if process.returncode == 0 and revision and not revision.startswith("-"):
        return process.stdout.strip()
    return revision


rule diff:
    input:
        code=[trackchanges.__file__, str(trackchanges.DIFF_CSS)],
    output:
        html="output/diff/article-diff.html",
        pdf="output/diff/article-diff.pdf",
    log:
        "output/logs/diff.log",
    params:
        article=ARTICLE,
        diff_from=shlex.quote(str(config.get("diff_from", ""))),
        diff_to=shlex.quote(str(config.get("diff_to", ""))),
        commits=[resolved_revision("diff_from"), resolved_revision("diff_to")],
        snakefile=workflow.main_snakefile,
    message:
        "Tracked changes from {params.diff_from} to {params.diff_to}"
    shell:
        "{params.article} diff --from {params.diff_from} --to {params.diff_to}"
        " --snakefile {params.snakefile} --html {output.html} --pdf {output.pdf}"
        " > {log} 2>&1 && cat {log} >&2 || {{ cat {log} >&2; exit 1; }}"

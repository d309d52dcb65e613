# The journal issue's table of contents (src/build/issue.py): output/issue/index.html with each
# article's title, authors and links to its HTML, PDF and EPUB, in the order of the issue file
# config/issue.yaml (volume, number, date, order; optional: without it, the folders' order).
from build import issue as issue_module


rule write_issue_index:
    input:
        checked=expand(rules.check_manuscript.output.check, out=OUTDIRS),
        # what it links to: the index is written once every article is built, so that its
        # links never point at a missing or an older file
        linked=expand(
            "{out}/{name}",
            out=OUTDIRS,
            name=("article.html", "article.pdf", "article.epub"),
        ),
        metadata=[a.path("manuscript/metadata.yaml") for a in ARTICLES],
        config="config/config.yaml",
        schemas=["config/schema.yaml", "config/issue.schema.yaml"],
        issue=ISSUE_FILE,
        code=[issue_module.__file__, *render_module.style_inputs("issue")],
    output:
        html="output/issue/index.html",
    log:
        f"{SHARED_LOGS}/write_issue_index.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        issue=" ".join(f"--issue {shlex.quote(p)}" for p in ISSUE_FILE),
        # what the message says the order comes from
        order=(
            ISSUE_FILE[0] if ISSUE_FILE else "no config/issue.yaml: the folders' order"
        ),
        articles=" ".join(
            f"--article {shlex.quote(a.folder)} {shlex.quote(a.path('manuscript/metadata.yaml'))}"
            f" {shlex.quote(a.outdir)}"
            for a in ARTICLES
        ),
    message:
        "Writing the issue's table of contents {output.html} ({params.order})"
    shell:
        "{ARTICLE} --log {log} issue --config {input.config} {params.issue} {params.articles}"
        " --output {output.html}"

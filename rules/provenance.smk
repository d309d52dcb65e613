# Provenance (issue 8): each article's manifest.json with the sha256 of every input and output,
# the article's own commit, the build date used (SOURCE_DATE_EPOCH) and the versions of the
# tools that shape the bytes. See src/build/provenance.py; the stamps come from
# rules/common.smk.

#: what every article is built with: the journal profile and the workflow itself (the issue
#: file config/issue.yaml is not among them: it shapes the issue's index, not the articles)
SHARED_INPUTS = sorted(
    {str(p) for p in Path("rules").glob("*.smk")}
    | {
        p
        for p in (
            "config/config.yaml",
            "config/schema.yaml",
            "Snakefile",
            "pyproject.toml",
            "requirements.lock",
        )
        if Path(p).is_file()
    }
)


def manifest_sources(wildcards):
    """Every source file of the job's article (manuscript with its data and editorial files,
    bibliography, figure scripts) and SHARED_INPUTS."""
    art = article(wildcards)
    own = [
        p
        for p in Path(art.path("manuscript")).glob("**/*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    own += Path(art.path("figures")).glob("*.py")
    own += [Path(art.path("refs.bib"))]
    return sorted({str(p) for p in own if p.is_file()} | set(SHARED_INPUTS))


def stamp_params(wildcards):
    """--epoch-s/--date-source/--commit/--dirty of the job's article, for the manifest."""
    stamp = STAMPS[wildcards.out]
    words = [
        f"--epoch-s {stamp.epoch_s}",
        f"--date-source {stamp.date_source}",
        f"--commit {shlex.quote(stamp.commit or '')}",
    ]
    return " ".join(words + (["--dirty"] if stamp.dirty else []))


rule write_manifest:
    input:
        outputs=[
            rules.render_html.output.html,
            rules.render_epub.output.epub,
            rules.render_pdf.output.pdf,
            rules.normalize_citations.output.report,
            rules.normalize_citations.output.table,
            rules.lint_bibliography.output.report,
        ],
        generated=generated_files,
        sources=manifest_sources,
    output:
        manifest="{out}/manifest.json",
    log:
        "{out}/logs/write_manifest.log",
    params:
        stamp=stamp_params,
    threads: 1
    resources:
        mem_mb=300,
        runtime=5,
    message:
        "Writing {output.manifest} ({params.stamp})"
    shell:
        "{ARTICLE} --log {log} provenance --output {output.manifest} {params.stamp}"
        " --inputs {input.sources} --outputs {input.outputs} {input.generated}"

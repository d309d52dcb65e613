# Manuscript check (first stage of each article): metadata.yaml parses and has its required
# fields, the section files exist, are UTF-8, non-empty and numbered in order, and no source
# asks for a remote or outside resource (build.safety). Every later stage depends on it, so a
# broken metadata.yaml is reported first, with path:line:col and a hint. Its output
# metadata.json is the checked metadata that every later stage reads.

from build.manuscript import METADATA_SCHEMA
from build.safety import READ_EACH


rule check_manuscript:
    input:
        metadata=source("manuscript/metadata.yaml"),
        sections=section_files,
        schema=str(METADATA_SCHEMA),  # config/metadata.schema.yaml of the pipeline
        code=str(READ_EACH),  # the pandoc lua script of the sources' safety check
    output:
        check="{out}/manuscript/check.txt",
        metadata="{out}/manuscript/metadata.json",
        # the section files as the safety check parsed them: read by clean_bibliography
        sections="{out}/manuscript/sections.json",
    log:
        "{out}/logs/check_manuscript.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        manuscript=source("manuscript"),
    message:
        "Checking {input.metadata} and the section files"
    shell:
        "{ARTICLE} --log {log} manuscript --check --manuscript-dir {params.manuscript}"
        " --output {output.check} --metadata-json {output.metadata}"
        " --sections-ast {output.sections}"

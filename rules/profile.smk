# The journal profile (src/build/profile.py): config/config.yaml (and the issue file's volume,
# number and year) checked once against their schemas and handed to every render job as
# output/profile.json, which they read instead of parsing and checking the YAML again.


rule check_profile:
    input:
        config="config/config.yaml",
        schema="config/schema.yaml",
        issue=ISSUE_FILE,
        code=[profile_module.__file__],
    output:
        profile="output/profile.json",
    log:
        f"{SHARED_LOGS}/check_profile.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        csl_style=config["csl_style"],
        issue=" ".join(f"--issue {shlex.quote(p)}" for p in ISSUE_FILE),
    message:
        "Checking the journal profile {input.config} (CSL style: {params.csl_style})"
    shell:
        "{ARTICLE} --log {log} profile --config {input.config}"
        " --csl-style {params.csl_style:q} {params.issue} --output {output.profile}"

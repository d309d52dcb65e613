"""CI configuration: the GitHub workflow, .ci/run and the README's test command, the pins,
and the pure parts of the staged check runner .ci/check.py.

The workflow is validated against the GitHub workflow JSON Schema that check-jsonschema vendors
(SchemaStore's ``github-workflows.json``, offline; a test dependency in pyproject.toml) with the
``jsonschema`` package, plus structural checks of what this project needs from it.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from build import provenance

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "build.yml"
README = ROOT / "README.md"
CI_RUN = ROOT / ".ci" / "run"
SETUP = ROOT / ".ci" / "setup.sh"
LOCK = ROOT / "requirements.lock"

#: the plain closing line that CI reads (an optional "word:" before it, ", N skipped" after)
CLOSING_LINE_RE = re.compile(r"^(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?$")


def load_workflow(text: str) -> dict:
    """The workflow as data; PyYAML (YAML 1.1) reads the key ``on`` as True: put it back."""
    data = yaml.safe_load(text)
    if True in data:
        data["on"] = data.pop(True)
    return data


def schema_errors(data: dict, name: str = "vendor.github-workflows") -> list[str]:
    from check_jsonschema.builtin_schemas import get_builtin_schema
    from jsonschema.validators import validator_for

    schema = get_builtin_schema(name)
    validator = validator_for(schema)(schema)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)
    ]


@pytest.fixture(scope="module")
def workflow() -> dict:
    return load_workflow(WORKFLOW.read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def step_using(workflow: dict, action: str) -> dict:
    found = [s for s in steps(workflow) if str(s.get("uses", "")).startswith(action + "@")]
    assert len(found) == 1, f"one step uses {action}"
    return found[0]


def ci_check_module():
    spec = importlib.util.spec_from_file_location("ci_check", ROOT / ".ci" / "check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["ci_check"] = module
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- workflow


def test_workflow_is_valid_against_the_github_workflow_schema(workflow: dict) -> None:
    assert schema_errors(workflow) == []
    assert schema_errors(workflow, "custom.github-workflows-require-timeout") == []


@pytest.mark.parametrize(
    "broken",
    [
        {"on": {"push": None}, "jobs": {"build": {"runs-on": "x", "steps": "bash .ci/run"}}},
        {"on": {"push": None}, "jobs": {"build": {"steps": [{"run": "true"}]}}},
        {"on": {"pusj": None}, "jobs": {"build": {"runs-on": "x", "steps": [{"run": "true"}]}}},
    ],
    ids=["steps-not-a-list", "no-runs-on", "unknown-event"],
)
def test_the_schema_check_rejects_broken_workflows(broken: dict) -> None:
    assert schema_errors(broken)


def test_workflow_runs_on_push_and_pull_request(workflow: dict) -> None:
    assert "push" in workflow["on"] and "pull_request" in workflow["on"]
    assert workflow["permissions"] == {"contents": "read"}
    for job in workflow["jobs"].values():
        assert isinstance(job["steps"], list) and job["steps"]
        assert job["timeout-minutes"] <= 60


def test_workflow_is_a_thin_wrapper_around_ci_run(workflow: dict) -> None:
    runs = [s["run"].strip() for s in steps(workflow) if "run" in s]
    assert "bash .ci/run" in runs
    checkout = step_using(workflow, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0  # the build date needs the history
    names = [s.get("uses", s.get("run", "")) for s in steps(workflow)]
    assert names.index(checkout["uses"]) < names.index("bash .ci/run")


def test_workflow_caches_the_environment_by_its_lock_files(workflow: dict) -> None:
    cache = step_using(workflow, "actions/cache")
    assert {".venv", "node_modules"} <= set(cache["with"]["path"].split())
    for name in ("pyproject.toml", "requirements.lock", "package-lock.json"):
        assert name in cache["with"]["key"]


def test_workflow_uploads_the_article_and_the_citation_report(workflow: dict) -> None:
    upload = step_using(workflow, "actions/upload-artifact")
    assert upload["if"] == "always()"
    paths = upload["with"]["path"].split()
    required = {"output/article.pdf", "output/article.html", "output/article.epub"}
    assert required | {"output/citations.json"} <= set(paths)
    rules_text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "rules").glob("*.smk"))
    # the rules write each article's files under its output folder {out}: output/ for the root
    # article, output/articles/<slug>/ for the others
    root_article = rules_text.replace('"{out}/', '"output/')
    for path in paths:
        # each artifact is an output of a rule of the workflow, or the folder of the articles
        if path == "output/articles/":
            assert '"{out}/article.pdf"' in rules_text
            continue
        assert f'"{path.rstrip("/")}' in root_article, f"no rule writes {path}"


def test_pull_requests_also_build_the_rendered_diff(workflow: dict) -> None:
    diff = [s for s in steps(workflow) if "diff_from=" in s.get("run", "")]
    assert len(diff) == 1
    assert diff[0]["if"] == "github.event_name == 'pull_request'"
    assert re.search(
        r"snakemake --cores 2 diff\s+\\?\s*--config diff_from=\S+ diff_to=HEAD", diff[0]["run"]
    )
    assert "${{" not in diff[0]["run"], "expressions go through env:, not into the script"


# --------------------------------------------------------------------------- .ci/run, README


def readme_test_command() -> str:
    """Command 2 of the README's quick start: the first line that is not a comment after the
    comment ``# 2. ...``."""
    lines = README.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("# 2."))
    return next(ln.strip() for ln in lines[index + 1 :] if not ln.startswith("#"))


def test_ci_run_calls_exactly_the_readme_test_command() -> None:
    command = readme_test_command()
    assert command == "bash .ci/setup.sh && bash .ci/check.sh"
    body = [
        ln.strip()
        for ln in CI_RUN.read_text(encoding="utf-8").splitlines()
        if ln.strip() and not ln.startswith("#")
    ]
    assert body[-1] == command


def test_setup_pins_the_fonts_that_the_manifest_checks() -> None:
    text = SETUP.read_text(encoding="utf-8")
    assert f"[{provenance.FONT_PACKAGE}]={provenance.FONT_PACKAGE_VERSION}" in text
    assert "--require-hashes -r requirements.lock" in text
    assert "--no-deps -e ." in text


def lock_versions() -> dict[str, str]:
    found = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+) \\$", line)
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def test_lock_has_every_pin_of_pyproject_with_hashes() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    locked = lock_versions()
    for pin in pins:
        name, version = pin.split("==")
        assert locked.get(re.sub(r"[-_.]+", "-", name).lower()) == version, pin
    assert locked["pypandoc-binary"] == "1.17" and locked["weasyprint"] == "70.0"
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.read_text(encoding="utf-8").split("\n\n")[-1])
    for entry in entries:
        if "==" in entry.split("\n")[0]:
            assert "--hash=sha256:" in entry, entry.split("\n")[0]


# --------------------------------------------------------------------------- .ci/check.py


@pytest.fixture(scope="module")
def check():
    return ci_check_module()


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("....\n325 passed, 17 deselected in 50.16s\n", (325, 0, 0)),
        ("== 2 failed, 10 passed, 3 skipped, 1 error in 9.00s ==\n", (10, 3, 3)),
        ("1 passed, 1 xfailed, 1 xpassed in 0.1s\n", (2, 0, 1)),
        ("no tests ran in 0.01s\n", (0, 0, 0)),
    ],
    ids=["passed", "failed-errors-skipped", "xfail", "none"],
)
def test_pytest_counts(check, output: str, expected: tuple[int, int, int]) -> None:
    counts = check.pytest_counts(output)
    assert (counts["passed"], counts["failed"], counts["skipped"]) == expected


LINT_OUTPUT = """\
Lints for snakefile /p/rules/diff.smk:
    * Mixed rules and functions in same snakefile.:
      Small one-liner functions used only once should be defined as lambda.

Lints for rule render_pdf (line 67, /p/rules/render.smk):
    * Specify a conda environment or container for each rule.:
      This way, the used software for each specific step is documented.
    * Shell command directly uses variable ARTICLE from outside of the rule:
      It is recommended to pass all files as input and output.
"""


def test_lint_output_is_parsed_into_rule_and_title(check) -> None:
    assert check.parse_lints(LINT_OUTPUT) == [
        ("snakefile:diff.smk", "Mixed rules and functions in same snakefile."),
        ("render_pdf", "Specify a conda environment or container for each rule."),
        ("render_pdf", "Shell command directly uses variable ARTICLE from outside of the rule"),
    ]


def test_only_lints_off_the_allow_list_fail(check) -> None:
    real = check.load_allow_list(check.ALLOW_LIST.read_text(encoding="utf-8"))
    assert all(entry["reason"].strip() for entry in real)
    allowed = check.load_allow_list(
        '- lint: "Specify a conda environment or container for each rule."\n'
        '  rules: "*"\n  reason: pinned in requirements.lock\n'
        '- lint: "Shell command directly uses variable ARTICLE from outside of the rule"\n'
        "  rules: [check_manuscript]\n  reason: the project's own command\n"
    )
    assert check.unexpected_lints(check.parse_lints(LINT_OUTPUT), allowed) == [
        ("snakefile:diff.smk", "Mixed rules and functions in same snakefile."),
        ("render_pdf", "Shell command directly uses variable ARTICLE from outside of the rule"),
    ]


def test_an_allow_list_entry_without_a_reason_is_refused(check) -> None:
    with pytest.raises(ValueError, match="lacks reason"):
        check.load_allow_list('- lint: "x"\n  rules: "*"\n')


def test_summary_is_the_plain_closing_line(check) -> None:
    results = [
        check.Result("ruff-check", True, passed=1),
        check.Result("unit-tests", False, passed=300, failed=2, skipped=4),
    ]
    line = check.summary_line(results)
    assert line == "check: 301 passed, 2 failed, 4 skipped"
    assert CLOSING_LINE_RE.match(line)


def test_a_failing_stage_stops_the_run_and_exits_non_zero(check, monkeypatch, capsys) -> None:
    ran = []

    def stage(name: str, ok: bool):
        def run():
            ran.append(name)
            return check.Result(name, ok, passed=int(ok), failed=int(not ok))

        return (name, run)

    plan = [stage("lint", True), stage("unit-tests", False), stage("build", True)]
    monkeypatch.setattr(check, "stages", lambda: plan)
    assert check.main([]) == 1
    assert ran == ["lint", "unit-tests"]
    out = capsys.readouterr().out.splitlines()
    assert "not run" in next(line for line in out if "build" in line)
    assert out[-1] == "check: 1 passed, 1 failed, 0 skipped"


def test_setup_waits_for_the_package_managers_lock() -> None:
    """Another install holding dpkg's lock makes apt-get wait, not fail at once (issue 16)."""
    setup = (ROOT / ".ci" / "setup.sh").read_text(encoding="utf-8")
    calls = [
        line for line in setup.splitlines() if re.search(r"apt-get\b.*\b(update|install)", line)
    ]
    assert len(calls) == 2 and all('"${wait_lock[@]}"' in line for line in calls), calls
    assert "wait_lock=(-o DPkg::Lock::Timeout=600)" in setup


def test_test_modules_have_unique_names() -> None:
    """pytest imports test modules by their base name (no packages under tests/): two modules
    of one name in different folders stop the collection of a whole stage."""
    names = sorted(p.name for p in (ROOT / "tests").rglob("test_*.py"))
    assert [n for n in set(names) if names.count(n) > 1] == []

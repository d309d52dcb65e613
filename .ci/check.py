"""CI checks in stages, stopping at the first failing stage (run by .ci/check.sh).

Stages, in order:

1. ``ruff-check``, ``ruff-format``, ``snakefmt``: lint and formatting of the Python code and the
   rule files (``--check``: nothing is rewritten).
2. ``snakemake-lint``: ``snakemake --lint``; a lint fails the stage unless the reviewed
   allow-list ``.ci/snakemake-lint-allow.yaml`` lists it for that rule.
3. ``unit-tests``: ``pytest -m "not e2e"``, in two pytest-xdist workers.
4. ``build``: ``snakemake --cores 2``, the real article (PDF, HTML, EPUB, manifest).
5. ``validators``: ``pytest -m e2e`` (EPUBCheck, Nu HTML Checker, PDF checks) except the
   reproducibility test, in two pytest-xdist workers (``--dist loadscope``: a module's tests
   stay in one worker, so its module fixtures are made once; the session build and the
   validators' verdicts are made once for both, tests/conftest.py).
6. ``reproducibility``: two clean builds of the same commit compared byte for byte
   (tests/e2e/test_reproducible.py).

Each stage's output is shown as it runs. The closing lines are a table of the stages and one
plain line ``check: N passed, N failed, N skipped``: the tests counted by pytest in the test
stages plus one per other stage. The exit code is 0 only when every stage passed.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ALLOW_LIST = ROOT / ".ci" / "snakemake-lint-allow.yaml"
REPRODUCIBLE_TEST = "tests/e2e/test_reproducible.py"
#: the e2e tests wait on Java, Chromium and single-threaded tools: two workers on two cores
E2E_WORKERS = ("-n", "2", "--dist", "loadscope")
#: the unit tests are independent of each other (small inputs, each in its own tmp_path): two
#: workers, one per CPU (about 53 -> 30 s here)
UNIT_WORKERS = ("-n", "2")

#: pytest's counts in its closing line, e.g. "3 failed, 120 passed, 2 skipped in 9.1s"
PYTEST_COUNT_RE = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed)")
#: snakemake --lint (text): "Lints for rule NAME (line N, FILE):" / "Lints for snakefile FILE:"
LINT_HEAD_RE = re.compile(r"^Lints for (?:rule (\S+) \(line \d+, (.+)\)|snakefile (.+)):$")
LINT_ITEM_RE = re.compile(r"^    \* (.+?):?$")


@dataclass
class Result:
    """Outcome of one stage: counts (tests, or 1 for a stage that is not a test run)."""

    name: str
    ok: bool
    seconds: float = 0.0
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    detail: str = ""
    lines: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- pure parts


def pytest_counts(output: str) -> dict[str, int]:
    """{passed, failed, skipped} from pytest's closing summary line (errors count as failed).

    The summary is the last line holding a count and " in <seconds>s"; 0s when absent.
    """
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    summary = next(
        (ln for ln in reversed(output.splitlines()) if PYTEST_COUNT_RE.search(ln) and " in " in ln),
        "",
    )
    for number, word in PYTEST_COUNT_RE.findall(summary):
        key = {"error": "failed", "errors": "failed", "xpassed": "passed", "xfailed": "skipped"}
        counts[key.get(word, word)] += int(number)
    return counts


def parse_lints(output: str) -> list[tuple[str, str]]:
    """(rule or ``snakefile:PATH``, lint title) pairs from ``snakemake --lint`` text output."""
    found = []
    subject = None
    for line in output.splitlines():
        head = LINT_HEAD_RE.match(line)
        if head:
            subject = head[1] or f"snakefile:{Path(head[3]).name}"
            continue
        item = LINT_ITEM_RE.match(line)
        if item and subject:
            found.append((subject, item[1].rstrip(":").strip()))
    return found


def load_allow_list(text: str) -> list[dict]:
    """The allow-list entries; each needs ``lint``, ``rules`` ("*" or a list) and ``reason``.

    Raises:
        ValueError: an entry lacks a key or has an empty reason.
    """
    import yaml

    entries = yaml.safe_load(text) or []
    for number, entry in enumerate(entries, start=1):
        missing = [k for k in ("lint", "rules", "reason") if not entry.get(k)]
        if missing:
            raise ValueError(f"{ALLOW_LIST}: entry {number} lacks {', '.join(missing)}")
    return entries


def unexpected_lints(
    lints: Sequence[tuple[str, str]], allowed: Sequence[dict]
) -> list[tuple[str, str]]:
    """The lints no allow-list entry covers (same title, rule listed or ``"*"``)."""

    def covered(rule: str, title: str) -> bool:
        for entry in allowed:
            rules = entry["rules"]
            if fnmatch.fnmatchcase(title, entry["lint"].rstrip(":")) and (
                rules == "*" or rule in rules
            ):
                return True
        return False

    return [(rule, title) for rule, title in lints if not covered(rule, title)]


def summary_line(results: Sequence[Result]) -> str:
    """The closing line: ``check: N passed, N failed, N skipped``."""
    passed = sum(r.passed for r in results)
    failed = sum(r.failed for r in results)
    skipped = sum(r.skipped for r in results)
    return f"check: {passed} passed, {failed} failed, {skipped} skipped"


# --------------------------------------------------------------------------- running


def run(args: Sequence[str | Path], name: str, echo: bool = True) -> tuple[int, str]:
    """Run a command in the project, echoing its output as it comes (``echo``); (exit code,
    output)."""
    command = [str(a) for a in args]
    print(f"\n=== {name}: {' '.join(command)}", flush=True)
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        if echo:
            sys.stdout.write(line)
            sys.stdout.flush()
        lines.append(line)
    return process.wait(), "".join(lines)


def command_stage(name: str, args: Sequence[str | Path]) -> Callable[[], Result]:
    def stage() -> Result:
        code, _ = run(args, name)
        ok = code == 0
        return Result(name, ok, passed=int(ok), failed=int(not ok), detail=f"exit {code}")

    return stage


def pytest_stage(name: str, args: Sequence[str]) -> Callable[[], Result]:
    def stage() -> Result:
        command = [BIN / "pytest", "-q", "-p", "no:cacheprovider", "--durations=5", *args]
        code, output = run(command, name)
        counts = pytest_counts(output)
        ok = code == 0  # 5 (no test collected) fails the stage too
        if not ok and counts["failed"] == 0:
            counts["failed"] = 1
        detail = f"exit {code}" + (" (no tests collected)" if code == 5 else "")
        return Result(name, ok, detail=detail, **counts)

    return stage


def snakemake_lint_stage() -> Result:
    name = "snakemake-lint"
    # its output is shown only when something is wrong: the allowed lints are ~200 lines
    code, output = run([BIN / "snakemake", "--lint"], name, echo=False)
    lints = parse_lints(output)
    if code != 0 and not lints:  # a parse error of the workflow, not lints
        print(output, end="")
        return Result(name, False, failed=1, detail=f"exit {code}, workflow did not load")
    allowed = load_allow_list(ALLOW_LIST.read_text(encoding="utf-8"))
    bad = unexpected_lints(lints, allowed)
    if bad:
        print(output, end="")
    else:
        print(
            f"snakemake-lint: {len(lints)} lints, all on the allow-list "
            f"({ALLOW_LIST.relative_to(ROOT)}); `.venv/bin/snakemake --lint` shows them"
        )
    for rule, title in bad:
        print(f"snakemake-lint: not allowed: {rule}: {title}")
    detail = f"{len(lints)} lints, {len(lints) - len(bad)} on the allow-list"
    return Result(name, not bad, passed=int(not bad), failed=int(bool(bad)), detail=detail)


def stages() -> list[tuple[str, Callable[[], Result]]]:
    code_dirs = [d for d in ("src", "tests", "figures", "bench", ".ci") if (ROOT / d).is_dir()]
    return [
        ("ruff-check", command_stage("ruff-check", [BIN / "ruff", "check", *code_dirs])),
        (
            "ruff-format",
            command_stage("ruff-format", [BIN / "ruff", "format", "--check", *code_dirs]),
        ),
        (
            "snakefmt",
            command_stage("snakefmt", [BIN / "snakefmt", "--check", "Snakefile", "rules"]),
        ),
        ("snakemake-lint", snakemake_lint_stage),
        ("unit-tests", pytest_stage("unit-tests", ["-m", "not e2e", *UNIT_WORKERS])),
        ("build", command_stage("build", [BIN / "snakemake", "--cores", "2"])),
        (
            "validators",
            pytest_stage("validators", ["-m", "e2e", "--ignore", REPRODUCIBLE_TEST, *E2E_WORKERS]),
        ),
        ("reproducibility", pytest_stage("reproducibility", [REPRODUCIBLE_TEST])),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="STAGE", help="run only these stages")
    options = parser.parse_args(argv)
    plan = stages()
    if options.only:
        unknown = set(options.only) - {name for name, _ in plan}
        if unknown:
            parser.error(f"unknown stage(s): {', '.join(sorted(unknown))}")
        plan = [(name, stage) for name, stage in plan if name in options.only]
    results: list[Result] = []
    for _name, stage in plan:
        start = time.monotonic()
        result = stage()
        result.seconds = time.monotonic() - start
        results.append(result)
        if not result.ok:
            break
    print("\n=== summary")
    for name, _ in plan:
        result = next((r for r in results if r.name == name), None)
        if result is None:
            print(f"  {name:<16} not run (an earlier stage failed)")
            continue
        verdict = "ok" if result.ok else "FAILED"
        counts = f"{result.passed} passed, {result.failed} failed, {result.skipped} skipped"
        print(f"  {name:<16} {verdict:<7} {result.seconds:6.1f} s  {counts}  ({result.detail})")
    total = sum(r.seconds for r in results)
    print(f"  total {total:.1f} s")
    print(summary_line(results))
    return 0 if results and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Thin command-line layer: ``article <stage> [options]``.

Each stage module exposes two functions:

* ``configure_parser(parser: argparse.ArgumentParser) -> None`` adds its options;
* ``command(**options) -> int`` does the work with plain values and returns an exit code.

A stage that hands its arguments to another program (``article script``: an article's figure
script) also has ``command_argv(argv: Sequence[str]) -> int``, which gets the words after the
stage name as they are; its parser then only serves ``article STAGE --help``.

This module only parses arguments, turns them into plain keyword arguments and
prints :class:`build.errors.PipelineError` messages (``path:line:col: message`` plus a
hint) to standard error with exit code 1 instead of a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from build.errors import PipelineError

#: subcommand -> (module, one-line help). Add a stage here, nothing else.
COMMANDS: dict[str, tuple[str, str]] = {
    "citations": ("build.citations", "normalize author-year citations into pandoc citations"),
    "bibliography": ("build.bibliography", "lint and format refs.bib"),
    "manuscript": ("build.manuscript", "assemble and check the manuscript"),
    "profile": ("build.profile", "check the journal profile, write it as JSON for the jobs"),
    "render": ("build.render", "render HTML, EPUB or PDF"),
    "data": ("build.data", "check the data files of manuscript/data/ against their schemas"),
    "linebreaks": ("build.linebreaks", "one sentence per line in Markdown (--check, --write)"),
    "safety": ("build.safety", "refuse remote or outside resources; report active HTML"),
    "diff": ("build.trackchanges", "tracked changes between two git revisions (HTML, PDF)"),
    "issue": ("build.issue", "write the issue's table of contents (output/issue/index.html)"),
    "provenance": ("build.provenance", "write output/manifest.json (hashes, commit, versions)"),
    "preflight": ("build.preflight", "what a journal checks before it publishes (final: fail)"),
    "script": ("build.joblog", "run an article's figure or table script (figures/*.py)"),
    "preview": (
        "build.preview",
        "serve the article at http://127.0.0.1:PORT/, rebuilt and reloaded on every save",
    ),
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``article`` command; returns the process exit code.

    ``article --log LOG STAGE ...`` (the form every workflow rule uses) sends the stage's output
    to LOG and reports a failure the one way of :mod:`build.joblog`.
    """
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["--log"] and len(words) > 2:
        from build.joblog import run_logged

        return run_logged(words[1], lambda: _main(words[2:], catch=False))
    return _main(words)


def _main(words: list[str], catch: bool = True) -> int:
    """Parse ``words`` and run the stage; ``catch``: print a :class:`PipelineError` and return
    1 (else it propagates, to :func:`build.joblog.run_logged`)."""
    parser = argparse.ArgumentParser(
        prog="article",
        description="Run one stage of the article pipeline (article STAGE --help: its options).",
    )
    sub = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    # Import only the chosen stage's module: the others may load slow ones (README: Performance).
    chosen = next((word for word in words if not word.startswith("-")), None)
    for name, (module_name, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text)
        sp.set_defaults(_module=module_name)
        if name != chosen:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        module.configure_parser(sp)
    if chosen in COMMANDS and words[:1] == [chosen] and words[1:] not in (["-h"], ["--help"]):
        module = importlib.import_module(COMMANDS[chosen][0])
        if hasattr(module, "command_argv"):
            return _run(module.command_argv, words[1:], catch=catch)
    args = parser.parse_args(words)
    options = {k: v for k, v in vars(args).items() if not k.startswith("_") and k != "stage"}
    module = importlib.import_module(args._module)
    return _run(module.command, catch=catch, **options)


def _run(function, *args, catch: bool = True, **options) -> int:
    """Call a stage's command; a :class:`PipelineError` becomes its message and exit code 1
    (with ``catch``; else it propagates)."""
    try:
        return int(function(*args, **options) or 0)
    except PipelineError as error:
        if not catch:
            raise
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

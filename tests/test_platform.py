"""Any platform's git: a ledger cloned on Windows validates, and paths mean the same file
everywhere.

Git for Windows checks files out with `core.autocrlf=true`: without `.gitattributes` every
archived source text fails its SHA-256 and every record gets CRLF. The clone tests make real
clones with that setting (git does the conversion on any platform). The path tests feed the
path functions Windows paths while running on Linux: a path in a record must be refused, or
name the same file, on every platform. Files must be read as the bytes they hold, even where
the platform's os.open would translate them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLE, Sample, git, layout_for, run, where
from ledger.authoring.new_records import id_problem
from ledger.git.revision import GitError, open_revision
from ledger.publish.site import MANIFEST, write_site
from ledger.records.files import read_bytes
from ledger.records.load import load
from ledger.records.portable import PathRefusal, join_inside, relative_parts
from ledger.records.root import Layout

REPO = Path(__file__).resolve().parents[1]
SOURCE = "sources/cso-memo-2017.yaml"
# 11   path: cso-memo-2017.txt
# 12   sha256: 3748...
ARCHIVE = "sources/cso-memo-2017.txt"


def crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# -- archive paths: the same file on every platform, or refused ----------------------------


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("C:/ledger/data/sources/cso-memo-2017.txt", "':'"),
        ("C:cso-memo-2017.txt", "':'"),
        ("c:\\cso-memo-2017.txt", "backslash"),
        ("..\\..\\ledger.toml", "backslash"),
        ("..\\sources\\cso-memo-2017.txt", "backslash"),
        (".\\cso-memo-2017.txt", "backslash"),
        ("data\\sources\\cso-memo-2017.txt", "backslash"),
        ("\\\\server\\share\\cso-memo-2017.txt", "backslash"),
        ("cso-memo-2017.txt:Zone.Identifier", "':'"),
        ("cso-memo-2017.txt.", "trailing dot"),
        ("cso-memo-2017.txt ", "trailing dot or space"),
        ("nul.txt", "device"),
        ("sub/CON", "device"),
        ("cso?memo.txt", "'?'"),
        (".", "names no file"),
        ("../../ledger.toml", "leaves"),
        ("/etc/passwd", "leaves"),
    ],
)
def test_an_archive_path_that_is_not_portable(sample_copy: Sample, path: str, why: str) -> None:
    sample_copy.edit(SOURCE, "path: cso-memo-2017.txt", f"path: {json.dumps(path)}")

    found = sample_copy.only()  # one diagnostic, never a traceback
    assert (found.path, *where(found)) == (f"data/{SOURCE}", "archive-path", 11, 9, "archive.path")
    assert why in found.message or why in found.hint


@pytest.mark.parametrize("path", ["cso\x00memo.txt", "cso\x1bmemo.txt"])
def test_an_archive_path_with_a_control_character(sample_copy: Sample, path: str) -> None:
    sample_copy.edit(SOURCE, "path: cso-memo-2017.txt", f"path: {json.dumps(path)}")

    found = sample_copy.diagnostics()  # the loader reports the character; no traceback
    assert sorted(where(d) for d in found) == [
        ("archive-path", 11, 9, "archive.path"),
        ("control-character", 11, 9, "archive.path"),
    ]


@pytest.mark.parametrize("path", ["cso-memo-2017.txt", "./cso-memo-2017.txt", "sub/memo.txt"])
def test_portable_archive_paths_are_accepted(sample_copy: Sample, path: str) -> None:
    if path.startswith("sub/"):
        sample_copy.write("sources/sub/memo.txt", sample_copy.path(ARCHIVE).read_bytes())
    sample_copy.edit(SOURCE, "path: cso-memo-2017.txt", f"path: {path}")
    assert sample_copy.diagnostics() == []


FOLDERS: list[PurePath] = [
    PurePosixPath("/home/me/ledger/data/sources"),
    PureWindowsPath("C:/Users/me/ledger/data/sources"),
    PureWindowsPath("//server/share/ledger/data/sources"),
]


@given(st.text(alphabet="ab./\\:C ?\x00", max_size=12))
def test_an_accepted_path_names_the_same_file_inside_the_folder_on_every_platform(
    raw: str,
) -> None:
    parts = relative_parts(raw)
    if isinstance(parts, PathRefusal):
        return
    assert PureWindowsPath(raw).parts == PurePosixPath(raw).parts == parts
    for folder in FOLDERS:
        target = join_inside(folder, raw)
        assert not isinstance(target, PathRefusal)
        assert type(target) is type(folder)
        assert folder in target.parents
        assert target.relative_to(folder).parts == parts


@pytest.mark.parametrize(
    "raw",
    ["C:x", "C:/x", "C:\\x", "\\x", "..\\x", "a\\..\\..\\x", "\\\\srv\\share\\x", "/x", "../x"],
)
def test_a_path_windows_reads_as_leaving_the_folder_is_refused(raw: str) -> None:
    assert isinstance(
        join_inside(PureWindowsPath("C:/Users/me/ledger/data/sources"), raw), PathRefusal
    )


def test_a_record_named_for_a_windows_device_is_reported(sample_copy: Sample) -> None:
    text = sample_copy.read("cases/tlatlaya.yaml").replace("id: tlatlaya", "id: aux")
    sample_copy.path("cases/tlatlaya.yaml").unlink()
    sample_copy.write("cases/aux.yaml", text)
    for rel in sample_copy.data.rglob("*.yaml"):
        content = rel.read_text(encoding="utf-8")
        if "tlatlaya\n" in content:
            rel.write_text(content.replace("- tlatlaya\n", "- aux\n"), encoding="utf-8")

    found = sample_copy.only()
    assert (found.path, *where(found), found.severity.value) == (
        "data/cases/aux.yaml",
        "non-portable-name",
        1,
        5,
        "id",
        "warning",
    )
    assert "device" in found.message


@pytest.mark.parametrize(
    ("candidate", "refused"), [("aux", True), ("com1", True), ("auxiliary", False)]
)
def test_new_refuses_an_id_windows_reads_as_a_device(candidate: str, refused: bool) -> None:
    problem = id_problem(candidate, set())
    assert (problem is not None) == refused
    assert not refused or "device" in str(problem)


@pytest.mark.parametrize(
    ("name", "why"),
    [("data\\sub", "backslash"), ("C:/data", "':'"), ("..\\..", "backslash"), ("../..", "")],
)
def test_a_data_folder_named_in_a_platform_s_own_way_is_refused(
    sample_copy: Sample, name: str, why: str
) -> None:
    (sample_copy.root / "ledger.toml").write_text(f"[ledger]\ndata = {json.dumps(name)}\n")

    result = run(["validate", "--root", str(sample_copy.root)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert "must be inside the ledger" in result.stderr and why in result.stderr


# -- paths shown: relative to the ledger, with forward slashes -----------------------------


def test_layout_shows_windows_paths_with_forward_slashes() -> None:
    root = PureWindowsPath("C:/Users/me/ledger")
    layout = Layout(root=root, data=root / "data")  # type: ignore[arg-type]

    assert layout.relative(root / "data" / "claims" / "x.yaml") == "data/claims/x.yaml"  # type: ignore[arg-type]
    assert layout.relative(PureWindowsPath("D:/elsewhere/x.yaml")) == "D:/elsewhere/x.yaml"  # type: ignore[arg-type]


# -- a site's manifest is data too ---------------------------------------------------------


@pytest.mark.parametrize(
    "entry", ["..\\victim.txt", "C:victim.txt", "victim\x00.txt", "../victim.txt"]
)
def test_a_site_manifest_entry_that_is_not_portable_is_left_alone(
    tmp_path: Path, entry: str
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / MANIFEST).write_text(json.dumps({"files": [entry]}), encoding="utf-8")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")

    written = write_site({"index.html": "<p>hi</p>\n"}, site)

    assert written.error is None and written.removed == []
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_files_are_read_as_bytes_even_where_os_open_means_text(
    sample_copy: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Windows' os.open reads in text mode (CRLF as LF, Ctrl-Z as the end) unless given
    # O_BINARY; Linux has no such flag, so here it is made up and looked for.
    text_mode_flag = 0x4000_0000
    monkeypatch.setattr(os, "O_BINARY", text_mode_flag, raising=False)
    opened: list[int] = []
    real_open = os.open

    def spy(path: str | os.PathLike[str], flags: int, *args: int) -> int:
        opened.append(flags)
        return real_open(path, flags & ~text_mode_flag, *args)

    monkeypatch.setattr(os, "open", spy)
    assert read_bytes(sample_copy.path(ARCHIVE), 1 << 20) == sample_copy.path(ARCHIVE).read_bytes()
    assert opened and all(flags & text_mode_flag for flags in opened)


# -- archives whose line endings were converted ------------------------------------------


def test_an_archive_given_crlf_by_git_gets_a_hint_that_says_so(sample_copy: Sample) -> None:
    archive = sample_copy.path(ARCHIVE)
    archive.write_bytes(crlf(archive.read_bytes()))

    found = sample_copy.only()
    assert where(found) == ("archive-hash", 12, 11, "archive.sha256")
    assert "it has CRLF where the pinned text has LF" in found.hint
    assert "core.autocrlf" in found.hint and ".gitattributes" in found.hint
    assert f"git checkout -- data/{ARCHIVE}" in found.hint


def test_an_archive_whose_crlf_git_made_lf_gets_a_hint_too(sample_copy: Sample) -> None:
    archive = sample_copy.path(ARCHIVE)
    digest = hashlib.sha256(crlf(archive.read_bytes())).hexdigest()
    text = sample_copy.read(SOURCE)
    old = next(line for line in text.splitlines() if "sha256:" in line)
    sample_copy.edit(SOURCE, old, f"  sha256: {digest}")

    found = sample_copy.only()
    assert where(found) == ("archive-hash", 12, 11, "archive.sha256")
    assert "it has LF where the pinned text has CRLF" in found.hint


def test_an_archive_changed_otherwise_gets_no_line_ending_hint(sample_copy: Sample) -> None:
    archive = sample_copy.path(ARCHIVE)
    archive.write_bytes(crlf(archive.read_bytes()).replace(b"10,000", b"10.000"))

    found = sample_copy.only()
    assert found.code == "archive-hash"
    assert "line endings" not in found.hint


# -- records with CRLF ---------------------------------------------------------------------


def test_crlf_records_are_read_and_fmt_says_so_and_makes_them_lf(sample_copy: Sample) -> None:
    assert run(["--root", str(sample_copy.root), "fmt"]).exit_code == 0
    records = sorted(sample_copy.data.rglob("*.yaml"))
    canonical = {p: p.read_bytes() for p in records}
    for path in records[:3]:
        path.write_bytes(crlf(path.read_bytes()))

    assert sample_copy.diagnostics() == []
    check = run(["--root", str(sample_copy.root), "fmt", "--check"])
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [
        p.relative_to(sample_copy.root).as_posix() for p in records[:3]
    ]
    assert "3 file(s) have Windows (CRLF) line endings" in check.stderr

    fixed = run(["--root", str(sample_copy.root), "fmt"])
    assert fixed.exit_code == 0
    assert "3 file(s) had Windows (CRLF) line endings, now LF" in fixed.stderr
    assert {p: p.read_bytes() for p in records} == canonical


def test_fmt_says_nothing_of_line_endings_when_there_are_none_to_fix(sample_copy: Sample) -> None:
    check = run(["--root", str(sample_copy.root), "fmt", "--check"])
    assert check.exit_code == 1  # the sample lacks modelines
    assert "CRLF" not in check.stderr


def test_fmt_names_an_unknown_path_relative_to_the_ledger(sample_copy: Sample) -> None:
    missing = sample_copy.data / "claims" / "nothing-here.yaml"
    result = run(["--root", str(sample_copy.root), "fmt", str(missing)])

    assert result.exit_code == 1
    assert "data/claims/nothing-here.yaml: no such file or folder" in result.stderr
    assert str(sample_copy.root) not in result.stderr


# -- a revision, as committed ------------------------------------------------------------


def committed_sample(tmp_path: Path, folder: str = "") -> Path:
    """The sample ledger committed in a scratch repository (in ``folder`` inside it)."""
    repo = tmp_path / "repo"
    root = repo / folder
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns(".ledger-cache"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "sample")
    return root


def snapshot_diagnostics(root: Path) -> list[tuple[str, str]]:
    revision = open_revision(layout_for(root), "HEAD")
    assert not isinstance(revision, GitError), revision
    assert isinstance(revision, Layout)
    return [(d.path, d.code) for d in load(revision).diagnostics]


def test_a_revision_reads_the_committed_bytes_whatever_autocrlf_says(tmp_path: Path) -> None:
    # `--rev` and `ledger diff` read a revision's blobs as committed: checkout and archive
    # would convert line endings as the user's configuration says.
    root = committed_sample(tmp_path)
    git(root, "config", "core.autocrlf", "true")
    assert snapshot_diagnostics(root) == []


def test_a_revision_of_a_ledger_in_a_folder_with_accents(tmp_path: Path) -> None:
    # git quotes such names in its listings ("Donn\303\251es/ledger.toml") unless asked not to
    root = committed_sample(tmp_path, "Données")
    assert snapshot_diagnostics(root) == []


# -- a clone with core.autocrlf=true -----------------------------------------------------


def clone_with_autocrlf(tmp_path: Path, *, attributes: bool) -> Path:
    """A git repository holding a copy of this repository's ledger (with its .gitattributes,
    or without), cloned as Git for Windows clones by default."""
    origin = tmp_path / "origin"
    ignore = shutil.ignore_patterns(".ledger-cache")
    shutil.copytree(REPO / "data", origin / "data", ignore=ignore)
    shutil.copytree(REPO / "schema", origin / "schema")
    shutil.copy(REPO / "ledger.toml", origin)
    if attributes:
        shutil.copy(REPO / ".gitattributes", origin)
    git(origin, "init", "-q")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "the ledger")
    git(tmp_path, "-c", "core.autocrlf=true", "clone", "-q", "origin", "clone")
    return tmp_path / "clone"


def archives(root: Path) -> list[Path]:
    found = sorted((root / "data/sources").glob("*.txt"))
    assert found
    return found


def test_a_clone_with_autocrlf_validates_and_is_canonical(tmp_path: Path) -> None:
    clone = clone_with_autocrlf(tmp_path, attributes=True)

    for archive in archives(clone):
        assert archive.read_bytes() == (REPO / "data/sources" / archive.name).read_bytes()
    assert not any(b"\r" in p.read_bytes() for p in (clone / "data").rglob("*.yaml"))
    validate = run(["--root", str(clone), "validate", "--strict"])
    assert validate.exit_code == 0, validate.stderr
    check = run(["--root", str(clone), "fmt", "--check"])
    assert (check.exit_code, check.stdout) == (0, ""), check.stderr


def test_without_the_attributes_such_a_clone_fails_and_says_why(tmp_path: Path) -> None:
    clone = clone_with_autocrlf(tmp_path, attributes=False)

    assert all(b"\r\n" in archive.read_bytes() for archive in archives(clone))
    validate = run(["--root", str(clone), "validate", "--format", "json"])
    assert validate.exit_code == 1
    found = json.loads(validate.stdout)["diagnostics"]
    assert {d["code"] for d in found} == {"archive-hash"}
    assert len(found) == len(archives(clone))
    for d in found:
        assert "only its line endings changed" in d["hint"]
        assert "core.autocrlf" in d["hint"]

    check = run(["--root", str(clone), "fmt", "--check"])
    assert check.exit_code == 1
    records = len(list((clone / "data").rglob("*.yaml")))
    assert f"{records} file(s) have Windows (CRLF) line endings" in check.stderr
    assert ".gitattributes" in check.stderr


def test_the_hinted_repair_works(tmp_path: Path) -> None:
    clone = clone_with_autocrlf(tmp_path, attributes=False)
    shutil.copy(REPO / ".gitattributes", clone)  # as when pulling the commit that adds it
    for archive in archives(clone):
        archive.unlink()
        git(clone, "checkout", "--", archive.relative_to(clone).as_posix())
    assert run(["--root", str(clone), "fmt"]).exit_code == 0

    assert run(["--root", str(clone), "validate", "--strict"]).exit_code == 0
    for path in [*(clone / "data").rglob("*.yaml"), *archives(clone)]:
        assert path.read_bytes() == (REPO / path.relative_to(clone)).read_bytes(), path


def in_a_git_checkout() -> bool:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() == "true"


@pytest.mark.skipif(not in_a_git_checkout(), reason="needs this repository's git checkout")
def test_the_attributes_keep_any_archive_byte_exact_and_records_lf() -> None:
    archives = [
        "data/sources/cso-memo-2017.txt",
        "tests/sample/data/sources/mx-gov-2018.txt",
        "data/sources/ruling.html",  # archived in place: any extension, or none
        "data/sources/notes",
        "data/archive/older/memo.md",
    ]
    records = ["data/sources/cso-memo-2017.yaml", "data/claims/a/b.yaml", "ledger.toml"]
    listed = git(REPO, "check-attr", "text", "eol", "merge", "--", *archives, *records)
    attrs: dict[str, dict[str, str]] = {}
    for line in listed.splitlines():
        path, name, value = line.split(": ")
        attrs.setdefault(path, {})[name] = value
    for path in archives:
        assert attrs[path] == {"text": "unset", "eol": "unspecified", "merge": "unset"}, path
    for path in records:
        assert attrs[path]["eol"] == "lf" and attrs[path]["text"] in ("set", "auto"), path

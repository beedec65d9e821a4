"""The hostile corpus: every case gives exactly its expected diagnostics, as a real process,
in bounded time and memory, with no traceback and nothing that would drive a terminal.

Each case in `tests/hostile/<case>/` is a set of files laid over a copy of the sample ledger's
`data/` folder (a file of the same name replaces the sample's). Cases that cannot be committed
(a 50 MB file, symlinks, FIFOs, devices, unreadable folders, file names that are not UTF-8) are
built here, in GENERATED. `tests/hostile/expected.json` holds, for every case, the exit code of
`ledger validate --format json` and the exact diagnostics as [path, code, line, column, field].

Every case runs `ledger validate --format json` as a real process (`python -m ledger`) under
a 1 GiB address-space limit and a timeout: a crash, a hang or a blow-up fails the case, and
the exit code and diagnostics must be exactly those expected. Then `validate --strict` in the
human format must exit 1 on any finding. Neither may print a traceback or a single character
that a terminal would interpret. The human run is a process too for the generated cases (the
special files and permissions are what they test); for the committed ones it runs in-process,
after the process run has shown the case cannot crash or hang, which halves the time.

When the tests run as root, the processes run without the capabilities that let root ignore
file permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), as an ordinary user would; where
they cannot be dropped, the permission cases are skipped.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import resource
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import SAMPLE, Sample, layout_for, make_old, run, where
from ledger.analysis.checks import MAX_QUOTE_CHARS, MAX_RECORDS, too_many_records
from ledger.records.diagnostics import CODES
from ledger.records.files import MAX_ARCHIVE_BYTES
from ledger.records.yamlread import number_diagnostics, parse
from ledger.safe_text import visible

CORPUS = Path(__file__).parent / "hostile"
EXPECTED: dict[str, dict] = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))[
    "cases"
]
MEMORY_LIMIT = 1 << 30
"""Address space a `ledger` process may use (1 GiB): a blow-up fails as MemoryError."""
TIMEOUT = 120
"""Seconds before a `ledger` process counts as hung: a guard against a hang, not a budget."""

# Anything a terminal could act on, or that hides or reorders text: C0 controls but the
# newline (tab included, since every output shows it as \t), DEL, C1 controls, bidirectional
# and zero-width characters, line and paragraph separators, and lone surrogates.
UNSAFE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    r"\ufeff\ud800-\udfff]"
)

CLAIM = "claims/cso-torture-complaints.yaml"
BASE = (SAMPLE / "data" / CLAIM).read_text(encoding="utf-8")
ARCHIVE = "sources/mx-gov-2018.txt"


# -- cases built at test time --------------------------------------------------------------------


def _replace_with_link(path: Path, target: str | Path) -> None:
    path.unlink()
    path.symlink_to(target)


def big_record(root: Path) -> None:
    """A 50 MB record file: refused by its size before a byte of it is read."""
    with open(root / "data/claims/huge.yaml", "wb") as handle:
        handle.write(b"id: huge\nnotes: ")
        chunk = b"lol " * (1 << 18)  # 1 MiB
        for _ in range(50):
            handle.write(chunk)
        handle.write(b"\n")


def one_megabyte_line(root: Path) -> None:
    """A quote written as one line of a million characters (the file stays under 1 MiB)."""
    path = root / "data" / CLAIM
    words = ("complaints of torture " * 50_000)[:1_000_000].strip()
    lines = [f"quote: {words}" if line.startswith("quote:") else line for line in _lines(path)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def archive_over_limit(root: Path) -> None:
    """An archived text one byte over the limit (a sparse file: nothing is written or read)."""
    path = root / "data" / ARCHIVE
    with open(path, "r+b") as handle:
        handle.truncate(MAX_ARCHIVE_BYTES + 1)


def archive_link_out(root: Path) -> None:
    """The archive is a link to a copy outside the ledger, byte for byte right: still refused."""
    outside = root.parent / "outside.txt"
    shutil.copy(root / "data" / ARCHIVE, outside)
    _replace_with_link(root / "data" / ARCHIVE, outside)


def archive_link_loop(root: Path) -> None:
    _replace_with_link(root / "data" / ARCHIVE, "loop.txt")
    (root / "data/sources/loop.txt").symlink_to("mx-gov-2018.txt")


def archive_dev_zero(root: Path) -> None:
    _replace_with_link(root / "data" / ARCHIVE, "/dev/zero")


def archive_fifo(root: Path) -> None:
    (root / "data" / ARCHIVE).unlink()
    os.mkfifo(root / "data" / ARCHIVE)


def archive_device(root: Path) -> None:
    """A character device (the twin of /dev/zero) made inside the data folder itself."""
    (root / "data" / ARCHIVE).unlink()
    try:
        os.mknod(root / "data" / ARCHIVE, 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    except OSError as exc:
        pytest.skip(f"cannot make a device file here: {exc.strerror}")


def record_dev_zero(root: Path) -> None:
    (root / "data/claims/zero.yaml").symlink_to("/dev/zero")


def record_fifo(root: Path) -> None:
    os.mkfifo(root / "data/claims/fifo.yaml")


def record_link_inside(root: Path) -> None:
    (root / "data/claims/link.yaml").symlink_to("../cases/tlatlaya.yaml")


def record_folder_link(root: Path) -> None:
    """data/claims is a link to a folder outside the ledger."""
    outside = root.parent / "claims-elsewhere"
    shutil.move(root / "data/claims", outside)
    (root / "data/claims").symlink_to(outside)


def folder_link_loop(root: Path) -> None:
    (root / "data/claims/loop").symlink_to(".")


def escapes_in_file_name(root: Path) -> None:
    text = (root / "data/cases/tlatlaya.yaml").read_text(encoding="utf-8")
    (root / "data/cases/evil\x1b]0;pwned\x07[bold].yaml").write_text(
        text.replace("id: tlatlaya", "id: evil"), encoding="utf-8"
    )


def file_name_not_utf8(root: Path) -> None:
    text = (root / "data/cases/tlatlaya.yaml").read_bytes().replace(b"id: tlatlaya", b"id: bad")
    with open(os.fsencode(root / "data/cases") + b"/bad\xff.yaml", "wb") as handle:
        handle.write(text)


def _no_permissions(rel: str) -> Callable[[Path], None]:
    def build(root: Path) -> None:
        if os.geteuid() == 0 and not CAN_DROP_ROOT_POWERS:
            pytest.skip("running as root, and root's power to ignore permissions cannot be dropped")
        (root / rel).chmod(0)

    return build


def data_folder_link_out(root: Path) -> None:
    outside = root.parent / "data-elsewhere"
    shutil.move(root / "data", outside)
    (root / "data").symlink_to(outside)


GENERATED: dict[str, Callable[[Path], None]] = {
    "size-50mb-record": big_record,
    "size-1mb-single-line": one_megabyte_line,
    "size-archive-over-limit": archive_over_limit,
    "path-archive-link-out": archive_link_out,
    "path-archive-link-loop": archive_link_loop,
    "path-archive-dev-zero": archive_dev_zero,
    "path-archive-fifo": archive_fifo,
    "path-archive-device": archive_device,
    "path-record-dev-zero": record_dev_zero,
    "path-record-fifo": record_fifo,
    "path-record-link-inside": record_link_inside,
    "path-record-folder-link": record_folder_link,
    "path-folder-link-loop": folder_link_loop,
    "name-escapes-in-file-name": escapes_in_file_name,
    "name-not-utf8": file_name_not_utf8,
    "perm-data-folder-unreadable": _no_permissions("data"),
    "perm-record-folder-unreadable": _no_permissions("data/claims/mx-gov-2018"),
    "perm-record-unreadable": _no_permissions(f"data/{CLAIM}"),
    "perm-data-folder-link-out": data_folder_link_out,
}


# -- running a case as a process ------------------------------------------------------------------

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _limit_process() -> None:
    """In the child, before exec: bound its memory and, for root, drop the capabilities that
    let root read and list what its permission bits forbid."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _can_drop_root_powers() -> bool:
    if os.geteuid() != 0:
        return False
    try:
        subprocess.run(["true"], preexec_fn=_limit_process, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


CAN_DROP_ROOT_POWERS = _can_drop_root_powers()


def _preexec() -> None:
    if CAN_DROP_ROOT_POWERS or os.geteuid() != 0:
        _limit_process()
    else:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def ledger_process(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """`python -m ledger ARGS`, bounded, writing strict UTF-8 (a lone surrogate would fail)."""
    env = {k: v for k, v in os.environ.items() if k not in {"LEDGER_ROOT", "NO_COLOR"}}
    env["PYTHONIOENCODING"] = "utf-8:strict"
    return subprocess.Popen(
        [sys.executable, "-m", "ledger", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_preexec,
    )


@dataclass
class Outcome:
    root: Path
    exit: int
    stdout: str
    stderr: str


def finish(process: subprocess.Popen[bytes], root: Path) -> Outcome:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"`ledger {process.args[3:]}` did not finish in {TIMEOUT} s") from None
    decode = lambda b: b.decode("utf-8", errors="surrogateescape")  # noqa: E731
    return Outcome(root, process.returncode, decode(out), decode(err))


def build_ledger(case: str, where: Path) -> Path:
    """A copy of the sample ledger in ``where`` with the case laid over its data folder.

    Every file is dated 2001, like a checkout that is not brand new, so that the cache
    (which never stores what changed in the last two seconds) takes part: the first run
    stores what it read and the next one answers from it.
    """
    root = where / "ledger"
    shutil.copytree(SAMPLE, root, symlinks=True, ignore=shutil.ignore_patterns(".ledger-cache"))
    if (CORPUS / case).is_dir():
        shutil.copytree(CORPUS / case, root / "data", dirs_exist_ok=True)
    else:
        GENERATED[case](root)
    for dirpath, dirnames, filenames in os.walk(os.fsencode(root)):
        for name in [*dirnames, *filenames]:
            make_old(os.path.join(dirpath, name), OLD, follow_symlinks=False)
    return root


OLD = 1_000_000_000
"""A time in 2001, for every file of a case."""


def run_case(case: str, where: Path) -> tuple[Outcome, Outcome | None]:
    """The case's `validate --format json` outcome, and for a generated case that of
    `validate --strict` in the human format."""
    root = build_ledger(case, where)
    as_json = finish(ledger_process(["validate", "--format", "json"], root), root)
    if case not in GENERATED:
        return as_json, None
    return as_json, finish(ledger_process(["validate", "--strict"], root), root)


def human_in_process(root: Path) -> Outcome:
    result = run(["--root", str(root), "validate", "--strict"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(root, result.exit_code, result.stdout, result.stderr)


def restore_permissions(where: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(where):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath, name)
            if not path.is_symlink() and stat.S_IMODE(path.lstat().st_mode) == 0:
                path.chmod(0o755)


@pytest.fixture(scope="session")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Outcome, Outcome | None] | BaseException]:
    """Every selected case, run up front a few at a time (each is mostly process start-up)."""
    wanted = sorted(
        {
            item.callspec.params["case"]
            for item in request.session.items
            if hasattr(item, "callspec") and item.originalname == "test_case"
        }
    )
    base = tmp_path_factory.mktemp("hostile")
    # chmod 000 on a folder must also stop the cleanup's walk, so give the bits back then.
    request.addfinalizer(lambda: restore_permissions(base))

    def attempt(case: str) -> tuple[Outcome, Outcome | None] | BaseException:
        where = base / case
        where.mkdir()
        try:
            return run_case(case, where)
        except BaseException as exc:  # reported by the case's own test
            return exc

    with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
        return dict(zip(wanted, pool.map(attempt, wanted), strict=True))


# -- the tests -----------------------------------------------------------------------------------


def test_every_case_has_expectations_and_every_expectation_a_case() -> None:
    on_disk = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert not on_disk & set(GENERATED)
    assert set(EXPECTED) == on_disk | set(GENERATED)
    for case, expected in EXPECTED.items():
        assert expected["about"], case
        assert expected["exit"] in (0, 1, 2), case
        if expected["exit"] == 2:
            assert expected["diagnostics"] is None and expected["stderr"], case
            continue
        for diagnostic in expected["diagnostics"]:
            path, code, line, column, field = diagnostic
            assert path.startswith("data/") and code in CODES, (case, diagnostic)
            assert line >= 0 and column >= 0 and isinstance(field, str), (case, diagnostic)
        severities = {CODES[d[1]][0] for d in expected["diagnostics"]}
        assert expected["exit"] == (1 if "error" in severities else 0), case


def harmless(text: str) -> list[str]:
    """What in ``text`` a terminal would act on (nothing, for the test to pass)."""
    return UNSAFE.findall(text)


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_case(
    case: str,
    outcomes: dict[str, tuple[Outcome, Outcome | None] | BaseException],
    request: pytest.FixtureRequest,
) -> None:
    expected = EXPECTED[case]
    if expected.get("pending"):  # a known gap outside the reader: passes once it is closed
        request.applymarker(pytest.mark.xfail(reason=expected["pending"], strict=True))
    found = outcomes[case]
    if isinstance(found, pytest.skip.Exception):
        raise found
    if isinstance(found, BaseException):
        raise found
    as_json, human = found
    assert "Traceback" not in as_json.stderr, as_json.stderr[-3000:]
    assert as_json.exit in (0, 1, 2), as_json.stderr[-3000:]  # not killed by a signal
    human = human or human_in_process(as_json.root)
    for outcome in (as_json, human):
        assert "Traceback" not in outcome.stderr, outcome.stderr[-3000:]
        assert harmless(outcome.stdout + outcome.stderr) == []
    assert not (as_json.root / "PWNED").exists()  # no tag ran a command

    if expected["exit"] == 2:  # the ledger itself cannot be read: one line, no diagnostics
        for outcome in (as_json, human):
            assert (outcome.exit, outcome.stdout) == (2, "")
            assert outcome.stderr.startswith("ledger: ")
            assert expected["stderr"] in outcome.stderr
            assert outcome.stderr.count("\n") == 1
        return

    envelope = json.loads(as_json.stdout)
    got = [
        [d["path"], d["code"], d["line"], d["column"], d["field"]] for d in envelope["diagnostics"]
    ]
    assert (as_json.exit, got) == (expected["exit"], expected["diagnostics"])
    assert as_json.stderr == ""
    assert human.stdout == ""
    assert human.exit == (1 if expected["diagnostics"] else 0)
    for path, code, line, column, _field in expected["diagnostics"]:  # hledger style
        place = f"{path}:{line}:{column}" if line else path
        assert f"{visible(place)}: {CODES[code][0].value}[{code}]: " in human.stderr
    if expected["diagnostics"]:
        assert human.stderr.splitlines()[-1].endswith("checked")


HUMAN_COMMANDS = [
    ["validate"],
    ["status"],
    ["status", "requirement-2"],
    ["status", "requirement-2", "--explain"],
    ["show", "cso-torture-complaints"],
    ["xref", "cso-torture-complaints"],
    ["list", "claims"],
    ["search", "memo"],
    ["conflicts"],
    ["gaps"],
    ["timeline"],
    ["figures"],
]
MACHINE_COMMANDS = [
    ["validate", "--format", "json"],
    ["validate", "--format", "github"],
    ["status", "requirement-2", "--format", "json"],
    ["status", "requirement-2", "--format", "markdown"],
    ["status", "torture-prosecutions", "--format", "markdown"],
    ["show", "cso-torture-complaints", "--format", "json"],
    ["export", "--format", "json"],
    ["export", "--format", "jsonl"],
    ["export", "--format", "markdown"],
    ["export", "--format", "csv", "--kind", "claims"],
]

"""Cases whose characters site/html.py's json_script still writes raw into search.html's
JSON block (json.dumps escapes only C0 controls), from where search results show them."""


@pytest.mark.parametrize("case", sorted(case for case in EXPECTED if "shown" in EXPECTED[case]))
def test_hostile_text_through_every_command(case: str, tmp_path: Path) -> None:
    """Hostile text in a record that loads reaches every output as visible characters:
    validate, status (human, JSON, markdown), show, list, search, conflicts and figures."""
    root = build_ledger(case, tmp_path)
    human = []
    for args in [*HUMAN_COMMANDS, *MACHINE_COMMANDS]:
        result = run(["--root", str(root), *args])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.exception,
        )
        assert harmless(result.stdout + result.stderr) == [], args
        if args in HUMAN_COMMANDS:
            human.append(result.stdout + result.stderr)
    for text in EXPECTED[case]["shown"]:  # on a terminal, a reviewer sees what is there
        assert text in "\n".join(human), text


@pytest.mark.parametrize(
    "case",
    [case for case in sorted(EXPECTED) if "shown" in EXPECTED[case]],
)
def test_hostile_text_in_the_html_site(case: str, tmp_path: Path) -> None:
    """Every page of the site: no character a terminal or a browser would act on (or that
    would reorder what a reader sees), and no markup from the data."""
    root = build_ledger(case, tmp_path)
    result = run(["--root", str(root), "site", str(tmp_path / "site")])
    assert result.exit_code == 0, result.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html")}
    assert pages
    for name, page in pages.items():
        assert harmless(page) == [], name
        assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize(
    "case", ["id-homoglyph-file-name", "id-same-in-two-folders", "name-escapes-in-file-name"]
)
def test_the_same_diagnostics_after_another_command_filled_the_cache(
    case: str, tmp_path: Path
) -> None:
    """A reviewer who ran `ledger status` first (which stores the loaded ledger in the
    cache) gets exactly the diagnostics of a fresh run."""
    root = build_ledger(case, tmp_path)
    assert run(["--root", str(root), "status"]).exception is None
    result = run(["--root", str(root), "validate", "--format", "json"])
    got = [
        [d["path"], d["code"], d["line"], d["column"], d["field"]]
        for d in json.loads(result.stdout)["diagnostics"]
    ]
    assert got == EXPECTED[case]["diagnostics"]


def test_markdown_reads_nothing_in_the_data_as_markup(tmp_path: Path) -> None:
    root = build_ledger("text-markdown-html", tmp_path)
    result = run(["--root", str(root), "status", "requirement-2", "--format", "markdown"])
    assert result.exit_code == 0
    assert "<script>" not in result.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    assert "\\[x\\](javascript:alert(1))" in result.stdout
    assert "\\| a \\|" in result.stdout


def test_the_one_megabyte_line_is_refused_by_length_not_searched(tmp_path: Path) -> None:
    root = build_ledger("size-1mb-single-line", tmp_path)
    result = run(["--root", str(root), "validate", "--format", "json"])
    [found] = json.loads(result.stdout)["diagnostics"]
    assert found["code"] == "quote-too-long"
    assert f"limit is {MAX_QUOTE_CHARS:,}" in found["message"]
    assert len(found["message"]) < 200  # the quote itself is not repeated back


# -- the limits, and the reader's newer refusals, one by one -----------------------------------


def test_a_quote_over_the_length_limit_is_not_searched(sample_copy: Sample) -> None:
    quote = "the PGR received over 10,000 complaints of torture between 2012 and 2016"
    long = " ".join([quote] * (MAX_QUOTE_CHARS // len(quote) + 1))
    sample_copy.edit(CLAIM, f"quote: {quote}", f"quote: {long}")
    found = sample_copy.only()
    assert where(found) == ("quote-too-long", 4, 8, "quote")
    assert found.message == (
        f"the quote has {len(long):,} characters; the limit is {MAX_QUOTE_CHARS:,}"
    )


def test_a_quote_at_the_length_limit_is_searched(sample_copy: Sample) -> None:
    quote = "the PGR received over 10,000 complaints of torture between 2012 and 2016"
    padded = quote + " x" * ((MAX_QUOTE_CHARS - len(quote)) // 2)
    assert len(padded) <= MAX_QUOTE_CHARS
    sample_copy.edit(CLAIM, f"quote: {quote}", f"quote: {padded}")
    assert [d.code for d in sample_copy.diagnostics()] == ["quote-not-found"]


def test_a_requirements_wording_over_the_limit(sample_copy: Sample) -> None:
    text = sample_copy.read("requirements/requirement-2.yaml").splitlines()[2]
    sample_copy.edit("requirements/requirement-2.yaml", text, "text: " + "x " * MAX_QUOTE_CHARS)
    assert where(sample_copy.only()) == ("quote-too-long", 3, 7, "text")


def test_too_many_records(sample_copy: Sample, monkeypatch: pytest.MonkeyPatch) -> None:
    layout = layout_for(sample_copy.root)
    assert too_many_records(MAX_RECORDS, layout) is None
    found = too_many_records(MAX_RECORDS + 1, layout)
    assert found is not None
    assert (found.path, *where(found)) == ("data", "too-many-records", 0, 0, "")
    assert f"{MAX_RECORDS + 1:,} record files; the limit is {MAX_RECORDS:,}" in found.message


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("010", "YAML 1.1 reads it as the octal number 8"),
        ("0x2710", "YAML 1.1 reads it as 10000"),
        ("0b101", "YAML 1.1 reads it as 5"),
        ("10_000", "YAML 1.1 reads it as 10000"),
        ("1:30", "YAML 1.1 reads it as 90"),
        ("1_000.5", "YAML 1.1 reads it as 1000.5"),
        (".inf", "not finite"),
        ("-.Inf", "not finite"),
        (".NaN", "not finite"),
    ],
)
def test_numbers_not_in_plain_decimal(written: str, message: str) -> None:
    text = BASE.replace("value: 10000", f"value: {written}")
    for positions in (False, True):
        parsed = parse(text, CLAIM, positions=positions)
        assert parsed.diagnostics == []  # reported by the caller, once the schema has spoken
        [found] = number_diagnostics(parsed)
        assert where(found) == ("ambiguous-number", 13, 12, "figures[0].value")
        assert message in found.message


@pytest.mark.parametrize("written", ["10000", "-5", "+5", "0", "1.5", "1.", ".5", "1.0e+3", "-0"])
def test_numbers_in_plain_decimal_are_fine(written: str) -> None:
    parsed = parse(BASE.replace("value: 10000", f"value: {written}"), CLAIM)
    assert parsed.data is not None
    assert number_diagnostics(parsed) == []


def test_a_number_the_schema_rejects_is_reported_once(sample_copy: Sample) -> None:
    """`locator: 010` is a number where text belongs: the schema's diagnostic, with its hint
    to quote the value, is the one to give."""
    text = BASE.replace("locator: REQUIREMENT 2, paragraph 1", "locator: 010")
    parsed = parse(text, f"data/{CLAIM}", positions=True)
    [doubt] = number_diagnostics(parsed)
    assert where(doubt) == ("ambiguous-number", 3, 10, "locator")
    sample_copy.write(CLAIM, text)
    schema = sample_copy.only()
    assert where(schema) == ("invalid-value", 3, 10, "locator")
    assert number_diagnostics(parsed, [schema]) == []


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x85", "NEXT LINE"), ("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR")],
)
def test_line_breaks_that_editors_hide(char: str, name: str) -> None:
    """YAML reads a field after the character that a diff shows on the same line."""
    text = BASE.replace("kind: figure", f"kind: figure{char}notes: hidden")
    for positions in (False, True):
        parsed = parse(text, CLAIM, positions=positions)
        assert parsed.data is None
        assert [where(d) for d in parsed.diagnostics] == [("unusual-line-break", 6, 13, "")]
        assert name in parsed.diagnostics[0].message

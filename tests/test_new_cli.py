"""`ledger new source|case|claim`, `ledger locate` and `ledger link` from the command line.

The first test is the README's walk-through for a new user, end to end in a scratch git
repository: archive a new document, locate a passage, add a claim about an existing case
that contradicts an existing claim, and see the change in `ledger status` and `ledger diff`.
The others hold each command to its contract: exit codes, refusals that write nothing, and
no prompt when stdin is not a terminal (the runner's stdin is not one).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import Result

from conftest import SAMPLE, Sample, git, run, run_process

RULING_HTML = """\
<!doctype html>
<html><head><title>Ruling on the Tlatlaya case</title>
<style>p { color: red }</style><script>document.title = "<p>not text</p>";</script></head>
<body>
<h1>Ruling on the Tlatlaya case</h1>
<p>The First Collegiate Court ordered the release of the three soldiers indicted for the
Tlatlaya killings.</p>
<h2>Findings</h2>
<p>The court found that the Attorney General&rsquo;s Office did obtain arrest warrants against
the soldiers, but that the evidence it presented was insufficient.</p>
<p>The court did not rule on the alleged &ldquo;order to kill&rdquo;.</p>
</body></html>
"""

LETTER_TXT = """\
Letter from the families

The families of the victims wrote to the Attorney General in 2016.

They say that nobody has explained what happened at Tlatlaya.
"""

SOURCE_FLAGS = ["--published", "2016-05", "--language", "en", "--no-input"]


def ledger(root: Path, *args: str) -> Result:
    return run(["--root", str(root), *args], env={"COLUMNS": "200"})


def ok(result: Result) -> Result:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and not {".git", ".ledger-cache"} & set(p.parts)
    }


@pytest.fixture
def repo(tmp_path: Path) -> Sample:
    """The sample ledger committed in a new git repository."""
    root = tmp_path / "repo"
    shutil.copytree(SAMPLE, root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the sample ledger")
    return Sample(root)


@pytest.fixture
def documents(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "incoming"
    folder.mkdir()
    html = folder / "ruling.html"
    html.write_text(RULING_HTML, encoding="utf-8")
    txt = folder / "letter.txt"
    txt.write_text(LETTER_TXT, encoding="utf-8")
    return {"html": html, "txt": txt}


def add_ruling(repo: Sample, documents: dict[str, Path], *extra: str) -> str:
    result = ok(
        ledger(
            repo.root,
            "new",
            "source",
            str(documents["html"]),
            "--title",
            "Ruling on the Tlatlaya case",
            "--author",
            "First Collegiate Court",
            "--kind",
            "court-ruling",
            "--perspective",
            "court",
            *SOURCE_FLAGS,
            *extra,
        )
    )
    return result.stdout.strip()


# -- the walk-through -------------------------------------------------------------------


def test_a_new_user_archives_locates_adds_a_contradicting_claim_and_sees_it(
    repo: Sample, documents: dict[str, Path]
) -> None:
    # 1. archive a new document (HTML) and another (plain text)
    ruling = add_ruling(repo, documents)
    assert ruling.startswith("ruling-tlatlaya-case-")
    archived = repo.read(f"sources/{ruling}.txt")
    assert archived.startswith("Ruling on the Tlatlaya case\n\nThe First Collegiate Court")
    assert "not text" not in archived and "color" not in archived
    letter = ok(
        ledger(
            repo.root,
            "new",
            "source",
            str(documents["txt"]),
            "--title",
            "Letter from the families",
            "--kind",
            "letter",
            "--perspective",
            "civil-society",
            "--id",
            "families-letter-2016",
            *SOURCE_FLAGS,
        )
    )
    assert letter.stdout == "families-letter-2016\n"
    assert repo.path("sources/families-letter-2016.txt").read_bytes() == (
        documents["txt"].read_bytes()
    )
    ok(ledger(repo.root, "validate"))

    # 2. locate a passage: words typed loosely, the exact quote comes back
    located = ok(
        ledger(repo.root, "locate", ruling, "Attorney Generals office", "did obtain", "-f", "json")
    )
    found = json.loads(located.stdout)
    assert found["format"] == "ledger-locate" and found["source"] == ruling
    assert [(p["quote"], p["locator"]) for p in found["passages"]] == [
        ("Attorney General’s Office did obtain", "Findings, paragraph 1")
    ]
    located = ok(ledger(repo.root, "locate", ruling, "obtained arrest warrants against soldiers"))
    assert "1. Findings, paragraph 1" in located.stdout
    assert "quote: obtain arrest warrants against the soldiers" in located.stdout

    # 3. a claim about an existing case that contradicts an existing claim
    added = ok(
        ledger(
            repo.root,
            "new",
            "claim",
            "--source",
            ruling,
            "--quote",
            "did obtain arrest warrants against the soldiers",
            "--statement",
            "The ruling says the Attorney General's Office obtained arrest warrants.",
            "--kind",
            "legal-finding",
            "--case",
            "tlat",
            "--bears-on",
            "requirement-1=supports",
            "--contradicts",
            "cso-tlatlaya-no-arrest-warrants",
            "--no-input",
        )
    )
    claim_id = added.stdout.strip()
    assert claim_id.startswith("ruling-")
    assert "locator 'Findings, paragraph 1' is where the quote stands" in added.stderr
    text = repo.read(f"claims/{ruling}/{claim_id}.yaml")
    assert "locator: Findings, paragraph 1\n" in text
    assert "relations:\n  - contradicts: cso-tlatlaya-no-arrest-warrants\n" in text
    ok(ledger(repo.root, "validate"))

    # 4. the change in status and in diff
    status = json.loads(ok(ledger(repo.root, "status", "requirement-1", "-f", "json")).stdout)
    assert status["verdict"]["status"] == "contested"
    pairs = {frozenset((c["left"]["id"], c["right"]["id"])) for c in status["contradictions"]}
    assert {claim_id, "cso-tlatlaya-no-arrest-warrants"} in pairs
    human = ok(ledger(repo.root, "status", "requirement-1")).stdout
    assert claim_id in human and "contested" in human
    diff = json.loads(ok(ledger(repo.root, "diff", "--format", "json")).stdout)
    added_records = {(r["kind"], r["id"], r["change"]) for r in diff["records"]}
    assert added_records == {
        ("source", ruling, "added"),
        ("source", "families-letter-2016", "added"),
        ("claim", claim_id, "added"),
    }
    requirement = next(s for s in diff["statuses"] if s["id"] == "requirement-1")
    assert (requirement["old"], requirement["new"]) == ("not-met", "contested")
    assert requirement["claims"] == [claim_id]


# -- new source ---------------------------------------------------------------------------


def test_the_html_source_record_says_how_its_text_was_made(
    repo: Sample, documents: dict[str, Path]
) -> None:
    ruling = add_ruling(repo, documents, "--id", "court-ruling-2016")
    assert ruling == "court-ruling-2016"
    record = repo.read("sources/court-ruling-2016.yaml")
    assert record.startswith("# yaml-language-server: $schema=../../schema/source.schema.json\n")
    assert "\nkind: court-ruling\nperspective: court\nlanguage: en\n" in record
    assert "extracted from ruling.html, HTML (markup removed)" in record
    assert "path: court-ruling-2016.txt\n" in record


def test_a_source_id_in_use_is_refused_and_nothing_is_written(
    repo: Sample, documents: dict[str, Path]
) -> None:
    before = snapshot(repo.root)
    result = ledger(
        repo.root,
        "new",
        "source",
        str(documents["txt"]),
        "--title",
        "T",
        "--kind",
        "letter",
        "--perspective",
        "civil-society",
        "--id",
        "cso-memo-2017",
        *SOURCE_FLAGS,
    )
    assert result.exit_code == 1
    assert "the id 'cso-memo-2017' is already used" in result.stderr
    assert snapshot(repo.root) == before


def new_report(repo: Sample, path: Path, *speaks_for: str) -> Result:
    """A government report added with flags alone, speaking for whom ``speaks_for`` says."""
    return ledger(
        repo.root, "new", "source", str(path), "--title", "Country report", "--kind", "report",
        "--perspective", "government", "--id", "country-report", *speaks_for, *SOURCE_FLAGS,
    )  # fmt: skip


def test_speaks_for_is_written_after_the_perspective(
    repo: Sample, documents: dict[str, Path]
) -> None:
    result = ok(new_report(repo, documents["txt"], "--speaks-for", "Government of Mexico"))
    assert "warning" not in result.stderr
    record = repo.read("sources/country-report.yaml")
    assert "\nperspective: government\nspeaks_for: Government of Mexico\nlanguage: en\n" in record
    assert repo.diagnostics() == []


def test_a_government_source_for_no_one_is_written_with_the_warning_validate_gives(
    repo: Sample, documents: dict[str, Path]
) -> None:
    result = ok(new_report(repo, documents["txt"]))
    assert result.stdout == "country-report\n"
    assert (
        "data/sources/country-report.yaml:6:14: warning[speaks-for-missing]: the government "
        "source does not say whom it speaks for"
    ) in result.stderr
    assert "speaks_for" not in repo.read("sources/country-report.yaml")
    assert [d.code for d in repo.diagnostics()] == ["speaks-for-missing"]


def test_a_near_miss_of_the_obligor_is_warned_about_as_it_is_written(
    repo: Sample, documents: dict[str, Path]
) -> None:
    result = ok(new_report(repo, documents["txt"], "--speaks-for", "government of mexico"))
    assert "warning[speaks-for-near-obligor]" in result.stderr
    assert "write `speaks_for: Government of Mexico`" in result.stderr


def test_missing_source_flags_without_a_terminal_are_a_usage_error(
    repo: Sample, documents: dict[str, Path]
) -> None:
    result = ledger(repo.root, "new", "source", str(documents["txt"]), "--title", "T")
    assert result.exit_code == 2
    assert result.stderr == (
        "ledger: missing --published, --kind, --perspective, --language: give them, or run in "
        "a terminal (without --no-input) to be asked\n"
    )


def test_a_pdf_without_pdftotext_exits_with_a_clear_message(repo: Sample, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    empty = tmp_path / "no-tools"
    empty.mkdir()
    before = snapshot(repo.root)
    result = run_process(
        [
            "--root",
            str(repo.root),
            "new",
            "source",
            str(pdf),
            "--title",
            "A report",
            "--kind",
            "report",
            "--perspective",
            "academic",
            *SOURCE_FLAGS,
        ],
        cwd=tmp_path,
        env={"PATH": str(empty)},
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[:2] == [
        f"ledger: {pdf} is a PDF, and reading a PDF needs `pdftotext`, which is not installed",
        "  hint: install poppler (Debian/Ubuntu: `apt install poppler-utils`; macOS: `brew "
        "install poppler`), or convert the PDF to text yourself and archive the .txt",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(repo.root) == before


def test_a_dry_run_prints_the_record_and_writes_nothing(
    repo: Sample, documents: dict[str, Path]
) -> None:
    before = snapshot(repo.root)
    result = ok(
        ledger(
            repo.root,
            "new",
            "case",
            "--title",
            "Killings at Apatzingán",
            "--kind",
            "incident",
            "--summary",
            "The memo names the killings at Apatzingán.",
            "--alias",
            "Apatzingan; Apatzingán killings",
            "--requirement",
            "requirement-1",
            "--dry-run",
        )
    )
    assert result.stdout.startswith("# yaml-language-server: $schema=../../schema/case.schema.json")
    assert "\nid: killings-apatzingan-" in result.stdout
    assert "aliases:\n  - Apatzingan\n  - Apatzingán killings\n" in result.stdout
    assert snapshot(repo.root) == before


# -- new case and claim -------------------------------------------------------------------


def test_a_name_given_twice_is_written_once(repo: Sample) -> None:
    """A list may not repeat an entry (duplicate-entry): what is typed twice counts once."""
    result = ledger(
        repo.root, "new", "case", "--title", "Killings at Apatzingán", "--kind", "incident",
        "--summary", "The memo names the killings at Apatzingán.", "--id", "apatzingan",
        "--alias", "Apatzingan; Apatzingán killings", "--alias", "Apatzingan",
    )  # fmt: skip
    assert ok(result).stdout == "apatzingan\n"
    assert "aliases:\n  - Apatzingan\n  - Apatzingán killings\nsummary:" in repo.read(
        "cases/apatzingan.yaml"
    )


def test_a_new_case_then_a_claim_about_it(repo: Sample) -> None:
    case = ok(
        ledger(
            repo.root,
            "new",
            "case",
            "--title",
            "Torture complaints",
            "--kind",
            "pattern",
            "--summary",
            "Complaints of torture received by the PGR.",
            "--id",
            "torture-complaints",
        )
    )
    assert case.stdout == "torture-complaints\n"
    assert repo.read("cases/torture-complaints.yaml").endswith(
        "kind: pattern\nsummary: Complaints of torture received by the PGR.\n"
    )
    claim = ok(
        ledger(
            repo.root,
            "new",
            "claim",
            "--source",
            "cso",
            "--quote",
            "the PGR received over 10,000 complaints of torture",
            "--statement",
            "The memo says the PGR received more than 10,000 complaints of torture.",
            "--kind",
            "figure",
            "--case",
            "torture-complaints",
            "--figure",
            "more-than 10,000 complaints of torture",
            "--as-of",
            "2016",
            "--relation",
            "repeats=cso-torture-complaints",
            "--id",
            "cso-pgr-complaints",
        )
    )
    assert claim.stdout == "cso-pgr-complaints\n"
    text = repo.read("claims/cso-pgr-complaints.yaml")  # beside the source's other claims
    assert "locator: REQUIREMENT 2, paragraph 1\n" in text
    assert (
        'as_of: "2016"\nfigures:\n  - value: 10000\n    unit: complaints of torture\n'
        "    qualifier: more-than\nrelations:\n  - repeats: cso-torture-complaints\n"
    ) in text
    ok(ledger(repo.root, "validate"))


def test_a_quote_not_in_the_source_writes_nothing_and_hints_the_closest(repo: Sample) -> None:
    before = snapshot(repo.root)
    result = ledger(
        repo.root,
        "new",
        "claim",
        "--source",
        "cso-memo-2017",
        "--quote",
        "the PGR received over 10,000 complaints of abuse",
        "--statement",
        "S.",
        "--kind",
        "figure",
        "--case",
        "torture-prosecutions",
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        'ledger: the quote is not found in cso-memo-2017: "the PGR received over 10,000 '
        'complaints of abuse"',
        '  hint: the closest passage is: "the PGR received over 10,000 complaints of torture"',
        '  `ledger locate cso-memo-2017 "some words"` prints quotes that verify',
        "nothing was written",
    ]
    assert snapshot(repo.root) == before


def test_a_chosen_claim_id_in_use_is_refused(repo: Sample) -> None:
    before = snapshot(repo.root)
    result = ledger(
        repo.root,
        "new",
        "claim",
        "--source",
        "cso-memo-2017",
        "--quote",
        "the PGR received",
        "--statement",
        "S.",
        "--kind",
        "figure",
        "--case",
        "torture-prosecutions",
        "--id",
        "cso-torture-complaints",
    )
    assert result.exit_code == 1
    assert "already used" in result.stderr
    assert snapshot(repo.root) == before


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--case", "nope"], "ledger: --case nope: no case with id 'nope'"),
        (["--bears-on", "requirement-1=maybe"], "'maybe' is not a stance"),
        (["--case", "tlatlaya", "--relation", "refutes=x"], "'refutes' is not a relation"),
        (["--case", "tlatlaya", "--figure", "lots of things"], "'lots' is not a number"),
        (["--case", "tlatlaya", "--as-of", "June 2016"], "--as-of June 2016: not an ISO date"),
        (["--case", "tlatlaya", "--id", "Not An Id"], "'Not An Id' is not a valid id"),
    ],
)
def test_bad_flag_values_are_usage_errors(repo: Sample, flags: list[str], message: str) -> None:
    before = snapshot(repo.root)
    result = ledger(
        repo.root,
        "new",
        "claim",
        "--source",
        "cso-memo-2017",
        "--quote",
        "the PGR received",
        "--statement",
        "S.",
        "--kind",
        "figure",
        *flags,
    )
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert snapshot(repo.root) == before


def test_missing_claim_flags_are_a_usage_error_naming_them(repo: Sample) -> None:
    result = ledger(repo.root, "new", "claim", "--source", "cso", "--no-input")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "ledger: missing --quote, --statement, --kind, --case or --bears-on: give them"
    )


# -- locate and link ----------------------------------------------------------------------


def test_locate_exits_1_when_nothing_matches(repo: Sample) -> None:
    result = ledger(repo.root, "locate", "cso", "zebra", "quantum")
    assert result.exit_code == 1
    assert result.stdout == "no passage of cso-memo-2017 matches: zebra quantum\n"
    unknown = ledger(repo.root, "locate", "nope", "words")
    assert unknown.exit_code == 2 and "no source with id 'nope'" in unknown.stderr


def test_locate_offers_close_passages_when_nothing_is_exact(repo: Sample) -> None:
    result = ok(ledger(repo.root, "locate", "cso", "pgr recieved 10000 torture complaints"))
    assert "cso-memo-2017: no exact match; the closest passage" in result.stdout
    assert "REQUIREMENT 2, paragraph 1  (similarity 0." in result.stdout


def test_link_adds_a_relation_and_validates(repo: Sample) -> None:
    result = ok(ledger(repo.root, "link", "cso-torture", "corroborates", "cso-tlatlaya-order"))
    assert result.stderr == (
        "linked: cso-torture-complaints corroborates cso-tlatlaya-order-to-kill "
        "(data/claims/cso-torture-complaints.yaml)\n"
    )
    assert repo.read("claims/cso-torture-complaints.yaml").endswith(
        "relations:\n  - corroborates: cso-tlatlaya-order-to-kill\n"
    )
    again = ok(ledger(repo.root, "link", "cso-torture", "corroborates", "cso-tlatlaya-order"))
    assert "already corroborates" in again.stderr and "nothing to do" in again.stderr
    ok(ledger(repo.root, "validate"))


def test_link_refuses_bad_kinds_unknown_claims_and_itself(repo: Sample) -> None:
    before = snapshot(repo.root)
    assert ledger(repo.root, "link", "cso-torture", "refutes", "cso-tlatlaya-order").exit_code == 2
    assert ledger(repo.root, "link", "cso-torture", "repeats", "nope").exit_code == 2
    itself = ledger(repo.root, "link", "cso-torture", "repeats", "cso-torture")
    assert itself.exit_code == 1 and "cannot be related to itself" in itself.stderr
    assert snapshot(repo.root) == before


# -- the CLI's choices ----------------------------------------------------------------------


def test_the_new_commands_do_not_load_the_library_for_help() -> None:
    code = (
        "import sys\nfrom ledger.cli import app\n"
        "mods = [m for m in ('pydantic', 'ledger.authoring.new_records', 'ledger.analysis.locate') "
        "if m in sys.modules]"
        "\nprint(mods)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_a_link_to_a_record_of_another_kind_says_which_kind_it_is(sample_copy: Sample) -> None:
    before = sample_copy.read("claims/cso-torture-complaints.yaml")
    done = run(["--root", str(sample_copy.root), "link", "cso-torture", "repeats", "tlatlaya"])
    assert done.exit_code == 2
    assert done.stderr.strip() == "ledger: 'tlatlaya' is a case, not a claim"
    assert sample_copy.read("claims/cso-torture-complaints.yaml") == before

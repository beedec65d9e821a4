"""`ledger init`: a new ledger a team can use at once, written all together or not at all.

In an empty folder, the ledger it writes validates, `ledger status` says there is nothing yet,
and the first requirement takes ledger.toml's defaults. It never overwrites a file: when any
file it would write exists, it names each and writes nothing. Inside a git repository, CI and
pre-commit land at the repository's top, pointed at the ledger's folder; the hooks are run
here by pre-commit itself (offline, on the installed `ledger`, as tests/test_precommit.py
does).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import Result

import ledger
import ledger.authoring.new_ledger as new_ledger
from conftest import GIT_ENV, git, run
from ledger.authoring.new_ledger import (
    NotStarted,
    Pin,
    pin_for,
    place_for,
    start_ledger,
    starter_files,
    this_release,
)
from ledger.authoring.starter_files import RECORD_FILES, Answers
from ledger.publish.jsonschema_export import schema_files
from ledger.records.root import Layout, read_marker
from test_interactive import CTRL_C, terminal

REPO = Path(__file__).resolve().parents[1]
FROM_REPO = "evidence-ledger @ git+https://github.com/evidence-ledger/evidence-ledger"
"""What CI installs: the tool from its own repository (never a bare name from an index)."""
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
PUBLISHED = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
LEDGER = Path(sys.executable).parent / "ledger"
ANSWERS = ["--obligor", "Government of Chile", "--instrument", "Ley 21.000", "--fiscal-year"]

FILES = [
    "ledger.toml",
    "data/sources/.gitkeep",
    "data/requirements/.gitkeep",
    "data/cases/.gitkeep",
    "data/claims/.gitkeep",
    "data/assertions/.gitkeep",
    "data/README.md",
    ".gitattributes",
    ".yamllint",
    "schema/source.schema.json",
    "schema/requirement.schema.json",
    "schema/case.schema.json",
    "schema/claim.schema.json",
    "schema/assertion.schema.json",
    ".github/workflows/ledger.yml",
    ".pre-commit-config.yaml",
]
"""Every file `ledger init` writes, in the order it writes them."""


def init(folder: Path, *args: str) -> Result:
    return run(["init", str(folder), "--no-input", *args], env=dict(GIT_ENV))


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but git's own and the load cache."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and not {".git", ".ledger-cache"} & set(p.relative_to(folder).parts)
    }


def test_an_empty_folder_becomes_a_ledger_that_validates(tmp_path: Path) -> None:
    folder = tmp_path / "chile"

    result = init(folder, *ANSWERS, "2024")

    assert (result.exit_code, result.stdout) == (0, "")
    assert result.stderr == (
        "".join(f"created {rel}\n" for rel in FILES) + "made the folder a git repository\n\n"
        f"A new ledger in {folder}. Next, in that folder: `ledger new source FILE` archives a "
        "first document (data/README.md says how); then commit.\n"
    )
    assert set(files_in(folder)) == set(FILES)
    assert (folder / ".git").is_dir()
    layout = read_marker(folder)
    assert isinstance(layout, Layout)
    assert (layout.defaults.obligor, layout.defaults.instrument, layout.defaults.fiscal_year) == (
        "Government of Chile",
        "Ley 21.000",
        2024,
    )

    validate = run(["--root", str(folder), "validate"])
    assert (validate.exit_code, validate.stdout, validate.stderr) == (0, "", "")
    status = run(["--root", str(folder), "status"])
    assert status.exit_code == 0
    assert status.stdout == "No requirements yet: add one with `ledger new requirement`.\n"
    as_json = run(["--root", str(folder), "status", "--format", "json"])
    assert json.loads(as_json.stdout)["rows"] == []
    markdown = run(["--root", str(folder), "status", "--format", "markdown"])
    assert markdown.stdout == "No requirements yet.\n"
    untracked = git(folder, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert sorted(untracked) == sorted(f"?? {rel}" for rel in FILES)  # the cache stays out


def test_the_first_source_and_requirement_take_the_defaults(tmp_path: Path) -> None:
    folder = tmp_path / "chile"
    assert init(folder, *ANSWERS, "2024").exit_code == 0
    law = tmp_path / "ley.txt"
    law.write_text("Artículo 1. El Estado deberá investigar toda denuncia.\n", encoding="utf-8")
    root = ["--root", str(folder)]

    source = run(
        [*root, "new", "source", str(law), "--no-input", "--id", "ley-21000", "--title", "Ley",
         "--published", "2024", "--kind", "law", "--perspective", "legislature",
         "--language", "es"]
    )  # fmt: skip
    assert source.exit_code == 0, source.stderr
    requirement = run(
        [*root, "new", "requirement", "--no-input", "--source", "ley", "--title", "Investigar",
         "--text", "El Estado deberá investigar toda denuncia.", "--force", "condition"]
    )  # fmt: skip

    assert (requirement.exit_code, requirement.stdout) == (0, "requirement-1\n")
    text = (folder / "data/requirements/requirement-1.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/requirement.schema.json\n")
    assert "obligor: Government of Chile\ninstrument: Ley 21.000\nfiscal_year: 2024\n" in text
    assert run([*root, "validate", "--strict"]).exit_code == 0
    assert "requirement-1" in run([*root, "status"]).stdout
    attributes = git(
        folder, "check-attr", "text", "eol", "merge", "--",
        "data/sources/ley-21000.txt", "data/sources/ley-21000.yaml", "ledger.toml",
    )  # fmt: skip
    assert attributes.splitlines() == [
        "data/sources/ley-21000.txt: text: unset",  # the archive: byte for byte, never merged
        "data/sources/ley-21000.txt: eol: unspecified",
        "data/sources/ley-21000.txt: merge: unset",
        "data/sources/ley-21000.yaml: text: set",
        "data/sources/ley-21000.yaml: eol: lf",
        "data/sources/ley-21000.yaml: merge: set",
        "ledger.toml: text: auto",
        "ledger.toml: eol: lf",
        "ledger.toml: merge: unspecified",
    ]


def test_the_schemas_are_those_ledger_schema_writes(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    assert init(folder, *ANSWERS, "2024", "--no-git").exit_code == 0
    assert not (folder / ".git").exists()
    written = {rel: (folder / rel).read_text(encoding="utf-8") for rel in schema_files()}
    assert written == schema_files()
    assert written == {
        f"schema/{p.name}": p.read_text(encoding="utf-8") for p in (REPO / "schema").iterdir()
    }


def test_the_contributor_guide_says_how_to_add_each_record_and_names_no_country(
    tmp_path: Path,
) -> None:
    assert init(tmp_path, *ANSWERS, "2024").exit_code == 0
    guide = (tmp_path / "data/README.md").read_text(encoding="utf-8")

    for command in ("source", "requirement", "case", "claim"):
        assert f"## Adding a {command}\n" in guide
        assert f"`ledger new {command} " in guide
    assert "`ledger validate`" in guide and "`ledger locate " in guide
    # whose word is the obligor's is said as the status rule decides it (version 2)
    assert "`--speaks-for` names the party the source speaks for" in " ".join(guide.split())
    assert "--perspective government` marks" not in " ".join(guide.split())
    assert not re.search(r"Mexic|Tlatlaya|memo-|requirement-4", guide)


# -- never overwriting -----------------------------------------------------------------------


def test_an_existing_ledger_toml_is_refused_and_nothing_written(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "ledger.toml").write_text("[ledger]\n", encoding="utf-8")

    result = init(folder, *ANSWERS, "2024")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "ledger: ledger.toml exists\nnothing was written: `ledger init` never overwrites a file\n"
    )
    assert files_in(folder) == {"ledger.toml": b"[ledger]\n"}
    assert not (folder / ".git").exists()


@pytest.mark.parametrize("rel", FILES[1:])
def test_any_file_it_would_write_that_exists_stops_it(tmp_path: Path, rel: str) -> None:
    folder = tmp_path / "ledger"
    (folder / rel).parent.mkdir(parents=True)
    (folder / rel).write_text("mine\n", encoding="utf-8")
    before = files_in(folder)

    result = init(folder, *ANSWERS, "2024")

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"ledger: {rel} exists",
        "nothing was written: `ledger init` never overwrites a file",
    ]
    assert files_in(folder) == before


def test_every_file_in_the_way_is_named_one_a_line(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    (folder / ".github").mkdir(parents=True)
    (folder / ".github/workflows").write_text("a file where a folder goes\n", encoding="utf-8")
    (folder / "schema").mkdir()
    (folder / "schema/claim.schema.json").write_text("{}\n", encoding="utf-8")
    (folder / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    before = files_in(folder)

    result = init(folder, *ANSWERS, "2024")

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "ledger: schema/claim.schema.json exists",
        "ledger: .github/workflows exists",
        "ledger: .pre-commit-config.yaml exists",
        "nothing was written: `ledger init` never overwrites a file",
    ]
    assert files_in(folder) == before


def test_a_folder_inside_a_ledger_is_refused(tmp_path: Path) -> None:
    (tmp_path / "ledger.toml").write_text("[ledger]\n", encoding="utf-8")

    result = init(tmp_path / "data" / "inner", *ANSWERS, "2024")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"ledger: {tmp_path}/data/inner is inside the ledger at {tmp_path}: a ledger cannot "
        "hold another\n"
    )
    assert not (tmp_path / "data").exists()


def test_a_write_failing_part_way_undoes_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "ledger"
    place = place_for(folder)
    files = starter_files(place, Answers("A", "B", 2024), pin_for("1.0.0"))
    real = new_ledger.create_new
    calls: list[Path] = []

    def fifth_fails(path: Path, text: str, *, inside: Path) -> str | None:
        calls.append(path)
        return (
            "cannot write: No space left on device"
            if len(calls) == 5
            else real(path, text, inside=inside)
        )

    monkeypatch.setattr(new_ledger, "create_new", fifth_fails)

    result = start_ledger(place, files)

    assert result == NotStarted([], "cannot write: No space left on device")
    assert not folder.exists()


def test_missing_answers_without_a_terminal_are_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"

    result = init(folder, "--obligor", "Government of Chile")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "ledger: missing --instrument, --fiscal-year: give them, or run in a terminal (without "
        "--no-input) to be asked\n"
    )
    assert not folder.exists()


@pytest.mark.parametrize(
    ("flags", "said"),
    [
        (["--obligor", "Gov\x1b[31m", "--instrument", "L", "--fiscal-year", "2024"], "--obligor"),
        (["--obligor", "G", "--instrument", " ", "--fiscal-year", "2024"], "--instrument"),
        (["--obligor", "G", "--instrument", "L", "--fiscal-year", "24"], "--fiscal-year 24"),
    ],
)
def test_bad_answers_are_refused(tmp_path: Path, flags: list[str], said: str) -> None:
    result = init(tmp_path / "ledger", *flags)

    assert result.exit_code == 2
    assert result.stderr.startswith(f"ledger: {said}")
    assert not (tmp_path / "ledger").exists()


def test_answers_are_quoted_so_that_ledger_toml_reads_them_back(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    obligor = 'Gobierno de "la República" \\ Perú'
    result = init(
        folder, "--obligor", obligor, "--instrument", "Ley  N.º   30364", "--fiscal-year", "2019"
    )

    assert result.exit_code == 0, result.stderr
    layout = read_marker(folder)
    assert isinstance(layout, Layout)
    assert layout.defaults.obligor == obligor
    assert layout.defaults.instrument == "Ley N.º 30364"  # spaces folded, as an answer's are


def test_ledger_toml_shows_how_to_say_what_the_ledger_is_about(tmp_path: Path) -> None:
    """The [about] section comes commented out, every key of it shown; uncommented, it reads
    back (the site's about page says what it gives)."""
    from ledger.records.config import KEYS

    folder = tmp_path / "ledger"
    result = init(folder, "--obligor", "Gobierno", "--instrument", "Ley 1", "--fiscal-year", "2019")
    assert result.exit_code == 0, result.stderr
    text = (folder / "ledger.toml").read_text(encoding="utf-8")
    assert "\n# [about]\n" in text
    for key in (k for k in KEYS if k.section == "about"):
        assert f"\n# {key.name} = " in text, key.name
    uncommented = re.sub(r"^# (\[about\]$|\w+ = )", r"\1", text, flags=re.M)
    (folder / "ledger.toml").write_text(uncommented, encoding="utf-8")
    layout = read_marker(folder)
    assert isinstance(layout, Layout), layout
    assert layout.about.title == "A short name for this ledger"


# -- inside a git repository; CI and pre-commit ----------------------------------------------


@pytest.fixture
def team_repo(tmp_path: Path) -> Path:
    """A team's git repository with a commit and no ledger."""
    top = tmp_path / "team"
    top.mkdir()
    git(top, "init", "-q")
    (top / "README.md").write_text("Our research\n", encoding="utf-8")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "start")
    return top


def test_inside_a_repository_ci_and_pre_commit_go_to_its_top(team_repo: Path) -> None:
    result = init(team_repo / "ledger", *ANSWERS, "2024")

    assert result.exit_code == 0, result.stderr
    assert "made the folder a git repository" not in result.stderr
    assert "created ledger/ledger.toml\n" in result.stderr
    assert "created .github/workflows/ledger.yml\n" in result.stderr
    assert not (team_repo / "ledger/.git").exists()
    assert set(files_in(team_repo)) == {
        "README.md",
        *(rel if rel.startswith((".github", ".pre")) else f"ledger/{rel}" for rel in FILES),
    }
    flow = yaml.safe_load((team_repo / ".github/workflows/ledger.yml").read_text("utf-8"))
    assert flow["jobs"]["push"]["defaults"] == {"run": {"working-directory": "ledger"}}
    assert flow["jobs"]["pull-request"]["env"] == {"PULL_REQUEST_LEDGER": "../pr/ledger"}
    hooks = precommit_hooks(team_repo)
    assert hooks == [
        {"id": "ledger-validate", "args": ["--root", "ledger"]},
        {
            "id": "ledger-fmt",
            "args": ["--root", "ledger"],
            "files": r"^ledger/data/(sources|requirements|cases|claims|assertions)/.*\.yaml$",
        },
    ]
    assert run(["--root", str(team_repo / "ledger"), "validate"]).exit_code == 0


def test_in_the_repository_top_the_files_sit_beside_the_ledger(team_repo: Path) -> None:
    result = init(team_repo, *ANSWERS, "2024")

    assert result.exit_code == 0, result.stderr
    assert set(files_in(team_repo)) == {"README.md", *FILES}
    assert precommit_hooks(team_repo) == [{"id": "ledger-validate"}, {"id": "ledger-fmt"}]


def precommit_hooks(top: Path) -> list[dict[str, Any]]:
    """The hooks of the one repository the pre-commit configuration names: the tool's own, at
    the tag of the running release."""
    config = yaml.safe_load((top / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = config["repos"]
    assert (repo["repo"], repo["rev"]) == (PROJECT["urls"]["Source"], this_release().rev)
    return repo["hooks"]


def test_the_workflow_installs_this_version_and_validates(tmp_path: Path) -> None:
    assert init(tmp_path, *ANSWERS, "2024").exit_code == 0
    flow = yaml.safe_load((tmp_path / ".github/workflows/ledger.yml").read_text("utf-8"))

    assert set(flow[True]) == {"push", "pull_request_target"}  # YAML 1.1 reads `on` as true
    assert flow["env"] == {
        "LEDGER_TOOL": PROJECT["urls"]["Source"],
        "LEDGER_REF": f"v{ledger.__version__}",
    }
    install = (
        'pip install --require-hashes -r "$LEDGER_TOOL/raw/$LEDGER_REF/requirements/run.lock"\n'
        'pip install --no-deps "evidence-ledger @ git+$LEDGER_TOOL@$LEDGER_REF"\n'
    )
    push = [step.get("run", "") for step in flow["jobs"]["push"]["steps"]]
    assert push[2:] == [install, "ledger validate --strict --format github", "ledger fmt --check"]
    pull = [step.get("run", "") for step in flow["jobs"]["pull-request"]["steps"]]
    assert pull[2] == install
    assert (
        'ledger --root "$PULL_REQUEST_LEDGER" validate --strict --format github --policy-from .'
        in pull
    )
    assert any('diff "$base" --check --format markdown' in r for r in pull)
    assert "defaults" not in flow["jobs"]["push"]
    assert not (tmp_path / ".github/workflows/ledger-comment.yml").exists()


def test_the_workflows_are_this_repositorys_own_but_for_the_tool_they_install() -> None:
    """One template makes both: this repository's workflow installs its own code (the
    pushed commit's, or the base's for a pull request), a new ledger's the release that
    wrote it."""
    from ledger.authoring.starter_files import workflows

    top = Path(__file__).resolve().parents[1]
    ours = {path: (top / path).read_text("utf-8") for path in workflows(None, "")}
    assert ours == workflows(None, ""), "python tests/golden_outputs.py writes them again"


def test_the_hooks_are_those_the_tool_publishes_at_this_release(tmp_path: Path) -> None:
    assert init(tmp_path, *ANSWERS, "2024").exit_code == 0
    hooks = precommit_hooks(tmp_path)

    assert [hook["id"] for hook in hooks] == [hook["id"] for hook in PUBLISHED]
    tag = f"v{ledger.__version__}"
    assert this_release() == Pin(f"{FROM_REPO}@{tag}", tag)
    fmt = next(hook for hook in PUBLISHED if hook["id"] == "ledger-fmt")
    assert fmt["files"] == RECORD_FILES


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.3", Pin(f"{FROM_REPO}@v1.2.3", "v1.2.3")),
        ("0.4", Pin(f"{FROM_REPO}@v0.4", "v0.4")),
        ("1.2.3.dev4+g1a2b3c", Pin(f"{FROM_REPO}@main", "main")),
        ("1.3.0rc1", Pin(f"{FROM_REPO}@main", "main")),
        ("unknown", Pin(f"{FROM_REPO}@main", "main")),
    ],
)
def test_a_release_is_pinned_exactly_and_anything_else_not_at_all(
    version: str, expected: Pin
) -> None:
    assert pin_for(version) == expected


@pytest.mark.skipif(not LEDGER.exists(), reason="no installed ledger executable")
def test_pre_commit_runs_the_hooks_from_the_top_on_a_ledger_in_a_folder(
    team_repo: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pre_commit")
    folder = team_repo / "ledger"
    assert init(folder, *ANSWERS, "2024").exit_code == 0
    config = team_repo / ".pre-commit-config.yaml"
    (remote,) = yaml.safe_load(config.read_text(encoding="utf-8"))["repos"]
    published = {hook["id"]: hook for hook in PUBLISHED}
    hooks = []
    for hook in remote["hooks"]:  # as pre-commit would run them, on the installed ledger
        local = {**published[hook["id"]], **hook, "language": "system"}
        local["entry"] = re.sub(r"^ledger", str(LEDGER), local["entry"])
        hooks.append(local)
    offline = {"repos": [{"repo": "local", "hooks": hooks}]}
    config.write_text(yaml.safe_dump(offline, sort_keys=False), encoding="utf-8")
    case = {
        "summary": "A source names it.",
        "kind": "incident",
        "title": "A case",
        "id": "a-case",
    }  # keys out of canonical order: ledger fmt puts them right
    (folder / "data/cases/a-case.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"LEDGER_ROOT", "NO_COLOR"}},
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PRE_COMMIT_COLOR": "never",
    }
    git(team_repo, "add", "-A")

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "run", "--all-files"],
            cwd=team_repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    first = pre_commit()
    assert first.returncode == 1, first.stdout
    assert re.search(r"^ledger validate\.+Passed$", first.stdout, re.M), first.stdout
    assert re.search(r"^ledger fmt\.+Failed$", first.stdout, re.M), first.stdout
    assert (
        (folder / "data/cases/a-case.yaml")
        .read_text(encoding="utf-8")
        .startswith("# yaml-language-server: $schema=../../schema/case.schema.json\nid: a-case\n")
    )
    git(team_repo, "add", "-A")
    second = pre_commit()
    assert second.returncode == 0, second.stdout


# -- in a terminal ---------------------------------------------------------------------------


def test_asked_in_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "ledger"
    with terminal(tmp_path, "init", str(folder)) as term:
        term.answer("Obligor: ", "Government of Chile")
        term.answer("Instrument: ", "Ley 21.000")
        term.answer("Fiscal year: ", "twenty")
        term.expect("a year of four digits")
        term.answer("Fiscal year: ", "2024")
        term.expect(f"in {folder}:")
        term.expect("  .pre-commit-config.yaml")
        term.answer("Write these files? (y/n) [y]: ", "")
        term.expect("created ledger.toml")
        assert term.wait() == 0
    assert set(files_in(folder)) == set(FILES)
    assert 'obligor = "Government of Chile"\n' in (folder / "ledger.toml").read_text("utf-8")


@pytest.mark.parametrize("answer", ["ctrl-c", "no"])
def test_cancelled_in_a_terminal_writes_nothing(tmp_path: Path, answer: str) -> None:
    folder = tmp_path / "ledger"
    with terminal(tmp_path, "init", str(folder), "--obligor", "G", "--instrument", "L") as term:
        if answer == "ctrl-c":
            term.press("Fiscal year: ", CTRL_C)
        else:
            term.answer("Fiscal year: ", "2024")
            term.answer("Write these files? (y/n) [y]: ", "n")
        term.expect("cancelled, nothing written")
        assert term.wait() == 130
    assert not folder.exists()

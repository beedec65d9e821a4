"""The text of the files `ledger init` writes for a new team: the configuration, a short guide
for contributors, git's attributes, a CI workflow and a pre-commit configuration.

Only text is made here (the JSON Schemas come from `jsonschema_export`); deciding where the
files go and writing them is `new_ledger`'s job. Values a user typed are quoted for the
format they land in, so no answer can add a key or a step.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ledger.records.kinds import FOLDERS

HOOKS_REPOSITORY = "https://github.com/evidence-ledger/evidence-ledger"
"""The tool's repository, whose .pre-commit-hooks.yaml publishes its hooks."""

PYTHON = "3.11"
"""The Python CI installs the tool on: the oldest the tool supports, as its own CI uses."""

RECORD_FILES = rf"^(.*/)?data/({'|'.join(FOLDERS)})/.*\.yaml$"
"""The files the published `ledger-fmt` hook formats (its .pre-commit-hooks.yaml)."""


@dataclass(frozen=True)
class Answers:
    """What a new ledger's requirements share, recorded in ledger.toml's [defaults]."""

    obligor: str
    instrument: str
    fiscal_year: int


def toml_string(value: str) -> str:
    """A TOML basic string (answers hold no control characters: they are checked first)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ledger_toml(answers: Answers) -> str:
    return f"""\
# Marks the root of a ledger: `ledger` finds it by walking up from the current folder.
# Every key is checked; docs/ledger-toml.md in the ledger tool describes each one.
[ledger]
data = "data"

# What `ledger new requirement` proposes for each new requirement.
[defaults]
obligor = {toml_string(answers.obligor)}
instrument = {toml_string(answers.instrument)}
fiscal_year = {answers.fiscal_year}

# What the ledger is about, for the about page of `ledger site`: what is judged, against
# what, and by whom. Fill in and uncomment; a key left out is said from the records.
# [about]
# title = "A short name for this ledger"
# judged = "Whether the obligor met the conditions of the instrument"
# against = "The law or report language the requirements come from"
# by = "Who keeps this ledger"
# contact = "Where readers send corrections"
"""


DATA_README = """\
# Ledger data: how to contribute

One record per YAML file; the file name is the record's id plus `.yaml`.

```
data/
  sources/<id>.yaml + <id>.txt    a document claims come from, and its archived text
  requirements/<id>.yaml          what the obligor is judged against
  cases/<id>.yaml                 an incident or matter that claims are about
  claims/<source-id>/<id>.yaml    one statement made by one source
  assertions/<id>.yaml            a status the maintainers state, which `validate` checks
```

You do not need to write YAML by hand. The `ledger new` commands write records in canonical
form, check the whole ledger before writing, never overwrite a file and print the new id.
Leave options out in a terminal to be asked for each, checked as you answer; Ctrl-C stops with
nothing written. `--dry-run` shows the YAML without writing it.

## Adding a source

`ledger new source report.pdf --title "..." --published 2024-03 --kind report --perspective
civil-society --language en --author "..."` archives the document's text in `sources/` (HTML
reduced to its text, PDF through `pdftotext`) and pins its SHA-256. Quotes are checked against
that text: never edit it. `--speaks-for` names the party the source speaks for: a source
that speaks for a requirement's obligor, spelled exactly as the requirement's `obligor`, is the
obligor's own word, and its support never makes a requirement `met` on its own; every other
source, another government's included, is independent. In `--notes`, say how an undated
document was dated, and define a locator scheme if the document has no headings.

## Adding a requirement

`ledger new requirement --source <source> --text "..." --title "..." --force condition`. The
wording is the source's exact words, checked like a quote; `--force expectation` is for report
language such as "The Committee expects ...". The obligor, instrument and fiscal year come from
`ledger.toml`'s `[defaults]` unless given.

## Adding a case

`ledger new case --title "..." --kind incident --summary "..." --alias "..."`. The summary is
one neutral paragraph that attributes each point to its source. Aliases are the names people
search by, with and without accents. A case no source names clearly is recorded as unnamed,
never guessed or merged with another.

## Adding a claim

1. `ledger locate <source> "a few words"` finds the exact words and where they stand.
2. `ledger new claim --source <source> --quote "..." --statement "The report says ..." --kind
   allegation --case <case> --bears-on <requirement>=undermines`.

- **quote**: the source's exact words, only the clause that makes the assertion; ` ... ` skips
  text. One assertion per claim: split a sentence that makes several.
- **statement**: one neutral sentence that attributes the point ("The report says that ...").
  Never state a contested fact in the ledger's own voice.
- **bears_on**: `supports` (evidence the requirement is being met), `undermines` (evidence it
  is not) or `context` (shown, never counted).
- When two sources disagree, both claims stay: `ledger link <claim> contradicts <other>`.

## Rules

- Ids are lowercase words joined by `-`. Once committed, never rename one: records refer to it.
- Dates are quoted ISO strings at the precision the source gives (`"2024"`, `"2024-03"`).
- No outside knowledge: record only what a source says. Leave a field out rather than guess,
  and put judgement calls in `notes`.

## Before you commit

`ledger validate` prints nothing and exits 0 when the data is clean; `ledger fmt` puts records
in canonical form; `ledger status` and `ledger diff` show what your change does to each
requirement. CI runs the same checks on every push and pull request.
"""


GITATTRIBUTES = """\
# The same bytes in every clone, whatever the platform and `core.autocrlf` say (written by
# `ledger init`). Records and configuration are text with LF line endings everywhere: a
# record checked out with CRLF would make `ledger fmt --check` want to rewrite it.
* text=auto eol=lf

# Archived source texts are evidence pinned by their SHA-256, so git keeps them byte for byte:
# no line-ending conversion (it would break the hash), and no line-by-line merge of two
# versions. An archive may have any name, so this covers everything in the data folder but
# the records themselves.
data/** -text !eol -merge
data/**/*.yaml text eol=lf merge
data/**/*.yml text eol=lf merge
"""


YAMLLINT = """\
# yamllint's rules, agreeing with `ledger fmt`'s canonical form (written by `ledger init`),
# so a team that lints its YAML gets no complaint about a formatted record: `yamllint .`
extends: default
rules:
  # fmt writes no `---`, and keeps one a file has: either is fine
  document-start: disable
  # fmt folds prose at 92 columns; a long word (a URL) or `key: word` may run past
  line-length:
    max: 100
    allow-non-breakable-inline-mappings: true
  # GitHub workflows' `on:` is a key, not a boolean
  truthy:
    check-keys: false
"""


WORKFLOW = ".github/workflows/ledger.yml"
"""Validates every push; judges every pull request by trusted code and comments on it."""
ARTIFACT = "ledger-report"
"""The artifact a pull request's run uploads: report.md (the full report, uncut) and
comment.md (what was posted, cut to fit a comment)."""
PULL_REQUEST_FILES = "../pr"
"""Where a pull request's commit is laid out as files, beside the trusted checkout: data
for the installed tool to read, never installed or run."""
ACTIONS = {
    "checkout": "actions/checkout@v5",
    "setup-python": "actions/setup-python@v6",
    "upload-artifact": "actions/upload-artifact@v6",
}


def _tool_env(ref: str | None) -> str:
    """The workflow-level settings naming the tool's release (none for this repository's
    own workflow, which installs its own code from the trusted checkout)."""
    if ref is None:
        return ""
    return f"""
# The ledger tool: its repository and the release that wrote this file. LEDGER_REF may be a
# tag or a commit's full SHA (a pin no one can move); change it here to upgrade.
env:
  LEDGER_TOOL: {HOOKS_REPOSITORY}
  LEDGER_REF: {ref}
"""


def _install_steps(ref: str | None, whose: str) -> str:
    if ref is None:
        return f"""\
      - name: Install the tool from {whose}'s code (locked dependencies, not editable)
        run: |
          pip install --require-hashes -r requirements/run.lock
          pip install --no-deps .
"""
    return """\
      - name: Install the ledger tool's release (its locked dependencies, with hashes)
        run: |
          pip install --require-hashes -r "$LEDGER_TOOL/raw/$LEDGER_REF/requirements/run.lock"
          pip install --no-deps "evidence-ledger @ git+$LEDGER_TOOL@$LEDGER_REF"
"""


def _setup(ref: str | None, whose: str) -> str:
    return f"""\
      - uses: {ACTIONS["checkout"]}
        with:
          fetch-depth: 0
          persist-credentials: false
      - uses: {ACTIONS["setup-python"]}
        with:
          python-version: "{PYTHON}"
{_install_steps(ref, whose)}"""


def workflow(ref: str | None, prefix: str) -> str:
    """The GitHub Actions workflow that checks the ledger. On a push: validate with
    annotations and check the canonical form. On a pull request (`pull_request_target`):
    the same on the pull request's files, read as data by the tool installed from the base
    (none of the pull request's code runs), then the reviewer's comment, written when
    validation fails too, posted once and edited on every push, with the full report as an
    artifact. ``ref`` is the tool's release (a tag or commit); None installs the checked-out
    repository itself (the tool's own repository). ``prefix`` is the ledger's folder in the
    repository ("" at the top)."""
    folder = (
        f"    defaults:\n      run:\n        working-directory: {json.dumps(prefix)}\n"
        if prefix
        else ""
    )
    pr_root = f"{PULL_REQUEST_FILES}/{prefix}" if prefix else PULL_REQUEST_FILES
    files = '"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$HEAD_SHA"'
    if prefix:
        files = '"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$HEAD_SHA/$LEDGER_FOLDER"'
    folder_env = f"          LEDGER_FOLDER: {json.dumps(prefix)}\n" if prefix else ""
    if ref is None:
        made_by = "This repository's own: the tool is its own code and locked dependencies."
        pushed, base = "the pushed commit", "the base"
    else:
        made_by = "Written by `ledger init`: the tool is the release LEDGER_REF names."
        pushed = base = "its release"
    return f"""\
# Checks the ledger on every push and pull request, with trusted code.
# {made_by}
#
# A pull request may come from anyone and may change anything it commits: the data, the
# workflows, code, configuration. Its files are hostile input, and the verdict on them must
# depend on the data alone. So a pull request is judged on `pull_request_target`: GitHub
# takes this file from the base repository, the checkout is the base, and the tool is the
# one the base installs on a push. The pull request's commit is only fetched and laid out as
# files in ../pr, which the installed tool reads as data; nothing of it is installed or run.
# The job validates those files (annotations on the lines), checks their canonical form,
# writes the reviewer's comment (when validation fails too, the failures on top), uploads
# the full report as the artifact `{ARTIFACT}`, and posts the comment, or edits the one
# it posted before. Only that last step is given the token that may write.
name: ledger

on:
  push:
  pull_request_target:

permissions:
  contents: read
{_tool_env(ref)}
jobs:
  push:
    if: github.event_name == 'push'
    runs-on: ubuntu-latest
{folder}    steps:
{_setup(ref, pushed)}\
      - name: Validate (annotations on the changed lines)
        run: ledger validate --strict --format github
      - name: Canonical form
        if: ${{{{ !cancelled() }}}}
        run: ledger fmt --check

  pull-request:
    if: github.event_name == 'pull_request_target'
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write
    concurrency:  # a newer push's run replaces an older one's
      group: ledger-pull-request-${{{{ github.event.pull_request.number }}}}
      cancel-in-progress: true
    env:
      PULL_REQUEST_LEDGER: {json.dumps(pr_root)}
    steps:
{_setup(ref, base)}\
      - name: Lay out the pull request's files in ../pr (data only, never installed or run)
        id: layout
        env:
          NUMBER: ${{{{ github.event.pull_request.number }}}}
          HEAD_SHA: ${{{{ github.event.pull_request.head.sha }}}}
        run: |
          git fetch --no-tags origin "refs/pull/$NUMBER/head"
          git worktree add --detach {PULL_REQUEST_FILES} "$HEAD_SHA"
      - name: Validate (annotations on the changed lines)
        # --policy-from: the base's [review] settings hold when stricter (a pull request's
        # ledger.toml cannot loosen its own check).
        run: ledger --root "$PULL_REQUEST_LEDGER" validate --strict --format github --policy-from .
      - name: Canonical form
        if: ${{{{ !cancelled() && steps.layout.outcome == 'success' }}}}
        run: ledger --root "$PULL_REQUEST_LEDGER" fmt --check
      - name: The reviewer's comment (written when validation fails too)
        id: comment
        if: ${{{{ !cancelled() && steps.layout.outcome == 'success' }}}}
        env:
          BASE_SHA: ${{{{ github.event.pull_request.base.sha }}}}
          HEAD_SHA: ${{{{ github.event.pull_request.head.sha }}}}
{folder_env}\
        run: |
          out="$RUNNER_TEMP/{ARTIFACT}"
          mkdir -p "$out"
          # What the pull request changes, as GitHub's "Files changed" shows it: its files
          # against the commit where it left the base.
          base=$(git merge-base "$BASE_SHA" "$HEAD_SHA" || printf '%s' "$BASE_SHA")
          base=$(git rev-parse --short=12 "$base")
          if ! ledger --root "$PULL_REQUEST_LEDGER" diff "$base" --check --format markdown \\
              --files-url {files} \\
              --report-url "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID" \\
              --report "$out/report.md" > "$out/comment.md"; then
            printf '%s\\n' "### Ledger changes" "" \\
              "\\`ledger diff\\` could not compare this pull request with its base (a base" \\
              "without a ledger yet?); the job's log says why." > "$out/comment.md"
          fi
      - name: Upload the full report
        if: ${{{{ !cancelled() && steps.comment.outcome == 'success' }}}}
        uses: {ACTIONS["upload-artifact"]}
        with:
          name: {ARTIFACT}
          path: ${{{{ runner.temp }}}}/{ARTIFACT}/
          retention-days: 14
      - name: Post the comment, or edit the one posted before
        if: ${{{{ !cancelled() && steps.comment.outcome == 'success' }}}}
        env:
          GITHUB_TOKEN: ${{{{ github.token }}}}
        run: python -m ledger.pr_comment "$RUNNER_TEMP/{ARTIFACT}/comment.md"
"""


def workflows(ref: str | None, prefix: str) -> dict[str, str]:
    """The workflows `ledger init` writes (this repository's own with ``ref`` None), by
    their path in the repository."""
    return {WORKFLOW: workflow(ref, prefix)}


def precommit_config(rev: str, prefix: str) -> str:
    """`.pre-commit-config.yaml` using the tool's own published hooks (`ledger-validate`,
    `ledger-fmt`) from its repository at ``rev``. pre-commit runs them from the repository's
    top, so a ledger in a sub-folder is named with --root and its record files matched."""
    validate = fmt = ""
    if prefix:
        args = f"        args: {json.dumps(['--root', prefix])}\n"
        files = RECORD_FILES.replace("^(.*/)?", f"^{re.escape(prefix)}/")
        validate, fmt = args, f"{args}        files: {json.dumps(files)}\n"
    return f"""\
# pre-commit (https://pre-commit.com) checks the ledger before each commit: install it
# (`pip install pre-commit`), then run `pre-commit install` once in this repository.
# Written by `ledger init`: the ledger tool's own hooks, from the release that wrote this
# file (`pre-commit autoupdate` moves to the newest).
repos:
  - repo: {HOOKS_REPOSITORY}
    rev: {rev}
    hooks:
      - id: ledger-validate
{validate}      - id: ledger-fmt
{fmt}"""

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

from ledger.kinds import FOLDERS

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
"""


DATA_README = """\
# Ledger data: how to contribute

One record per YAML file; the file name is the record's id plus `.yaml`.

```
data/
  sources/<id>.yaml + <id>.txt    a document claims come from, and its archived text
  requirements/<id>.yaml          what the obligor is judged against
  cases/<id>.yaml                 an incident or matter that claims are about
  claims/<source-id>/<id>.yaml    one assertion made by one source
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


def workflow(requirement: str, prefix: str) -> str:
    """The GitHub Actions workflow: install the tool at ``requirement`` (a pip requirement
    such as ``evidence-ledger==1.2.0``, of characters safe in double quotes),
    validate, check the canonical form, and on a pull request put the semantic diff in the
    job's summary. ``prefix`` is the ledger's folder in the repository ("" at the top)."""
    folder = (
        f"    defaults:\n      run:\n        working-directory: {json.dumps(prefix)}\n"
        if prefix
        else ""
    )
    return f"""\
# Checks the ledger on every push and pull request (written by `ledger init`): every record
# must validate and be in canonical form. On a pull request, the job's summary shows what the
# change does to each requirement's status. `pip install` names the ledger tool's release
# that wrote this file: change it there to upgrade.
name: ledger

on:
  push:
  pull_request:

permissions:
  contents: read

jobs:
  validate:
    runs-on: ubuntu-latest
{folder}    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-python@v5
        with:
          python-version: "{PYTHON}"
      - name: Install the ledger tool
        run: pip install "{requirement}"
      - name: Validate (annotations on the changed lines)
        run: ledger validate --strict --format github
      - name: Canonical form
        run: ledger fmt --check
      - name: What the pull request changes
        if: github.event_name == 'pull_request'
        continue-on-error: true  # a summary only (the first pull request has no ledger to compare)
        run: >-
          ledger diff "origin/${{{{ github.base_ref }}}}" HEAD --format markdown
          >> "$GITHUB_STEP_SUMMARY"
"""


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

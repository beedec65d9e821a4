"""Hostile data: code-running tags, alias bombs, special files, and text that would drive a
terminal. Every data file is untrusted; none of these may run code, hang, exhaust memory or
reach the terminal as anything but visible characters."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml

from conftest import Sample, run, run_process, where
from ledger.records.yamlread import parse

# Any C0 control but the newline, DEL, and any C1 control (CSI is \x9b): none may be printed.
TERMINAL_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


# -- tags that run code ---------------------------------------------------------------------------


def payload(marker: Path) -> str:
    return f"!!python/object/apply:os.system [{json.dumps('touch ' + shlex.quote(str(marker)))}]"


def test_the_payload_is_real(tmp_path: Path) -> None:
    """Without this the next test could pass for the wrong reason: an unsafe loader runs it."""
    marker = tmp_path / "ran"
    yaml.unsafe_load(f"notes: {payload(marker)}\n")
    assert marker.exists()


def test_a_python_tag_is_refused_and_nothing_runs(sample_copy: Sample, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    claim = "claims/cso-torture-complaints.yaml"
    sample_copy.write(claim, sample_copy.read(claim) + f"notes: {payload(marker)}\n")
    found = sample_copy.only()
    assert (found.path, *where(found)) == (f"data/{claim}", "yaml-tag", 16, 8, "notes")
    assert not marker.exists()
    # And through the command line, in every format, as a real process.
    for fmt in ("human", "json", "github"):
        result = run_process(["validate", "--format", fmt], cwd=sample_copy.root)
        assert result.returncode == 1, fmt
        assert "yaml-tag" in result.stdout + result.stderr
    assert not marker.exists()


@pytest.mark.parametrize(
    "text",
    [
        "!!python/object/apply:os.system ['true']\n",
        "id: x\nnotes: !!python/name:os.system\n",
        "id: x\nnotes: !!python/object/new:os.system [true]\n",
        "--- !!python/object:__main__.X\nid: x\n",
        "id: x\nnotes: !<tag:yaml.org,2002:python/object/apply:os.system> [true]\n",
        "%TAG !p! tag:yaml.org,2002:python/\n---\nid: x\nnotes: !p!object/apply:os.system [t]\n",
        "id: x\nnotes: !!binary aGVsbG8=\n",
        "id: x\nfigures: !!set {a, b}\n",
    ],
    ids=["top-level", "name", "new", "document", "verbatim", "tag-directive", "binary", "set"],
)
def test_every_kind_of_tag_is_refused(text: str) -> None:
    parsed = parse(text, "x.yaml")
    assert parsed.data is None
    assert [d.code for d in parsed.diagnostics] == ["yaml-tag"]


# -- alias bombs ----------------------------------------------------------------------------------

BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "",
    ]
)


def test_an_alias_bomb_is_refused_at_its_first_anchor() -> None:
    # Nine levels of nine: 9**9 (387 million) strings if anything expanded it. Stopping at the
    # first anchor, before any alias is read, is what keeps time and memory bounded.
    assert BILLION_LAUGHS.count("*") == 8 * 9
    parsed = parse(BILLION_LAUGHS, "bomb.yaml", positions=True)
    assert parsed.data is None
    assert [where(d) for d in parsed.diagnostics] == [("yaml-alias", 1, 4, "a")]


def test_an_alias_bomb_in_a_record_through_every_output(sample_copy: Sample) -> None:
    claim = "claims/cso-torture-complaints.yaml"
    bomb = "\n".join("  " + line for line in BILLION_LAUGHS.splitlines())
    sample_copy.write(claim, sample_copy.read(claim) + f"notes:\n{bomb}\n")
    found = sample_copy.only()
    assert where(found) == ("yaml-alias", 17, 6, "notes.a")
    for fmt in ("human", "json", "github"):
        result = run(["validate", "--format", fmt, "--root", str(sample_copy.root)])
        assert result.exit_code == 1
        assert "yaml-alias" in result.stdout + result.stderr
        assert "lol" not in result.stdout  # nothing of the bomb is rendered


def test_aliases_without_anchors_stop_at_the_first_alias() -> None:
    text = "id: x\nnotes: [" + ", ".join(["*a"] * 10_000) + "]\n"
    parsed = parse(text, "x.yaml")
    assert [where(d) for d in parsed.diagnostics] == [("yaml-alias", 2, 9, "notes[0]")]


# -- special files --------------------------------------------------------------------------------


def test_a_fifo_record_and_a_fifo_archive_do_not_hang(sample_copy: Sample) -> None:
    """A plain open() of a FIFO blocks until a writer comes: run as a process, so that a
    regression fails on the (generous) hang guard instead of stopping the suite."""
    os.mkfifo(sample_copy.path("cases/fifo.yaml"))
    archive = sample_copy.path("sources/mx-gov-2018.txt")
    archive.unlink()
    os.mkfifo(archive)
    result = run_process(["validate", "--format", "json"], cwd=sample_copy.root)
    assert result.returncode == 1
    found = [
        (d["path"], d["code"], d["line"], d["field"])
        for d in json.loads(result.stdout)["diagnostics"]
    ]
    assert found == [
        ("data/cases/fifo.yaml", "not-a-regular-file", 0, ""),
        ("data/sources/mx-gov-2018.yaml", "archive-missing", 11, "archive.path"),
    ]


def test_a_deeply_nested_file_is_refused_without_crashing(sample_copy: Sample) -> None:
    """The C parser's composer segfaults near 25,000 levels: a crash would kill the process,
    so this runs as one and must come back with a diagnostic."""
    depth = 30_000
    sample_copy.write("cases/deep.yaml", f"id: deep\nnotes: {'[' * depth}{']' * depth}\n")
    result = run_process(["validate", "--format", "json"], cwd=sample_copy.root)
    assert result.returncode == 1
    [found] = json.loads(result.stdout)["diagnostics"]
    assert (found["path"], found["code"], found["line"]) == ("data/cases/deep.yaml", "too-deep", 2)


def test_a_symlink_to_dev_zero_as_an_archive(sample_copy: Sample) -> None:
    archive = sample_copy.path("sources/mx-gov-2018.txt")
    archive.unlink()
    os.symlink("/dev/zero", archive)
    assert where(sample_copy.only()) == ("archive-path", 11, 9, "archive.path")


# -- text that would drive a terminal -------------------------------------------------------------

HOSTILE_QUOTE = (
    r"[bold]Two[/bold] [link=https://x]central[/link] \e[31missues\e[0m "
    r"\e]8;;http://x\e\\here\e]8;;\e\\ \e]0;pwned\a \x9b2J \u202eevil"
)


def hostile_ledger(sample: Sample) -> None:
    """Escape sequences and markup in values, keys, raw bytes and a file name."""
    sample.write(
        "claims/hostile.yaml",
        "id: hostile\n"
        "source: cso-memo-2017\n"
        'locator: "[red]paragraph 1[/red] \\e]0;pwned\\a"\n'
        f'quote: "{HOSTILE_QUOTE}"\n'
        "statement: The memo says [bold]so[/bold].\n"
        "kind: fact\n"
        "cases:\n"
        "  - tlatlaya\n",
    )
    sample.write(
        "claims/hostile-key.yaml",
        'id: hostile-key\n"[link=https://x]\\e]0;pwned\\a": x\n',
    )
    sample.write("cases/raw.yaml", b"id: raw\ntitle: \x1b]0;pwned\x07 \x1b[2J\n")
    sample.write("cases/evil\x1b[31m[bold].yaml", sample.read("cases/ayotzinapa.yaml"))


def assert_harmless(output: str) -> None:
    assert output
    assert not TERMINAL_CONTROL.search(output), TERMINAL_CONTROL.findall(output)
    assert not INVISIBLE.search(output)


def test_hostile_text_in_the_human_format(sample_copy: Sample) -> None:
    hostile_ledger(sample_copy)
    result = run(["validate", "--root", str(sample_copy.root)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_harmless(result.stderr)
    for shown in (
        r"\x1b[31missues\x1b[0m",  # CSI, visible
        r"\x1b]8;;http://x\x1b\here",  # OSC 8 hyperlink, visible
        r"\x1b]0;pwned\x07",  # OSC 0 title, visible
        r"\x9b2J",  # C1 CSI, visible
        "<U+202E>evil",  # bidi override, visible
        "[bold]Two[/bold] [link=https://x]central[/link]",  # markup, literal
        "unknown field '[link=https://x]\\x1b]0;pwned\\x07'",  # in a key
        "2 | title: \\x1b]0;pwned\\x07 \\x1b[2J",  # raw bytes in a line excerpt
        "data/cases/evil\\x1b[31m[bold].yaml",  # in a file name
    ):
        assert shown in result.stderr, shown


def test_hostile_text_in_json(sample_copy: Sample) -> None:
    hostile_ledger(sample_copy)
    result = run(["validate", "--root", str(sample_copy.root), "--format", "json"])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert_harmless(result.stdout)
    assert "\\u001b]0;pwned\\u0007" in result.stdout
    assert "\\u009b2J" in result.stdout
    assert "\\u202eevil" in result.stdout
    # JSON is data: a reader gets the exact text back, to escape as its own output needs.
    diagnostics = json.loads(result.stdout)["diagnostics"]
    quote = next(d for d in diagnostics if d["code"] == "quote-not-found")
    assert "[link=https://x]central[/link] \x1b[31missues" in quote["message"]
    assert any(d["path"] == "data/cases/evil\x1b[31m[bold].yaml" for d in diagnostics)


def test_hostile_text_in_github_annotations(sample_copy: Sample) -> None:
    hostile_ledger(sample_copy)
    result = run(["validate", "--root", str(sample_copy.root), "--format", "github"])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert_harmless(result.stdout)
    lines = result.stdout.splitlines()
    assert all(re.match(r"::(error|warning) file=", line) for line in lines), lines
    assert any(r"\x1b]0;pwned\x07" in line for line in lines)
    assert any(r"[link=https://x]central[/link] \x1b[31missues" in line for line in lines)
    # In a property value, ':' and ',' are escaped so the file name cannot end the property.
    assert any("file=data/cases/evil\\x1b[31m[bold].yaml,line=1,col=5," in line for line in lines)


def test_hostile_text_as_a_real_process(sample_copy: Sample) -> None:
    hostile_ledger(sample_copy)
    for fmt in ("human", "json", "github"):
        result = run_process(["validate", "--format", fmt], cwd=sample_copy.root)
        assert result.returncode == 1
        assert_harmless(result.stdout + result.stderr)
        assert ("\\u001b" if fmt == "json" else "\\x1b") in result.stdout + result.stderr


def test_the_hostile_values_are_themselves_reported(sample_copy: Sample) -> None:
    hostile_ledger(sample_copy)
    found = {(d.path, *where(d)) for d in sample_copy.diagnostics()}
    assert {
        ("data/claims/hostile.yaml", "control-character", 3, 10, "locator"),
        ("data/claims/hostile.yaml", "control-character", 4, 8, "quote"),
        ("data/claims/hostile.yaml", "invisible-character", 4, 8, "quote"),
        ("data/claims/hostile-key.yaml", "control-character", 2, 1, ""),
        ("data/cases/raw.yaml", "control-character", 2, 8, ""),
    } <= found


def test_hostile_text_in_a_usage_error(tmp_path: Path) -> None:
    root = tmp_path / "x\x1b]0;pwned\x07[bold]"
    root.mkdir()
    result = run(["validate", "--root", str(root)])
    assert result.exit_code == 2
    assert_harmless(result.stderr)
    assert "x\\x1b]0;pwned\\x07[bold] is not a ledger" in result.stderr

"""The interactive path, driven through a real pseudo-terminal.

`python -m ledger new ...` runs as a child of `pty.fork`, so its stdin is a terminal (and its
controlling one: Ctrl-C raises SIGINT as it would for a user). Each test answers the prompts
as they appear. Every read is bounded: a prompt that never comes fails the test with the
transcript so far, instead of hanging it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SAMPLE, Sample

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")

WAIT = 60.0
"""Seconds to wait for one prompt or for the end: a guard against a hang, not a budget."""

CTRL_C, CTRL_D = "\x03", "\x04"

SETTLE = 0.5
"""Seconds between a prompt appearing and a control key being pressed at it."""


class Terminal:
    """A command running on a pseudo-terminal, and what it has written so far."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in {"LEDGER_ROOT", "NO_COLOR"}}
        env.update({"TERM": "dumb", "COLUMNS": "200", "LINES": "50"})
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the command
            try:
                os.chdir(cwd)
                os.execve(sys.executable, [sys.executable, "-m", "ledger", *args], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        self.raw = b""
        self.seen = 0
        self.status: int | None = None

    @property
    def transcript(self) -> str:
        return self.raw.decode("utf-8", "replace").replace("\r\n", "\n")

    def _read(self, deadline: float) -> bool:
        """Read what is there (waiting until ``deadline``); False at end of output."""
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        ready, _, _ = select.select([self.fd], [], [], left)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the child closed the terminal
            return False
        self.raw += chunk
        return bool(chunk)

    def expect(self, text: str) -> None:
        """Wait for ``text`` to appear after what was expected before."""
        deadline = time.monotonic() + WAIT
        while True:
            found = self.transcript.find(text, self.seen)
            if found >= 0:
                self.seen = found + len(text)
                return
            if time.monotonic() >= deadline or not self._read(deadline):
                pytest.fail(f"waited for {text!r}; the terminal shows:\n{self.transcript}")

    def answer(self, prompt: str, text: str) -> None:
        self.expect(prompt)
        os.write(self.fd, f"{text}\r".encode())

    def press(self, prompt: str, key: str) -> None:
        """Press a key at a prompt, once the command waits for input there: a signal that
        lands between readline printing the prompt and it waiting for input is only seen at
        the next key (CPython's readline), which no person is quick enough to hit but a
        busy test machine is."""
        self.expect(prompt)
        self._until_idle()
        time.sleep(SETTLE)
        os.write(self.fd, key.encode())

    def _until_idle(self) -> None:
        """Wait (where /proc tells) until the command sleeps and its CPU time stands still
        for a while: then it waits for input, however loaded the machine is."""
        stat = Path(f"/proc/{self.pid}/stat")
        deadline, last, still = time.monotonic() + WAIT, None, 0
        while time.monotonic() < deadline and still < 3:
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                return
            state, cpu = fields[0], (fields[11], fields[12])
            still = still + 1 if state == "S" and cpu == last else 0
            last = cpu
            time.sleep(0.1)

    def wait(self) -> int:
        """The exit code, after reading everything the command wrote."""
        deadline = time.monotonic() + WAIT
        while self._read(deadline) and time.monotonic() < deadline:
            pass
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            time.sleep(0.05)
        pytest.fail(f"the command did not end; the terminal shows:\n{self.transcript}")

    def close(self) -> None:
        if self.status is None:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.fd)


@contextlib.contextmanager
def terminal(root: Path, *args: str) -> Iterator[Terminal]:
    term = Terminal(["--root", str(root), *args], cwd=root)
    try:
        yield term
    finally:
        term.close()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the ledger but the load cache (which reading may refresh)."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".ledger-cache" not in p.parts
    }


@pytest.fixture
def ledger_copy(tmp_path: Path) -> Sample:
    root = tmp_path / "ledger"
    shutil.copytree(SAMPLE, root)
    return Sample(root)


def test_a_claim_is_added_by_answering_prompts(ledger_copy: Sample) -> None:
    with terminal(ledger_copy.root, "new", "claim") as term:
        term.answer("Source: ", "nope")
        term.expect("no source with id 'nope'")
        term.answer("Source: ", "cso")  # a unique prefix, echoed as the id it names
        term.expect("= cso-memo-2017")
        term.answer("Quote: ", "the PGR recieved over 10000 complaints of torture")
        term.expect("not verbatim; the closest passages:")
        term.expect("1. REQUIREMENT 2, paragraph 1: the PGR received over 10,000 complaints")
        term.answer("Use passage [1]: ", "")
        term.answer("Locator [REQUIREMENT 2, paragraph 1]: ", "")
        term.answer("Statement: ", "The memo says the PGR received over 10,000 complaints.")
        term.expect("(fact, figure, allegation, assessment, commitment, official-act")
        term.answer("Kind: ", "rumour")
        term.expect("choose one of: fact, figure")
        term.answer("Kind: ", "figure")
        term.answer("Cases: ", "torture")
        term.expect("= torture-prosecutions")
        term.expect("(supports, undermines, context; blank if the claim does not bear on it)")
        term.answer("Stance on requirement-2: ", "undermines")
        term.answer("Other requirements: ", "")
        term.answer("Relations: ", "corroborates=cso-torture")
        term.expect("= corroborates=cso-torture-complaints")
        term.answer("Id [cso-pgr-received-over-10-000-complaints-", "cso-pgr-complaints-again")
        term.expect("--- data/claims/cso-pgr-complaints-again.yaml")
        term.answer("Write it? (y/n) [y]: ", "y")
        term.expect("created claim cso-pgr-complaints-again")
        assert term.wait() == 0
    text = ledger_copy.read("claims/cso-pgr-complaints-again.yaml")
    assert text == (
        "# yaml-language-server: $schema=../../schema/claim.schema.json\n"
        "id: cso-pgr-complaints-again\n"
        "source: cso-memo-2017\n"
        "locator: REQUIREMENT 2, paragraph 1\n"
        "quote: the PGR received over 10,000 complaints of torture\n"
        "statement: The memo says the PGR received over 10,000 complaints.\n"
        "kind: figure\n"
        "cases:\n  - torture-prosecutions\n"
        "bears_on:\n  requirement-2: undermines\n"
        "relations:\n  - corroborates: cso-torture-complaints\n"
    )
    assert ledger_copy.diagnostics() == []


def test_a_source_is_added_by_answering_prompts(ledger_copy: Sample, tmp_path: Path) -> None:
    document = tmp_path / "letter.txt"
    document.write_text("Letter from the families\n\nThey wrote in 2016.\n", encoding="utf-8")
    with terminal(ledger_copy.root, "new", "source", str(document)) as term:
        term.answer("Title [Letter from the families]: ", "")
        term.answer("Authors: ", "Families of the victims; Their lawyers")
        term.answer("Published: ", "2016-13")
        term.expect("not a real date")
        term.answer("Published: ", "2016-02")
        term.answer("Kind: ", "let")
        term.expect("= letter")
        term.answer("Perspective: ", "civil")
        term.expect("Government of Mexico, exactly, if it is the obligor's own word")
        term.answer("Speaks for: ", "")
        term.answer("Language [en]: ", "")
        term.answer("URL: ", "")
        term.answer("Notes: ", "")
        term.answer("Id [letter-families-", "families-letter")
        term.answer("Write it? (y/n) [y]: ", "")
        term.expect("created source families-letter")
        assert term.wait() == 0
    record = ledger_copy.read("sources/families-letter.yaml")
    assert "authors:\n  - Families of the victims\n  - Their lawyers\n" in record
    assert "perspective: civil-society\n" in record
    assert ledger_copy.path("sources/families-letter.txt").read_bytes() == document.read_bytes()
    assert ledger_copy.diagnostics() == []


def test_a_government_source_is_asked_whom_it_speaks_for(
    ledger_copy: Sample, tmp_path: Path
) -> None:
    document = tmp_path / "report.txt"
    document.write_text("Country report\n\nSearches continued in 2017.\n", encoding="utf-8")
    with terminal(
        ledger_copy.root, "new", "source", str(document), "--title", "Country report",
        "--published", "2018", "--kind", "report", "--perspective", "government",
    ) as term:  # fmt: skip
        term.answer("Authors: ", "")
        term.answer("Speaks for: ", "Government of the United States")
        term.answer("Language [en]: ", "")
        term.answer("URL: ", "")
        term.answer("Notes: ", "")
        term.answer("Id [country-report-", "us-country-report")
        term.answer("Write it? (y/n) [y]: ", "")
        term.expect("created source us-country-report")
        assert term.wait() == 0
    record = ledger_copy.read("sources/us-country-report.yaml")
    assert "perspective: government\nspeaks_for: Government of the United States\n" in record
    assert ledger_copy.diagnostics() == []


@pytest.mark.parametrize(("key", "name"), [(CTRL_C, "Ctrl-C"), (CTRL_D, "Ctrl-D")])
def test_cancelling_midway_writes_nothing(ledger_copy: Sample, key: str, name: str) -> None:
    before = snapshot(ledger_copy.root)
    with terminal(ledger_copy.root, "new", "claim") as term:
        term.answer("Source: ", "cso-memo-2017")
        term.answer("Quote: ", "the PGR received over 10,000 complaints of torture")
        term.expect("the quote is in the source")
        term.answer("Locator [REQUIREMENT 2, paragraph 1]: ", "")
        term.press("Statement: ", key)
        term.expect("cancelled, nothing written")
        assert term.wait() == 130, name
    assert "Traceback" not in term.transcript
    assert snapshot(ledger_copy.root) == before


def test_answering_no_at_the_end_writes_nothing(ledger_copy: Sample) -> None:
    before = snapshot(ledger_copy.root)
    with terminal(ledger_copy.root, "new", "case") as term:
        term.answer("Title: ", "Killings at Apatzingán")
        term.answer("Kind: ", "incident")
        term.answer("Summary: ", "The memo names the killings at Apatzingán.")
        term.answer("Aliases: ", "Apatzingan")
        term.answer("Date: ", "")
        term.answer("Place: ", "")
        term.answer("Requirements: ", "requirement-1")
        term.answer("Id [killings-apatzingan-", "")
        term.expect("aliases:\n  - Apatzingan\n")
        term.answer("Write it? (y/n) [y]: ", "n")
        term.expect("cancelled, nothing written")
        assert term.wait() == 130
    assert snapshot(ledger_copy.root) == before


def test_flags_alone_never_prompt_even_on_a_terminal(ledger_copy: Sample) -> None:
    with terminal(
        ledger_copy.root,
        "new",
        "case",
        "--title",
        "A case",
        "--kind",
        "other",
        "--summary",
        "What a source says.",
        "--id",
        "a-case",
    ) as term:
        assert term.wait() == 0
    assert "Write it?" not in term.transcript
    assert ledger_copy.read("cases/a-case.yaml").endswith("summary: What a source says.\n")

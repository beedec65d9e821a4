"""Time and memory of quote checks against one very large archived text.

    python bench/big_archive.py [--workdir DIR] [--mib 64]

Copies the sample ledger (tests/sample) to DIR, grows the memo's archived text to MIB mebibytes
of generated prose (the real excerpt kept in the middle, so its quotes still verify; 64 MiB is
the largest archive `ledger` accepts) and pins its new hash. It then runs, as a user would:

* ``validate`` with one claim whose 10,000-character quote is not in the archive (the hint
  for the closest passage is the work measured);
* ``new claim --dry-run`` with a correct 10,000-character quote (finding it and naming its
  locator).

and prints the wall time, CPU time and peak memory (RSS) of each. Nothing is timed in the test
suite; this is how the numbers in the change log were measured.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "tests" / "sample"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import _WORDS  # noqa: E402  (the benchmark's own vocabulary)

QUOTE_CHARS = 10_000


def prose(rng: random.Random, size: int) -> str:
    """About ``size`` characters of sentences in paragraphs, blank lines between them."""
    out: list[str] = []
    total = 0
    while total < size:
        sentences = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."
            for _ in range(rng.randint(2, 6))
        ]
        paragraph = " ".join(sentences) + "\n\n"
        out.append(paragraph)
        total += len(paragraph)
    return "".join(out)


def build(workdir: Path, mib: int) -> tuple[str, str]:
    """The scratch ledger; a correct and a wrong quote of 10,000 characters."""
    if workdir.exists():
        shutil.rmtree(workdir)
    shutil.copytree(SAMPLE, workdir)
    sources = workdir / "data" / "sources"
    excerpt = (sources / "cso-memo-2017.txt").read_text(encoding="utf-8")
    rng = random.Random(2017)
    half = (mib * 1024 * 1024 - len(excerpt.encode())) // 2 - 4096
    before, after = prose(rng, half), prose(rng, half)
    text = before + excerpt + "\n\n" + after
    data = text.encode("utf-8")
    if len(data) > mib * 1024 * 1024:  # accented names take two bytes: drop the excess
        data = data[: mib * 1024 * 1024]
        data = data[: data.rindex(b"\n\n") + 2]
        text = data.decode("utf-8")
    (sources / "cso-memo-2017.txt").write_bytes(data)
    record = sources / "cso-memo-2017.yaml"
    old = hashlib.sha256(excerpt.encode()).hexdigest()
    record.write_text(
        record.read_text().replace(old, hashlib.sha256(data).hexdigest()), encoding="utf-8"
    )
    start = text.index("\n\n", len(before) // 2) + 2  # a paragraph, so it has a locator
    folded = " ".join(text[start : start + QUOTE_CHARS * 2].split())
    correct = folded[:QUOTE_CHARS].rsplit(" ", 1)[0]
    words = correct.split()
    for i in range(0, len(words), 7):  # a word changed in every seven: no longer verbatim
        words[i] = "zzz" + words[i]
    wrong = " ".join(words)[:QUOTE_CHARS]
    (workdir / "data" / "claims" / "bench-wrong-quote.yaml").write_text(
        "id: bench-wrong-quote\nsource: cso-memo-2017\nlocator: paragraph 1\n"
        f'quote: "{wrong}"\nstatement: A claim whose quote is wrong.\nkind: fact\n'
        "cases:\n  - torture-prosecutions\n",
        encoding="utf-8",
    )
    return correct, wrong


def measure(label: str, args: list[str], root: Path, expect: str = "") -> None:
    """Run ``ledger ARGS`` in its own process: wall time, peak RSS, exit code and hint (and
    whether the hint holds ``expect``)."""
    import os
    import tempfile

    ledger = Path(sys.executable).parent / "ledger"
    with tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [str(ledger), "--root", str(root), *args], stdout=subprocess.DEVNULL, stderr=err
        )
        _, status, usage = os.wait4(child.pid, 0)
        took = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    hint = next((line for line in stderr.splitlines() if "hint" in line), "")
    cpu = usage.ru_utime + usage.ru_stime
    print(
        f"{label}: {took:.1f} s wall, {cpu:.1f} s CPU, peak RSS {usage.ru_maxrss / 1024:.0f} MB, "
        f"exit {child.returncode}"
    )
    if expect:
        print(f"  the hint is the passage the quote was made from: {expect in hint}")
    last = hint or (stderr.splitlines() or [""])[-1]
    if last:
        print(f"  {last[:150]}{'...' if len(last) > 150 else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/ledger-bench/big-archive"))
    parser.add_argument("--mib", type=int, default=64)
    options = parser.parse_args()
    correct, _ = build(options.workdir, options.mib)
    root = options.workdir
    measure("validate, a wrong 10,000-character quote", ["validate"], root, correct[100:300])
    (root / "data" / "claims" / "bench-wrong-quote.yaml").unlink()
    measure(
        "new claim, a correct 10,000-character quote",
        [
            "new", "claim", "--no-input", "--dry-run", "--source", "cso-memo-2017",
            "--quote", correct, "--statement", "S.", "--kind", "fact",
            "--case", "torture-prosecutions",
        ],
        root,
    )  # fmt: skip


if __name__ == "__main__":
    main()

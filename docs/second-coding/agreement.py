"""Agreement between two codings of the same claims.

Usage, from the repository root:

    python docs/second-coding/agreement.py
        first-coding.yaml against second-coding.yaml (the figures in data/README.md)
    python docs/second-coding/agreement.py --snapshot REV > docs/second-coding/first-coding.yaml
        write the first coding as it stood at git revision REV, in the second coding's format
    python docs/second-coding/agreement.py FIRST.yaml SECOND.yaml
        any two codings in that format
    python docs/second-coding/agreement.py --disagreements
        also list every cell and link the two codings differ on

A coding is a YAML list of `{id, bears_on, kind, cases, relations: [{kind, target}]}`, one entry
per claim. Stance is compared per claim and requirement (four requirements, so 4 cells a claim),
with `none` for a requirement the claim does not bear on; Cohen's kappa is computed over those
cells. Kind, the set of cases and the set of requirements are compared claim by claim. Links
are compared as unordered pairs of claims per link type (a link put on either claim of a pair is
the same link). The protocol the second coder worked from (`protocol.md`) names some claims in its
worked examples; the stance figures are given again without them, and again without the claims
whose quoted text the protocol quotes too (a quotation in the protocol, or a part of one between
ellipses, of five words or more found in the claim's quote as the second coder saw it in
`claims-blinded.yaml`).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REQUIREMENTS = ("requirement-1", "requirement-2", "requirement-3", "requirement-4")
LINKS = ("contradicts", "corroborates", "responds-to", "repeats")


def read(path: Path) -> dict[str, dict]:
    """One coding file -> {claim id: coding}."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {entry["id"]: entry for entry in entries}


def snapshot(rev: str) -> list[dict]:
    """The coding of every claim under data/claims at git revision REV."""
    names = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev, "data/claims"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    coding = []
    for name in sorted(names, key=lambda n: Path(n).name):
        if not name.endswith(".yaml"):
            continue
        text = subprocess.run(
            ["git", "show", f"{rev}:{name}"], check=True, capture_output=True, text=True
        ).stdout
        claim = yaml.safe_load(text)
        relations = []
        for relation in claim.get("relations") or []:
            (kind,) = [key for key in relation if key in LINKS]
            relations.append({"kind": kind, "target": relation[kind]})
        coding.append(
            {
                "id": claim["id"],
                "bears_on": dict(claim.get("bears_on") or {}),
                "kind": claim["kind"],
                "cases": list(claim.get("cases") or []),
                "relations": relations,
            }
        )
    return coding


def kappa(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """Raw agreement and Cohen's kappa over (first, second) label pairs."""
    n = len(pairs)
    observed = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    return observed, (observed - expected) / (1 - expected)


def example_ids(protocol: Path) -> set[str]:
    """The claim ids the protocol's worked examples name (in backticks)."""
    return set(re.findall(r"`((?:memo|gov)-[a-z0-9-]+)`", protocol.read_text(encoding="utf-8")))


def normalise(text: str) -> str:
    """Lowercase words (hyphens, apostrophes and % kept) joined by single spaces."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(re.sub(r"[^\w%'-]+", " ", text.lower()).split())


def quoted_ids(protocol: Path, blinded: Path, ids) -> set[str]:
    """The claims whose quote contains a passage of five words or more that the protocol quotes."""
    text = protocol.read_text(encoding="utf-8")
    snippets = []
    for straight, curly in re.findall(r'"([^"]+)"|\u201c([^\u201d]+)\u201d', text):
        for part in re.split(r"\.\.\.|\u2026", straight or curly):
            snippet = normalise(part)
            if len(snippet.split()) >= 5:
                snippets.append(snippet)
    quotes = {
        claim["id"]: normalise(claim["quote"])
        for claim in yaml.safe_load(blinded.read_text(encoding="utf-8"))
    }
    return {i for i in ids if any(snippet in quotes[i] for snippet in snippets)}


def stance_cells(first: dict[str, dict], second: dict[str, dict], ids) -> list[tuple[str, str]]:
    return [
        (
            (first[i].get("bears_on") or {}).get(r, "none"),
            (second[i].get("bears_on") or {}).get(r, "none"),
        )
        for i in ids
        for r in REQUIREMENTS
    ]


def links(coding: dict[str, dict], kind: str) -> set[frozenset[str]]:
    return {
        frozenset((claim_id, relation["target"]))
        for claim_id, claim in coding.items()
        for relation in claim.get("relations") or []
        if relation["kind"] == kind
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("first", nargs="?", type=Path, default=HERE / "first-coding.yaml")
    parser.add_argument("second", nargs="?", type=Path, default=HERE / "second-coding.yaml")
    parser.add_argument("--snapshot", metavar="REV")
    parser.add_argument("--disagreements", action="store_true")
    args = parser.parse_args()

    if args.snapshot:
        yaml.safe_dump(
            snapshot(args.snapshot), sys.stdout, sort_keys=False, allow_unicode=True, width=100
        )
        return 0

    first, second = read(args.first), read(args.second)
    if set(first) != set(second):
        print(f"the codings differ in claims: {sorted(set(first) ^ set(second))}", file=sys.stderr)
        return 1
    ids = sorted(first)
    print(f"claims {len(ids)}")

    def share(field) -> float:
        return sum(field(first[i]) == field(second[i]) for i in ids) / len(ids)

    kind = share(lambda c: c["kind"])
    cases = share(lambda c: set(c.get("cases") or []))
    reqs = share(lambda c: set(c.get("bears_on") or {}))
    print(f"kind agree {kind:.3f}; cases exact {cases:.3f}; requirement set exact {reqs:.3f}")

    for kind_name in LINKS:
        a, b = links(first, kind_name), links(second, kind_name)
        print(f"{kind_name}: first {len(a)} second {len(b)} both {len(a & b)}")

    cells = stance_cells(first, second, ids)
    raw, k = kappa(cells)
    both = [(a, b) for a, b in cells if a != "none" and b != "none"]
    raw_both, k_both = kappa(both)
    print(
        f"stance incl none ({len(cells)} claim x requirement cells): agreement {raw:.3f}, "
        f"Cohen's kappa {k:.3f}; cells both coders bear on ({len(both)}): "
        f"agreement {raw_both:.3f}, kappa {k_both:.3f}"
    )

    examples = example_ids(HERE / "protocol.md") & set(ids)
    rest = stance_cells(first, second, [i for i in ids if i not in examples])
    raw_rest, k_rest = kappa(rest)
    print(
        f"stance without the {len(examples)} claims the protocol's examples name "
        f"({len(rest)} cells): agreement {raw_rest:.3f}, Cohen's kappa {k_rest:.3f}"
    )

    quoted = quoted_ids(HERE / "protocol.md", HERE / "claims-blinded.yaml", ids) - examples
    rest = stance_cells(first, second, [i for i in ids if i not in examples | quoted])
    raw_rest, k_rest = kappa(rest)
    print(
        f"stance without those and the {len(quoted)} more claims whose quoted text the protocol "
        f"quotes ({len(rest)} cells): agreement {raw_rest:.3f}, Cohen's kappa {k_rest:.3f}"
    )

    if args.disagreements:
        print()
        for i in ids:
            a, b = first[i], second[i]
            for r in REQUIREMENTS:
                sa = (a.get("bears_on") or {}).get(r, "none")
                sb = (b.get("bears_on") or {}).get(r, "none")
                if sa != sb:
                    print(f"{i}\tstance {r}\t{sa}\t{sb}")
            if a["kind"] != b["kind"]:
                print(f"{i}\tkind\t{a['kind']}\t{b['kind']}")
            if set(a.get("cases") or []) != set(b.get("cases") or []):
                print(
                    f"{i}\tcases\t{','.join(a.get('cases') or [])}"
                    f"\t{','.join(b.get('cases') or [])}"
                )
        for kind_name in LINKS:
            a, b = links(first, kind_name), links(second, kind_name)
            for pair in sorted(a - b, key=sorted):
                print(f"{' '.join(sorted(pair))}\t{kind_name}\tlinked\tnot linked")
            for pair in sorted(b - a, key=sorted):
                print(f"{' '.join(sorted(pair))}\t{kind_name}\tnot linked\tlinked")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Write a synthetic ledger of realistic shape, of any size, deterministic from a seed.

    python bench/generate.py OUTDIR --claims N [--seed S]

The shape follows the repository's own data: about one source per 150 claims (100 to 200),
each with 20 to 60 KB of archived text in sections and paragraphs; four requirements whose
wording is quoted from a source; cases that claims are about; claims of 600 to 900 bytes whose
quote is a verbatim run of sentences from their source's text (so `ledger validate` finds it),
with a neutral statement, one to three cases, one or two requirements they bear on, figures on
about 15% of them and relations (contradicts, corroborates, repeats, responds-to) between
claims of different sources on about 5%.

Files are written directly in the canonical form `ledger fmt` produces (schema modeline, keys
in schema order, prose in ``>-`` folded scalars by `ledger fmt`'s own folding), without a YAML
writer: 100k claims take
about half a minute, most of it the file system creating files. The same seed and size always
give a byte-identical tree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ledger.authoring.fmt import WIDTH, fold_prose  # prose folded exactly as `ledger fmt` folds it

GENERATOR_VERSION = 4
"""Bump when the output changes, so that `bench/run.py` regenerates cached ledgers."""

DEFAULT_SEED = 2017
STAMP = "bench-ledger.json"
"""Written last in the output folder: what made this tree (version, seed, claims)."""

PROSE_MIN = 72
"""Strings at least this long are written as folded block scalars, as `ledger fmt` does."""

REQUIREMENTS = [
    ("Civilian investigation and prosecution of human rights violations", "condition"),
    ("Enforcing the prohibition of torture and of testimony obtained through torture", "condition"),
    ("Search for the disappeared and prosecution of forced disappearances", "condition"),
    ("Cooperation with the group of independent experts", "expectation"),
]

_VOCABULARY = """
the of and to in a that for on by with was were has have had is are be been not as at from
this which its their it or an but also no all more than into after under who other such
government authorities state federal civilian military police navy army soldiers officials
prosecutor prosecutors office attorney general judge judges court courts tribunal commission
investigation investigations inquiry prosecution prosecutions charges arrest arrests warrant
warrants trial trials sentence conviction convictions acquittal appeal hearing evidence
testimony testimonies witness witnesses victims families relatives survivors defenders
journalists students women men persons detainees prisoners community communities municipality
torture tortured disappearance disappearances disappeared killing killings execution executions
abuse abuses violation violations rights human law laws reform reforms protocol registry
search searches remains graves identification forensic experts report reports recommendation
recommendations mechanism follow-up measures reparation reparations compensation apology
responsibility accountability impunity progress delay delays obstacles failure failures
cooperation access information records files documents data figures numbers cases case
reported registered documented confirmed denied announced opened closed reopened ordered
detained released transferred charged convicted sentenced acquitted investigated prosecuted
located identified recovered exhumed interviewed notified submitted requested received
public private national regional local international independent special specialized
credible thorough timely effective serious grave systematic widespread isolated alleged
early late recent previous current new first second third several many few some most
january february march april may june july august september october november december
during before since until while although because however therefore moreover nevertheless
region district village town city road highway border river mountain coast valley
Guerrero Oaxaca Veracruz Chihuahua Coahuila Tamaulipas Michoacán Jalisco Sonora Puebla
Nochixtlán Tlatlaya Iguala Atenco Ayotzinapa Cocula Ecatepec Tlapa Chilpancingo Querétaro
"""
_WORDS = _VOCABULARY.split()

_NUMBER_UNITS = [
    "disappeared persons",
    "complaints of torture",
    "open investigations",
    "arrest warrants",
    "convictions",
    "victims",
    "journalists killed",
    "clandestine graves",
    "bodies recovered",
    "officials charged",
    "days of detention",
    "recommendations",
]
_QUALIFIERS = ["exactly", "about", "at-least", "more-than", "at-most", "fewer-than"]
_QUALIFIER_WORDS = {
    "exactly": "",
    "about": "about",
    "at-least": "at least",
    "more-than": "more than",
    "at-most": "at most",
    "fewer-than": "fewer than",
}
_GOV_KINDS = ["fact", "commitment", "official-act", "official-act", "assessment", "fact"]
_CSO_KINDS = ["fact", "allegation", "assessment", "allegation", "legal-finding", "fact"]
_ATTRIBUTED = ["official numbers", "the CNDH", "the GIEI", "the Attorney General's Office"]
OBLIGOR = "Government of Mexico"
"""Whose conduct every requirement judges, and whom every government source speaks for."""

_PERSPECTIVES = [
    "civil-society",
    "government",
    "civil-society",
    "government",
    "intergovernmental",
    "government",
    "civil-society",
    "government",
    "civil-society",
    "media",
]
"""Perspectives of successive sources: four in ten government, the rest independent."""
_SOURCE_KINDS = {
    "government": ["government-statement"],
    "civil-society": ["memo", "report", "letter"],
    "intergovernmental": ["report"],
    "media": ["news"],
}
_PLACES = ["Guerrero", "Oaxaca", "Veracruz", "Chihuahua", "Coahuila", "Tamaulipas", "Jalisco"]


# -- canonical YAML text ------------------------------------------------------------------


_SAFE_PLAIN = re.compile(r"^[A-Za-z0-9][^\n\t\"#]*$")
_NOT_STRING = re.compile(
    r"^(?:y|yes|n|no|true|false|on|off|null|[-+]?[0-9][0-9_.:eE+-]*)$", re.IGNORECASE
)


def scalar(out: list[str], head: str, value: str, indent: int) -> None:
    """Append ``head value`` in canonical form; prose (>= 72 chars) is folded at ``indent``."""
    if len(value) >= PROSE_MIN:
        pad = " " * indent
        out.append(f"{head} >-")
        out.extend(pad + line for line in fold_prose(value, WIDTH - indent))
        return
    unsafe = not _SAFE_PLAIN.match(value) or _NOT_STRING.match(value)
    if unsafe or ": " in value or value.endswith(":"):
        raise ValueError(f"generator bug: {value!r} would need quotes")
    out.append(f"{head} {value}")


def str_list(out: list[str], key: str, values: list[str]) -> None:
    """A top-level list of short strings, omitted when empty."""
    if values:
        out.append(f"{key}:")
        for value in values:
            scalar(out, "  -", value, 4)


def modeline(depth: int, kind: str) -> str:
    """The schema modeline for a record ``depth`` folders below the ledger root."""
    return f"# yaml-language-server: $schema={'../' * depth}schema/{kind}.schema.json"


# -- synthetic source text ----------------------------------------------------------------


@dataclass
class Sentence:
    text: str
    figure: tuple[int, str, str] | None = None
    """(value, unit, qualifier) when the sentence states a number."""


@dataclass
class SourceText:
    """A source's archived text as sections of paragraphs of sentences."""

    sections: list[list[list[Sentence]]] = field(default_factory=list)
    raw: str = ""


def _sentence(rng: random.Random, with_figure: bool) -> Sentence:
    words = rng.choices(_WORDS, k=rng.randint(12, 30))
    for i in range(3, len(words) - 3, rng.randint(6, 11)):
        words[i] += ","
    figure = None
    if with_figure:
        value = rng.choice([rng.randint(2, 99), rng.randint(100, 9999), rng.randint(10000, 40000)])
        unit = rng.choice(_NUMBER_UNITS)
        qualifier = rng.choice(_QUALIFIERS)
        phrase = " ".join(w for w in (_QUALIFIER_WORDS[qualifier], str(value), unit) if w)
        at = rng.randint(2, len(words) - 2)
        words[at:at] = phrase.split(" ")
        figure = (value, unit, qualifier)
    words[0] = words[0][0].upper() + words[0][1:]
    return Sentence(" ".join(words) + ".", figure)


def _wrap_raw(paragraph: str) -> str:
    """Hard-wrap a paragraph like text extracted from a PDF (lines of about 100 columns)."""
    return "\n".join(fold_prose(paragraph, 100))


def make_source_text(rng: random.Random, title: str, size: int) -> SourceText:
    """Sections of paragraphs until the text reaches about ``size`` bytes."""
    result = SourceText()
    parts = [title, ""]
    total = len(title)
    while total < size:
        number = len(result.sections) + 1
        heading = f"SECTION {number}. " + " ".join(rng.choices(_WORDS, k=rng.randint(3, 7)))
        parts += [heading.upper(), ""]
        section: list[list[Sentence]] = []
        for _ in range(rng.randint(3, 9)):
            if total >= size:
                break
            paragraph = [_sentence(rng, rng.random() < 0.25) for _ in range(rng.randint(3, 8))]
            section.append(paragraph)
            text = " ".join(s.text for s in paragraph)
            parts += [_wrap_raw(text), ""]
            total += len(text)
        result.sections.append(section)
    result.raw = "\n".join(parts)
    return result


# -- records ------------------------------------------------------------------------------


@dataclass
class SourceInfo:
    id: str
    prefix: str
    perspective: str
    kind: str
    text: SourceText
    claims: int
    cases: list[str]


@dataclass
class ClaimInfo:
    id: str
    source: SourceInfo
    bears_on: dict[str, str] = field(default_factory=dict)
    cases: list[str] = field(default_factory=list)
    relation: tuple[str, str] | None = None
    """(kind, other claim id) when the claim links to a claim of another source."""


def _slug(rng: random.Random, count: int) -> str:
    words = [w for w in rng.choices(_WORDS, k=count * 2) if w.isascii() and w.isalpha()]
    return "-".join(w.lower() for w in words[:count]) or "item"


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_file(path: Path, data: bytes) -> None:
    """Write bytes with bare system calls: opening 100k files is most of the generator's time."""
    fd = os.open(path, _CREATE, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _write(path: Path, lines: list[str]) -> int:
    """Write a record's lines as UTF-8; return the number of bytes."""
    data = ("\n".join(lines) + "\n").encode("utf-8")
    write_file(path, data)
    return len(data)


def _plan_sources(rng: random.Random, claims: int) -> list[tuple[str, int]]:
    """(perspective, number of claims) for each source, the claims adding up to ``claims``."""
    plan: list[tuple[str, int]] = []
    left = claims
    while left > 0:
        take = min(left, rng.randint(100, 200))
        if 0 < left - take < 50:
            take = left
        plan.append((_PERSPECTIVES[len(plan) % len(_PERSPECTIVES)], take))
        left -= take
    return plan


def _source_record(rng: random.Random, source: SourceInfo, title: str, digest: str) -> list[str]:
    government = source.perspective == "government"
    out = [modeline(2, "source"), f"id: {source.id}"]
    scalar(out, "title:", title, 2)
    authors = [OBLIGOR] if government else [f"Organization {source.prefix.upper()}"]
    if not government and rng.random() < 0.5:
        authors.append(f"Centre {rng.choice(_PLACES)} {source.prefix.upper()}")
    str_list(out, "authors", authors)
    year = rng.choice(["2016", "2017", "2018"])
    published = rng.choice([year, f"{year}-{rng.randint(1, 12):02d}"])
    out += [f'published: "{published}"', f"kind: {source.kind}"]
    out.append(f"perspective: {source.perspective}")
    if government:
        out.append(f"speaks_for: {OBLIGOR}")
    out.append("language: en")
    if rng.random() < 0.5:
        out.append(f"url: https://example.org/{source.prefix}/{source.id}")
    out += ["archive:", f"  path: {source.id}.txt", f"  sha256: {digest}"]
    sections = len(source.text.sections)
    notes = (
        f"A synthetic source written by bench/generate.py. Locators count its {sections} "
        "sections by their headings and the paragraphs within each section from 1; the "
        "archived text is hard-wrapped, so quotes are compared after whitespace is folded."
    )
    scalar(out, "notes:", notes, 2)
    return out


def _quote_slice(rng: random.Random, text: SourceText, figure: bool) -> tuple[str, str, list]:
    """A run of one to three sentences of one paragraph: (quote, locator, figures)."""
    for _ in range(50):
        s = rng.randrange(len(text.sections))
        p = rng.randrange(len(text.sections[s]))
        paragraph = text.sections[s][p]
        if figure:
            hits = [i for i, sentence in enumerate(paragraph) if sentence.figure]
            if not hits:
                continue
            start = rng.choice(hits)
            count = 1
        else:
            start = rng.randrange(len(paragraph))
            count = min(rng.choice([1, 1, 2, 2, 3]), len(paragraph) - start)
        chosen = paragraph[start : start + count]
        quote = " ".join(sentence.text for sentence in chosen)
        if len(quote) > 360:
            quote = " ".join(quote.split(" ")[:45])
        if len(quote) < PROSE_MIN:
            continue
        figures = [sentence.figure for sentence in chosen if sentence.figure and figure]
        figures = [f for f in figures if f[1] in quote and str(f[0]) in quote]
        return quote, f"Section {s + 1}, paragraph {p + 1}", figures
    raise RuntimeError("generator bug: no quotable paragraph found")


_OPPOSITE = {"supports": "undermines", "undermines": "supports", "context": "context"}


def _plan_claims(rng: random.Random, claims: list[ClaimInfo], requirement_ids: list[str]) -> None:
    """Stances on requirements, then relations that agree with them.

    A claim that contradicts another takes the opposite stances; one that repeats or
    corroborates another takes the same, as real claims do.
    """
    for claim in claims:
        if claim.source.perspective == "government":
            stances = ["supports", "supports", "supports", "context", "undermines"]
        else:
            stances = ["undermines", "undermines", "undermines", "context", "supports"]
        chosen = sorted(rng.sample(requirement_ids, k=rng.choice([1, 1, 1, 2])))
        claim.bears_on = {req: rng.choice(stances) for req in chosen}
    if len({claim.source.id for claim in claims}) < 2:
        return
    for claim in claims:
        if rng.random() >= 0.05:
            continue
        other = claim
        while other.source is claim.source:
            other = rng.choice(claims)
        government = claim.source.perspective == "government"
        if (other.source.perspective == "government") != government:
            kind = rng.choice(["contradicts", "contradicts", "responds-to"])
        else:
            kind = rng.choice(["corroborates", "repeats"])
        if kind == "contradicts":
            claim.bears_on = {req: _OPPOSITE[s] for req, s in other.bears_on.items()}
        elif kind != "responds-to":
            claim.bears_on = dict(other.bears_on)
        claim.relation = (kind, other.id)


def _claim_record(rng: random.Random, claim: ClaimInfo) -> list[str]:
    source = claim.source
    government = source.perspective == "government"
    want_figure = rng.random() < 0.15
    quote, locator, figures = _quote_slice(rng, source.text, want_figure)
    out = [modeline(3, "claim"), f"id: {claim.id}", f"source: {source.id}"]
    out.append(f"locator: {locator}")
    scalar(out, "quote:", quote, 2)
    gist = " ".join(quote.rstrip(".").split(" ")[: rng.randint(12, 22)]).lower().rstrip(",")
    scalar(out, "statement:", f"The {source.kind.replace('-', ' ')} says that {gist}.", 2)
    kind = "figure" if figures else rng.choice(_GOV_KINDS if government else _CSO_KINDS)
    out.append(f"kind: {kind}")
    cases = sorted(set(rng.sample(source.cases, k=min(len(source.cases), rng.randint(1, 3)))))
    claim.cases = cases
    str_list(out, "cases", cases)
    out.append("bears_on:")
    out.extend(f"  {req}: {stance}" for req, stance in sorted(claim.bears_on.items()))
    if rng.random() < 0.05:
        out.append(f"attributed_to: {rng.choice(_ATTRIBUTED)}")
    if rng.random() < 0.2:
        out.append(f'as_of: "{rng.choice(["2016", "2017"])}-{rng.randint(1, 12):02d}"')
    if figures:
        out.append("figures:")
        for value, unit, qualifier in figures:
            out += [f"  - value: {value}", f"    unit: {unit}"]
            if qualifier != "exactly":
                out.append(f"    qualifier: {qualifier}")
    if claim.relation:
        out += ["relations:", f"  - {claim.relation[0]}: {claim.relation[1]}"]
    return out


def _case_record(
    rng: random.Random, case_id: str, requirement_ids: list[str], bears_on: list[str]
) -> list[str]:
    """A case; ``bears_on``, the requirements its claims bear on (a claim naming a case and
    a requirement that have nothing to do with each other is a slip `validate` reports)."""
    out = [modeline(2, "case"), f"id: {case_id}"]
    name = " ".join(w.capitalize() for w in case_id.split("-")[:-1])
    out.append(f"title: Case of {name}")
    out.append(f"kind: {rng.choice(['incident', 'incident', 'pattern', 'proceeding', 'law'])}")
    str_list(out, "aliases", [f"{name} case", f"the {name} affair"][: rng.randint(0, 2)])
    if rng.random() < 0.8:
        out.append(f'date: "{rng.randint(2006, 2017)}-{rng.randint(1, 12):02d}"')
    out.append(f"place: {rng.choice(_PLACES)}")
    summary = " ".join(s.text for s in (_sentence(rng, False) for _ in range(rng.randint(2, 4))))
    scalar(out, "summary:", summary, 2)
    chosen = rng.sample(requirement_ids, k=rng.randint(1, 2))
    str_list(out, "requirements", sorted(bears_on or chosen))
    return out


def _requirement_record(
    rng: random.Random, number: int, first: SourceInfo, all_cases: list[str]
) -> list[str]:
    title, force = REQUIREMENTS[number - 1]
    quote, locator, _ = _quote_slice(rng, first.text, False)
    out = [modeline(2, "requirement"), f"id: requirement-{number}"]
    scalar(out, "title:", title, 2)
    scalar(out, "text:", quote, 2)
    out += [f"force: {force}", f"obligor: {OBLIGOR}"]
    instrument = (
        "Human rights requirements placed by the U.S. Congress on select U.S. assistance to "
        "Mexico (U.S. Foreign Military Financing), fiscal year 2017"
    )
    scalar(out, "instrument:", instrument, 2)
    out += ["fiscal_year: 2017", f"source: {first.id}", f"locator: {locator}"]
    str_list(out, "cases", sorted(rng.sample(all_cases, k=min(2, len(all_cases)))))
    return out


MARKER_LINE = "# A synthetic ledger made by bench/generate.py."
"""The first line of the ledger.toml the generator writes (an interrupted run leaves it)."""


def _ours(out_dir: Path) -> bool:
    """Whether a folder was written by this generator, even by a run that was interrupted."""
    if (out_dir / STAMP).exists():
        return True
    try:
        return (out_dir / "ledger.toml").read_text(encoding="utf-8").startswith(MARKER_LINE)
    except OSError:
        return False


def clear(out_dir: Path) -> None:
    """Empty a previous output folder, refusing one this generator did not make."""
    if out_dir.exists() and any(out_dir.iterdir()) and not _ours(out_dir):
        if (out_dir / "data").exists() or (out_dir / "ledger.toml").exists():
            raise SystemExit(f"{out_dir} holds a ledger that bench/generate.py did not make")
        raise SystemExit(f"{out_dir} is not empty; give a new or empty folder")
    (out_dir / STAMP).unlink(missing_ok=True)
    for name in ("data", ".ledger-cache"):
        shutil.rmtree(out_dir / name, ignore_errors=True)
    git = out_dir / ".git"
    if not git.is_symlink() and (git / STAMP).is_file():
        shutil.rmtree(git)  # the repository bench/run.py made: its commits hold this ledger
    # Last, so that a removal that stops half way leaves the marker that says whose it is.
    (out_dir / "ledger.toml").unlink(missing_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def generate(out_dir: Path, claims: int, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Write a ledger with ``claims`` claims under ``out_dir``; return counts of what it holds."""
    if claims < 1:
        raise ValueError("claims must be at least 1")
    rng = random.Random(f"ledger-bench/{GENERATOR_VERSION}/{seed}/{claims}")
    clear(out_dir)
    data = out_dir / "data"
    for sub in ("sources", "requirements", "cases", "claims"):
        (data / sub).mkdir(parents=True)
    (out_dir / "ledger.toml").write_text(
        f'{MARKER_LINE}\n[ledger]\ndata = "data"\n',
        encoding="utf-8",
    )

    plan = _plan_sources(rng, claims)
    # One case per 6.5 claims, as in the repository's own data (200 claims, 31 cases).
    case_count = max(8, claims * 2 // 13)
    case_ids = [f"{_slug(rng, 2)}-{n}" for n in range(1, case_count + 1)]
    requirement_ids = [f"requirement-{n}" for n in range(1, len(REQUIREMENTS) + 1)]
    sources: list[SourceInfo] = []
    archive_bytes = 0
    for index, (perspective, count) in enumerate(plan):
        prefix = f"{'gov' if perspective == 'government' else 'src'}{index + 1:04d}"
        source_id = f"{prefix}-{_slug(rng, 2)}-{rng.choice(['2016', '2017', '2018'])}"
        title = f"{_slug(rng, 5).replace('-', ' ').capitalize()} ({source_id})"
        text = make_source_text(rng, title, rng.randint(20_000, 60_000))
        raw = text.raw.encode("utf-8")
        archive_bytes += len(raw)
        write_file(data / "sources" / f"{source_id}.txt", raw)
        topic = rng.sample(case_ids, k=min(len(case_ids), rng.randint(6, 14)))
        kind = rng.choice(_SOURCE_KINDS[perspective])
        source = SourceInfo(source_id, prefix, perspective, kind, text, count, topic)
        sources.append(source)
        lines = _source_record(rng, source, title, hashlib.sha256(raw).hexdigest())
        _write(data / "sources" / f"{source_id}.yaml", lines)

    for number in range(1, len(REQUIREMENTS) + 1):
        lines = _requirement_record(rng, number, sources[0], case_ids)
        _write(data / "requirements" / f"requirement-{number}.yaml", lines)
    all_claims: list[ClaimInfo] = []
    serial = 0
    for source in sources:
        for _ in range(source.claims):
            serial += 1
            claim_id = f"{source.prefix}-{_slug(rng, rng.randint(2, 4))}-{serial}"
            all_claims.append(ClaimInfo(claim_id, source))
    _plan_claims(rng, all_claims, requirement_ids)
    claim_bytes = 0
    for source in sources:
        (data / "claims" / source.id).mkdir()
    for claim in all_claims:
        lines = _claim_record(rng, claim)
        path = data / "claims" / claim.source.id / f"{claim.id}.yaml"
        claim_bytes += _write(path, lines)
    bearing: dict[str, set[str]] = {}
    for claim in all_claims:
        for case_id in claim.cases:
            bearing.setdefault(case_id, set()).update(claim.bears_on)
    for case_id in case_ids:
        lines = _case_record(rng, case_id, requirement_ids, sorted(bearing.get(case_id, ())))
        _write(data / "cases" / f"{case_id}.yaml", lines)

    counts = {
        "sources": len(sources),
        "requirements": len(REQUIREMENTS),
        "cases": len(case_ids),
        "claims": len(all_claims),
        "archive_bytes": archive_bytes,
        "claim_bytes": claim_bytes,
    }
    stamp = {"generator_version": GENERATOR_VERSION, "seed": seed, **counts}
    (out_dir / STAMP).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    return counts


def read_stamp(out_dir: Path) -> dict[str, int] | None:
    """What generated ``out_dir`` (version, seed, counts), or None when it is not ours."""
    try:
        stamp = json.loads((out_dir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def main(argv: list[str] | None = None) -> int:
    """The command line: generate one ledger and say what was written on stderr."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path, help="folder to write the ledger into")
    parser.add_argument("--claims", type=int, required=True, help="number of claims")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.outdir, args.claims, args.seed)
    elapsed = time.perf_counter() - started
    print(
        f"wrote {counts['claims']} claims, {counts['sources']} sources, {counts['cases']} cases "
        f"({counts['claim_bytes'] / counts['claims']:.0f} bytes a claim, "
        f"{counts['archive_bytes'] / 1e6:.1f} MB of archived text) to {args.outdir} "
        f"in {elapsed:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

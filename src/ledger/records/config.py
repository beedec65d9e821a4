"""`ledger.toml`: what each key means, reading it, and saying exactly where it is wrong.

A ledger's configuration is small, but a mistake in it (a misspelt key, a year in quotes)
would otherwise be ignored in silence, so every key is declared here with its type, and
anything else is a diagnostic placed at its line and column. tomllib gives no positions, so
keys are found again in the text by a small scan of section headers and key lines.

Root finding reads this file on every command: it imports nothing heavier than tomllib.
docs/ledger-toml.md describes the keys for people; a test keeps it in step with `KEYS`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from ledger.records.diagnostics import Diagnostic, make
from ledger.safe_text import has_hidden

CONFIG_FILE = "ledger.toml"


@dataclass(frozen=True)
class Key:
    """One key of ledger.toml: where it goes, its type, and an example value in TOML."""

    section: str
    name: str
    type: type
    example: str
    meaning: str


KEYS = (
    Key("ledger", "data", str, '"data"', "the data folder, relative to ledger.toml"),
    Key(
        "defaults",
        "obligor",
        str,
        '"Government of Mexico"',
        "whose conduct new requirements judge",
    ),
    Key(
        "defaults",
        "instrument",
        str,
        '"Human rights requirements on U.S. assistance to Mexico, fiscal year 2017"',
        "the law or report new requirements come from",
    ),
    Key("defaults", "fiscal_year", int, "2017", "the fiscal year new requirements apply to"),
    Key(
        "review",
        "suspect",
        str,
        '"error"',
        'whether `validate --strict` fails on suspect-evidence: "warning" (the default: it '
        'never does) or "error" (it does, like every other warning)',
    ),
    Key(
        "about",
        "title",
        str,
        '"Human rights conditions on U.S. assistance to Mexico, fiscal year 2017"',
        "the ledger's name, shown on every page of `ledger site`",
    ),
    Key(
        "about",
        "judged",
        str,
        '"Whether the Government of Mexico met the conditions attached to U.S. assistance"',
        "what the ledger judges, in a sentence, for its about page",
    ),
    Key(
        "about",
        "against",
        str,
        '"Human rights requirements on U.S. assistance to Mexico, fiscal year 2017"',
        "the instrument (law, report language) it is judged against",
    ),
    Key(
        "about",
        "by",
        str,
        '"Researchers of a human rights organisation, through reviewed commits"',
        "who keeps the ledger",
    ),
    Key(
        "about",
        "contact",
        str,
        '"ledger@example.org"',
        "where readers send corrections (optional)",
    ),
)
"""Every key ledger.toml may hold; anything else is an error."""

SECTIONS = tuple(dict.fromkeys(key.section for key in KEYS))


@dataclass(frozen=True)
class Defaults:
    """What `ledger new requirement` proposes for fields a whole ledger shares."""

    obligor: str | None = None
    instrument: str | None = None
    fiscal_year: int | None = None


SUSPECT_LEVELS = ("warning", "error")
"""The values [review] suspect takes."""


@dataclass(frozen=True)
class ReviewSettings:
    """How `validate --strict` treats claims whose grounds changed since their review: a
    reviewer's queue, not a broken record, unless a ledger chooses to hold commits to it."""

    suspect: str = "warning"


def strictest(*settings: ReviewSettings) -> ReviewSettings:
    """The strictest of these [review] settings: a pull request's ledger.toml may tighten
    the check its base holds it to, never loosen it."""
    error = any(each.suspect == "error" for each in settings)
    return ReviewSettings(suspect="error" if error else "warning")


def data_moved(text: str, data: str, base_data: str) -> Diagnostic | None:
    """An error at ledger.toml's ``data`` key when it names another data folder than the
    ledger whose policy holds (in CI: the base branch's): the checks would then judge other
    files than the ones a review reads, an empty folder even, and pass."""
    if data == base_data:
        return None
    line, column = _Places(text).of("ledger", "data")
    return make(
        "data-folder-moved",
        CONFIG_FILE,
        f"the data folder is {data!r} here but {base_data!r} in the ledger whose policy "
        "holds: the check would judge other files than the base's",
        "move the data folder in a change of its own, checked by hand (its records move "
        "with it); a change to the records keeps [ledger] data as it is",
        line=line,
        column=column,
        field="ledger.data",
    )


@dataclass(frozen=True)
class About:
    """What the ledger is about, in its keepers' words, for the site's about page: a reader
    who arrives from a citation learns what is judged, against what, and by whom."""

    title: str | None = None
    judged: str | None = None
    against: str | None = None
    by: str | None = None
    contact: str | None = None


@dataclass(frozen=True)
class Config:
    """ledger.toml's values (the defaults where a key is left out)."""

    data: str = "data"
    defaults: Defaults = field(default_factory=Defaults)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    about: About = field(default_factory=About)


def parse_config(text: str, path: str = CONFIG_FILE) -> tuple[Config, list[Diagnostic]]:
    """The configuration in ``text``, and every problem with it, each placed in the text.
    (Whether the data folder exists, inside the ledger, is the file system's question: see
    `root.read_marker`.)"""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return Config(), [_syntax(exc, text, path)]
    places = _Places(text)  # scanned only if a diagnostic needs a place
    found: list[Diagnostic] = []
    values: dict[str, Any] = {}
    known = {(key.section, key.name): key for key in KEYS}
    for section, content in raw.items():
        if section not in SECTIONS:
            found.append(_unknown_section(section, content, places, path))
            continue
        if not isinstance(content, dict):
            line, column = places.of(section)
            found.append(
                make(
                    "config-wrong-type",
                    path,
                    f"{section} must be a section, not {_type_name(content)}",
                    f"write it as a section header on a line of its own: [{section}]",
                    line=line,
                    column=column,
                    field=section,
                )
            )
            continue
        for name, value in content.items():
            key = known.get((section, name))
            line, column = places.of(section, name)
            where = {"line": line, "column": column, "field": f"{section}.{name}"}
            if key is None:
                found.append(_unknown_key(section, name, path, where))
            elif not _fits(value, key.type):
                found.append(
                    make(
                        "config-wrong-type",
                        path,
                        f"[{section}] {name} must be {_TYPE_NAMES[key.type]}, "
                        f"not {_type_name(value)}",
                        f"for example: {name} = {key.example}",
                        **where,
                    )
                )
            else:
                problem = _invalid(key, value)
                if problem:
                    found.append(make("config-invalid-value", path, *problem, **where))
                else:
                    values[f"{section}.{name}"] = value
    defaults = Defaults(
        obligor=values.get("defaults.obligor"),
        instrument=values.get("defaults.instrument"),
        fiscal_year=values.get("defaults.fiscal_year"),
    )
    review = ReviewSettings(suspect=values.get("review.suspect", "warning"))
    about = About(
        **{key.name: values.get(f"about.{key.name}") for key in KEYS if key.section == "about"}
    )
    config = Config(
        data=values.get("ledger.data", "data"), defaults=defaults, review=review, about=about
    )
    return config, found


def _fits(value: object, wanted: type) -> bool:
    return isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))


def _invalid(key: Key, value: Any) -> tuple[str, str] | None:
    """Why a value of the right type still cannot be used, and a hint; None when it can."""
    where = f"[{key.section}] {key.name}"
    example = f"for example: {key.name} = {key.example}"
    if isinstance(value, str):
        if not value.strip():
            return f"{where} is empty", f"give a value ({example}), or leave the key out"
        if has_hidden(value):
            return f"{where} holds control or invisible characters", "type the value plainly"
    if key.name == "fiscal_year" and not 1000 <= value <= 9999:
        return f"{where} must be a year of four digits", example
    if key.name == "suspect" and value not in SUSPECT_LEVELS:
        levels = " or ".join(f'"{level}"' for level in SUSPECT_LEVELS)
        return f"{where} must be {levels}, not {value!r}", _did_you_mean(
            value, SUSPECT_LEVELS, f"for example: {key.name} = {key.example}", '"{}"'
        )
    return None


_TYPE_NAMES = {
    bool: "a boolean (true or false)",
    int: "an integer",
    float: "a decimal number",
    str: "a string (in quotes)",
    list: "an array",
    dict: "a table",
}


def _type_name(value: object) -> str:
    """What a TOML value is, in words (a bool is checked before the int it also is)."""
    for kind, name in _TYPE_NAMES.items():
        if isinstance(value, kind):
            return name
    return "a date or time"


def _unknown_section(section: str, content: object, places: _Places, path: str) -> Diagnostic:
    line, column = places.of(section)
    names = ", ".join(f"[{s}]" for s in SECTIONS)
    if not isinstance(content, dict):
        owner = [key.section for key in KEYS if key.name == section]
        hint = f"put it under [{owner[0]}]" if owner else f"every key belongs in a section: {names}"
        return make(
            "config-unknown-key",
            path,
            f"unknown key '{section}' outside any section",
            hint,
            line=line,
            column=column,
            field=section,
        )
    return make(
        "config-unknown-section",
        path,
        f"unknown section [{section}]",
        _did_you_mean(section, SECTIONS, f"the sections are {names}", "[{}]"),
        line=line,
        column=column,
        field=section,
    )


def _unknown_key(section: str, name: str, path: str, where: dict[str, Any]) -> Diagnostic:
    names = [key.name for key in KEYS if key.section == section]
    return make(
        "config-unknown-key",
        path,
        f"unknown key '{name}' in [{section}]",
        _did_you_mean(name, names, f"[{section}] takes: {', '.join(names)}", "'{}'"),
        **where,
    )


def _did_you_mean(typed: str, names: tuple[str, ...] | list[str], rest: str, shape: str) -> str:
    import difflib  # only when a name is wrong: root finding stays quick

    close = difflib.get_close_matches(typed, names, n=1)
    return f"did you mean {shape.format(close[0])}? {rest}" if close else rest


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")


def _syntax(exc: tomllib.TOMLDecodeError, text: str, path: str) -> Diagnostic:
    """A TOML syntax error at the line and column tomllib names in its message."""
    message = str(exc)
    line, column = getattr(exc, "lineno", 0), getattr(exc, "colno", 0)
    position = _POSITION.search(message)
    if position:
        line, column = int(position.group(1)), int(position.group(2))
    elif _AT_END.search(message):
        lines = text.split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    reason = _AT_END.sub("", _POSITION.sub("", message))
    return make(
        "config-syntax",
        path,
        f"{path} is not valid TOML: {reason[:1].lower()}{reason[1:]}",
        'each line is a [section] header or a key = value pair; strings go in "double quotes"',
        line=line,
        column=column,
    )


# -- finding keys in the text -------------------------------------------------------------

_HEADER = re.compile(r"\s*\[\[?\s*([^\]]*?)\s*\]")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_-]+|\"(?:[^\"\\]|\\.)*\"|'[^']*')\s*([.=])")


def _bare(name: str) -> str:
    name = name.strip()
    return name[1:-1] if len(name) > 1 and name[0] == name[-1] and name[0] in "\"'" else name


class _Places:
    """Where each section header and key stands (1-based line and column), as far as a
    line-by-line scan can tell; a key it cannot find is placed at its section, or at 1:1."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sections: dict[str, tuple[int, int]] = {}
        self.keys: dict[tuple[str, str], tuple[int, int]] = {}
        self.scanned = False

    def _scan(self) -> None:
        self.scanned = True
        table = ""
        for number, line in enumerate(self.text.split("\n"), 1):
            header = _HEADER.match(line)
            if header:
                place = (number, header.start(1) + 1)
                parts = [_bare(part) for part in header.group(1).split(".")]
                table = parts[0]
                self.sections.setdefault(table, place)
                if len(parts) > 1:  # [ledger.sub]: the key 'sub' of [ledger]
                    self.keys.setdefault((table, parts[1]), place)
                continue
            key = _KEY_LINE.match(line)
            if not key:
                continue
            name, column = _bare(key.group(1)), key.start(1) + 1
            if table:
                self.keys.setdefault((table, name), (number, column))
                continue
            self.sections.setdefault(name, (number, column))  # `ledger.data = ` or `x = 1`
            if key.group(2) == ".":
                rest = _KEY_LINE.match(line, key.end(2))
                if rest:
                    self.keys.setdefault((name, _bare(rest.group(1))), (number, rest.start(1) + 1))

    def of(self, section: str, name: str | None = None) -> tuple[int, int]:
        if not self.scanned:
            self._scan()
        if name is not None and (section, name) in self.keys:
            return self.keys[(section, name)]
        return self.sections.get(section, (1, 1))


def settings_of(
    data: str, defaults: Defaults, review: ReviewSettings, about: About
) -> dict[str, Any]:
    """Every setting of a ledger.toml as ``section.key`` and its value (the default where a
    key is left out), so two ledgers' settings compare key by key."""
    from dataclasses import asdict

    flat: dict[str, Any] = {"ledger.data": data}
    for section, values in (("defaults", defaults), ("review", review), ("about", about)):
        flat.update({f"{section}.{key}": value for key, value in asdict(values).items()})
    return flat

"""Turning pydantic's validation errors into diagnostics that name a field and a place."""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from ledger.records.diagnostics import Diagnostic, make
from ledger.records.model import NOT_BLANK
from ledger.records.yamlread import Parsed, Path, dotted

_TYPE_NAMES = {bool: "a boolean", int: "a number", float: "a number", type(None): "empty"}


def schema_diagnostics(
    error: ValidationError, parsed: Parsed, model: type[BaseModel], rel_path: str
) -> list[Diagnostic]:
    """One diagnostic per distinct problem, placed at the key or value it concerns."""
    seen: dict[tuple[Path, str], Diagnostic] = {}
    for item in error.errors(include_url=False):
        diagnostic, key = _one(item, parsed, model, rel_path)
        if key in seen:  # a union reports once per member: keep one, join the messages
            first = seen[key]
            if diagnostic.message not in first.message:
                seen[key] = make(
                    first.code,
                    rel_path,
                    f"{first.message}, or {diagnostic.message}",
                    first.hint,
                    line=first.line,
                    column=first.column,
                    field=first.field,
                )
            continue
        seen[key] = diagnostic
    return list(seen.values())


def _one(
    item: Any, parsed: Parsed, model: type[BaseModel], rel_path: str
) -> tuple[Diagnostic, tuple[Path, str]]:
    kind: str = item["type"]
    loc: Path = tuple(item["loc"])
    message = str(item["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch" and loc and loc[-1] in _DATE_FIELDS:
        message = "not a date: expected YYYY, YYYY-MM or YYYY-MM-DD"
    if _is_blank(item):
        message = "the value is blank: it holds only spaces, line breaks or invisible characters"
    if kind == "extra_forbidden":
        name = str(loc[-1])
        known = _fields_at(model, loc[:-1])
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}"
        line, column = parsed.where_key(loc)
        return make(
            "unknown-field",
            rel_path,
            f"unknown field '{name}'",
            hint,
            line=line,
            column=column,
            field=dotted(loc),
        ), (loc, kind)
    if kind == "missing":
        line, column = parsed.where(loc[:-1]) if len(loc) > 1 else (1, 1)
        return make(
            "missing-field",
            rel_path,
            f"the required field '{loc[-1]}' is missing",
            f"add `{loc[-1]}: ...`",
            line=line,
            column=column,
            field=dotted(loc),
        ), (loc, kind)
    if loc and loc[-1] == "[key]":
        path = loc[:-1]
        line, column = parsed.where_key(path)
        return make(
            "invalid-value",
            rel_path,
            f"the key '{path[-1]}' is not valid: {message}",
            "keys here are record ids: lowercase letters, digits and hyphens",
            line=line,
            column=column,
            field=dotted(path),
        ), (path, "key")
    path = _existing(parsed.data, loc)
    line, column = parsed.where(path)
    return make(
        "invalid-value",
        rel_path,
        message,
        _hint(item, parsed, path),
        line=line,
        column=column,
        field=dotted(path),
    ), (path, "value")


_DATE_FIELDS = frozenset({"as_of", "date", "published"})
"""Fields that hold a date, whatever their form's check says of a mistake."""


def _hint(item: Any, parsed: Parsed, path: Path) -> str:
    """Say what YAML made of an unquoted value, since that is the usual cause."""
    value = item.get("input")
    raw = parsed.plain.get(path)
    if value is None and item["type"].endswith("_type"):
        return "the value is empty: write it after the colon"
    if raw is not None and not isinstance(value, str) and item["type"].endswith("_type"):
        read_as = _TYPE_NAMES.get(type(value), type(value).__name__)
        if item["type"] == "string_type":
            return f'YAML reads the unquoted {raw} as {read_as}; write it in quotes: "{raw}"'
        return f"YAML reads the unquoted {raw} as {read_as}, which this field does not take"
    said = str(item.get("msg", ""))
    dated = bool(path) and path[-1] in _DATE_FIELDS
    if "real date" in said or "ISO date" in said or (dated and "pattern" in item["type"]):
        return 'write a date that exists, as YYYY, YYYY-MM or YYYY-MM-DD, in quotes: "2018-02-28"'
    if item["type"] == "enum":
        return _enum_hint(item)
    if _is_blank(item):
        return "write the text here (a field that may be left out can be removed)"
    if item["type"] == "string_pattern_mismatch" and path and path[-1] in {"id", "source"}:
        return "ids are lowercase letters and digits, joined by hyphens: tlatlaya-1"
    if item["type"] == "string_pattern_mismatch":
        return "check the value's form"
    return ""


def _is_blank(item: Any) -> bool:
    """Whether the error is a text field's value that shows nothing (model.NOT_BLANK)."""
    return bool(
        item["type"] == "string_pattern_mismatch"
        and (item.get("ctx") or {}).get("pattern") == NOT_BLANK
    )


def _enum_hint(item: Any) -> str:
    """The listed value the typed one is closest to (a slip: ``undermine``), else the list."""
    typed = item.get("input")
    listed = re.findall(r"'([^']*)'", str(item.get("ctx", {}).get("expected", "")))
    close = difflib.get_close_matches(typed, listed, n=1) if isinstance(typed, str) else []
    return f"did you mean '{close[0]}'?" if close else "use one of the values listed"


def _existing(data: Any, loc: Path) -> Path:
    """The longest prefix of ``loc`` that exists in the data (unions add member names)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            break
        path.append(part)
    return tuple(path)


def _fields_at(model: type[BaseModel], loc: Path) -> list[str]:
    """The field names (as written in files) of the model found at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            break
        current = _inner_model(field.annotation) or current
    names = []
    for name, info in current.model_fields.items():
        names.append(info.alias or name)
    return names


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside list[Model] / Model | None, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found:
            return found
    return None

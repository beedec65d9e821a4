"""The README's module map (## Development) says where each module is: every file it names
lies in the folder it is listed under, and every module of the package is named."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "ledger"


def _map() -> list[tuple[Path, str]]:
    """(folder, file) for every ``name.py`` the map names, in the folder above it."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Development", 1)[1].split("```", 2)[1]
    named: list[tuple[Path, str]] = []
    folder = PACKAGE
    for line in block.splitlines()[2:]:
        heading = re.match(r"^  ([a-z_]+)/", line)
        if heading:
            folder = PACKAGE / heading.group(1)
        named += [(folder, name) for name in re.findall(r"\b([a-z_]+\.py)\b", line)]
    return named


def test_every_module_the_map_names_is_in_the_folder_it_is_listed_under() -> None:
    named = _map()

    assert len(named) > 50
    assert [
        f"{folder.relative_to(PACKAGE)}/{name}"
        for folder, name in named
        if not (folder / name).is_file()
    ] == []


def test_every_module_outside_the_cli_serve_and_site_is_named_in_the_map() -> None:
    named = {folder / name for folder, name in _map()}
    listed_whole = ("cli", "serve", "publish/site")
    modules = {
        path
        for path in PACKAGE.rglob("*.py")
        if path.name not in ("__init__.py", "__main__.py")
        and not any(path.is_relative_to(PACKAGE / part) for part in listed_whole)
    }

    assert sorted(str(p.relative_to(PACKAGE)) for p in modules - named) == []

"""The command reference, docs/cli.md, generated from the commands' own help.

Regenerate it with ``python -m ledger.cli.docs > docs/cli.md``; tests/test_cli_docs.py fails
when the committed file differs from what this module generates. The reference walks the
click command tree Typer builds, so it covers whatever commands are registered, in name order,
laid out at a fixed width so the text does not depend on the terminal.
"""

from __future__ import annotations

import re
import sys
from typing import Any

WIDTH = 80
"""The terminal width the usage lines are laid out for."""

REGENERATE = "python -m ledger.cli.docs > docs/cli.md"
"""The command that rewrites docs/cli.md (run it from the repository root)."""

_MARKDOWN_SPECIAL = re.compile(r"([\\*<])")


def command_reference() -> str:
    """docs/cli.md as Markdown: an index, then every command's usage, help, arguments, options."""
    import typer

    from ledger.cli import app

    root = typer.main.get_command(app)
    ctx = root.context_class(
        root, info_name="ledger", terminal_width=WIDTH, max_content_width=WIDTH
    )
    entries = list(_walk(ctx))
    out = [
        "# Command reference",
        "",
        "<!-- Generated from the commands' own help: do not edit by hand. -->",
        "",
        f"Generated from the commands' own help. Regenerate it with `{REGENERATE}` (from the "
        "repository root); `tests/test_cli_docs.py` fails when it is out of date.",
        "",
        "Every command takes `-h` / `--help`. Ids may be shortened to a unique prefix; an unknown "
        'id exits 2 with "did you mean". Exit codes: 0 success, 1 findings, 2 usage or I/O error.',
        "",
        "## Commands",
        "",
    ]
    for sub_ctx, command in entries[1:]:
        path = sub_ctx.command_path
        out.append(f"- [`{path}`](#{_anchor(path)}): {_prose(_first_paragraph(command))}")
    out.append("")
    for sub_ctx, command in entries:
        out.extend(_command_section(sub_ctx, command))
    return "\n".join(out).rstrip("\n") + "\n"


def _walk(ctx: Any) -> Any:
    """(context, command) for this command and every visible subcommand, depth first, by name."""
    command = ctx.command
    yield ctx, command
    list_commands = getattr(command, "list_commands", None)
    if list_commands is None:
        return
    for name in sorted(list_commands(ctx)):
        sub = command.get_command(ctx, name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        yield from _walk(sub.context_class(sub, info_name=name, parent=ctx))


def _command_section(ctx: Any, command: Any) -> list[str]:
    formatter = ctx.make_formatter()
    command.format_usage(ctx, formatter)
    usage = formatter.getvalue().rstrip()
    out = [f"## `{ctx.command_path}`", "", "```text", usage, "```", ""]
    for paragraph in _paragraphs(command.help or ""):
        out.extend([_prose(paragraph), ""])
    for title, kind in (("Arguments", "argument"), ("Options", "option")):
        rows = [
            _param_line(ctx, param)
            for param in command.params
            if param.param_type_name == kind and not getattr(param, "hidden", False)
        ]
        if rows:
            out.extend([f"**{title}**", "", *rows, ""])
    return out


def _param_line(ctx: Any, param: Any) -> str:
    record = param.get_help_record(ctx)
    if record is None:
        return f"- `{param.human_readable_name}`"
    declaration, help_text = record
    help_text = " ".join(help_text.split())
    return f"- `{declaration}`" + (f": {_prose(help_text)}" if help_text else "")


def _paragraphs(text: str) -> list[str]:
    """Help text as click shows it (cut at ``\\f``, no ``\\b`` markers), one line a paragraph."""
    text = text.split("\f", 1)[0]
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip() != "\b"]
        if lines:
            paragraphs.append(" ".join(lines))
    return paragraphs


def _first_paragraph(command: Any) -> str:
    found = _paragraphs(command.help or "")
    return found[0] if found else ""


def _prose(text: str) -> str:
    """Help text as Markdown prose: backslashes, asterisks and angle brackets kept literal."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation dropped."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def main() -> None:
    sys.stdout.write(command_reference())


if __name__ == "__main__":
    main()

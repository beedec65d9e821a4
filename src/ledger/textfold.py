"""Folding text for matching what people type: accents stripped, case folded, spaces single.

Each folded character keeps the offset of the original character it came from, so a match
in the folded text can be shown (or quoted) as the original words.
"""

from __future__ import annotations

import unicodedata

APOSTROPHES = frozenset("'’‘ʼ")


def fold_with_map(text: str, *, words_only: bool = False) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original one.

    With ``words_only``, apostrophes join (``government’s`` is ``governments``) and every
    other mark separates words, as for finding a passage whatever its punctuation.
    """
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if char.isspace():
            _space(out, origin, index)
            continue
        if words_only and char in APOSTROPHES:
            continue
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                if words_only and not folded.isalnum():
                    _space(out, origin, index)
                else:
                    out.append(folded)
                    origin.append(index)
    while out and out[-1] == " ":
        out.pop()
        origin.pop()
    return "".join(out), origin


def _space(out: list[str], origin: list[int], index: int) -> None:
    if out and out[-1] != " ":
        out.append(" ")
        origin.append(index)


def fold(text: str) -> str:
    """Text as search compares it: accents stripped, case folded, whitespace single."""
    return fold_with_map(text)[0]

"""Folding text for matching what people type: accents stripped, case folded, spaces single.

Each folded character keeps the offset of the original character it came from, so a match
in the folded text can be shown (or quoted) as the original words.
"""

from __future__ import annotations

import unicodedata
from array import array

APOSTROPHES = frozenset("'’‘ʼ")


CHUNK = 1 << 16
"""Folded characters gathered before they join the result: the lists of one character each
that folding builds stay this short, however long the text."""


def fold_with_map(text: str, *, words_only: bool = False) -> tuple[str, array[int]]:
    """The folded text, and for each of its characters the index of the original one.

    With ``words_only``, apostrophes join (``government’s`` is ``governments``) and every
    other mark separates words, as for finding a passage whatever its punctuation.

    The map is an array of 4-byte integers: an archive of 64 MiB folds into about five bytes
    a character, where a list of Python integers took over thirty.
    """
    pieces: list[str] = []
    origin = array("i")
    out: list[str] = []
    where: list[int] = []
    spaced = True  # the last character out is a space (or nothing is out yet)
    for index, char in enumerate(text):
        if char.isspace():
            if not spaced:
                out.append(" ")
                where.append(index)
                spaced = True
            continue
        if words_only and char in APOSTROPHES:
            continue
        parts = char.lower() if char.isascii() else unicodedata.normalize("NFKD", char)
        for part in parts:
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                if words_only and not folded.isalnum():
                    if not spaced:
                        out.append(" ")
                        where.append(index)
                        spaced = True
                else:
                    out.append(folded)
                    where.append(index)
                    spaced = False
        if len(out) >= CHUNK:
            pieces.append("".join(out))
            origin.extend(where)
            out.clear()
            where.clear()
    pieces.append("".join(out))
    origin.extend(where)
    folded_text = "".join(pieces)
    if folded_text.endswith(" "):
        folded_text = folded_text[:-1]
        origin.pop()
    return folded_text, origin


def fold(text: str) -> str:
    """Text as search compares it: accents stripped, case folded, whitespace single.

    The same as ``fold_with_map(text)[0]``, but in C-speed string operations, so that
    search can fold every field of a large ledger and map only the ones that match."""
    if text.isascii():
        return " ".join(text.lower().split())
    raw = text.translate(_CHAR_FOLDS)
    if _UNSURE in raw:  # a character folds to a space of its own, or the text holds NUL
        return fold_with_map(text)[0]
    return " ".join(raw.split())


_UNSURE = "\x00"


def fold_word(word: str) -> str | None:
    """The fold of a run of non-space characters, as it stands in its text's fold; None
    when a character of it folds to a space of its own (``¨``), which only the whole text's
    map (:func:`fold_with_map`) can place."""
    if word.isascii():
        return word.lower()
    folded = word.translate(_CHAR_FOLDS)
    return None if _UNSURE in folded else folded


def char_fold(char: str) -> str:
    """One non-space character folded as :func:`fold_with_map` folds it."""
    if char.isascii():
        return char.lower()
    parts = unicodedata.normalize("NFKD", char)
    return "".join(p.casefold() for p in parts if not unicodedata.combining(p))


class _CharFolds(dict[int, str]):
    """``str.translate``'s table for :func:`fold`, filled as characters are met: spaces to a
    space; a character whose fold holds a space (``¨`` is a space and a diaeresis), which
    :func:`fold_with_map` keeps apart from the text's own spacing, to the unsure mark."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace():
            folded = " "
        else:
            folded = char_fold(char)
            if code == 0 or any(c.isspace() for c in folded):
                folded = _UNSURE
        self[code] = folded
        return folded


_CHAR_FOLDS = _CharFolds()

"""`fold` in string operations is exactly the first half of `fold_with_map`."""

from __future__ import annotations

import random

import pytest

from ledger.analysis.textfold import fold, fold_with_map

ALPHABET = "aZ é\u0301\u00a8\u00b4 \t\n\u00a0\u2003\u3000ßİﬁ\u1e9e\x00\x1c大😀\u0345ŉǰ'’-.,"


@pytest.mark.parametrize("seed", range(20))
def test_fold_is_the_folded_text_of_fold_with_map(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(300):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        assert fold(text) == fold_with_map(text)[0], repr(text)


def test_every_character_folds_the_same_in_context() -> None:
    step = 7  # a sample of every plane, the Latin and punctuation blocks whole
    codes = [*range(0x3000), *range(0x3000, 0x110000, step)]
    for code in codes:
        if 0xD800 <= code < 0xE000:
            continue
        text = f" a{chr(code)}b \u00a8{chr(code)} "
        assert fold(text) == fold_with_map(text)[0], hex(code)

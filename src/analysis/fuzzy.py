"""Fuzzy matching of a typo to one of a list of known names, only when the match is clear.

A typo is mapped only when its best rapidfuzz ratio is at least a minimum *and* that many points
ahead of the runner-up: a text equally close to two names (``Pop County`` between Pope and Polk
would be) is left unmatched rather than guessed.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, process


def clear_winner(
    text: str, choices: Sequence[str], minimum: float, margin: float
) -> tuple[str, float] | None:
    """The choice closest to ``text`` and its ratio (0-100), when the ratio is >= ``minimum``
    and >= ``margin`` points above the runner-up's; else None."""
    best = process.extract(text, choices, scorer=fuzz.ratio, limit=2)
    if not best or best[0][1] < minimum:
        return None
    runner_up = best[1][1] if len(best) > 1 else 0.0
    if best[0][1] - runner_up < margin:
        return None
    return best[0][0], best[0][1]

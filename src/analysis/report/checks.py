"""The "Checks" section of a report: named invariants, asserted, then listed for the reader.

A report's last section used to be bare ``assert`` statements, which render as an empty
heading. ``show_checks`` fails the notebook (naming every failed check) exactly as the asserts
did, and otherwise shows the reader the list of checks that passed.
"""

from __future__ import annotations

from collections.abc import Mapping


class ChecksFailed(AssertionError):
    """One or more of a report's checks did not hold."""


def failed_checks(checks: Mapping[str, object]) -> list[str]:
    """The labels whose value is not truthy (a NumPy or pandas boolean counts as its truth)."""
    return [label for label, passed in checks.items() if not bool(passed)]


def checks_markdown(checks: Mapping[str, object]) -> str:
    """The passed checks as a Markdown list; raises :class:`ChecksFailed` naming the failed ones."""
    if not checks:
        raise ValueError("show_checks needs at least one check")
    failed = failed_checks(checks)
    if failed:
        raise ChecksFailed(f"{len(failed)} of {len(checks)} checks failed: " + "; ".join(failed))
    lines = [f"All {len(checks)} checks of this report passed:", ""]
    return "\n".join(lines + [f"- ✓ {label}" for label in checks])


def show_checks(checks: Mapping[str, object]) -> None:
    """Assert every check, then display the list of those that passed."""
    from IPython.display import Markdown, display

    display(Markdown(checks_markdown(checks)))

"""The QA table: every county value that is missing, or that is not a plain county-level value
of its source (allocated, statewide, substituted, combined), with the reason."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

QA_COLUMNS = ["scope", "fips", "county_name_full", "variable", "core", "status", "method", "reason"]


@dataclass
class QaLog:
    core_variables: tuple[str, ...]
    rows: list[dict] = field(default_factory=list)

    def note(
        self,
        fips: Iterable[str],
        variables: Iterable[str],
        status: str,
        method: str,
        reason: str,
    ) -> None:
        """One QA row per (county, variable)."""
        variables = list(variables)
        for code in fips:
            for variable in variables:
                self.rows.append(
                    {
                        "scope": "county",
                        "fips": code,
                        "variable": variable,
                        "status": status,
                        "method": method,
                        "reason": reason,
                    }  # fmt: skip
                )

    def note_table_wide(self, variable: str, status: str, method: str, reason: str) -> None:
        """A gap that concerns every county (a variable the sources cannot provide)."""
        self.rows.append(
            {
                "scope": "all counties",
                "fips": None,
                "variable": variable,
                "status": status,
                "method": method,
                "reason": reason,
            }  # fmt: skip
        )

    def note_missing(self, table: pd.DataFrame, reasons: dict[str, str]) -> None:
        """A row for every empty value of ``table``; ``reasons`` maps a column to its reason.

        An empty value in a column without a reason is an error: no gap goes unexplained.
        """
        columns = [c for c in table.columns if c != "fips"]
        empty = table[columns].isna()
        unexplained = [c for c in columns if empty[c].any() and c not in reasons]
        if unexplained:
            raise ValueError(f"unexplained missing values in {unexplained}")
        for column in columns:
            self.note(table.fips[empty[column]], [column], "missing", "none", reasons.get(column))

    def frame(self, names: pd.Series) -> pd.DataFrame:
        """The QA table; ``names`` maps FIPS to the county name."""
        frame = pd.DataFrame(self.rows, columns=[c for c in QA_COLUMNS if c != "county_name_full"])
        frame["fips"] = frame.fips.astype("str")
        frame["county_name_full"] = frame.fips.map(names)
        frame["core"] = frame.variable.isin(self.core_variables)
        order = {"all counties": 0, "county": 1}
        frame = frame.sort_values(
            ["scope", "fips", "variable", "status"],
            key=lambda s: s.map(order) if s.name == "scope" else s,
        )
        return frame[QA_COLUMNS].reset_index(drop=True)

"""Shared reading rules: FIPS text, which input rows are counties, and a ledger that accounts for
every input row that does not become a county value (totals, territories, retired codes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.geo.counties import FIPS_CHANGES, OBSOLETE_EMPTY_CODES, OLD_CT_COUNTIES, recode_fips
from analysis.geo.states import states as state_table

SPLIT_PARENTS = {c.old_fips: c.new_fips for c in FIPS_CHANGES if c.kind == "split"}
SPLIT_CHILD_TO_PARENT = {child: old for old, new in SPLIT_PARENTS.items() for child in new}
_CHANGES = {c.old_fips: c for c in FIPS_CHANGES}
# Puerto Rico, the island areas and the freely associated states (FIPS 5-2).
TERRITORY_STATE_CODES = frozenset({"60", "64", "66", "68", "69", "70", "72", "74", "78"})


def as_fips(values: pd.Series) -> pd.Series:
    """Codes stored as integers, unpadded or zero-padded text -> 5-digit text."""
    text = values.astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    return text.str.zfill(5)


def as_number(values: pd.Series) -> pd.Series:
    """Text or numbers with thousands separators or padding -> float (blank -> NaN)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype(str).str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text.replace({"": None, "nan": None, "NA": None}), errors="raise")


@dataclass(frozen=True)
class SourceContext:
    """What every reader needs: where the raw files are, the county codes, the row ledger."""

    raw_dir: Path
    county_fips: frozenset[str]
    ledger: RowLedger

    def take(
        self,
        frame: pd.DataFrame,
        fips_column: str,
        source: str,
        value_columns: list[str],
        count_columns: tuple[str, ...] = (),
    ) -> pd.DataFrame:
        """:func:`take_counties` with this context's counties and ledger."""
        return take_counties(
            frame, fips_column, source, self.ledger, self.county_fips, value_columns, count_columns
        )


@dataclass
class RowLedger:
    """What happened to each input row: one record per (source, outcome) with a row count."""

    records: list[dict] = field(default_factory=list)

    def add(self, source: str, outcome: str, rows: int, detail: str = "") -> None:
        if rows:
            self.records.append(
                {"source": source, "outcome": outcome, "rows": int(rows), "detail": detail}
            )

    def frame(self) -> pd.DataFrame:
        columns = ["source", "outcome", "rows", "detail"]
        frame = pd.DataFrame(self.records, columns=columns)
        return frame.sort_values(["source", "outcome", "detail"]).reset_index(drop=True)


def _codes(fips: pd.Series, limit: int = 12) -> str:
    unique = sorted(set(fips))
    shown = ", ".join(unique[:limit])
    return shown + (f" and {len(unique) - limit} more" if len(unique) > limit else "")


def _isin(codes: pd.Series, values) -> pd.Series:
    """``codes.isin(values)`` for text codes: through object values, as pandas' Arrow-string
    ``isin`` makes a pyarrow scalar of every value looked for (3,000 county codes)."""
    return codes.astype(object).isin(values)


def classify_fips(fips: pd.Series, county_fips: frozenset[str] | set[str]) -> pd.Series:
    """Label each code: county, old_ct_county, old_code (a FIPS change), obsolete_code,
    national_total, state_total, territory or unknown."""
    state = fips.str[:2]
    known_states = set(state_table().state_fips)
    label = pd.Series("unknown", index=fips.index, dtype=str)
    label[_isin(fips, OBSOLETE_EMPTY_CODES)] = "obsolete_code"
    label[_isin(fips, _CHANGES)] = "old_code"
    label[_isin(fips, OLD_CT_COUNTIES)] = "old_ct_county"
    label[_isin(fips, county_fips)] = "county"
    label[_isin(state, known_states) & (fips.str[2:] == "000")] = "state_total"
    label[_isin(state, TERRITORY_STATE_CODES)] = "territory"
    label[fips == "00000"] = "national_total"
    return label


def take_counties(
    frame: pd.DataFrame,
    fips_column: str,
    source: str,
    ledger: RowLedger,
    county_fips: frozenset[str] | set[str],
    value_columns: list[str],
    count_columns: tuple[str, ...] = (),
) -> pd.DataFrame:
    """The county rows of a source, with a ``fips`` column in current codes where one exists.

    US, state and territory rows are dropped; so are rows of retired or superseded codes whose
    values are all empty. Renamed codes are recoded; merged codes are recoded and added up
    (only ``count_columns`` may carry values there). Old Connecticut counties and the split
    parent 02261 are kept under their old codes for the caller, who allocates or combines them.
    Every row is recorded in ``ledger``; a code that fits no rule is an error.
    """
    frame = frame.copy()
    frame["fips"] = as_fips(frame[fips_column])
    label = classify_fips(frame.fips, county_fips)
    if (label == "unknown").any():
        raise ValueError(f"{source}: unexpected codes {_codes(frame.fips[label == 'unknown'])}")
    empty = frame[value_columns].isna().all(axis=1)
    for outcome in ("national_total", "state_total", "territory"):
        ledger.add(source, outcome, (label == outcome).sum())
    retired = label.isin(["old_code", "obsolete_code"]) & empty
    ledger.add(source, "empty_row", retired.sum(), f"retired codes: {_codes(frame.fips[retired])}")
    ct_blank = (label == "old_ct_county") & empty
    ledger.add(source, "empty_row", ct_blank.sum(), "old Connecticut counties (regions filled)")
    dropped = retired | ct_blank
    stray = (label == "obsolete_code") & ~dropped
    if stray.any():
        raise ValueError(f"{source}: retired codes carry values: {_codes(frame.fips[stray])}")

    keep = label.isin(["county", "old_code", "old_ct_county"]) & ~dropped
    frame, label = frame[keep], label[keep]
    ledger.add(source, "county", (label == "county").sum())
    old_ct = label == "old_ct_county"
    ledger.add(source, "old_ct_allocated", old_ct.sum(), "allocated to planning regions")
    for old in sorted(set(frame.fips[label == "old_code"])):
        change = _CHANGES[old]
        outcome = {"rename": "renamed", "merge": "merged", "split": "split_parent"}[change.kind]
        detail = f"{old} {change.old_name} -> {'+'.join(change.new_fips)}"
        ledger.add(source, outcome, (frame.fips == old).sum(), detail)
    frame["fips"] = recode_fips(frame.fips)
    return sum_duplicates(frame, source, value_columns, count_columns)


def sum_duplicates(
    frame: pd.DataFrame, source: str, value_columns: list[str], count_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Add up rows that now share a code; only count columns may be non-empty on such rows."""
    repeated = frame.fips.duplicated(keep=False)
    if not repeated.any():
        return frame[["fips", *value_columns]].reset_index(drop=True)
    others = [c for c in value_columns if c not in count_columns]
    clash = frame.loc[repeated, others].notna().groupby(frame.fips[repeated]).sum().gt(1)
    if clash.any().any():
        raise ValueError(f"{source}: merged codes carry non-count values {others}")
    summed = frame[["fips", *value_columns]].groupby("fips", sort=True).sum(min_count=1)
    return summed.reset_index()


def by_split_parent(frame: pd.DataFrame, count_columns: list[str]) -> pd.DataFrame:
    """Counts of a current-geography frame with 02063 + 02066 added up as 02261, to compare with
    vintages that predate the split."""
    fips = frame.fips.replace(SPLIT_CHILD_TO_PARENT)
    return frame[count_columns].groupby(fips).sum(min_count=1).rename_axis("fips").reset_index()


def to_split_children(frame: pd.DataFrame) -> pd.DataFrame:
    """Give each successor of a split parent (02261 -> 02063, 02066) the parent's row."""
    parents = frame[frame.fips.isin(SPLIT_PARENTS)]
    children = [
        parents[parents.fips == old].assign(fips=child)
        for old, new in SPLIT_PARENTS.items()
        for child in new
    ]
    rest = frame[~frame.fips.isin(SPLIT_PARENTS)]
    return pd.concat([rest, *children]).sort_values("fips").reset_index(drop=True)


def percent_to_share(percent: pd.Series) -> pd.Series:
    """A published percent as a share; rounding drops float noise (29.6 -> 0.296, not
    0.29600000000000004) far below the sources' precision."""
    return (percent / 100).round(12)


def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, missing where the denominator is missing or zero."""
    return numerator / denominator.where(denominator > 0)

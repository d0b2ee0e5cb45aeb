"""Residents covered by a 287(g) agreement, counted by the jurisdiction each agency polices.

On a snapshot, the residents covered are the union of the residents of the jurisdictions whose
agency holds at least one listed agreement (``agreements_history`` x ``agencies``; the
jurisdiction rules are in :mod:`analysis.locate.jurisdictions`):

- a **county**-level agency (sheriff, county police, county jail) covers its whole county;
- a **municipal** agency covers its own Census place or county subdivision, not its county;
- an **other** agency (campus, airport, port, tribal, task force, regional or county-precinct
  constable) covers nobody in the primary measure: its service population is not a
  jurisdiction's residents. The flagged variant ``jurisdiction_other_county`` lets it cover the
  county where it operates, as a county-level agency would;
- a **state** agency is never counted into a county: :func:`statewide_states` counts the states
  with a statewide agreement separately.

Nobody is counted twice:

- a place or town whose principal county is covered by a county-level agency adds nothing (its
  residents are already in the county). A place spanning several counties is assigned whole to
  its principal county: the files give no population split;
- a village of a state where villages lie inside towns or townships (:data:`VILLAGES_IN_TOWNS`),
  in a county where a town or township (county subdivision) is also covered, is taken to lie
  inside it and adds nothing (no place-in-town relation is in the data, so this is the lower
  reading);
- the municipal residents counted in a county never exceed the county's residents (cap).

Populations: counties are the 2020 Census count (``county_covariates.population_census2020``,
the ERS ``CENSUS_2020_POP`` that the jurisdictions carry); places and towns the us_geo 2020
figure (an estimate of about 2020, see :mod:`analysis.geo.places`). The denominator is the 2020
count of the 50 states and DC. Hispanic and foreign-born residents: no place-level count is in
the data, so a place gets its principal county's share (``hispanic_share``, ACS 2018-22;
``foreign_born_share``, ACS 2017-21) applied to its population; a county gets its own share.

Three measures, plus the flagged variant (:data:`MEASURES`): ``jurisdiction`` (primary),
``county_agency`` (county-level agencies alone), ``whole_county`` (every county holding any
placed non-state agency with an agreement: the old figure, an upper bound).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.study.coverage_sums import (
    GROUPS,
    CountyArrays,
    by_snapshot,
    covered_values,
    measure_values,
    municipal_rows,
    plain_columns,
    take,
    unit_records,
    whole_values,
    with_agencies,
)

GROUP_LABELS = {
    "all": "all residents",
    "hispanic": "Hispanic residents",
    "foreign_born": "foreign-born residents",
}
MEASURES = ("jurisdiction", "county_agency", "whole_county", "jurisdiction_other_county")
MEASURE_LABELS = {
    "jurisdiction": "jurisdiction of an agency with an agreement",
    "county_agency": "county-level agencies only",
    "whole_county": "whole county (upper bound)",
    "jurisdiction_other_county": "jurisdiction, other agencies covering their county (variant)",
}
HEADLINE_MEASURES = ("jurisdiction", "county_agency", "whole_county")
AGENCY_COLUMNS = [
    "agency_key", "agency", "state", "county_fips", "jurisdiction_level", "jurisdiction_geoid",
    "jurisdiction_name", "jurisdiction_population",
]  # fmt: skip
UNIT_COLUMNS = ["geoid", "kind", "principal_county_fips"]


def county_groups(covariates: pd.DataFrame) -> pd.DataFrame:
    """Per county (index ``fips``): residents of each group (2020 count x the county's shares)
    and the shares themselves; an empty value is an error naming the county."""
    needed = ["fips", "population_census2020", "hispanic_share", "foreign_born_share"]
    missing = [c for c in needed if c not in covariates.columns]
    if missing:
        raise ValueError(f"county_covariates: missing column(s) {missing}")
    frame = covariates[needed].set_index("fips")
    empty = frame[frame.isna().any(axis=1)]
    if len(empty):
        raise ValueError(
            f"county_covariates: empty population or share for fips {empty.index.tolist()[:5]}"
        )
    pop = frame["population_census2020"].astype(float)
    return pd.DataFrame(
        {
            "all": pop,
            "hispanic": pop * frame["hispanic_share"],
            "foreign_born": pop * frame["foreign_born_share"],
            "share_hispanic": frame["hispanic_share"],
            "share_foreign_born": frame["foreign_born_share"],
        }
    )


def agency_snapshots(
    history: pd.DataFrame, agencies: pd.DataFrame, jurisdictions: pd.DataFrame
) -> pd.DataFrame:
    """One row per time-series snapshot and agency holding at least one agreement, with the
    agency's jurisdiction (level, GEOID, name, population, kind, principal county)."""
    snaps = history.loc[history["in_time_series"], ["snapshot_date", "agency_key"]]
    snaps = snaps.drop_duplicates().sort_values(["snapshot_date", "agency_key"])
    unknown = sorted(set(snaps["agency_key"]) - set(agencies["agency_key"]))
    if unknown:
        raise ValueError(f"agreements_history: agency_key not in agencies: {unknown[:5]}")
    units = jurisdictions[UNIT_COLUMNS].rename(columns={"geoid": "jurisdiction_geoid"})
    table = snaps.merge(agencies[AGENCY_COLUMNS], on="agency_key", validate="many_to_one")
    table = table.merge(units, on="jurisdiction_geoid", how="left", validate="many_to_one")
    return table.reset_index(drop=True)


def municipal_units(agencies_on: pd.DataFrame, covered_counties: set[str]) -> pd.DataFrame:
    """The municipal jurisdictions of ``agencies_on`` that add residents beyond
    ``covered_counties``: one row per GEOID with a population, minus those whose principal
    county is covered and the villages taken to lie inside a covered town (module docstring)."""
    return agencies_on.iloc[municipal_rows(plain_columns(agencies_on), covered_counties)]


def covered_residents(
    agencies_on: pd.DataFrame, groups: pd.DataFrame, *, other_covers_county: bool = False
) -> pd.Series:
    """Residents of each group covered by the agencies of one snapshot (jurisdiction rule)."""
    levels = ("county", "other") if other_covers_county else ("county",)
    values = covered_values(plain_columns(agencies_on), CountyArrays(groups), levels)
    return pd.Series(values, index=list(GROUPS))


def whole_county_residents(agencies_on: pd.DataFrame, groups: pd.DataFrame) -> pd.Series:
    """Residents of every county holding a placed non-state agency (upper bound)."""
    return pd.Series(
        whole_values(plain_columns(agencies_on), CountyArrays(groups)), index=list(GROUPS)
    )


def population_coverage(agency_snaps: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """Long table: ``snapshot_date``, ``group``, ``measure``, ``residents``, ``share`` (of the
    2020 residents of the 50 states and DC) for every snapshot of ``agency_snaps``."""
    groups = county_groups(covariates)
    plain_all = with_agencies(agency_snaps)
    outside = set(plain_all["county_fips"].tolist()) - {None} - set(groups.index)
    if outside:
        raise ValueError(f"agencies: county_fips not in county_covariates: {sorted(outside)[:5]}")
    totals = groups[list(GROUPS)].sum().to_numpy()
    arrays = CountyArrays(groups)
    rows = []
    for date, plain in by_snapshot(agency_snaps, plain_all).items():
        county_level = [i for i, lv in enumerate(plain["jurisdiction_level"]) if lv == "county"]
        measures = {
            "jurisdiction": covered_values(plain, arrays, ("county",)),
            "county_agency": covered_values(plain, arrays, ("county",), county_level),
            "whole_county": whole_values(plain, arrays),
            "jurisdiction_other_county": covered_values(plain, arrays, ("county", "other")),
        }
        for measure, values in measures.items():
            for k, group in enumerate(GROUPS):
                rows.append((date, group, measure, values[k], values[k] / totals[k]))
    return pd.DataFrame(rows, columns=["snapshot_date", "group", "measure", "residents", "share"])


def coverage_headline(coverage: pd.DataFrame, date) -> dict[str, float]:
    """The nine shares on ``date``: keys ``"<measure>_<group>"`` for the three headline
    measures (jurisdiction, county_agency, whole_county) x the three groups."""
    snap = coverage[coverage["snapshot_date"] == pd.Timestamp(date)]
    if snap.empty:
        raise ValueError(f"population coverage: no snapshot {pd.Timestamp(date).date()}")
    shares = snap.set_index(["measure", "group"])["share"]
    return {f"{m}_{g}": float(shares[(m, g)]) for m in HEADLINE_MEASURES for g in GROUPS}


def statewide_states(agency_snaps: pd.DataFrame) -> pd.DataFrame:
    """Per snapshot: states (of the 50 + DC, territories apart) with a statewide agency holding
    an agreement, and those agencies; never counted into the residents covered."""
    state = agency_snaps[agency_snaps["jurisdiction_level"].eq("state")]
    in_states = state["kind"].ne("territory")
    dates = pd.Index(sorted(agency_snaps["snapshot_date"].unique()), name="snapshot_date")
    per = state[in_states].groupby("snapshot_date")
    return pd.DataFrame(
        {
            "states": per["state"].nunique().reindex(dates, fill_value=0),
            "state_agencies": per["agency_key"].nunique().reindex(dates, fill_value=0),
            "territory_agencies": state[~in_states]
            .groupby("snapshot_date")["agency_key"]
            .nunique()
            .reindex(dates, fill_value=0),
        }
    ).reset_index()


def uncounted_agencies(agency_snaps: pd.DataFrame, date) -> pd.DataFrame:
    """Agencies on ``date`` that add nobody by rule: other and state agencies, and municipal
    agencies with no jurisdiction GEOID or population, with the reason."""
    on = agency_snaps[agency_snaps["snapshot_date"] == pd.Timestamp(date)]
    muni_missing = on["jurisdiction_level"].eq("municipal") & (
        on["jurisdiction_geoid"].isna() | on["jurisdiction_population"].isna()
    )
    reason = pd.Series(pd.NA, index=on.index, dtype="object")
    reason[on["jurisdiction_level"].eq("other")] = "other agency: covers nobody (variant: county)"
    reason[on["jurisdiction_level"].eq("state")] = "state agency: reported separately"
    reason[on["jurisdiction_level"].isna()] = "no jurisdiction level"
    reason[muni_missing] = "municipal agency: no jurisdiction or no population found"
    out = on.assign(reason=reason).dropna(subset=["reason"])
    return (
        out[["reason", "state", "agency", "jurisdiction_name"]]
        .sort_values(["reason", "state", "agency"])
        .reset_index(drop=True)
    )


def _with_gaps(agency_snaps: pd.DataFrame, dates: list) -> pd.DataFrame:
    """The rows of the agencies missing from at least one snapshot between their first and
    their last (the only ones :func:`flickering_agencies` has to look at row by row)."""
    import numpy as np

    values = agency_snaps["snapshot_date"].to_numpy()
    # The dates as the column's own datetime64 type: an array of Timestamps would be searched
    # as Python objects, one comparison call at a time.
    where = np.searchsorted(np.asarray(dates, dtype=values.dtype), values)
    spans = (
        pd.DataFrame({"agency_key": agency_snaps["agency_key"].to_numpy(), "at": where})
        .groupby("agency_key", sort=False)["at"]
        .agg(["min", "max", "nunique"])
    )
    gappy = spans.index[spans["max"] - spans["min"] + 1 > spans["nunique"]]
    return agency_snaps[agency_snaps["agency_key"].isin(gappy)]


def flickering_agencies(agency_snaps: pd.DataFrame) -> pd.DataFrame:
    """Agencies that leave the list and come back: one row per absence (``gone_from``: first
    snapshot without it, ``back_on``: the snapshot it is listed again, ``snapshots_missing``),
    with its jurisdiction and residents, largest first."""
    dates = sorted(agency_snaps["snapshot_date"].unique())
    position = {d: i for i, d in enumerate(dates)}
    rows = []
    for key, frame in _with_gaps(agency_snaps, dates).groupby("agency_key", sort=True):
        seen = sorted(position[d] for d in frame["snapshot_date"])
        first = frame.iloc[0]
        for before, after in zip(seen, seen[1:], strict=False):
            if after - before > 1:
                rows.append(
                    (key, first["agency"], first["state"], first["jurisdiction_level"],
                     first["jurisdiction_name"], first["jurisdiction_population"],
                     dates[before + 1], dates[after], after - before - 1)
                )  # fmt: skip
    columns = [
        "agency_key", "agency", "state", "jurisdiction_level", "jurisdiction_name",
        "jurisdiction_population", "gone_from", "back_on", "snapshots_missing",
    ]  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["jurisdiction_population", "agency_key", "gone_from"], ascending=[False, True, True]
    ).reset_index(drop=True)


def _unit_rule(measure: str) -> tuple:
    """``covered_units``'s county levels (None: all but state) and whether municipal units
    count, for ``measure``."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    levels = {"jurisdiction": ("county",), "county_agency": ("county",),
              "jurisdiction_other_county": ("county", "other")}.get(measure)  # fmt: skip
    return levels, measure in ("jurisdiction", "jurisdiction_other_county")


def covered_units(agencies_on: pd.DataFrame, groups: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The jurisdictions counted by ``measure`` on one snapshot: ``geoid``, ``name``, ``state``,
    ``residents`` (all residents, before the county cap), ``agency_keys`` (a tuple) and
    ``agencies`` (names, " / "-joined)."""
    levels, municipal = _unit_rule(measure)
    # Row by row on plain values (coverage_sums.unit_records), the rows in the order the pandas
    # formulation concatenated them: county rows, then municipal rows.
    everyone = dict(zip(groups.index.tolist(), groups["all"].tolist(), strict=True))
    units = unit_records(with_agencies(agencies_on), everyone, levels, municipal)
    records = list(units.values())
    return pd.DataFrame(
        {
            "geoid": pd.array(list(units), dtype="str"),
            "state": pd.array([r[0] for r in records], dtype="str"),
            "residents": np.array([r[1] for r in records], dtype=float),
            "agency_keys": pd.Series([r[2] for r in records], dtype=object),
            "agencies": pd.array([r[3] for r in records], dtype="str"),
        }
    )


def coverage_changes(
    coverage: pd.DataFrame,
    agency_snaps: pd.DataFrame,
    covariates: pd.DataFrame,
    *,
    measure: str = "jurisdiction",
    group: str = "all",
) -> pd.DataFrame:
    """Snapshot-to-snapshot changes of the residents covered (``measure``, ``group``), with the
    jurisdictions behind each: ``gained`` and ``lost`` ("agencies (ST, residents)", most
    residents first; one whose agency leaves and comes back is marked "flickers") and
    ``flickering`` (the flickering agencies among them: "back" or "gone"), largest absolute
    change first."""
    groups = county_groups(covariates)
    series = coverage[(coverage["measure"] == measure) & (coverage["group"] == group)]
    series = series.sort_values("snapshot_date").set_index("snapshot_date")["residents"]
    absences = flickering_agencies(agency_snaps)
    flickers = set(absences["agency_key"])
    events = {
        (k, d, "back") for k, d in zip(absences["agency_key"], absences["back_on"], strict=True)
    }
    events |= {
        (k, d, "gone") for k, d in zip(absences["agency_key"], absences["gone_from"], strict=True)
    }
    levels, municipal = _unit_rule(measure)
    everyone = dict(zip(groups.index.tolist(), groups["all"].tolist(), strict=True))
    units = {
        d: unit_records(plain, everyone, levels, municipal)
        for d, plain in by_snapshot(agency_snaps).items()
    }
    rows = []
    for previous, date in zip(series.index, series.index[1:], strict=False):
        before, after = units[previous], units[date]
        gained = [after[g] for g in sorted(after.keys() - before.keys())]
        lost = [before[g] for g in sorted(before.keys() - after.keys())]
        rows.append(
            {
                "snapshot_date": date,
                "previous_date": previous,
                "change": round(float(series[date] - series[previous])),
                "jurisdictions_gained": len(gained),
                "jurisdictions_lost": len(lost),
                "gained": _describe(gained, flickers),
                "lost": _describe(lost, flickers),
                "flickering": "; ".join(
                    _flicker_text(gained, events, date, "back")
                    + _flicker_text(lost, events, date, "gone")
                ),
            }
        )
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    order = out["change"].abs().sort_values(ascending=False, kind="mergesort").index
    return out.loc[order].reset_index(drop=True)


def _by_residents(units: list[tuple]) -> list[tuple]:
    """Unit records (``coverage_sums.unit_records``) with the most residents first, ties in
    their order, missing residents last: what ``sort_values("residents", ascending=False,
    kind="mergesort")`` gives."""
    known = [u for u in units if u[1] == u[1]]
    return sorted(known, key=lambda u: u[1], reverse=True) + [u for u in units if u[1] != u[1]]


def _describe(units: list[tuple], flickers: set[str], top: int = 3) -> str:
    """The ``top`` jurisdictions with the most residents, as "agencies (ST, residents)"."""
    if not units:
        return ""
    parts = []
    for state, residents, keys, agencies in _by_residents(units)[:top]:
        mark = ", flickers" if set(keys) & flickers else ""
        parts.append(f"{agencies} ({state}, {residents:,.0f} residents{mark})")
    more = len(units) - top
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _flicker_text(units: list[tuple], events: set, date, how: str) -> list[str]:
    """The units of an agency that left (``how`` "gone") or came back ("back") on ``date``."""
    return [
        f"{agencies} ({state}, {residents:,.0f} residents) {how}"
        for state, residents, keys, agencies in _by_residents(units)
        if any((k, date, how) in events for k in keys)
    ]


def measure_residents(agencies_on: pd.DataFrame, groups: pd.DataFrame, measure: str) -> pd.Series:
    """Residents of each group covered by ``measure`` on one snapshot."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    values = measure_values(plain_columns(agencies_on), CountyArrays(groups), measure)
    return pd.Series(values, index=list(GROUPS))


def flicker_effects(
    agency_snaps: pd.DataFrame, covariates: pd.DataFrame, *, measure: str = "whole_county"
) -> pd.DataFrame:
    """Per absence of :func:`flickering_agencies` and group: the residents its leaving took
    off ``measure`` on ``gone_from`` (``gone``: covered without it minus with it, <= 0) and its
    return put back on ``back_on`` (``back``: with it minus without it, >= 0), largest first."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    arrays = CountyArrays(county_groups(covariates))
    plain = with_agencies(agency_snaps)
    by_date = by_snapshot(agency_snaps, plain)
    first_row: dict[str, int] = {}  # per agency: the position of its first row
    for i, key in enumerate(plain["agency_key"].tolist()):
        first_row.setdefault(key, i)
    rows = []
    for r in flickering_agencies(agency_snaps).itertuples():
        agency = take(plain, [first_row[r.agency_key]])
        gone_on, back_on = by_date[r.gone_from], by_date[r.back_on]
        # The snapshot with the agency appended as its last row, and without its rows.
        with_it = {c: np.concatenate([gone_on[c], agency[c]]) for c in gone_on}
        without = [i for i, k in enumerate(back_on["agency_key"].tolist()) if k != r.agency_key]
        gone = measure_values(gone_on, arrays, measure) - measure_values(with_it, arrays, measure)
        back = measure_values(back_on, arrays, measure) - measure_values(
            back_on, arrays, measure, without
        )
        for k, group in enumerate(GROUPS):
            rows.append((r.agency_key, r.agency, r.state, r.gone_from, r.back_on, group,
                         gone[k], back[k]))  # fmt: skip
    columns = ["agency_key", "agency", "state", "gone_from", "back_on", "group", "gone", "back"]
    out = pd.DataFrame(rows, columns=columns)
    size = out["back"].abs().where(out["back"].abs() > out["gone"].abs(), out["gone"].abs())
    out = out.assign(size=size).sort_values(
        ["group", "size"], ascending=[True, False], kind="mergesort"
    )
    return out.drop(columns="size").reset_index(drop=True)


def flicker_notes(effects: pd.DataFrame, *, measure: str = "whole_county", top: int = 2):
    """Chart labels for the ``top`` flickering agencies of each group (largest effect first,
    effects of zero left out): ``snapshot_date``, ``group``, ``measure``, ``label``
    ("Agency (ST) gone: -4.73 m" on the date it left, "... back: +4.73 m" on its return)."""
    rows = []
    for group, frame in effects.groupby("group", sort=False):
        frame = frame[(frame["gone"] != 0) | (frame["back"] != 0)].head(top)
        for r in frame.itertuples():
            for date, how, value in ((r.gone_from, "gone", r.gone), (r.back_on, "back", r.back)):
                if value != 0:
                    label = f"{r.agency} ({r.state}) {how}: {value / 1e6:+.2f} m"
                    rows.append((date, group, measure, label))
    return pd.DataFrame(rows, columns=["snapshot_date", "group", "measure", "label"])

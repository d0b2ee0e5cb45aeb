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
    covered_fast,
    measure_fast,
    municipal_rows,
    plain_columns,
    whole_fast,
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
    return covered_fast(plain_columns(agencies_on), CountyArrays(groups), levels)


def whole_county_residents(agencies_on: pd.DataFrame, groups: pd.DataFrame) -> pd.Series:
    """Residents of every county holding a placed non-state agency (upper bound)."""
    return whole_fast(plain_columns(agencies_on), CountyArrays(groups))


def population_coverage(agency_snaps: pd.DataFrame, covariates: pd.DataFrame) -> pd.DataFrame:
    """Long table: ``snapshot_date``, ``group``, ``measure``, ``residents``, ``share`` (of the
    2020 residents of the 50 states and DC) for every snapshot of ``agency_snaps``."""
    groups = county_groups(covariates)
    outside = set(agency_snaps["county_fips"].dropna()) - set(groups.index)
    if outside:
        raise ValueError(f"agencies: county_fips not in county_covariates: {sorted(outside)[:5]}")
    totals = groups[list(GROUPS)].sum()
    arrays = CountyArrays(groups)
    rows = []
    for date, on in agency_snaps.groupby("snapshot_date"):
        plain = plain_columns(on)
        county_level = [i for i, lv in enumerate(plain["jurisdiction_level"]) if lv == "county"]
        measures = {
            "jurisdiction": covered_fast(plain, arrays, ("county",)),
            "county_agency": covered_fast(plain, arrays, ("county",), county_level),
            "whole_county": whole_fast(plain, arrays),
            "jurisdiction_other_county": covered_fast(plain, arrays, ("county", "other")),
        }
        for measure, values in measures.items():
            for group in GROUPS:
                rows.append((date, group, measure, values[group], values[group] / totals[group]))
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


def covered_units(agencies_on: pd.DataFrame, groups: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The jurisdictions counted by ``measure`` on one snapshot: ``geoid``, ``name``, ``state``,
    ``residents`` (all residents, before the county cap), ``agency_keys`` (a tuple) and
    ``agencies`` (names, " / "-joined)."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    levels = {"jurisdiction": ["county"], "county_agency": ["county"],
              "jurisdiction_other_county": ["county", "other"]}.get(measure)  # fmt: skip
    # Row by row on plain values (as in coverage_sums), the rows in the order the pandas
    # formulation concatenated them: county rows, then municipal rows.
    plain = plain_columns(agencies_on)
    level, fips, state = plain["jurisdiction_level"], plain["county_fips"], plain["state"]
    geoid, population = plain["jurisdiction_geoid"], plain["population"]
    keys, names = agencies_on["agency_key"].tolist(), agencies_on["agency"].tolist()
    everyone = dict(zip(groups.index.tolist(), groups["all"].tolist(), strict=True))
    nan = float("nan")
    at = [i for i in range(len(level)) if fips[i] is not None
          and (level[i] != "state" if levels is None else level[i] in levels)]  # fmt: skip
    rows = [(fips[i], state[i], everyone.get(fips[i], nan), i) for i in at]
    if measure in ("jurisdiction", "jurisdiction_other_county"):
        units = {geoid[i] for i in municipal_rows(plain, {fips[i] for i in at})}
        rows += [(geoid[i], state[i], float(population[i]), i) for i in range(len(level))
                 if level[i] == "municipal" and geoid[i] in units]  # fmt: skip
    first: dict[str, list] = {}  # per GEOID: first non-missing state and residents (groupby first)
    members: dict[str, list[int]] = {}
    for g, st, residents, i in rows:
        item = first.setdefault(g, [None, nan])
        if item[0] is None and st is not None:
            item[0] = st
        if item[1] != item[1] and residents == residents:
            item[1] = residents
        members.setdefault(g, []).append(i)
    order = sorted(first)
    return pd.DataFrame(
        {
            "geoid": pd.array(order, dtype="str"),
            "state": pd.array([first[g][0] for g in order], dtype="str"),
            "residents": np.array([first[g][1] for g in order], dtype=float),
            "agency_keys": pd.Series(
                [tuple(sorted(keys[i] for i in members[g])) for g in order], dtype=object
            ),
            "agencies": pd.array(
                [" / ".join(sorted({names[i] for i in members[g]})) for g in order], dtype="str"
            ),
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
    units = {
        d: covered_units(f, groups, measure).set_index("geoid")
        for d, f in agency_snaps.groupby("snapshot_date")
    }
    rows = []
    for previous, date in zip(series.index, series.index[1:], strict=False):
        before, after = units[previous], units[date]
        now, then = set(after.index.tolist()), set(before.index.tolist())  # plain strings
        gained = after.loc[sorted(now - then)]
        lost = before.loc[sorted(then - now)]
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


def _describe(units: pd.DataFrame, flickers: set[str], top: int = 3) -> str:
    """The ``top`` jurisdictions with the most residents, as "agencies (ST, residents)"."""
    if units.empty:
        return ""
    ordered = units.sort_values("residents", ascending=False, kind="mergesort")
    parts = []
    for row in ordered.head(top).itertuples():
        mark = ", flickers" if set(row.agency_keys) & flickers else ""
        parts.append(f"{row.agencies} ({row.state}, {row.residents:,.0f} residents{mark})")
    more = len(units) - top
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def _flicker_text(units: pd.DataFrame, events: set, date, how: str) -> list[str]:
    """The units of an agency that left (``how`` "gone") or came back ("back") on ``date``."""
    ordered = units.sort_values("residents", ascending=False, kind="mergesort")
    return [
        f"{row.agencies} ({row.state}, {row.residents:,.0f} residents) {how}"
        for row in ordered.itertuples()
        if any((k, date, how) in events for k in row.agency_keys)
    ]


def measure_residents(agencies_on: pd.DataFrame, groups: pd.DataFrame, measure: str) -> pd.Series:
    """Residents of each group covered by ``measure`` on one snapshot."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    return measure_fast(plain_columns(agencies_on), CountyArrays(groups), measure)


def flicker_effects(
    agency_snaps: pd.DataFrame, covariates: pd.DataFrame, *, measure: str = "whole_county"
) -> pd.DataFrame:
    """Per absence of :func:`flickering_agencies` and group: the residents its leaving took
    off ``measure`` on ``gone_from`` (``gone``: covered without it minus with it, <= 0) and its
    return put back on ``back_on`` (``back``: with it minus without it, >= 0), largest first."""
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, not {measure!r}")
    arrays = CountyArrays(county_groups(covariates))
    by_date = dict(tuple(agency_snaps.groupby("snapshot_date")))
    plain_on = {}
    rows = []
    for r in flickering_agencies(agency_snaps).itertuples():
        agency = plain_columns(agency_snaps[agency_snaps["agency_key"] == r.agency_key].iloc[[0]])
        for date in (r.gone_from, r.back_on):
            if date not in plain_on:
                plain_on[date] = plain_columns(by_date[date])
        gone_on, back_on = plain_on[r.gone_from], plain_on[r.back_on]
        # The snapshot with the agency appended as its last row, and without its rows.
        with_it = {c: np.concatenate([gone_on[c], agency[c]]) for c in gone_on}
        keys = by_date[r.back_on]["agency_key"].to_numpy(dtype=object)
        without = [i for i, k in enumerate(keys.tolist()) if k != r.agency_key]
        gone = measure_fast(gone_on, arrays, measure) - measure_fast(with_it, arrays, measure)
        back = measure_fast(back_on, arrays, measure) - measure_fast(
            back_on, arrays, measure, without
        )
        for group in GROUPS:
            rows.append((r.agency_key, r.agency, r.state, r.gone_from, r.back_on, group,
                         gone[group], back[group]))  # fmt: skip
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

"""The sums behind :mod:`analysis.study.coverage`, on plain values.

A snapshot has a few hundred agencies, and pandas's per-call cost, not the data, is what
vectorised filters and groupbys spend their time on when run per snapshot and measure. These
functions apply the same rules to plain arrays and add the same numbers in the same order as the
pandas code they replace (numpy's pairwise sum over counties in FIPS order; Kahan's compensated
sum per principal county in row order, as pandas's groupby sum; the capped values one after the
other), so the results are equal to the last bit (a test compares them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

GROUPS = ("all", "hispanic", "foreign_born")
# States whose villages lie inside a town or township (county subdivision).
VILLAGES_IN_TOWNS = ("IL", "MI", "NY", "OH", "VT")


def plain_columns(agencies_on: pd.DataFrame) -> dict:
    """The columns the coverage rules read, as plain values (object arrays, ``None`` for a
    missing value): a snapshot has a few hundred agencies, and pandas's per-call cost, not the
    data, is what vectorised filters would spend their time on."""
    columns = ("jurisdiction_level", "jurisdiction_geoid", "principal_county_fips", "kind",
               "state", "county_fips")  # fmt: skip
    plain = {c: agencies_on[c].to_numpy(dtype=object, na_value=None) for c in columns}
    population = agencies_on["jurisdiction_population"]
    plain["has_population"] = population.notna().to_numpy()
    plain["population"] = population.astype(float).to_numpy()
    return plain


def take(plain: dict, rows) -> dict:
    """The rows ``rows`` (positions) of a :func:`plain_columns` table."""
    return {c: values[rows] for c, values in plain.items()}


def with_agencies(agency_snaps: pd.DataFrame) -> dict:
    """:func:`plain_columns` of the whole table, with ``agency_key`` and ``agency`` (object
    arrays): converted once, then cut per snapshot (:func:`by_snapshot`)."""
    plain = plain_columns(agency_snaps)
    for column in ("agency_key", "agency"):
        plain[column] = agency_snaps[column].to_numpy(dtype=object)
    return plain


def by_snapshot(agency_snaps: pd.DataFrame, plain: dict | None = None) -> dict:
    """Per snapshot date, in date order (the keys of ``groupby("snapshot_date")``): its rows of
    :func:`with_agencies` (``plain``, when given), in row order, as the groupby's frames."""
    plain = with_agencies(agency_snaps) if plain is None else plain
    rows = agency_snaps.groupby("snapshot_date").indices
    return {date: take(plain, rows[date]) for date in sorted(rows)}


def municipal_rows(plain: dict, covered_counties: set[str], rows=None) -> list[int]:
    """Positions (among ``rows``, default all) of the rows that
    :func:`analysis.study.coverage.municipal_units` keeps."""
    level, geoid, county = (
        plain["jurisdiction_level"],
        plain["jurisdiction_geoid"],
        plain["principal_county_fips"],
    )
    has_population = plain["has_population"]
    seen, first = set(), []
    for i in range(len(level)) if rows is None else rows:
        g = geoid[i]
        if level[i] == "municipal" and g is not None and has_population[i] and g not in seen:
            seen.add(g)
            first.append(i)
    muni = [i for i in first if county[i] not in covered_counties]
    town_counties = {county[i] for i in muni if len(geoid[i]) == 10}
    kind, state = plain["kind"], plain["state"]
    inside_town = {
        i
        for i in muni
        if kind[i] == "village" and state[i] in VILLAGES_IN_TOWNS and county[i] in town_counties
    }
    return [i for i in muni if i not in inside_town]


class CountyArrays:
    """:func:`analysis.study.coverage.county_groups` as plain arrays, for the per-snapshot
    sums of :func:`covered_values`."""

    def __init__(self, groups: pd.DataFrame):
        self.position = {fips: i for i, fips in enumerate(groups.index)}
        self.values = {g: groups[g].to_numpy(dtype=float) for g in GROUPS}
        self.shares = {
            "hispanic": groups["share_hispanic"].to_numpy(dtype=float),
            "foreign_born": groups["share_foreign_born"].to_numpy(dtype=float),
        }


def county_values(arrays: CountyArrays, counties) -> np.ndarray:
    """``groups.loc[sorted(counties), GROUPS].sum()`` (its values, in the order of
    :data:`GROUPS`): numpy's pairwise sum of each group's values in FIPS order, as pandas
    computes it."""
    where = np.array([arrays.position[f] for f in sorted(counties)], dtype=np.intp)
    return np.array([float(arrays.values[g][where].sum()) for g in GROUPS])


def covered_values(plain: dict, arrays: CountyArrays, levels, rows=None) -> np.ndarray:
    """:func:`analysis.study.coverage.covered_residents` (its values, in the order of
    :data:`GROUPS`) of the rows ``rows`` (positions; default all) of ``plain``, counties
    covered by agencies at ``levels``. The municipal
    residents are summed per principal county in row order with Kahan's compensation (what
    pandas's groupby sum does), capped at the county, and the capped values summed in FIPS
    order; a test checks the result against the pandas code to the last bit."""
    level, county_fips = plain["jurisdiction_level"], plain["county_fips"]
    chosen = range(len(level)) if rows is None else rows
    counties = {county_fips[i] for i in chosen if level[i] in levels} - {None}
    total = county_values(arrays, counties)
    sums: dict[str, list[list[float]]] = {}
    principal, population = plain["principal_county_fips"], plain["population"]
    for i in municipal_rows(plain, counties, rows):
        county = principal[i]
        if county is None:  # no principal county: groupby leaves the row out
            continue
        at = arrays.position.get(county)
        pop = float(population[i])
        values = (
            pop,
            pop * arrays.shares["hispanic"][at] if at is not None else float("nan"),
            pop * arrays.shares["foreign_born"][at] if at is not None else float("nan"),
        )
        acc = sums.setdefault(county, [[0.0, 0.0] for _ in GROUPS])
        for k, value in enumerate(values):
            if value != value:  # NaN: skipped by groupby sum
                continue
            s, c = acc[k]
            y = value - c
            t = s + y
            acc[k] = [t, (t - s) - y]
    capped = {g: [] for g in GROUPS}
    for county in sorted(sums):
        at = arrays.position[county]  # a KeyError as groups.loc would raise
        for k, g in enumerate(GROUPS):
            value, upper = sums[county][k][0], arrays.values[g][at]
            capped[g].append(upper if value > upper else value)
    # pandas sums the capped frame's columns one value after the other (its block is stored
    # column-major), not pairwise: so does this.
    extra = [float(sum(capped[g], 0.0)) for g in GROUPS]
    return total + np.array(extra)


def whole_values(plain: dict, arrays: CountyArrays, rows=None) -> np.ndarray:
    """:func:`analysis.study.coverage.whole_county_residents` (its values)."""
    level, county_fips = plain["jurisdiction_level"], plain["county_fips"]
    chosen = range(len(level)) if rows is None else rows
    return county_values(arrays, {county_fips[i] for i in chosen if level[i] != "state"} - {None})


def measure_values(plain: dict, arrays: CountyArrays, measure: str, rows=None) -> np.ndarray:
    """:func:`analysis.study.coverage.measure_residents` (its values) of the rows ``rows``
    (default all) of a :func:`plain_columns` snapshot."""
    if measure == "whole_county":
        return whole_values(plain, arrays, rows)
    if measure == "county_agency":
        level = plain["jurisdiction_level"]
        chosen = range(len(level)) if rows is None else rows
        chosen = [i for i in chosen if level[i] == "county"]
        return covered_values(plain, arrays, ("county",), chosen)
    levels = ("county", "other") if measure == "jurisdiction_other_county" else ("county",)
    return covered_values(plain, arrays, levels, rows)


def unit_records(plain: dict, everyone: dict, levels, municipal: bool) -> dict[str, tuple]:
    """:func:`analysis.study.coverage.covered_units` of a :func:`with_agencies` snapshot, as
    ``{geoid: (state, residents, agency_keys, agencies)}`` in GEOID order (``state`` NaN when
    missing, as the table's string column has it): county rows of agencies at ``levels`` (all
    but state agencies when None), then, when ``municipal``, the municipal units counted."""
    level, fips, state = plain["jurisdiction_level"], plain["county_fips"], plain["state"]
    geoid, population = plain["jurisdiction_geoid"], plain["population"]
    keys, names = plain["agency_key"], plain["agency"]
    nan = float("nan")
    at = [i for i in range(len(level)) if fips[i] is not None
          and (level[i] != "state" if levels is None else level[i] in levels)]  # fmt: skip
    rows = [(fips[i], state[i], everyone.get(fips[i], nan), i) for i in at]
    if municipal:
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
    return {
        g: (nan if first[g][0] is None else first[g][0], float(first[g][1]),
            tuple(sorted(keys[i] for i in members[g])),
            " / ".join(sorted({names[i] for i in members[g]})))
        for g in sorted(first)
    }  # fmt: skip

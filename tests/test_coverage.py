"""Residents covered by jurisdiction, on a toy country of three counties."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.study import coverage as cv

JAN, FEB, MAR, APR = pd.to_datetime(["2025-01-31", "2025-02-28", "2025-03-31", "2025-04-30"])


@pytest.fixture
def covariates():
    return pd.DataFrame(
        {
            "fips": ["36001", "36003", "48001"],
            "population_census2020": [1000, 400, 600],
            "hispanic_share": [0.5, 0.25, 0.1],
            "foreign_born_share": [0.2, 0.0, 0.5],
        }
    )


def _agencies(*rows):
    columns = [
        "agency_key", "agency", "state", "county_fips", "jurisdiction_level",
        "jurisdiction_geoid", "jurisdiction_name", "jurisdiction_population", "kind",
        "principal_county_fips",
    ]  # fmt: skip
    return pd.DataFrame(list(rows), columns=columns).astype({"jurisdiction_population": "Int64"})


SHERIFF = ("NY|A SHERIFF", "A Sheriff", "NY", "36001", "county", "36001", "A County", 1000,
           "County", "36001")  # fmt: skip
CITY_IN_A = ("NY|X PD", "X PD", "NY", "36001", "municipal", "3600100", "X city", 100, "city",
             "36001")  # fmt: skip
CITY_IN_B = ("NY|Y PD", "Y PD", "NY", "36003", "municipal", "3600300", "Y city", 80, "city",
             "36003")  # fmt: skip
TOWN_IN_B = ("NY|Z TOWN PD", "Z Town PD", "NY", "36003", "municipal", "3600312345", "Z town",
             300, "town", "36003")  # fmt: skip
VILLAGE_IN_B = ("NY|V PD", "V PD", "NY", "36003", "municipal", "3600399", "V village", 50,
                "village", "36003")  # fmt: skip
STATE = ("TX|DPS", "Texas DPS", "TX", None, "state", "48", "Texas", 29_000_000, "state", None)
AIRPORT = ("TX|AIRPORT PD", "Airport PD", "TX", "48001", "other", "48001", "C County", 600,
           "County", "48001")  # fmt: skip


def _on(*rows, date=JAN):
    return _agencies(*rows).assign(snapshot_date=date)


def test_place_inside_a_covered_county_adds_nobody(covariates):
    groups = cv.county_groups(covariates)
    covered = cv.covered_residents(_on(SHERIFF, CITY_IN_A), groups)
    assert covered["all"] == 1000  # not 1100: X city is inside A County
    assert cv.covered_residents(_on(CITY_IN_A), groups)["all"] == 100


def test_municipal_agency_covers_its_place_not_its_county(covariates):
    groups = cv.county_groups(covariates)
    covered = cv.covered_residents(_on(SHERIFF, CITY_IN_B), groups)
    assert covered["all"] == 1080
    # Y city gets its county's shares: 80 x 0.25 Hispanic, 80 x 0.0 foreign-born.
    assert covered["hispanic"] == pytest.approx(500 + 20)
    assert covered["foreign_born"] == pytest.approx(200 + 0)


def test_village_inside_a_covered_town_is_not_counted_twice(covariates):
    groups = cv.county_groups(covariates)
    covered = cv.covered_residents(_on(TOWN_IN_B, VILLAGE_IN_B), groups)
    assert covered["all"] == 300
    # Without the town the village counts.
    assert cv.covered_residents(_on(VILLAGE_IN_B), groups)["all"] == 50


def test_municipal_residents_are_capped_at_the_county(covariates):
    groups = cv.county_groups(covariates)
    big_town = TOWN_IN_B[:7] + (390,) + TOWN_IN_B[8:]
    covered = cv.covered_residents(_on(big_town, CITY_IN_B), groups)
    assert covered["all"] == 400  # 390 + 80 capped at B County's 400
    assert covered["hispanic"] == pytest.approx(100)


def test_two_agencies_of_one_jurisdiction_count_it_once(covariates):
    groups = cv.county_groups(covariates)
    second = ("NY|X MARSHAL",) + CITY_IN_A[1:]
    assert cv.covered_residents(_on(CITY_IN_A, second), groups)["all"] == 100


def test_state_agencies_never_count_and_are_reported_apart(covariates):
    snaps = pd.concat([_on(STATE, AIRPORT), _on(SHERIFF, date=FEB)], ignore_index=True)
    table = cv.population_coverage(snaps, covariates).set_index(["snapshot_date", "measure"])
    jan = table.loc[JAN].reset_index().set_index(["measure", "group"])["residents"]
    assert jan[("jurisdiction", "all")] == 0
    assert jan[("county_agency", "all")] == 0
    assert jan[("jurisdiction_other_county", "all")] == 600  # the flagged variant
    assert jan[("whole_county", "all")] == 600  # the airport's county, not Texas
    states = cv.statewide_states(snaps).set_index("snapshot_date")
    assert states.loc[JAN, "states"] == 1 and states.loc[FEB, "states"] == 0
    reasons = cv.uncounted_agencies(snaps, JAN)["reason"].str.split(":").str[0]
    assert sorted(reasons) == ["other agency", "state agency"]


def test_population_coverage_shares_and_headline(covariates):
    snaps = _on(SHERIFF, CITY_IN_B)
    table = cv.population_coverage(snaps, covariates)
    assert list(table.columns) == ["snapshot_date", "group", "measure", "residents", "share"]
    head = cv.coverage_headline(table, JAN)
    assert len(head) == 9
    assert head["jurisdiction_all"] == pytest.approx(1080 / 2000)
    assert head["county_agency_all"] == pytest.approx(1000 / 2000)
    assert head["whole_county_all"] == pytest.approx(1400 / 2000)
    # Hispanic residents: 500 + 100 + 60 = 660 in the country.
    assert head["jurisdiction_hispanic"] == pytest.approx(520 / 660)
    assert head["whole_county_hispanic"] == pytest.approx(600 / 660)
    with pytest.raises(ValueError, match="no snapshot"):
        cv.coverage_headline(table, FEB)


def test_bad_inputs_name_the_problem(covariates):
    with pytest.raises(ValueError, match="48999"):
        outside = ("TX|Q SHERIFF", "Q", "TX", "48999", "county", "48999", "Q", 5, "County", "48999")
        cv.population_coverage(_on(outside), covariates)
    broken = covariates.assign(hispanic_share=[0.1, None, 0.2])
    with pytest.raises(ValueError, match="36003"):
        cv.county_groups(broken)


def test_agency_snapshots_joins_history_agencies_and_units():
    history = pd.DataFrame(
        {
            "snapshot_date": [JAN, JAN, FEB],
            "agency_key": ["NY|X PD", "NY|X PD", "NY|GHOST"],
            "in_time_series": [True, True, False],
        }
    )
    agencies = _agencies(CITY_IN_A).drop(columns=["kind", "principal_county_fips"])
    jurisdictions = pd.DataFrame(
        {"geoid": ["3600100"], "kind": ["city"], "principal_county_fips": ["36001"]}
    )
    snaps = cv.agency_snapshots(history, agencies, jurisdictions)
    assert len(snaps) == 1 and snaps.loc[0, "kind"] == "city"
    with pytest.raises(ValueError, match="NY|GHOST"):
        cv.agency_snapshots(history.assign(in_time_series=True), agencies, jurisdictions)


def test_flicker_finder_and_the_changes_behind_the_jumps(covariates):
    snaps = pd.concat(
        [
            _on(SHERIFF, CITY_IN_B, date=JAN),
            _on(SHERIFF, date=FEB),
            _on(SHERIFF, date=MAR),
            _on(SHERIFF, CITY_IN_B, date=APR),
        ],
        ignore_index=True,
    )
    flicker = cv.flickering_agencies(snaps)
    assert flicker[["agency_key", "gone_from", "back_on", "snapshots_missing"]].values.tolist() == [
        ["NY|Y PD", FEB, APR, 2]
    ]
    table = cv.population_coverage(snaps, covariates)
    changes = cv.coverage_changes(table, snaps, covariates).set_index("snapshot_date")
    assert changes.loc[FEB, "change"] == -80 and changes.loc[APR, "change"] == 80
    assert changes.loc[MAR, "change"] == 0
    assert changes.loc[FEB, "lost"] == "Y PD (NY, 80 residents, flickers)"
    assert changes.loc[APR, "flickering"] == "Y PD (NY, 80 residents) back"
    assert changes.index[:2].tolist() == [FEB, APR]  # largest absolute change first
    whole = cv.coverage_changes(table, snaps, covariates, measure="whole_county")
    assert whole["change"].abs().max() == 400  # Y PD stands for all of B County there


def test_flicker_effects_separate_the_county_bound_from_the_place(covariates):
    snaps = pd.concat(
        [
            _on(CITY_IN_B, date=JAN),
            _on(SHERIFF, date=FEB),
            _on(SHERIFF, CITY_IN_B, date=MAR),
        ],
        ignore_index=True,
    )
    whole = cv.flicker_effects(snaps, covariates, measure="whole_county").set_index("group")
    assert whole.loc["all", ["gone", "back"]].tolist() == [-400, 400]  # all of B County
    own = cv.flicker_effects(snaps, covariates, measure="jurisdiction").set_index("group")
    assert own.loc["all", ["gone", "back"]].tolist() == [-80, 80]  # Y city alone
    assert own.loc["hispanic", "back"] == pytest.approx(20)
    notes = cv.flicker_notes(whole.reset_index())
    assert notes.loc[notes["group"] == "all", "label"].tolist() == [
        "Y PD (NY) gone: -0.00 m",
        "Y PD (NY) back: +0.00 m",
    ]
    changes = cv.coverage_changes(
        cv.population_coverage(snaps, covariates), snaps, covariates
    ).set_index("snapshot_date")
    assert changes.loc[MAR, "flickering"] == "Y PD (NY, 80 residents) back"
    assert changes.loc[FEB, "flickering"] == "Y PD (NY, 80 residents) gone"


def _covered_pandas(agencies_on, groups, levels):
    """The pandas formulation that the plain-value sums replace (the reference)."""
    counties = set(
        agencies_on.loc[agencies_on["jurisdiction_level"].isin(levels), "county_fips"].dropna()
    )
    total = groups.loc[sorted(counties), list(cv.GROUPS)].sum()
    units = cv.municipal_units(agencies_on, counties)
    county = groups.reindex(units["principal_county_fips"])
    pop = units["jurisdiction_population"].astype(float).to_numpy()
    muni = pd.DataFrame(
        {
            "county": units["principal_county_fips"].to_numpy(),
            "all": pop,
            "hispanic": pop * county["share_hispanic"].to_numpy(),
            "foreign_born": pop * county["share_foreign_born"].to_numpy(),
        }
    )
    per_county = muni.groupby("county")[list(cv.GROUPS)].sum()
    capped = per_county.clip(upper=groups.loc[per_county.index, list(cv.GROUPS)])
    return total + capped.sum()


def _covered_units_pandas(agencies_on, groups, measure):
    """The pandas formulation of ``covered_units`` (the reference)."""
    levels = {"jurisdiction": ["county"], "county_agency": ["county"],
              "jurisdiction_other_county": ["county", "other"]}.get(measure)  # fmt: skip
    level = agencies_on["jurisdiction_level"]
    county_rows = agencies_on[level.ne("state") if levels is None else level.isin(levels)]
    county_rows = county_rows.dropna(subset=["county_fips"]).assign(
        geoid=lambda f: f["county_fips"]
    )
    pieces = [county_rows.assign(residents=county_rows["geoid"].map(groups["all"]))]
    if measure in ("jurisdiction", "jurisdiction_other_county"):
        units = cv.municipal_units(agencies_on, set(county_rows["geoid"]))
        keep = agencies_on["jurisdiction_geoid"].isin(units["jurisdiction_geoid"])
        muni = agencies_on[keep & level.eq("municipal")]
        muni = muni.assign(
            geoid=muni["jurisdiction_geoid"],
            residents=muni["jurisdiction_population"].astype(float),
        )
        pieces.append(muni)
    rows = pd.concat(pieces, ignore_index=True)
    table = rows.groupby("geoid", sort=True).agg(
        state=("state", "first"), residents=("residents", "first")
    )
    keys, names = {}, {}
    for geoid, key, name in zip(rows["geoid"], rows["agency_key"], rows["agency"], strict=True):
        keys.setdefault(geoid, []).append(key)
        names.setdefault(geoid, set()).add(name)
    table["agency_keys"] = pd.Series([tuple(sorted(keys[g])) for g in table.index],
                                     index=table.index, dtype=object)  # fmt: skip
    table["agencies"] = [" / ".join(sorted(names[g])) for g in table.index]
    return table.reset_index()


def test_plain_value_sums_equal_the_pandas_formulation_to_the_last_bit():
    import numpy as np

    rng = np.random.default_rng(7)
    n_counties = 60
    fips = [f"36{i:03d}" for i in range(n_counties)]
    covariates = pd.DataFrame(
        {
            "fips": fips,
            "population_census2020": rng.integers(1_000, 2_000_000, n_counties),
            "hispanic_share": rng.random(n_counties) / 3,
            "foreign_born_share": rng.random(n_counties) / 4,
        }
    )
    groups = cv.county_groups(covariates)
    for trial in range(20):
        rows = []
        for k in range(int(rng.integers(20, 120))):
            county = fips[int(rng.integers(n_counties))]
            level = rng.choice(["county", "municipal", "municipal", "other", "state"])
            kind = rng.choice(["city", "village", "town"])
            geoid = county + (f"{int(rng.integers(99_999)):05d}" if kind == "town" else
                              f"{int(rng.integers(99)):02d}")  # fmt: skip
            population = int(rng.integers(10, 3_000_000)) if rng.random() > 0.1 else None
            rows.append((f"NY|{trial}-{k}", f"Agency {k}", "NY", county, level, geoid,
                         "Place", population, kind, county))  # fmt: skip
        on = _on(*rows)
        for levels, other in ((("county",), False), (("county", "other"), True)):
            fast = cv.covered_residents(on, groups, other_covers_county=other)
            reference = _covered_pandas(on, groups, list(levels))
            assert fast.tolist() == reference.tolist()  # exact, not approximate
        for measure in cv.MEASURES:
            fast_units = cv.covered_units(on, groups, measure)
            reference_units = _covered_units_pandas(on, groups, measure)
            assert fast_units.equals(reference_units)
            assert list(fast_units.dtypes) == list(reference_units.dtypes)
        placed = on[on["jurisdiction_level"].ne("state")]
        whole = groups.loc[sorted(set(placed["county_fips"].dropna())), list(cv.GROUPS)].sum()
        assert cv.whole_county_residents(on, groups).tolist() == whole.tolist()

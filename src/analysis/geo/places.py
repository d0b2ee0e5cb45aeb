"""Census places and county subdivisions with their 2020 residents, and county and state 2020
populations: the jurisdictions an agency can police.

- ``2025_Gaz_place_national.txt`` (official 2025 Gazetteer, pipe-delimited, every incorporated
  place and census-designated place of any size: ``4007350 Bokchito town`` OK). Kind from the
  name ending (city, town, village, borough, municipality, ...); ``incorporated`` is False for
  census-designated places (LSAD 57, FUNCSTAT S: statistical, no government, no police).
- ``us_geo_place_counties.csv`` (third-party build, us_geo): every county of a place
  (1,352 places span several counties, one row each, no population shares).
- ``us_geo_places_2020.csv`` (third-party build of the Census 2020 places and P.L. 94-171
  counts): 2020 population and the county holding most of the place (``County GEOID``). A 2025
  place missing from it (incorporated or renamed since 2020) has no 2020 population (NA).
- ``us_geo_county_subdivisions_2020.csv`` (same build): 2020 population of towns and
  townships. It is incomplete as a partition (e.g. most of Cuyahoga County, OH, and all of
  Arkansas's cousubs are missing), so it is never summed to a county total, except for
  Connecticut (below).
- County populations: the 2020 Census count ``CENSUS_2020_POP`` of the ERS population file
  (``ers_PopulationEstimates.csv``), which gives none for Connecticut's planning regions: there,
  ERS's ``ESTIMATES_BASE_2020`` (the Census Bureau's April 1, 2020 estimates base, re-tabulated
  to the regions; Connecticut's regions sum to 3,605,912 against a 2020 count of 3,605,944).
  State populations: ERS ``CENSUS_2020_POP`` of the state rows.

Caveat: the us_geo ``Population`` of places and cousubs is labelled 2020 by its build but is not
the 2020 Census count (Baltimore city 577,193 against a count of 585,708; Richmond city, VA
227,595 against 226,610): it is an estimate of about that year. It is used for places and towns
because no 2020 count by place is in the data; county and state figures are the counts.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from analysis import paths
from analysis.fetch import require
from analysis.geo.counties import county_list
from analysis.geo.states import states

GAZETTEER_PLACES = "census_geo_reference/2025_Gaz_place_national.txt"
PLACE_COUNTIES = "census_geo_reference/us_geo_place_counties.csv"
PLACES_2020 = "census_geo_reference/us_geo_places_2020.csv"
COUSUBS_2020 = "census_geo_reference/us_geo_county_subdivisions_2020.csv"
ERS_POPULATION = "usda_ers_county_data/ers_PopulationEstimates.csv"
RAW_FILES = (GAZETTEER_PLACES, PLACE_COUNTIES, PLACES_2020, COUSUBS_2020, ERS_POPULATION)

# Endings of Census place names (longest first) and the kind each stands for.
PLACE_KINDS = (
    ("unified government", "consolidated"), ("consolidated government", "consolidated"),
    ("metropolitan government", "consolidated"), ("metro government", "consolidated"),
    ("urban county", "consolidated"), ("city and borough", "city"), ("municipality", "city"),
    ("corporation", "town"), ("borough", "borough"), ("village", "village"), ("town", "town"),
    ("city", "city"), ("CDP", "cdp"), ("zona urbana", "cdp"), ("comunidad", "cdp"),
)  # fmt: skip


def _read(path: Path, columns: tuple[str, ...], sep: str = ",") -> pd.DataFrame:
    """The named columns (header names compared stripped), every value a stripped string."""
    frame = _read_arrow(path, columns, sep)
    if frame is None:
        wanted = set(columns)
        frame = pd.read_csv(
            path, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig",
            usecols=lambda c: c.strip() in wanted,
        )  # fmt: skip
    frame.columns = frame.columns.str.strip()
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    return frame[list(columns)].apply(lambda c: c.str.strip())


def _read_arrow(path: Path, columns: tuple[str, ...], sep: str) -> pd.DataFrame | None:
    """What ``pd.read_csv(dtype=str, keep_default_na=False)`` gives, read by Arrow's CSV reader
    on one thread (several times faster); None when the file is anything but a plain table
    (no rows, a repeated header name, a short or long row, bad UTF-8): pandas reads those."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader([fh.readline()], delimiter=sep), [])
        names = [n for n in header if n.strip() in set(columns)]
        if len(set(header)) != len(header) or not names:
            return None
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=names,
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, csv.Error):
        return None
    if table.num_rows == 0 or table.column_names != names:
        return None
    return table.to_pandas(use_threads=False)


def _check_codes(frame: pd.DataFrame, column: str, digits: int, path: Path) -> None:
    bad = ~frame[column].str.fullmatch(rf"\d{{{digits}}}")
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise ValueError(
            f"{path}: row {row + 2}, column {column}: {frame[column].iloc[row]!r} is not "
            f"{digits} digits"
        )


def _counts(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """Integer counts (thousands separators allowed); blank -> NA; anything else is an error."""
    text = frame[column].str.replace(",", "", regex=False)
    bad = ~(text.eq("") | text.str.fullmatch(r"\d+(?:\.0+)?"))
    if bad.any():
        row = int(bad.to_numpy().argmax())
        raise ValueError(
            f"{path}: row {row + 2}, column {column}: {frame[column].iloc[row]!r} is not a count"
        )
    return pd.to_numeric(text.replace("", None)).astype("Int64")


_BALANCE = re.compile(r"\s*\(balance\)$")
# The endings by their last word (after the last space), in PLACE_KINDS order: a name ending in
# " " + ending ends in that word, so only these endings need a look.
_BY_LAST_WORD: dict[str, tuple[tuple[str, str, int], ...]] = {}
for _ending, _kind in PLACE_KINDS:
    _BY_LAST_WORD.setdefault(_ending.rpartition(" ")[2], ())
    _BY_LAST_WORD[_ending.rpartition(" ")[2]] += ((" " + _ending, _kind, len(_ending) + 1),)


def place_kind(name: str) -> tuple[str, str]:
    """``"Bokchito town"`` -> ``("Bokchito", "town")``; ``"Indianapolis city (balance)"`` ->
    ``("Indianapolis", "city")``; ``"Carson City"`` -> ``("Carson City", "")``."""
    text = name.strip()
    if "(balance)" in text:
        text = _BALANCE.sub("", text)
    for ending, kind, size in _BY_LAST_WORD.get(text.rpartition(" ")[2], ()):
        if text.endswith(ending):
            return text[:-size], kind
    return text, ""


def read_gazetteer_places(path: Path) -> pd.DataFrame:
    """The places of a 2025-layout place Gazetteer: ``geoid`` (7 digits), ``state_usps``,
    ``name`` (Census name), ``base_name``, ``kind``, ``lsad``, ``funcstat``, ``incorporated``,
    ``land_area_sqmi``."""
    gaz = _read(path, ("USPS", "GEOID", "NAME", "LSAD", "FUNCSTAT", "ALAND_SQMI"), sep="|")
    _check_codes(gaz, "GEOID", 7, path)
    parsed = {name: place_kind(name) for name in dict.fromkeys(gaz.NAME.tolist())}
    base_name = pd.Series([parsed[n][0] for n in gaz.NAME.tolist()], index=gaz.index, dtype=object)
    kind = pd.Series([parsed[n][1] for n in gaz.NAME.tolist()], index=gaz.index, dtype=object)
    return pd.DataFrame(
        {
            "geoid": gaz.GEOID,
            "state_usps": gaz.USPS,
            "name": gaz.NAME,
            "base_name": base_name,
            "kind": kind,
            "lsad": gaz.LSAD,
            "funcstat": gaz.FUNCSTAT,
            "incorporated": (gaz.FUNCSTAT != "S") & (kind != "cdp"),
            "land_area_sqmi": pd.to_numeric(gaz.ALAND_SQMI.replace("", "0")),
        }
    )


def read_place_counties(path: Path) -> pd.DataFrame:
    """``place_geoid``, ``county_fips`` pairs of ``us_geo_place_counties.csv``."""
    frame = _read(path, ("Place GEOID", "County GEOID"))
    _check_codes(frame, "Place GEOID", 7, path)
    _check_codes(frame, "County GEOID", 5, path)
    return frame.set_axis(["place_geoid", "county_fips"], axis=1)


def read_places_2020(path: Path) -> pd.DataFrame:
    """``geoid``, ``name`` ("City of Tye"), ``short_name``, ``state_usps``, ``county_fips``
    (main county), ``population_2020`` of ``us_geo_places_2020.csv``."""
    frame = _read(path, ("GEOID", "Name", "Short Name", "State", "County GEOID", "Population"))
    _check_codes(frame, "GEOID", 7, path)
    return pd.DataFrame(
        {
            "geoid": frame.GEOID,
            "name": frame.Name,
            "short_name": frame["Short Name"],
            "state_usps": frame.State,
            "county_fips": frame["County GEOID"],
            "population_2020": _counts(frame, "Population", path),
        }
    )


def read_cousubs_2020(path: Path) -> pd.DataFrame:
    """``geoid`` (10 digits), ``name`` ("Town of Pittsburg"), ``county_fips``,
    ``population_2020`` of ``us_geo_county_subdivisions_2020.csv``."""
    frame = _read(path, ("GEOID", "Name", "County GEOID", "Population"))
    _check_codes(frame, "GEOID", 10, path)
    return pd.DataFrame(
        {
            "geoid": frame.GEOID,
            "name": frame.Name,
            "county_fips": frame["County GEOID"],
            "population_2020": _counts(frame, "Population", path),
        }
    )


def build_places(
    gazetteer: pd.DataFrame, place_counties: pd.DataFrame, places_2020: pd.DataFrame
) -> pd.DataFrame:
    """One row per Gazetteer place of the 50 states and DC, with ``principal_county_fips`` (the
    2020 main county when it is one of the place's counties, else the first listed),
    ``county_fips_all`` (principal first, |-joined; NA when no file gives a county) and
    ``population_2020``."""
    gaz = gazetteer[gazetteer.state_usps.isin(states().state_usps)]
    main = places_2020.set_index("geoid")
    # Each place's counties: its 2020 main county first (when it has one), then its distinct
    # listed counties in file order. The main-county rows go ahead of the listed pairs, so
    # drop_duplicates (first occurrence kept) leaves that order; a stable sort by place groups
    # them, and Arrow joins each group.
    firsts = main.county_fips[~main.index.duplicated(keep="last")]  # a dict's last value wins
    firsts = firsts[firsts.ne("")]
    rows = pd.concat(
        [
            pd.DataFrame({"place": firsts.index.to_numpy(), "county": firsts.to_numpy()}),
            place_counties[["place_geoid", "county_fips"]].set_axis(["place", "county"], axis=1),
        ],
        ignore_index=True,
    ).drop_duplicates()
    codes, uniques = pd.factorize(rows.place.to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    values = pa.array(rows.county.to_numpy(dtype=object)[order], type=pa.large_string())
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(np.r_[starts, len(order)].astype(np.int64), values),
        pa.scalar("|", pa.large_string()),
    )
    at = pd.Index(uniques[sorted_codes[starts]]).get_indexer(gaz.geoid.to_numpy(dtype=object))
    take = pa.array(at, mask=at < 0, type=pa.int64())
    principal = values.take(pa.array(starts)).take(take).to_pylist()
    all_fips = joined.take(take).to_pylist()
    table = gaz.assign(
        principal_county_fips=principal,
        county_fips_all=all_fips,
        population_2020=gaz.geoid.map(main.population_2020).astype("Int64"),
    )
    return table.sort_values("geoid").reset_index(drop=True)


PLACE_FILES = (GAZETTEER_PLACES, PLACE_COUNTIES, PLACES_2020)


def _identity(raw_dir: Path, files: tuple[str, ...]) -> tuple:
    """Path, size and modification time of each file (None when absent): the memo key."""
    stats = []
    for name in files:
        try:
            st = (raw_dir / name).stat()
            stats.append((name, st.st_size, st.st_mtime_ns))
        except OSError:
            stats.append((name, None, None))
    return (raw_dir, tuple(stats))


@lru_cache(maxsize=4)
def _places_cached(raw_dir: Path, identity: tuple) -> pd.DataFrame:
    return build_places(
        read_gazetteer_places(require(GAZETTEER_PLACES, raw_dir)),
        read_place_counties(require(PLACE_COUNTIES, raw_dir)),
        read_places_2020(require(PLACES_2020, raw_dir)),
    )


def places(raw_dir: Path | None = None) -> pd.DataFrame:
    """Every Census place of the 50 states and DC (see :func:`build_places`); read once per
    process while the files stay the same (a copy each call: callers may change it)."""
    raw_dir = (raw_dir or paths.RAW).resolve()
    return _places_cached(raw_dir, _identity(raw_dir, PLACE_FILES)).copy()


@lru_cache(maxsize=4)
def _cousubs_cached(raw_dir: Path) -> pd.DataFrame:
    return read_cousubs_2020(require(COUSUBS_2020, raw_dir))


def cousubs_2020(raw_dir: Path | None = None) -> pd.DataFrame:
    """The 2020 county subdivisions with their population (see :func:`read_cousubs_2020`)."""
    return _cousubs_cached((raw_dir or paths.RAW).resolve()).copy()


def read_ers_census_2020(path: Path) -> pd.DataFrame:
    """ERS rows by FIPS (5 digits; states as ``XX000``): ``census`` (``CENSUS_2020_POP``, the
    2020 Census count) and ``base`` (``ESTIMATES_BASE_2020``), NA where ERS gives none."""
    frame = _read(path, ("FIPStxt", "CENSUS_2020_POP", "ESTIMATES_BASE_2020"))
    frame["FIPStxt"] = frame.FIPStxt.str.zfill(5)
    _check_codes(frame, "FIPStxt", 5, path)
    if frame.FIPStxt.duplicated().any():
        raise ValueError(f"{path}: repeated FIPStxt {frame.FIPStxt[frame.FIPStxt.duplicated()]}")
    return pd.DataFrame(
        {
            "census": _counts(frame, "CENSUS_2020_POP", path).to_numpy(),
            "base": _counts(frame, "ESTIMATES_BASE_2020", path).to_numpy(),
        },
        index=frame.FIPStxt,
    )


def build_county_populations(counties: pd.DataFrame, ers: pd.DataFrame) -> pd.DataFrame:
    """``fips``, ``state_usps``, ``population_2020``, ``population_source`` for every county of
    the project geography (the 2020 count; Connecticut's regions: the estimates base; a county
    with neither is an error), then the 50 states and DC (``fips`` = 2-digit state FIPS; NA
    where the file has no state row)."""
    rows = counties[["fips", "state_usps"]].copy()
    rows["population_2020"] = rows.fips.map(ers["census"]).astype("Int64")
    rows["population_source"] = "ERS CENSUS_2020_POP (2020 Census count)"
    base = rows.population_2020.isna() & rows.state_usps.eq("CT")
    rows.loc[base, "population_2020"] = rows.loc[base, "fips"].map(ers["base"]).astype("Int64")
    rows.loc[base, "population_source"] = "ERS ESTIMATES_BASE_2020 (April 1, 2020 base)"
    st = states()
    state_rows = pd.DataFrame(
        {
            "fips": st.state_fips,
            "state_usps": st.state_usps,
            "population_2020": (st.state_fips + "000").map(ers["census"]).astype("Int64"),
            "population_source": "ERS CENSUS_2020_POP of the state (2020 Census count)",
        }
    )
    missing = rows[rows.population_2020.isna()]
    if len(missing):
        raise ValueError(f"{ERS_POPULATION}: no 2020 population for {missing.fips.tolist()[:10]}")
    return pd.concat([rows, state_rows], ignore_index=True)


@lru_cache(maxsize=4)
def _populations_cached(raw_dir: Path) -> pd.DataFrame:
    return build_county_populations(
        county_list(raw_dir),
        read_ers_census_2020(require(ERS_POPULATION, raw_dir)),
    )


def county_populations(raw_dir: Path | None = None) -> pd.DataFrame:
    """2020 Census population of every county and state (see :func:`build_county_populations`)."""
    return _populations_cached((raw_dir or paths.RAW).resolve()).copy()


def available(raw_dir: Path) -> bool:
    """True when every file read here is in ``raw_dir``."""
    return all((raw_dir / f).is_file() for f in RAW_FILES)

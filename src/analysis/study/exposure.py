"""Counties with an agreement, and how agencies were placed in them (report 30's tables).

A county "has an agreement" on a snapshot when at least one agency placed in it (principal
county, see the agency -> county matcher) is listed. The residents covered are counted by
jurisdiction in :mod:`analysis.study.coverage`, not here.
"""

from __future__ import annotations

import pandas as pd

from analysis.ice import normalize as codes

PLACEMENT_COLUMNS = ["agency_key", "county_fips", "match_method", "match_conflict"]


def county_status(county_agreements: pd.DataFrame, date: pd.Timestamp) -> pd.DataFrame:
    """Counties with at least one agreement on ``date``, with their counts by model."""
    snap = county_agreements[county_agreements["snapshot_date"] == date]
    return snap.set_index("county_fips")


def placed_agreements(
    history: pd.DataFrame, agencies: pd.DataFrame, date: pd.Timestamp
) -> pd.DataFrame:
    """The agreements listed on ``date`` with their agency's county (``placed``: has one)."""
    snap = history[history["snapshot_date"] == date].merge(
        agencies[PLACEMENT_COLUMNS], on="agency_key", how="left", validate="many_to_one"
    )
    snap["placed"] = snap["county_fips"].notna()
    return snap


def placement_quality(snap: pd.DataFrame) -> pd.DataFrame:
    """Per ICE agency type: agreements, how many are placed in a county, how many carry a
    conflict between sources, and the placed share (types without agreements left out)."""
    quality = (
        snap.groupby("agency_type")
        .agg(
            agreements=("agreement_key", "size"),
            placed=("placed", "sum"),
            conflicts=("match_conflict", "sum"),
        )
        .reindex(list(codes.AGENCY_TYPES))
        .dropna()
        .astype(int)
    )
    quality["placed_share"] = quality["placed"] / quality["agreements"]
    return quality.reset_index()


def placement_methods(snap: pd.DataFrame) -> pd.DataFrame:
    """Agreements by placement method (rows) and agency type (columns)."""
    return snap.groupby(["match_method", "agency_type"]).size().unstack(fill_value=0).reset_index()


def unplaced_agencies(agencies: pd.DataFrame, snap: pd.DataFrame) -> pd.DataFrame:
    """The agencies of ``snap`` not placed in a county, with the matcher's reason."""
    unplaced = agencies[agencies["agency_key"].isin(snap.loc[~snap["placed"], "agency_key"])]
    columns = ["state", "agency", "agency_type", "match_method", "match_note"]
    return unplaced[columns].sort_values(["match_method", "state", "agency"])


def map_dates(requested, latest: pd.Timestamp, available) -> list[pd.Timestamp]:
    """The requested map dates up to ``latest``, plus ``latest``, that have county data."""
    dates = sorted({pd.Timestamp(d) for d in requested if pd.Timestamp(d) <= latest} | {latest})
    available = set(available)
    return [d for d in dates if d in available]

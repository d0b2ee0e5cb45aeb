"""``analysis explore``: build the explorer database and serve it with Datasette."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "explore",
        help="build data/processed/atlas.sqlite and browse it with Datasette on 127.0.0.1",
        description=(
            "Build data/processed/atlas.sqlite from every processed table (full-text search on "
            "agency, place and county names; indexes on state, county, model and snapshot), "
            "skipped when no input changed; write its Datasette metadata from the data "
            "dictionaries and data/catalog.csv (atlas-metadata.json beside it); then serve it "
            "on http://127.0.0.1:PORT/atlas until Ctrl-C. Search agencies with "
            "/atlas/agencies?_search=NAME."
        ),
    )
    p.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    p.add_argument("--no-serve", action="store_true", help="build the database, do not serve")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis.explore.database import build_database
    from analysis.explore.metadata import build_metadata, metadata_path, write_metadata
    from analysis.explore.serve import check_port, serve

    if not args.no_serve:
        check_port(args.port)  # before the build: a taken port fails at once
    result = build_database(force=args.force)
    rows = sum(result.rows.values())
    what = f"built in {result.seconds:.1f}s" if result.rebuilt else "unchanged"
    print(
        f"explore: {result.path} {what}: {len(result.rows)} tables, {rows:,} rows, "
        f"{result.size / 1e6:.1f} MB"
    )
    metadata = build_metadata(result.path)
    print(f"explore: metadata {write_metadata(metadata, metadata_path(result.path))}")
    if not args.no_serve:
        serve(result.path, metadata, port=args.port, echo=lambda m: print(m, flush=True))
    return 0

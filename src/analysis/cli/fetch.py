"""``analysis fetch``: obtain and verify every catalogued raw file."""

from __future__ import annotations

import argparse

from analysis import paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fetch",
        help="download (or copy from ANALYSIS_MIRROR) and verify every raw file",
        description=(
            "Obtain every file listed in data/catalog.csv into data/raw/, verified by sha256. "
            "With ANALYSIS_MIRROR set, files are copied from that folder instead of downloaded. "
            "--latest-ice also downloads today's ICE spreadsheets from ICE's 287(g) page."
        ),
    )
    p.add_argument("--latest-ice", action="store_true", help="also fetch today's ICE lists")
    p.add_argument("--timeout", type=float, default=60, help="seconds per HTTP request")
    p.add_argument("--retries", type=int, default=3, help="attempts per download")
    p.add_argument("--quiet", action="store_true", help="no per-file lines or progress bars")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis.fetch import fetch_all

    mirror = paths.mirror()
    echo = (lambda _msg: None) if args.quiet else print
    if mirror is not None:
        echo(f"using mirror {mirror}")
    records = fetch_all(
        mirror=mirror,
        timeout=args.timeout,
        retries=args.retries,
        progress=not args.quiet,
        echo=echo,
    )
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec.source] = counts.get(rec.source, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    print(f"fetch: {len(records)} files verified in {paths.RAW} ({summary})")
    if args.latest_ice:
        from analysis.ice.live import fetch_latest_ice

        for snap in fetch_latest_ice(timeout=args.timeout, retries=args.retries, echo=echo):
            print(f"latest ICE: {snap.file} ({snap.list_catalog}, sha256 {snap.sha256[:12]}…)")
    return 0

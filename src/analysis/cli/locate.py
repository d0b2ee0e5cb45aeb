"""``analysis locate``: place one agency in its county and show the evidence."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "locate",
        help="place an agency in its county, with the method and the alternatives",
        description=(
            "Place any law-enforcement agency (listed by ICE or not) in a county of the project "
            "geography (2023 county list; Connecticut planning regions) with the rules of "
            "analysis.locate: ICE COUNTY, agency name, independent cities, towns/townships/"
            "places, manual overrides. Prints the chosen county, the method, the score, the "
            "note and the alternatives. JSON keys: county_fips, county_name, match_method, "
            "match_score, alternatives (plus state, match_note, conflict, all_counties)."
        ),
    )
    p.add_argument("agency", help='agency name as ICE writes it, e.g. "Collier County SO"')
    p.add_argument("state", help="USPS code or state name (e.g. FL, Florida, 'NEW YORK')")
    p.add_argument("--county", help="ICE's COUNTY text, if any (e.g. 'Lake Conty', '#N/A')")
    p.add_argument(
        "--type",
        dest="agency_type",
        choices=["County", "Municipality", "State", "Other"],
        help="ICE's TYPE (default: inferred from the name where it matters)",
    )
    p.add_argument(
        "--no-overrides",
        action="store_true",
        help="ignore data/manual/agency_county_overrides.csv (rules only)",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis import paths
    from analysis.errors import UserError
    from analysis.locate import load_crosswalks, locate_agency
    from analysis.locate.matcher import resolve_state

    try:
        resolve_state(args.state)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    cw = load_crosswalks(paths.RAW, overrides=not args.no_overrides)
    loc = locate_agency(
        args.agency, args.state, args.county, agency_type=args.agency_type, crosswalks=cw
    )
    if args.json:
        print(json.dumps(loc.to_dict(), indent=2, sort_keys=False))
        return 0
    where = f"{loc.county_fips} {loc.county_name}" if loc.county_fips else "(no county)"
    score = "" if loc.match_score is None else f"  score {loc.match_score:g}"
    print(f"{args.agency} ({loc.state}) -> {where}")
    print(f"method {loc.match_method}{score}{'  CONFLICT' if loc.conflict else ''}")
    if len(loc.all_counties) > 1:
        print(f"all counties {', '.join(loc.all_counties)}")
    print(f"note   {loc.match_note}")
    if loc.alternatives:
        print("alternatives:")
        for alt in loc.alternatives:
            print(
                f"  {alt.fips} {alt.name} ({alt.state})  {alt.method}  "
                f"score {alt.score:g}  {alt.note}"
            )
    return 0

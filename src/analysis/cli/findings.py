"""``analysis findings``: show the run's headline findings, or copy them into the README."""

from __future__ import annotations

import argparse

from analysis import paths
from analysis.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "findings",
        help="print the headline findings of the last run (reports/tables/key_findings.json)",
        description="Print the key findings of the last `analysis run`; --update-readme "
        "rewrites the README's headline block from them.",
    )
    p.add_argument("--update-readme", action="store_true", help="rewrite README.md's block")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analysis.report.findings import read_key_findings
    from analysis.report.key_findings import findings_markdown, replace_readme_section

    path = paths.REPORTS / "tables" / "key_findings.json"
    if not path.is_file():
        raise UserError(f"{path} does not exist: run `analysis run` first")
    findings = read_key_findings(path)
    if args.update_readme:
        readme = paths.ROOT / "README.md"
        try:
            text = replace_readme_section(readme.read_text(encoding="utf-8"), findings)
        except ValueError as exc:
            raise UserError(f"{readme}: {exc}") from exc
        readme.write_text(text, encoding="utf-8")
        print(f"README.md: {len(findings)} findings of {findings[0]['snapshot_date']}")
        return 0
    print(findings_markdown(findings))
    return 0

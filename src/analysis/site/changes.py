"""``reports/html/changes.html``: what changed in ICE's latest participating list.

Built from :func:`analysis.study.changes.change_log`; one self-contained page (inline style, no
script, nothing loaded from the network), every text escaped, tables scrolling inside their own
box so the page reads at 390 px, and a link back to the reports' index.
"""

from __future__ import annotations

import html

import pandas as pd

from analysis.study.changes import ChangeLog, Comparison

MODELS = {
    "JEM": "Jail Enforcement Model",
    "TFM": "Task Force Model",
    "WSO": "Warrant Service Officer",
}
CHANGES = {
    "new": "new",
    "returned": "returned after an absence",
    "renamed": "renamed",
    "exit": "exit",
    "uncertain": "uncertain (a possible successor)",
    "returned later": "absent here, listed again later",
}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem;
       color: #1b1b1b; line-height: 1.5; }
h1 { font-size: 1.6rem; line-height: 1.25; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.scroll { overflow-x: auto; max-width: 100%; margin: .5rem 0 1rem; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #ddd; text-align: left;
         vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.date, .date { white-space: nowrap; }
tr.exit td { background: #fde8e8; } .tag { font-weight: 600; }
.summary { font-size: 1.05rem; } .note { color: #555; font-size: .9rem; }
nav a { margin-right: 1rem; }
"""


def _e(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return html.escape(str(value))


def _n(value: int) -> str:
    return f"{value:,}"


def _date(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def table(frame: pd.DataFrame, columns: dict[str, str], *, empty: str, row_class=None) -> str:
    """``frame``'s ``columns`` (name -> header) as an escaped HTML table in a scrolling box."""
    if frame.empty:
        return f'<p class="note">{html.escape(empty)}</p>'
    kinds = {}
    for name in columns:
        series = frame[name]
        if pd.api.types.is_datetime64_any_dtype(series) or name in ("signed", "last_seen_before"):
            kinds[name] = "date"
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            kinds[name] = "num"
        else:
            kinds[name] = ""
    head = "".join(
        f'<th class="{kinds[c]}" scope="col">{html.escape(h)}</th>' for c, h in columns.items()
    )
    body = []
    for record in frame.to_dict("records"):
        cells = []
        for name in columns:
            value = record[name]
            if kinds[name] == "date":
                text = _date(value)
            elif kinds[name] == "num" and not pd.isna(value):
                text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
            else:
                text = _e(value)
            cells.append(f'<td class="{kinds[name]}">{text}</td>')
        css = f' class="{row_class(record)}"' if row_class and row_class(record) else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _labelled(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "models" in out:
        out["models"] = out["models"].map(
            lambda ms: ", ".join(MODELS.get(m, m) for m in str(ms).split("|"))
        )
    if "model" in out:
        out["model"] = out["model"].map(lambda m: MODELS.get(m, m))
    if "change" in out:
        out["change"] = out["change"].map(lambda c: CHANGES.get(c, c))
    return out


def summary(c: Comparison) -> str:
    """The latest list against the one before, in one paragraph (escaped)."""
    latest = _date(c.latest)
    if c.previous is None:
        return (
            f"ICE's participating list of {latest} is the only snapshot in the time series: "
            f"{_n(c.agreements)} agreements held by {_n(c.agencies)} agencies. There is no "
            "earlier list to compare it with."
        )
    exits = c.count("removed", "exit")
    return (
        f"ICE's participating list of {latest} has {_n(c.agreements)} agreements held by "
        f"{_n(c.agencies)} agencies, against {_n(c.agreements_before)} agreements and "
        f"{_n(c.agencies_before)} agencies on {_date(c.previous)}. "
        f"{_n(c.count('added', 'new'))} agreements are new, "
        f"{_n(c.count('added', 'returned'))} returned after an absence, "
        f"{_n(c.count('renamed'))} were renamed, and "
        f"{_n(c.count('removed') - c.count('renamed'))} are no longer listed, of which "
        f"{_n(exits)} are exits (no successor found). "
        f"{_n(len(c.agencies_joined))} agencies joined the list and "
        f"{_n(len(c.agencies_left))} left it."
    )


def changes_html(log: ChangeLog, *, scope: str = "the latest ICE snapshot") -> str:
    """The change-log page."""
    c = log.latest
    title = f"What changed in ICE's 287(g) list of {_date(c.latest)}"
    exit_row = lambda r: "exit" if r.get("change") == "exit" else None  # noqa: E731
    removed = _labelled(c.removed)
    # One snapshot: no earlier list, so no "before" or "change" columns.
    compared = {"before": _date(c.previous)} if c.previous is not None else {}
    change = {"change": "Change"} if c.previous is not None else {}
    sections = [
        ("Exits by state", table(
            c.exits_by_state, {"state": "State", "exits": "Agreements that exited",
                               "agencies": "Agencies with an exit"},
            empty="No agreement exited between these two lists.")),
        ("Agencies that joined the list", table(
            _labelled(c.agencies_joined), {"state": "State", "agency": "Agency",
                                           "models": "Models"},
            empty="No agency joined the list.")),
        ("Agencies that left the list", table(
            _labelled(c.agencies_left).assign(exit=c.agencies_left["exit"].map({True: "exit",
                                                                     False: "not an exit"})),
            {"state": "State", "agency": "Agency", "models": "Models", "exit": "Kind"},
            empty="No agency left the list.",
            row_class=lambda r: "exit" if r.get("exit") == "exit" else None)),
        ("Agreements added", table(
            _labelled(c.added), {"state": "State", "agency": "Agency", "model": "Model",
                                 "agency_type": "Type", "signed": "Signed",
                                 "change": "Change", "last_seen_before": "Last listed before"},
            empty="No agreement was added.")),
        ("Agreements removed (exits highlighted)", table(
            removed, {"state": "State", "agency": "Agency", "model": "Model",
                      "agency_type": "Type", "signed": "Signed", "change": "Change",
                      "note": "Lineage note"},
            empty="No agreement was removed.", row_class=exit_row)),
        ("Renamed agreements", table(
            _labelled(c.renamed), {"state": "State", "model": "Model",
                                   "agency_before": "Name before", "agency": "Name now",
                                   "score": "Name similarity (0-100)"},
            empty="No agreement was renamed.")),
        ("Returned after an absence (flickering back)", table(
            _labelled(c.added[c.added["change"] == "returned"]),
            {"state": "State", "agency": "Agency", "model": "Model",
             "last_seen_before": "Last listed before"},
            empty="No agreement reappeared after an absence.")),
        ("Agreements by state", table(
            c.by_state, {"state": "State", **compared, "now": _date(c.latest), **change},
            empty="No agreements.")),
        ("Agreements by model", table(
            _labelled(c.by_model), {"model": "Model", **compared, "now": _date(c.latest),
                                    **change},
            empty="No agreements.")),
        ("History of changes, one row per snapshot", table(
            log.history.iloc[::-1], {
                "snapshot_date": "Snapshot", "previous": "Compared with",
                "agreements": "Agreements", "added": "Added (new)", "returned": "Returned",
                "renamed": "Renamed", "removed": "Removed", "exits": "Exits",
                "net_change": "Net change"},
            empty="No snapshot.")),
    ]  # fmt: skip
    body = "\n".join(f"<section><h2>{html.escape(h)}</h2>\n{t}</section>" for h, t in sections)
    notes = (
        "Counts are agreements (one agency under one model) unless they say agencies. Only "
        "snapshots in the time series count: a list repeating the one before is left out. A "
        "removed agreement is renamed when the lineage links it to an agreement of the same "
        "state and model, with a similar name, that is new on this list; it is an exit when no "
        "successor was found. ICE publishes no list of terminated agreements, so an exit on the "
        "latest list is provisional: a later list may show the agreement again. The history "
        "counts removals other than renames, exits among them."
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)}</title>
<style>{STYLE}</style></head>
<body><nav><a href="index.html">&larr; All reports</a></nav>
<main>
<h1>What changed in ICE's 287(g) list of <span class="date">{_date(c.latest)}</span></h1>
<p class="note">{html.escape(f"The change log, as of {scope}.")}</p>
<p class="summary">{html.escape(summary(c))}</p>
{body}
<section><h2>How to read this page</h2><p class="note">{html.escape(notes)}</p></section>
</main>
<footer><nav><a href="index.html">&larr; All reports</a></nav></footer>
</body></html>
"""

"""The change log on tiny histories: added, removed, renamed, exits, flickers; the page."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.site.changes import changes_html
from analysis.study.changes import change_log

D1, D2, D3, D4 = (pd.Timestamp(d) for d in ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"))


def row(day, state, agency, model="TFM", in_series=True):
    key = f"{state}|{agency.upper()}"
    return {
        "snapshot_date": day, "list": "participating", "in_time_series": in_series,
        "sheet_row": 2, "state": state, "agency": agency, "model": model, "agency_key": key,
        "agreement_key": f"{key}|{model}", "agency_type": "County", "signed": D1,
    }  # fmt: skip


def agreement(key, lineage, successor=None, gone_at=None, note=None):
    return {"agreement_key": key, "lineage": lineage, "successor_key": successor,
            "successor_score": 90.0 if successor else None, "lineage_note": note,
            "gone_at": gone_at}  # fmt: skip


@pytest.fixture
def tiny():
    rows = []
    for day in (D1, D2, D3, D4):
        rows.append(row(day, "TX", "Alpha County Sheriff's Office"))
        rows.append(row(day, "TX", "Alpha County Sheriff's Office", "WSO"))
    rows += [row(d, "MD", "Frederick County Sheriff's Office", "JEM") for d in (D1, D2, D3)]
    rows += [row(d, "OK", "Okfusfee County Sheriff's Office") for d in (D1, D2, D3)]
    rows += [row(D4, "OK", "Okfuskee County Sheriff's Office")]
    rows += [row(d, "NV", "Douglas County Sheriff's Office") for d in (D1, D2, D4)]  # flicker
    rows += [row(d, "FL", "Bravo Police Department") for d in (D3, D4)]
    rows += [row(D4, "FL", "Charlie Police Department")]
    rows += [row(D4, "FL", "Bravo Police Department", in_series=False)]  # a repeat: ignored
    history = pd.DataFrame(rows)
    agreements = pd.DataFrame([
        agreement("MD|FREDERICK COUNTY SHERIFF'S OFFICE|JEM", "exit", gone_at=D4),
        agreement("OK|OKFUSFEE COUNTY SHERIFF'S OFFICE|TFM", "successor",
                  "OK|OKFUSKEE COUNTY SHERIFF'S OFFICE|TFM", D4, "similar name"),
    ])  # fmt: skip
    return history, agreements


def test_latest_against_the_one_before(tiny):
    log = change_log(*tiny)
    c = log.latest
    assert (c.previous, c.latest) == (D3, D4)
    assert (c.agreements_before, c.agreements) == (5, 6)
    added = dict(zip(c.added["agency"], c.added["change"], strict=True))
    assert added == {
        "Charlie Police Department": "new",
        "Douglas County Sheriff's Office": "returned",
        "Okfuskee County Sheriff's Office": "renamed",
    }
    assert (
        c.added.set_index("agency").loc["Douglas County Sheriff's Office", "last_seen_before"] == D2
    )
    removed = dict(zip(c.removed["agency"], c.removed["change"], strict=True))
    assert removed == {
        "Frederick County Sheriff's Office": "exit",
        "Okfusfee County Sheriff's Office": "renamed",
    }
    assert c.renamed[["agency_before", "agency"]].values.tolist() == [
        ["Okfusfee County Sheriff's Office", "Okfuskee County Sheriff's Office"]
    ]
    assert c.exits_by_state.to_dict("records") == [{"state": "MD", "exits": 1, "agencies": 1}]
    # Agencies: the rename is neither a join nor a departure.
    assert c.agencies_joined["agency"].tolist() == [
        "Charlie Police Department", "Douglas County Sheriff's Office"
    ]  # fmt: skip
    assert c.agencies_left.to_dict("records") == [
        {"state": "MD", "agency": "Frederick County Sheriff's Office", "models": "JEM",
         "exit": True}
    ]  # fmt: skip
    by_state = c.by_state.set_index("state")
    assert by_state.loc["MD"].tolist() == [1, 0, -1]
    assert by_state.loc["FL"].tolist() == [1, 2, 1]
    assert c.by_model.set_index("model").loc["JEM"].tolist() == [1, 0, -1]


def test_history_one_row_per_snapshot_and_a_flicker_is_not_an_exit(tiny):
    history = change_log(*tiny).history
    assert history["snapshot_date"].tolist() == [D1, D2, D3, D4]
    assert history["agreements"].tolist() == [5, 5, 5, 6]
    d3 = history.set_index("snapshot_date").loc[D3]
    # On D3 Douglas County was absent (it returns on D4): removed, not an exit; Bravo was new.
    assert (d3["added"], d3["removed"], d3["exits"], d3["returned"]) == (1, 1, 0, 0)
    d4 = history.set_index("snapshot_date").loc[D4]
    assert (d4["added"], d4["returned"], d4["renamed"], d4["removed"], d4["exits"]) == (
        1,
        1,
        1,
        1,
        1,
    )
    assert (history["net_change"] == history["agreements"].diff().fillna(0)).all()


def test_as_of_takes_the_snapshot_before(tiny):
    c = change_log(*tiny, as_of="2026-03-31").latest
    assert (c.previous, c.latest) == (D2, D3)
    # Douglas County, absent on D3, is listed again later than as_of: not known then.
    assert dict(zip(c.removed["agency"], c.removed["change"], strict=True)) == {
        "Douglas County Sheriff's Office": "uncertain"
    }


def test_a_single_snapshot_renders_without_changes(tiny):
    history, agreements = tiny
    log = change_log(history[history["snapshot_date"] == D1], agreements.iloc[0:0])
    assert log.latest.previous is None and log.latest.added.empty
    page = changes_html(log)
    assert "the only snapshot in the time series" in page
    assert '<a href="index.html">' in page


def test_page_names_the_agencies_escapes_text_and_loads_nothing(tiny):
    history, agreements = tiny
    history.loc[history["agency"] == "Charlie Police Department", "agency"] = "<b>Charlie</b> PD"
    page = changes_html(change_log(history, agreements))
    assert "&lt;b&gt;Charlie&lt;/b&gt; PD" in page and "<b>Charlie" not in page
    assert "Frederick County Sheriff&#x27;s Office" in page
    assert '<tr class="exit">' in page
    assert "<script" not in page and "http" not in page
    assert page.count('href="index.html"') == 2

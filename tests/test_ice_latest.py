"""`fetch --latest-ice` against a local server imitating ICE's 287(g) page."""

from __future__ import annotations

import csv
import http.server
import threading
from datetime import UTC, datetime

import pytest
from test_ice_fixtures import PENDING_COLUMNS, WORKBOOK_COLUMNS, link, write_sheet

from analysis.cli import main
from analysis.fetch import FetchError
from analysis.ice import live
from analysis.ice.index import live_snapshots
from analysis.ice.live import fetch_latest_ice, spreadsheet_links

PAGE = b"""<html><body>
<a href="/doclib/about/offices/ero/287g/participatingAgencies11272026pm.xlsx">Participating
 Agencies</a>
<a href="/doclib/about/offices/ero/287g/pendingAgencies11272026pm.xlsx">Pending Agencies</a>
<a href="/doclib/287gMOA/Some_MOA.pdf">an MOA</a>
<a href="/news">news</a></body></html>"""


class Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}

    def do_GET(self):  # noqa: N802
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):
        pass


@pytest.fixture
def ice_site():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.routes
    httpd.shutdown()
    Handler.routes.clear()


def test_links_are_found_by_word_not_by_date():
    links = spreadsheet_links(PAGE.decode(), "https://www.ice.gov/identify-and-arrest/287g")
    assert links == [
        (
            "https://www.ice.gov/doclib/about/offices/ero/287g/participatingAgencies11272026pm.xlsx",
            "participating",
        ),
        (
            "https://www.ice.gov/doclib/about/offices/ero/287g/pendingAgencies11272026pm.xlsx",
            "pending",
        ),
    ]


PART_URL = "/doclib/about/offices/ero/287g/participatingAgencies11272026pm.xlsx"
PEND_URL = "/doclib/about/offices/ero/287g/pendingAgencies11272026pm.xlsx"
NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


def participating_bytes(tmp_path, name="p.xlsx", columns=None, agency="Alpha Police Department"):
    """A small participating workbook; ``columns`` renames/drops/adds header cells."""
    columns = columns or WORKBOOK_COLUMNS
    row = {
        "STATE": "OHIO", "LAW ENFORCEMENT AGENCY": agency, "TYPE": "Municipality",
        "COUNTY": "N/A", "SUPPORT TYPE": "Task Force Model", "SIGNED": datetime(2026, 11, 2),
        "MOA": link("alpha"), "ADDENDUM": None,
    }  # fmt: skip
    values = [row.get(c, row.get(WORKBOOK_COLUMNS[i] if i < 8 else "", "x"))
              for i, c in enumerate(columns)]  # fmt: skip
    return write_sheet(tmp_path / "served" / name, columns, [values]).read_bytes()


def pending_bytes(tmp_path, name="q.xlsx", columns=None):
    columns = columns or PENDING_COLUMNS
    values = ["OHIO", "Bravo Police Department", "Municipality", "N/A", "Task Force Model"]
    return write_sheet(tmp_path / "served" / name, columns, [values[: len(columns)]]).read_bytes()


def test_latest_lists_downloaded_dated_by_retrieval_and_recorded(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = PAGE
    p1, q1 = participating_bytes(tmp_path), pending_bytes(tmp_path)
    routes[PART_URL] = p1
    routes[PEND_URL] = q1
    now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    snaps = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, now=now, echo=lambda m: None)
    assert [s.file for s in snaps] == [
        "ice_287g/latest/participating_2026-11-28.xlsx",
        "ice_287g/latest/pending_2026-11-28.xlsx",
    ]
    assert snaps[0].original_name == "participatingAgencies11272026pm.xlsx"
    assert (tmp_path / snaps[0].file).read_bytes() == p1
    # ICE re-uploads under the same name: new content the same day gets its own file.
    routes[PART_URL] = participating_bytes(tmp_path, "p2.xlsx", agency="Charlie PD")
    again = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, now=now, echo=lambda m: None)
    assert again[0].file == "ice_287g/latest/participating_2026-11-28_2.xlsx"
    assert (tmp_path / snaps[0].file).read_bytes() == p1
    assert len(live_snapshots(tmp_path)) == 3
    assert not list((tmp_path / "ice_287g/latest").glob("*.part"))


def test_page_without_lists_is_an_error(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = b"<html><a href='/x.pdf'>x</a></html>"
    with pytest.raises(FetchError, match="no participating or pending"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, echo=lambda m: None)


# ---------------------------------------------------------------------------------------------
# Schema drift alarm


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def first_fetch(tmp_path, base, routes):
    routes["/287g"] = PAGE
    routes[PART_URL] = participating_bytes(tmp_path)
    routes[PEND_URL] = pending_bytes(tmp_path)
    fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    return (tmp_path / "raw" / "ice_287g/latest/LATEST.csv").read_bytes()


@pytest.mark.parametrize(
    ("columns", "fragments"),
    [
        (  # a column renamed: SIGNED -> DATE SIGNED
            [("DATE SIGNED" if c == "SIGNED" else c) for c in WORKBOOK_COLUMNS],
            ["ICE's participating list changed its columns: removed SIGNED; added 'DATE SIGNED'",
             "compared with the latest participating snapshot "
             "ice_287g/latest/participating_2026-11-28.xlsx",
             "it reads as a pending list"],
        ),
        (  # a column dropped
            [c for c in WORKBOOK_COLUMNS if c != "COUNTY"],
            ["ICE's participating list changed its columns: removed COUNTY (compared with"],
        ),
        (  # a required column renamed: the reader cannot map the sheet at all
            [("MODEL" if c == "SUPPORT TYPE" else c) for c in WORKBOOK_COLUMNS],
            ["ICE's participating list cannot be read any more: the sheet: sheet 'Sheet1', "
             "header row 1", "missing required column(s) SUPPORT TYPE",
             "unrecognized column(s) 'MODEL'"],
        ),
    ],
)  # fmt: skip
def test_changed_columns_stop_the_fetch_and_name_the_change(tmp_path, ice_site, columns,
                                                            fragments):  # fmt: skip
    base, routes = ice_site
    index = first_fetch(tmp_path, base, routes)
    raw = tmp_path / "raw"
    before = files_under(raw)
    processed = tmp_path / "processed"
    processed.mkdir()
    (processed / "agreements.csv").write_text("untouched\n")
    routes[PART_URL] = participating_bytes(tmp_path, "changed.xlsx", columns=columns)
    later = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    with pytest.raises(FetchError) as err:
        fetch_latest_ice(f"{base}/287g", raw_dir=raw, now=later, echo=lambda m: None)
    message = str(err.value)
    assert message.startswith(f"{base}{PART_URL}: ")
    for fragment in fragments:
        assert fragment in message, message
    assert "Nothing was recorded in LATEST.csv and the processed data were not touched" in message
    rejected = "ice_287g/latest/rejected/participating_2026-11-29T150000Z.xlsx"
    assert f"kept for inspection at {raw / rejected}" in message
    # Only the rejected file was added; the index, the processed data and the pending list
    # (downloaded fine, but in the same stopped fetch) were not touched.
    assert files_under(raw) == sorted(before + [rejected])
    assert (raw / "ice_287g/latest/LATEST.csv").read_bytes() == index
    assert (processed / "agreements.csv").read_text() == "untouched\n"


def test_a_new_extra_column_warns_and_is_accepted(tmp_path, ice_site):
    base, routes = ice_site
    first_fetch(tmp_path, base, routes)
    routes[PART_URL] = participating_bytes(
        tmp_path, "extra.xlsx", columns=WORKBOOK_COLUMNS + ["TERMINATED"]
    )
    said = []
    later = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    snaps = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=later, echo=said.append)
    assert snaps[0].file == "ice_287g/latest/participating_2026-11-29.xlsx"
    assert any(
        m.startswith(f"warning: {base}{PART_URL}: ICE's participating list has new column(s) "
                     "'TERMINATED' not in the latest participating snapshot")
        for m in said
    ), said  # fmt: skip


def test_without_an_earlier_snapshot_the_documented_schema_is_the_reference(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = PAGE
    routes[PART_URL] = participating_bytes(
        tmp_path, columns=[c for c in WORKBOOK_COLUMNS if c != "ADDENDUM"]
    )
    routes[PEND_URL] = pending_bytes(tmp_path)
    with pytest.raises(FetchError, match="removed ADDENDUM \\(compared with the newest documented"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", echo=lambda m: None)
    assert not (tmp_path / "raw" / "ice_287g/latest/LATEST.csv").exists()


def test_a_download_that_is_not_a_workbook_is_rejected(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = PAGE
    routes[PART_URL] = b"<html>Access Denied</html>"
    routes[PEND_URL] = pending_bytes(tmp_path)
    with pytest.raises(FetchError, match="cannot be read any more: .*not a zip archive"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    latest = tmp_path / "raw" / "ice_287g/latest"
    assert files_under(latest) == ["rejected/participating_2026-11-28T150000Z.xlsx"]


def test_cli_fetch_latest_reports_drift_without_traceback(tmp_path, ice_site, monkeypatch,
                                                          capsys):  # fmt: skip
    base, routes = ice_site
    routes["/287g"] = PAGE
    routes[PART_URL] = participating_bytes(
        tmp_path, columns=[("AGENCY" if c == "LAW ENFORCEMENT AGENCY" else c)
                           for c in WORKBOOK_COLUMNS]
    )  # fmt: skip
    routes[PEND_URL] = pending_bytes(tmp_path)
    import analysis.cli.fetch as fetch_command

    monkeypatch.setattr(fetch_command, "paths", type("P", (), {
        "mirror": staticmethod(lambda: None), "RAW": tmp_path / "raw"}))  # fmt: skip
    monkeypatch.setattr("analysis.fetch.fetch_all", lambda **kw: [])
    real = live.fetch_latest_ice
    monkeypatch.setattr(
        live, "fetch_latest_ice",
        lambda **kw: real(f"{base}/287g", raw_dir=tmp_path / "raw", **kw),
    )  # fmt: skip
    code = main(["fetch", "--latest-ice", "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"error: {base}{PART_URL}: ICE's participating list cannot be read")
    assert "lacks LAW ENFORCEMENT AGENCY" in err and "processed data were not touched" in err


# ---------------------------------------------------------------------------------------------
# Recording


def test_latest_csv_is_replaced_only_when_written_in_full(tmp_path, ice_site, monkeypatch):
    base, routes = ice_site
    index = first_fetch(tmp_path, base, routes)
    routes[PART_URL] = participating_bytes(tmp_path, "p2.xlsx", agency="Charlie PD")

    class BrokenWriter(csv.DictWriter):
        def writerows(self, rows):
            super().writerows(list(rows)[:1])
            raise OSError("disk full")

    monkeypatch.setattr(live.csv, "DictWriter", BrokenWriter)
    later = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)
    with pytest.raises(OSError, match="disk full"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=later, echo=lambda m: None)
    latest = tmp_path / "raw" / "ice_287g/latest"
    assert (latest / "LATEST.csv").read_bytes() == index
    assert not [p.name for p in latest.iterdir() if p.name.endswith(".part")]


def test_a_failing_head_request_is_a_fetch_error_naming_the_url(tmp_path, ice_site, monkeypatch):
    import requests

    base, routes = ice_site
    # A link without .xlsx: ICE's file name is asked for with a HEAD request.
    routes["/287g"] = PAGE.replace(b'.xlsx">Participating', b'">Participating download')
    routes[PART_URL.removesuffix(".xlsx")] = participating_bytes(tmp_path)
    routes[PEND_URL] = pending_bytes(tmp_path)

    def refuse(url, **kwargs):
        raise requests.ConnectionError("connection refused")

    monkeypatch.setattr(requests, "head", refuse)
    with pytest.raises(FetchError) as err:
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    url = f"{base}{PART_URL.removesuffix('.xlsx')}"
    assert str(err.value).startswith(f"could not ask {url} for its file name: ConnectionError")
    assert files_under(tmp_path / "raw") == []

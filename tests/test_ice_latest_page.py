"""`fetch --latest-ice` on ICE's page as it is now: saved HTML fixtures (tests/fixtures/ice_page)
with ``/file-download/download/public/<id>`` links without ``.xlsx``, drifting file names, and no
pending list since February 2026."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_ice_latest import Handler, ice_site, participating_bytes, pending_bytes  # noqa: F401

from analysis.fetch import FetchError
from analysis.ice.index import live_snapshots
from analysis.ice.live import fetch_latest_ice, spreadsheet_links

PAGES = Path(__file__).parent / "fixtures" / "ice_page"
ICE = "https://www.ice.gov/identify-and-arrest/287g"
NOW = datetime(2026, 5, 12, 14, 30, tzinfo=UTC)


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def test_file_download_link_without_xlsx_is_the_participating_list_by_its_heading():
    links = spreadsheet_links(page("page_2026_file_download.html"), ICE)
    # The MOA template (a /file-download/ link typed application/pdf), the MOA PDF and the
    # archive page are not lists.
    assert links == [("https://www.ice.gov/file-download/download/public/78213", "participating")]


def test_both_lists_and_a_reissue_named_only_in_the_title():
    links = spreadsheet_links(page("page_2025_both_lists.html"), ICE)
    base = "https://www.ice.gov/doclib/about/offices/ero/287g/"
    assert links == [
        (base + "participatingAgencies12312025am.xlsx", "participating"),
        (base + "pendingAgencies12312025am.xlsx", "pending"),
        ("https://www.ice.gov/file-download/download/public/70111", "participating"),
    ]


class DispositionHandler(Handler):
    """ICE's file-download links: the file name is only in Content-Disposition."""

    names: dict[str, str] = {}

    def do_HEAD(self):  # noqa: N802
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        if self.path in self.names:
            self.send_header(
                "Content-Disposition", f'attachment; filename="{self.names[self.path]}"'
            )
        self.end_headers()


@pytest.fixture
def ice_2026(monkeypatch):
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DispositionHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", Handler.routes, DispositionHandler.names
    httpd.shutdown()
    Handler.routes.clear()
    DispositionHandler.names.clear()


def test_todays_page_downloads_the_participating_list_and_notes_no_pending(tmp_path, ice_2026):
    base, routes, names = ice_2026
    routes["/287g"] = page("page_2026_file_download.html").encode()
    body = participating_bytes(tmp_path)
    routes["/file-download/download/public/78213"] = body
    names["/file-download/download/public/78213"] = "participatingAgencies051120263pm.xlsx"
    said: list[str] = []
    snaps = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=said.append)
    assert [(s.file, s.list_catalog) for s in snaps] == [
        ("ice_287g/latest/participating_2026-05-12.xlsx", "participating")
    ]
    # The drifting file name (a digit typo) is recorded as ICE sent it; the date is retrieval.
    assert snaps[0].original_name == "participatingAgencies051120263pm.xlsx"
    assert snaps[0].origin == f"{base}/file-download/download/public/78213"
    assert (tmp_path / "raw" / snaps[0].file).read_bytes() == body
    assert any(m.startswith("note: ") and "links no pending-agencies list" in m for m in said)
    assert [s.file for s in live_snapshots(tmp_path / "raw")] == [snaps[0].file]


def test_a_page_with_only_a_pending_list_is_an_error(tmp_path, ice_2026):
    base, routes, _names = ice_2026
    routes["/287g"] = page("page_pending_only.html").encode()
    routes["/file-download/download/public/70999"] = pending_bytes(tmp_path)
    with pytest.raises(FetchError, match="no participating-agencies spreadsheet link found"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    assert not (tmp_path / "raw" / "ice_287g/latest/LATEST.csv").exists()


def test_a_file_download_link_serving_an_html_page_is_rejected_not_recorded(tmp_path, ice_2026):
    base, routes, _names = ice_2026
    routes["/287g"] = page("page_2026_file_download.html").encode()
    routes["/file-download/download/public/78213"] = b"<!DOCTYPE html><html>Access Denied</html>"
    with pytest.raises(FetchError, match="cannot be read any more: .*HTML or XML text"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path / "raw", now=NOW, echo=lambda m: None)
    assert not (tmp_path / "raw" / "ice_287g/latest/LATEST.csv").exists()

"""`fetch --latest-ice` against a local server imitating ICE's 287(g) page."""

from __future__ import annotations

import http.server
import threading
from datetime import UTC, datetime

import pytest

from analysis.fetch import FetchError
from analysis.ice_latest import fetch_latest_ice, latest_snapshots, spreadsheet_links

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


def test_latest_lists_downloaded_dated_by_retrieval_and_recorded(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = PAGE
    routes["/doclib/about/offices/ero/287g/participatingAgencies11272026pm.xlsx"] = b"P1"
    routes["/doclib/about/offices/ero/287g/pendingAgencies11272026pm.xlsx"] = b"Q1"
    now = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    snaps = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, now=now, echo=lambda m: None)
    assert [s.path for s in snaps] == [
        "ice_287g/latest/participating_2026-11-28.xlsx",
        "ice_287g/latest/pending_2026-11-28.xlsx",
    ]
    assert snaps[0].ice_file_name == "participatingAgencies11272026pm.xlsx"
    assert (tmp_path / snaps[0].path).read_bytes() == b"P1"
    # ICE re-uploads under the same name: new content the same day gets its own file.
    routes["/doclib/about/offices/ero/287g/participatingAgencies11272026pm.xlsx"] = b"P2"
    again = fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, now=now, echo=lambda m: None)
    assert again[0].path == "ice_287g/latest/participating_2026-11-28_2.xlsx"
    assert (tmp_path / snaps[0].path).read_bytes() == b"P1"
    assert len(latest_snapshots(tmp_path)) == 3
    assert not list((tmp_path / "ice_287g/latest").glob("*.part"))


def test_page_without_lists_is_an_error(tmp_path, ice_site):
    base, routes = ice_site
    routes["/287g"] = b"<html><a href='/x.pdf'>x</a></html>"
    with pytest.raises(FetchError, match="no participating or pending"):
        fetch_latest_ice(f"{base}/287g", raw_dir=tmp_path, echo=lambda m: None)

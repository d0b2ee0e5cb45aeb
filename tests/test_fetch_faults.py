"""Download faults against a local server on 127.0.0.1: nothing partial lands, retries are
bounded, and every failure says what to do."""

from __future__ import annotations

import hashlib
import http.server
import threading
import time

import pytest

from analysis.fetch import CatalogEntry, FetchError, fetch_one

BODY = b"x" * 50_000


def entry(url: str) -> CatalogEntry:
    return CatalogEntry(
        path="demo/big.bin", sha256=hashlib.sha256(BODY).hexdigest(), bytes=len(BODY), url=url,
        license="", landing_page="", description="", source_ref="", derive_from_url="",
        derive_from_sha256="", derive_recipe="",
    )  # fmt: skip


class FaultyHandler(http.server.BaseHTTPRequestHandler):
    """Behaviour per path; counts requests so tests can check the retry bound."""

    hits: dict[str, int] = {}

    def do_GET(self):  # noqa: N802
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        n = self.hits[self.path]
        if self.path == "/drop":  # announces the full length, sends half, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/always500" or (self.path == "/flaky" and n == 1):
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path not in ("/flaky", "/slow"):
            self.send_error(404)
            return
        try:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FaultyHandler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    FaultyHandler.hits.clear()


def partials(raw):
    return [p for p in raw.rglob("*") if p.is_file()]


def test_connection_dropped_mid_file(tmp_path, server):
    raw = tmp_path / "raw"
    with pytest.raises(FetchError) as err:
        fetch_one(entry(f"{server}/drop"), raw_dir=raw, retries=2)
    assert "demo/big.bin" in str(err.value) and f"{server}/drop" in str(err.value)
    assert FaultyHandler.hits["/drop"] == 2
    assert partials(raw) == []


def test_server_error_is_retried_a_bounded_number_of_times(tmp_path, server):
    raw = tmp_path / "raw"
    with pytest.raises(FetchError, match="500"):
        fetch_one(entry(f"{server}/always500"), raw_dir=raw, retries=3)
    assert FaultyHandler.hits["/always500"] == 3
    assert partials(raw) == []


def test_transient_server_error_recovers(tmp_path, server):
    rec = fetch_one(entry(f"{server}/flaky"), raw_dir=tmp_path / "raw", retries=3)
    assert rec.source == "download" and FaultyHandler.hits["/flaky"] == 2
    assert (tmp_path / "raw" / "demo" / "big.bin").read_bytes() == BODY


def test_slow_server_times_out(tmp_path, server):
    raw = tmp_path / "raw"
    with pytest.raises(FetchError, match="(?i)timed? ?out"):
        fetch_one(entry(f"{server}/slow"), raw_dir=raw, retries=2, timeout=0.3)
    assert FaultyHandler.hits["/slow"] == 2
    assert partials(raw) == []


def test_not_found_is_not_retried(tmp_path, server):
    with pytest.raises(FetchError, match="404"):
        fetch_one(entry(f"{server}/missing"), raw_dir=tmp_path / "raw", retries=3)
    assert FaultyHandler.hits["/missing"] == 1

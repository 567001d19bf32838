"""End to end: a web archive whose CDX listing pages on without end, or gives the same resume key
again, cannot hold a ``-a via=wayback`` run: each listing stops at
``MAYADEEN_ARCHIVE_INDEX_MAX_PAGES`` pages, or at the key that came round again, counted."""

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from mayadeen.loopback import LoopbackServer
from tests.helpers.outputs import run_stats
from tests.helpers.runs import crawl

HEADER = ["original", "timestamp", "statuscode", "mimetype", "digest"]


class EndlessCdx(ThreadingHTTPServer):
    """A CDX API whose every page is empty and resumes at another key (``endless``) or at the
    same one (``same``); it counts the pages asked per listing (``url=``)."""

    daemon_threads = True

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.asked: Counter[str] = Counter()
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: EndlessCdx

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        self.server.asked[query.get("url", [""])[0]] += 1
        given = int(query.get("resumeKey", ["0"])[0])
        key = given if self.server.mode == "same" else given + 1
        body = json.dumps([HEADER, [], [str(key or 1)]]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=["endless", "same"])
def cdx(request: pytest.FixtureRequest) -> Iterator[EndlessCdx]:
    server = EndlessCdx(request.param)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_an_archive_listing_that_never_ends_is_read_to_a_bound(
    server: LoopbackServer, cdx: EndlessCdx, tmp_path: Path
) -> None:
    done = crawl(
        server.root,
        tmp_path,
        "-a", "via=wayback",
        "-s", f"MAYADEEN_WAYBACK_URL={cdx.root}",
        "-s", "MAYADEEN_ARCHIVE_DELAY=0",
        "-s", "MAYADEEN_ARCHIVE_INDEX_MAX_PAGES=5",
        timeout=120,
    )  # fmt: skip
    stats = run_stats(tmp_path)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert cdx.asked, "the listings were asked"
    if cdx.mode == "endless":
        assert set(cdx.asked.values()) == {5}, cdx.asked
        assert stats["mayadeen/limits/archive_index_pages"] == len(cdx.asked)
    else:  # the first page, then the page of its key, which gives the same key again
        assert set(cdx.asked.values()) == {2}, cdx.asked
        assert stats["mayadeen/limits/archive_index_loop"] == len(cdx.asked)

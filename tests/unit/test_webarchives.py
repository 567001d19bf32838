"""The web archives as sources, without a crawl: the loopback copies of their interfaces (as
their documentation and cdx_toolkit describe them) read by ``mayadeen.webarchives``."""

import gzip
import http.client
import json
import tracemalloc
from collections.abc import Iterator
from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.webarchives import WebArchives
from mayadeen.store import Store
from mayadeen.store.origins import (
    Origin,
    cursor,
    origin_of,
    save_cursor,
    set_origin,
    stored_origins,
)
from mayadeen.webarchives import commoncrawl, wayback
from mayadeen.webarchives.captures import Capture, Newest
from mayadeen.webarchives.warc_record import BadRecord, read_record
from tests.helpers.runs import Reply, fetch


@pytest.fixture(scope="module")
def archives() -> Iterator[tuple[GeneratedSite, WebArchives, LoopbackServer]]:
    site = GeneratedSite(8, seed=4)
    held = WebArchives(site, "http://127.0.0.1:9", page_size=3)
    held.capture_site()
    held.capture(news_path(site), "20300101000000")  # a second, newer capture of one article
    with LoopbackServer(held) as server:
        yield site, held, server


def news_path(site: GeneratedSite) -> str:
    return next(a.entry.path for a in site.articles_by_index if a.entry.path.startswith("/news/"))


def query(server: LoopbackServer, url: str) -> bytes:
    parts = urlsplit(url)
    reply = fetch(server.root, f"{parts.path}?{parts.query}")
    assert reply.status == 200, reply.body
    return reply.body


def test_a_wayback_listing_read_page_by_page_with_resume_keys_lists_every_capture_once(
    archives: tuple[GeneratedSite, WebArchives, LoopbackServer],
) -> None:
    site, held, server = archives
    root = "http://127.0.0.1:9"
    listed: list[Capture] = []
    resume, pages = None, 0
    while True:
        url = wayback.query_url(server.root, root, "/news/", None, 2, resume)
        page = wayback.read_page(query(server, url), root)
        listed += page.captures
        pages += 1
        if page.resume_key is None:
            break
        resume = page.resume_key
    expected = [h for h in held.held if h.path.startswith("/news/")]
    assert len(listed) == len(expected)
    assert pages == -(-len(expected) // 2)
    assert {c.url for c in listed} == {root + h.path for h in expected}
    # The newest capture of each URL, across the pages.
    newest = Newest()
    found = [c for c, _ in newest.feed(listed, "")] + [c for c, _ in newest.end()]
    assert len(found) == len({c.url for c in listed})
    first = root + news_path(site)
    assert next(c for c in found if c.url == first).timestamp == "20300101000000"


def test_the_cdx_filters_collapse_time_range_and_negative_limit(
    archives: tuple[GeneratedSite, WebArchives, LoopbackServer],
) -> None:
    site, held, server = archives
    path = news_path(site)
    base = f"/cdx/search/cdx?url=127.0.0.1:9{path}&output=json&fl=timestamp"
    assert json.loads(fetch(server.root, base).body)[1:] == [
        [h.timestamp] for h in held.held if h.path == path
    ]
    assert json.loads(fetch(server.root, base + "&limit=-1").body)[1:] == [["20300101000000"]]
    assert json.loads(fetch(server.root, base + "&from=2030").body)[1:] == [["20300101000000"]]
    assert json.loads(fetch(server.root, base + "&to=2029").body)[1:][-1] != ["20300101000000"]
    assert json.loads(fetch(server.root, base + "&filter=!statuscode:200").body)[1:] == []
    prefix = "/cdx/search/cdx?url=127.0.0.1:9/news/&matchType=prefix&output=json&fl=original"
    every = json.loads(fetch(server.root, prefix).body)[1:]
    collapsed = json.loads(fetch(server.root, prefix + "&collapse=urlkey").body)[1:]
    assert len(collapsed) == len({row[0] for row in every}) < len(every) or len(every) == len(
        collapsed
    )


def test_a_common_crawl_index_pages_ranges_and_records(
    archives: tuple[GeneratedSite, WebArchives, LoopbackServer],
) -> None:
    _, held, server = archives
    root = "http://127.0.0.1:9"
    (crawl,) = commoncrawl.read_collinfo(fetch(server.root, "/collinfo.json").body, None, 3)
    assert crawl.id == "CC-MAIN-2024-10"
    assert crawl.cdx_api == f"{server.root}/CC-MAIN-2024-10-index"
    numbers = json.loads(query(server, commoncrawl.pages_url(crawl, root, "/articles/", None)))
    captures: list[Capture] = []
    for number in range(numbers["pages"]):
        body = query(server, commoncrawl.query_url(crawl, root, "/articles/", None, number))
        captures += commoncrawl.read_page(body, crawl, root)
    assert len(captures) == sum(h.path.startswith("/articles/") for h in held.held)
    past = commoncrawl.query_url(crawl, root, "/articles/", None, numbers["pages"])
    assert fetch(server.root, urlsplit(past).path + "?" + urlsplit(past).query).status == 400
    none = commoncrawl.query_url(crawl, root, "/nothing/", None, 0)
    assert fetch(server.root, urlsplit(none).path + "?" + urlsplit(none).query).status == 404
    # Each capture's record, read with a range request, is the page as captured.
    capture = captures[0]
    ranged = fetch_range(server, capture)
    assert ranged.status == 206
    record = read_record(ranged.body)
    assert record.status == 200
    assert record.record_id.startswith("<urn:uuid:")
    assert record.body == next(h.body for h in held.held if root + h.path == capture.url)
    with pytest.raises(BadRecord):
        read_record(ranged.body[: len(ranged.body) // 2])


def fetch_range(server: LoopbackServer, capture: Capture) -> Reply:
    """The capture's record, as Common Crawl's data is read: a range request."""
    connection = http.client.HTTPConnection("127.0.0.1", urlsplit(server.root).port, timeout=10)
    try:
        connection.request(
            "GET", f"/{capture.filename}", headers={"Range": commoncrawl.record_range(capture)}
        )
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


def test_since_narrows_the_queries() -> None:
    url = wayback.query_url("http://w", "http://h", "/news/", date(2024, 5, 1), 10)
    assert "from=20240501" in url
    crawl = commoncrawl.Crawl("CC-MAIN-2024-10", "http://i/CC-MAIN-2024-10-index")
    assert "from=20240501" in commoncrawl.query_url(
        crawl, "http://h", "/news/", date(2024, 5, 1), 0
    )


def test_an_articles_origin_is_replaced_by_a_fetch_and_kept_by_a_re_extraction(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        url = "http://h/news/politics/a"
        capture = Origin("wayback", "2024-01-01T00:00:00+00:00", None, "http://w/web/x")
        set_origin(store.db, url, capture, "r1")
        set_origin(store.db, url, Origin("site", "2026-01-01T00:00:00+00:00"), "r2", replace=False)
        assert origin_of(store.db, url) == capture
        assert stored_origins(store.db) == {url: ("2024-01-01T00:00:00+00:00", None)}
        newer = Origin("commoncrawl", "2025-01-01T00:00:00+00:00", "CC-MAIN-2025-05")
        set_origin(store.db, url, newer, "r3")
        assert origin_of(store.db, url) == newer
        assert cursor(store.db, "q") is None
        save_cursor(store.db, "q", "k2", "now")
        assert cursor(store.db, "q") == "k2"
        save_cursor(store.db, "q", None, "now")
        assert cursor(store.db, "q") is None


def _response_record(body: bytes, headers: list[tuple[str, str]]) -> bytes:
    out = BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://english.almayadeen.net/news/politics/a",
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=http,
        )
    )
    return out.getvalue()


def test_a_common_crawl_record_that_is_a_gzip_bomb_is_refused_within_bounded_memory() -> None:
    bomb = gzip.compress(b"\0" * (128 << 20), compresslevel=9)
    data = _response_record(bomb, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
    whole = _response_record(b"\0" * (128 << 20), [("Content-Type", "text/html")])
    tracemalloc.start()
    try:
        with pytest.raises(BadRecord, match="larger than 8388608 bytes"):
            read_record(data, 8 << 20)
        with pytest.raises(BadRecord, match="larger than 8388608 bytes"):
            read_record(whole, 8 << 20)  # a record block inflating to 128 MiB
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"{peak:,} bytes at the peak"

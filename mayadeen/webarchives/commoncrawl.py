"""Common Crawl's index and data, as cdx_toolkit speaks to them.

``collinfo.json`` lists the crawls, newest first, each with its ``cdx-api``. A crawl's index
answers JSON lines (``url``, ``timestamp``, ``status``, ``mime``, ``digest``, ``filename``,
``offset``, ``length``), in pages (``page=N``; ``showNumPages=true`` says how many); a page past
the last answers 400, a query without captures 404 (cdx_toolkit's ``get_for_iter``). Filters use
pywb's field names (``status:200``, ``mime:text/html``). A record is read from
``<data>/<filename>`` with ``Range: bytes=<offset>-<offset + length - 1>``: one gzip member.
"""

import json
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode, urlsplit

from mayadeen.site.origin import archived_on_site
from mayadeen.site.urls import canonical_url
from mayadeen.site.webarchives import ARCHIVE_MIME
from mayadeen.webarchives.captures import Capture


@dataclass(frozen=True)
class Crawl:
    id: str
    """``CC-MAIN-2024-10``."""
    cdx_api: str


def read_collinfo(body: bytes, since: date | None, how_many: int) -> list[Crawl]:
    """The newest ``how_many`` crawls listed (those whose id's year is not before ``since``'s).

    >>> read_collinfo(b'[{"id": "CC-MAIN-2024-10", "cdx-api": "http://i/CC-MAIN-2024-10-index"},'
    ...     b'{"id": "CC-MAIN-2019-04", "cdx-api": "http://i/CC-MAIN-2019-04-index"}]',
    ...     date(2020, 1, 1), 3)
    [Crawl(id='CC-MAIN-2024-10', cdx_api='http://i/CC-MAIN-2024-10-index')]
    """
    crawls = []
    for entry in json.loads(body):
        crawl = Crawl(str(entry["id"]), str(entry["cdx-api"]))
        year = crawl.id.split("-")[2] if crawl.id.count("-") >= 3 else ""
        if since is not None and year.isdigit() and int(year) < since.year:
            continue
        crawls.append(crawl)
    crawls.sort(key=lambda crawl: crawl.id, reverse=True)
    return crawls[:how_many]


def query_url(
    crawl: Crawl, root: str, prefix: str, since: date | None, page: int, exact: bool = False
) -> str:
    """A page of the crawl's captures under ``prefix`` (of exactly that path, with ``exact``):
    HTML with status 200, since ``since``.

    >>> query_url(Crawl("C", "http://i/C-index"), "http://h:1", "/news/", None, 0)
    'http://i/C-index?url=h%3A1%2Fnews%2F%2A&output=json&filter=status%3A200&filter=mime%3Atext%2Fhtml&page=0'
    """
    parameters: list[tuple[str, str]] = [
        ("url", f"{urlsplit(root).netloc}{prefix}{'' if exact else '*'}"),
        ("output", "json"),
        ("filter", "status:200"),
        ("filter", f"mime:{ARCHIVE_MIME}"),
    ]
    if since is not None:
        parameters.append(("from", since.strftime("%Y%m%d")))
    parameters.append(("page", str(page)))
    return f"{crawl.cdx_api}?{urlencode(parameters)}"


def pages_url(crawl: Crawl, root: str, prefix: str, since: date | None) -> str:
    """How many pages the query has (``showNumPages=true``: ``{"pages": N, ...}``)."""
    return query_url(crawl, root, prefix, since, 0).replace("&page=0", "&showNumPages=true")


def read_page(body: bytes, crawl: Crawl, root: str) -> list[Capture]:
    """The captures of one page of JSON lines (lines not on the site are left out)."""
    captures = []
    for line in body.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        fields = json.loads(line)
        if str(fields.get("status", "200")) != "200":
            continue
        original = str(fields.get("url", ""))
        url = canonical_url(original, root) if archived_on_site(original, root) else None
        if url is None:
            continue
        captures.append(
            Capture(
                "commoncrawl",
                url,
                str(fields["url"]),
                str(fields["timestamp"]),
                str(fields.get("digest", "")),
                crawl.id,
                str(fields["filename"]),
                int(fields["offset"]),
                int(fields["length"]),
            )
        )
    return captures


def record_range(capture: Capture) -> str:
    """The ``Range`` header that reads the capture's record.

    >>> record_range(Capture("commoncrawl", "u", "u", "t", offset=10, length=5))
    'bytes=10-14'
    """
    assert capture.offset is not None
    assert capture.length is not None
    return f"bytes={capture.offset}-{capture.offset + capture.length - 1}"


def data_url(data: str, capture: Capture) -> str:
    return f"{data}/{capture.filename}"

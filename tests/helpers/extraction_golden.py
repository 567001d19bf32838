"""Every field ``extract()`` gives for a fixed set of pages, saved and compared (issue 27: a
cheaper extraction must give the same output).

The pages: every fixture (``mayadeen/loopback/fixtures``, the samples among them), the shared
samples when beside the checkout and not the same bytes, every page of a generated site
(articles, videos, infographs, author pages), and each fixture article again in the encodings
and byte shapes a server may send (no charset, cp1252, a BOM, a NUL, stray bytes, whitespace
around the document).

The golden file (``tests/golden/extraction.jsonl.gz``, ~100 KB) keeps one line per page: its kind, each
field's source, the notes and every field of the item; a value longer than ``KEPT`` characters
as JSON is kept as its SHA-256 and length (the body, most summaries), so the file stays small
and still tells which field of which page changed. Rewrite it only when extraction is meant to
change what it gives: ``python -m tests.helpers.extraction_golden --write``.
"""

import gzip
import hashlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse

from mayadeen.items import contract_dict
from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.fault_pages import non_utf8
from mayadeen.pages.extract import extract

GOLDEN = Path(__file__).parents[1] / "golden" / "extraction.jsonl.gz"
SHARED_SAMPLES = Path(__file__).parents[3] / "shared" / "site" / "samples"
CRAWLED_AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
GENERATED = (300, 1)
"""The generated site's size and seed."""
KEPT = 160
"""Values whose JSON is longer are kept as a digest."""

Page = tuple[str, str, bytes, dict[str, str]]
"""A name, the URL, the body and the response headers."""

UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def _variants(body: bytes) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    """The same page as servers send it in other shapes."""
    yield "no-charset", body, {"Content-Type": "text/html"}
    yield "no-content-type", body, {}
    yield "cp1252", non_utf8(body), {"Content-Type": "text/html; charset=windows-1252"}
    yield "cp1252-undeclared", non_utf8(body), {"Content-Type": "text/html"}
    yield "bom", b"\xef\xbb\xbf" + body, {"Content-Type": "text/html"}
    yield "nul", body.replace(b"<body", b"\x00<body", 1).replace(b"</p>", b"\x00</p>", 2), UTF8
    yield "stray-bytes", body.replace(b"</p>", b"\xff\xfe</p>", 2), UTF8
    yield "whitespace", b"\n \t\r\n" + body + b"\n\n  \n", UTF8
    yield "unicode-whitespace", "\u3000\u00a0".encode() + body + "\u2028".encode(), UTF8


def pages() -> Iterator[Page]:
    fixtures = load_fixtures()
    seen: set[bytes] = set()
    for fixture in fixtures:
        body = fixture.html()
        seen.add(body)
        yield f"fixture/{fixture.name}", fixture.url, body, UTF8
    if SHARED_SAMPLES.is_dir():
        expected = json.loads((SHARED_SAMPLES / "expected.json").read_text("utf-8"))
        for name, item in sorted(expected.items()):
            body = (SHARED_SAMPLES / name).read_bytes()
            if body not in seen:
                yield f"shared/{name}", item["url"], body, UTF8
    for fixture in fixtures:
        if fixture.kind == "article":
            for shape, body, headers in _variants(fixture.html()):
                yield f"variant/{fixture.name}/{shape}", fixture.url, body, headers
    site = GeneratedSite(*GENERATED)
    for entry in site.entries:
        page = site.content(entry.path)
        if page is not None:
            headers = {"Content-Type": page.content_type}
            yield f"generated{entry.path}", LIVE_ROOT + entry.path, page.body, headers


def _kept(value: Any) -> Any:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) <= KEPT:
        return value
    return {"sha256": hashlib.sha256(text.encode()).hexdigest(), "chars": len(text)}


def snapshot(name: str, url: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """What ``extract`` gives for one page, as one line of the golden file."""
    response = HtmlResponse(url, body=body, headers=headers)
    extraction = extract(response, LIVE_ROOT, CRAWLED_AT)
    line: dict[str, Any] = {"page": name, "kind": extraction.kind}
    if extraction.item is not None:
        line["sources"] = extraction.sources
        line["notes"] = extraction.notes
        line["item"] = {k: _kept(v) for k, v in contract_dict(extraction.item).items()}
    return line


def snapshots() -> list[dict[str, Any]]:
    return [snapshot(*page) for page in pages()]


def read_golden() -> list[dict[str, Any]]:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def write_golden() -> int:
    lines = snapshots()
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same output gives the same bytes, so an unchanged golden file is no change.
    with gzip.GzipFile(GOLDEN, "wb", mtime=0) as file:
        for line in lines:
            file.write((json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n").encode())
    return len(lines)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.helpers.extraction_golden --write")
    print(f"{write_golden()} pages written to {GOLDEN}")

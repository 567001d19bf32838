"""Shared test helpers: a plain HTTP client that does not follow redirects, and loopback servers."""

import http.client
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlsplit

import pytest

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer

CONTRACT_FIELDS = (
    "url",
    "article_id",
    "title",
    "summary",
    "authors",
    "source",
    "section",
    "content_type",
    "published_at",
    "modified_at",
    "read_time_minutes",
    "tags",
    "coverage",
    "image_url",
    "image_caption",
    "body",
    "word_count",
    "related_urls",
    "language",
    "crawled_at",
    "content_hash",
)
"""The item's fields in ../shared/CONTRACT.md order (until the item dataclass exists)."""


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def fetch(
    root: str, path: str, method: str = "GET", timeout: float = 10.0, body: bytes | None = None
) -> Reply:
    """One request with http.client: no redirects followed, no decoding, no retries."""
    parts = urlsplit(root)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": "mayadeen-tests"})
        response = connection.getresponse()
        return Reply(response.status, response.headers, response.read())
    finally:
        connection.close()


@pytest.fixture(scope="session")
def small_site() -> GeneratedSite:
    return GeneratedSite(300, seed=7)


@pytest.fixture(scope="session")
def fixture_site() -> FixtureSite:
    return FixtureSite()


@pytest.fixture
def server(small_site: GeneratedSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(small_site) as running:
        yield running


@pytest.fixture
def fixture_server(fixture_site: FixtureSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(fixture_site) as running:
        yield running

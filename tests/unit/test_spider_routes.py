"""The ``articles`` spider's routes name the spider's own methods as callbacks: every request they
make goes through the scheduler's queues (``JOBDIR``, ``mayadeen.squeues``, scrapy-redis), which
keep a request by the name of its callback on the spider (Scrapy's ``Request.to_dict``)."""

import asyncio
from typing import Any
from urllib.parse import urlsplit

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from mayadeen import settings as project_settings
from mayadeen.crawl.frontier import Frontier
from mayadeen.middlewares.robots import SharedRobotsTxtMiddleware
from mayadeen.spiders.articles import ArticlesSpider
from mayadeen.spiders.routing import Callbacks
from mayadeen.squeues import CallbackNames, request_dict
from mayadeen.webarchives import commoncrawl
from mayadeen.webarchives.captures import Capture

ROOT = "https://english.almayadeen.net"


def spider(**arguments: str) -> ArticlesSpider:
    settings = {name: getattr(project_settings, name) for name in dir(project_settings)}
    settings = {name: value for name, value in settings.items() if name.isupper()}
    crawler: Crawler = get_crawler(ArticlesSpider, {**settings, "MAYADEEN_BASE_URL": ROOT})
    built = ArticlesSpider.from_crawler(crawler, **arguments)
    frontier = Frontier(known={})
    built.discovery.frontier = built.articles.frontier = built.captures.frontier = frontier
    built.captures.stored = {}  # as read from an empty store
    return built


def assert_kept_by_name(spider: ArticlesSpider, requests: list[Request]) -> None:
    assert requests
    for request in requests:
        kept: dict[str, Any] = request.to_dict(spider=spider)
        assert isinstance(kept["callback"], str), request
        assert request_dict(request, CallbackNames(spider)) == kept, "our queues' dict"
        back = request_from_dict(kept, spider=spider)
        assert (back.callback, back.errback) == (request.callback, request.errback)
        assert getattr(back.callback, "__self__", None) is spider


def test_the_spider_has_every_callback_its_routes_name() -> None:
    names = [name for name, value in vars(Callbacks).items() if callable(value)]
    names = [name for name in names if not name.startswith("_")]
    assert "parse_article" in names
    for name in names:
        assert callable(getattr(ArticlesSpider, name, None)), name


def test_site_requests_are_kept_by_their_callbacks_name() -> None:
    site = spider()
    routes = site.discovery
    routes.robots_middleware = lambda: None  # type: ignore[method-assign]  # no engine here
    requests = list(routes.starts())
    requests += list(routes.requests([f"{ROOT}/news/politics/some-article"], "owed"))
    requests.append(site.webarchives.fallback(f"{ROOT}/news/politics/blocked-article"))
    assert_kept_by_name(site, requests)


def test_requests_of_urls_are_kept_by_their_callbacks_name() -> None:
    site = spider(urls=f"{ROOT}/news/politics/an-article")
    assert_kept_by_name(site, list(site.articles.requested()))


@pytest.mark.parametrize("via", ["wayback", "commoncrawl"])
def test_web_archive_requests_are_kept_by_their_callbacks_name(via: str) -> None:
    site = spider(via=via)
    archive = site.webarchives
    requests = list(archive.starts(["/news/politics/an-article"]))  # no cursor to read
    crawl = commoncrawl.Crawl("CC-MAIN-2024-10", "http://index/CC-MAIN-2024-10-index")
    requests.append(archive._cc_page(crawl, "/news/", False, 1))
    capture = Capture(
        via, f"{ROOT}/news/politics/x", f"{ROOT}/news/politics/x", "20240102030405", "D", *(
            ("CC-MAIN-2024-10", "crawl-data/x.warc.gz", 10, 20) if via == "commoncrawl" else ()
        )
    )  # fmt: skip
    requests.append(site.captures._request(capture, "listing", "page"))
    assert_kept_by_name(site, requests)


class ReadRobots(SharedRobotsTxtMiddleware):
    """The robots.txt middleware as a crawl's start finds it, with no engine: robots.txt read at
    the first ask (the real one fetches it)."""

    def __init__(self) -> None:  # no crawler here
        self.fingerprints = {}
        self.asked: list[str] = []

    async def robot_parser(self, request: Request) -> None:
        self.asked.append(request.url)
        self.fingerprints[urlsplit(request.url).netloc] = "f1"


def test_robots_txt_is_read_before_the_first_request_leaves_the_start() -> None:
    """The frontier skips what robots.txt forbade only once it knows robots.txt's fingerprint;
    known later, a home page parsed first (a busy machine) asked a forbidden URL again."""
    site = spider()
    frontier = Frontier(known={}, owed=frozenset({f"{ROOT}/news/politics/owed-article"}))
    site._load_frontier = lambda: frontier  # type: ignore[method-assign]  # no store here
    middleware = ReadRobots()
    site.discovery.robots_middleware = lambda: middleware  # type: ignore[method-assign]

    async def first() -> Any:
        return await anext(aiter(site.start()))

    request = asyncio.run(first())
    assert request.url == f"{ROOT}/news/politics/owed-article"
    assert middleware.asked == [f"{ROOT}/robots.txt"]
    assert frontier.robots == "f1"

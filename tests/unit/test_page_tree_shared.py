"""One parse a page in the crawl: the ticker's middleware keeps the tree it parsed in the
request's meta, and the article's extraction takes that very tree, for that very body only."""

from scrapy.http import HtmlResponse, Request

from mayadeen.loopback import load_fixtures
from mayadeen.pages.extract import TREE_META, extract, kept_tree, taken_tree

FIXTURE = next(f for f in load_fixtures() if f.expected_ref)


def response(body: bytes | None = None) -> HtmlResponse:
    url = FIXTURE.url
    return HtmlResponse(url, body=body or FIXTURE.html(), encoding="utf-8", request=Request(url))


def test_the_kept_tree_is_taken_once_by_the_same_response() -> None:
    page = response()
    tree = kept_tree(page, page.meta)
    assert taken_tree(page) is tree
    assert TREE_META not in page.meta  # taken: it lives no longer than the extraction
    assert taken_tree(page) is None


def test_a_response_with_another_body_parses_its_own() -> None:
    page = response()
    kept_tree(page, page.meta)
    replaced = page.replace(body=page.body + b" ")
    assert taken_tree(replaced) is None


def test_a_response_without_a_request_has_no_kept_tree() -> None:
    page = HtmlResponse(FIXTURE.url, body=FIXTURE.html(), encoding="utf-8")
    assert taken_tree(page) is None


def test_the_article_from_the_kept_tree_is_the_article_parsed_anew() -> None:
    root = "https://english.almayadeen.net"
    page = response()
    shared = extract(page, root, tree=kept_tree(page, page.meta)).item
    assert shared == extract(response(), root).item

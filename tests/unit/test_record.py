"""``scrapy record``'s recording, in process: a fetched page becomes a fixture (page, expected
item, index entry) as the live site serves it; nothing is overwritten without ``--force``; broken
and unsuitable pages and bad names are refused."""

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from mayadeen.drift.recording import FixtureDirectory, RecordError, Recording
from mayadeen.loopback import load_fixtures
from mayadeen.loopback.catalog import rewrite
from mayadeen.loopback.fixtures import fixtures_dir
from mayadeen.site.urls import LIVE_ROOT

FIXTURES = {f.name: f for f in load_fixtures()}


COPY_ROOT = "http://127.0.0.1:8123"


def recording(name: str, fixture_name: str, root: str = LIVE_ROOT) -> Recording:
    """A fixture page recorded as if fetched from ``root`` (the loopback server's rewriting)."""
    fixture = FIXTURES[fixture_name]
    body = rewrite(fixture.html(), root) if root != LIVE_ROOT else fixture.html()
    url = fixture.url.replace(LIVE_ROOT, root)
    return Recording.of(name, HtmlResponse(url, body=body, encoding="utf-8"), root)


def test_a_page_fetched_from_a_copy_is_recorded_as_the_live_site_serves_it() -> None:
    fixture = FIXTURES["news-economics-new-slug"]
    recorded = recording("x", fixture.name, COPY_ROOT)
    assert recorded.html == fixture.html()
    assert recorded.url == fixture.url
    assert recorded.expected == fixture.expected()


def test_a_non_article_page_is_recorded_without_an_item() -> None:
    recorded = recording("x", "infograph")
    assert recorded.expected is None
    row = recorded.index_row(None)
    assert (row["kind"], row["expected"], row["covers"]) == (
        "infograph",
        None,
        ["recorded", "nonarticle:infograph"],
    )
    with pytest.raises(RecordError, match="cannot be a canary page"):
        recorded.canary_page()


@pytest.mark.parametrize("fixture_name", ["invalid-empty-body", "invalid-no-title"])
def test_a_page_whose_extraction_fails_validation_is_refused(fixture_name: str) -> None:
    with pytest.raises(RecordError, match=r"fails validation \(missing:"):
        recording("x", fixture_name)


def test_bad_names_are_refused() -> None:
    with pytest.raises(RecordError, match="lower-case letters"):
        recording("../escape", "news-economics-new-slug")


def test_an_existing_fixture_is_kept_unless_forced_and_a_served_path_is_not_taken_twice() -> None:
    fixtures = FixtureDirectory(Path(str(fixtures_dir())))
    same_name = recording("news-economics-new-slug", "news-economics-new-slug")
    with pytest.raises(RecordError, match=r"exists .*--force replaces it"):
        fixtures.check(same_name, force=False)
    fixtures.check(same_name, force=True)
    with pytest.raises(RecordError, match="fixture news-economics-new-slug is already served at"):
        fixtures.check(recording("another-name", "news-economics-new-slug"), force=True)

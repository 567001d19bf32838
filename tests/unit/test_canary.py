"""The canary pages' expectations agree with the fixtures and their replay; a new modification
time is information, not drift (the real ``scrapy canary``: ``tests/e2e/test_canary.py``)."""

import pytest

from mayadeen.drift.expectations import CanaryPage, compare
from mayadeen.drift.recording import replay
from mayadeen.loopback import load_fixtures
from mayadeen.site.urls import LIVE_ROOT, is_article_url
from tests.helpers.sites import (
    PAGES,
    TROOPS,
)

FIXTURES = {f.url: f for f in load_fixtures()}


def test_there_are_canary_pages_and_each_is_a_live_article_url() -> None:
    assert len(PAGES) >= 2
    assert len({p.name for p in PAGES}) == len({p.url for p in PAGES}) == len(PAGES)
    for page in PAGES:
        assert page.url.startswith(LIVE_ROOT + "/")
        assert is_article_url(page.url)
        assert page.item["url"] == page.url
        assert set(page.sources) <= {*page.item}


@pytest.mark.parametrize("page", [p for p in PAGES if p.url in FIXTURES], ids=lambda p: p.name)
def test_a_canary_page_that_is_a_fixture_expects_the_fixtures_item_and_its_replay(
    page: CanaryPage,
) -> None:
    fixture = FIXTURES[page.url]
    assert page.item == fixture.expected()
    assert compare(page, replay(fixture.url, fixture.html()), LIVE_ROOT) == []


def test_a_new_modification_time_is_information_not_drift() -> None:
    fixture = FIXTURES[TROOPS.url]
    edited = fixture.html().replace(b"2022-02-24T14:31:12+02:00", b"2023-05-01T10:00:00+03:00")
    differences = compare(TROOPS, replay(fixture.url, edited), LIVE_ROOT)
    assert [(d.field, d.kind, d.got) for d in differences] == [
        ("modified_at", "info", "2023-05-01T10:00:00+03:00")
    ]

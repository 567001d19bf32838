"""Shared fixtures: the loopback sites and servers the tests crawl (helpers live in
``tests/helpers/``)."""

from collections.abc import Iterator

import pytest

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer


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

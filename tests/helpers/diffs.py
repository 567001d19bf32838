"""A store holding the fixture articles, one of them edited twice (a late paragraph, then a new
headline): what the tests of the versions and of `scrapy diff` read."""

from tests.helpers.pipeline import fixture_items

ITEMS = list(fixture_items().values())


EDITED = ITEMS[0]


SECOND = "2026-11-23T10:00:00+00:00"


THIRD = "2026-11-25T08:30:00+00:00"


NEW_TITLE = "Lukashenko: Belarus troops will stay home"


def site_root() -> str:
    assert EDITED.url is not None
    scheme, _, rest = EDITED.url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"

"""What a valid article of the site looks like: the limits validation checks items against.

Chosen so that every real article passes (the shortest body among the fixtures and samples has 71
words, generated ones 100) and broken pages do not; ``mayadeen/validation.py`` holds the rules.
"""

from datetime import UTC, datetime, timedelta
from typing import Final

from mayadeen.site.article import DEFAULT_LANGUAGE
from mayadeen.site.urls import ARTICLE_SECTIONS

MIN_BODY_WORDS: Final = 20
"""Fewer words than this is a teaser, a caption or a page cut short, not an article's text."""

EARLIEST_PUBLISHED: Final = datetime(2012, 1, 1, tzinfo=UTC)
"""Al Mayadeen went on air in June 2012: an earlier date is a misread one (an epoch, a year 0)."""

FUTURE_TOLERANCE: Final = timedelta(days=1)
"""How far past the fetch time a publication time may lie before it counts as misread (a
day/month swap); generous, since a wrong clock or zone on the CMS must not cost an article."""

CONTENT_TYPES: Final = frozenset({"news", *ARTICLE_SECTIONS})
LANGUAGES: Final = frozenset({DEFAULT_LANGUAGE})

__all__ = [
    "CONTENT_TYPES",
    "EARLIEST_PUBLISHED",
    "FUTURE_TOLERANCE",
    "LANGUAGES",
    "MIN_BODY_WORDS",
]

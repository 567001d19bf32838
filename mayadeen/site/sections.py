"""The site's sections: the path segment of each, the name the site shows for it, and the other
spellings it serves a section under. URLs name them (``mayadeen.site.urls``), listings are found
by them (``mayadeen.site.navigation``) and ``content_type`` comes from the four article sections."""

from typing import Final

NEWS_SECTIONS: Final = {
    "politics": "Politics",
    "economics": "Economy",
    "sports": "Sports",
    "arts-culture": "Arts & Culture",  # nav label "Arts&Culture"; the CMS category says "Arts & Culture"
    "health": "Health",
    "miscellaneous": "Miscellaneous",
    "technology": "Technology",
    "environment": "Environment",
}
SECTION_SPELLINGS: Final = {"economy": "economics"}
"""Other segments the site serves a section's articles under (``/news/Economy/<slug>`` beside
``/news/economics/<slug>``), lower-cased; segments are matched case-insensitively."""
ARTICLE_SECTIONS: Final = {
    "opinion": "Opinion",
    "analysis": "Analysis",
    "blog": "Blog",
    "features": "Features",
}
SECTIONS_UNDER: Final = {"news": NEWS_SECTIONS, "articles": ARTICLE_SECTIONS}
"""The sections under each first path segment (``news/<section>``, ``articles/<section>``)."""

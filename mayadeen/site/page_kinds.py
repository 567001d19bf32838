"""What a page is: ``article`` or another kind (``page_kind``), from its URL family first and then
its own metadata, and the ``content_type`` its tawsiyat ``posttype`` states. A URL's shape is only
a hint (``mayadeen.site.urls.url_shape``); the page's own metadata is the authority."""

from typing import Final

from mayadeen.site.sections import ARTICLE_SECTIONS
from mayadeen.site.urls import NON_ARTICLE_PREFIXES, is_article_url, path_segments, url_shape

NON_ARTICLE_KINDS: Final = frozenset(
    {"video", "infograph", "gallery", "author", "listing", "page", "other"}
)
"""What a page that is not an article is counted as."""


def page_kind(
    url: str, tawsiyat_type: str | None, posttype: str | None, states_article: bool = False
) -> str:
    """What a page is: ``article`` or one of ``NON_ARTICLE_KINDS``.

    A known non-article URL family decides first; then the page's own metadata (tawsiyat's
    ``type`` and ``posttype`` class) can turn an article-shaped URL into a video, infograph or
    plain page; a page under an unexpected URL shape is an article when it states it is one
    (``states_article``: tawsiyat ``type`` article, a JSON-LD article, the article markup).

    >>> page_kind("https://english.almayadeen.net/news/politics/x", "article", "News")
    'article'
    >>> page_kind("https://english.almayadeen.net/news/politics/x", "videoobject", None)
    'video'
    >>> page_kind("https://english.almayadeen.net/about-us", "page", None)
    'page'
    >>> page_kind("https://english.almayadeen.net/press/x", "article", "News", True)
    'article'
    >>> page_kind("https://english.almayadeen.net/press/x", None, None, False)
    'other'
    """
    segments = path_segments(url)
    if segments and segments[0].lower() in NON_ARTICLE_PREFIXES:
        return NON_ARTICLE_PREFIXES[segments[0].lower()]
    declared = (tawsiyat_type or "").strip().lower()
    kind_of_post = (posttype or "").strip().lower()
    if declared == "videoobject" or kind_of_post in {"video", "videos", "newscast"}:
        return "video"
    if kind_of_post in {"infograph", "infographs", "infographic"}:
        return "infograph"
    if declared == "page":
        return "page"
    if is_article_url(url) or states_article:
        return "article"
    return "listing" if len(segments) <= 2 and url_shape(url) != "unknown" else "other"


POSTTYPE_CONTENT_TYPES: Final = {
    "news": "news",
    **{sub: sub for sub in ARTICLE_SECTIONS},
    "feature": "features",
}
"""tawsiyat ``posttype`` values (lower-cased) → the contract's ``content_type``: how a page under
an unexpected URL shape says what it is."""

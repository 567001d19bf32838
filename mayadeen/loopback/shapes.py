"""The URL, byline and header shapes real pages showed, given to a share of generated articles.

Each is drawn from its own random stream (``<seed>/<index>/shape``), so adding one changes no
other property of the site.

- ``post-id``: a 2021-style URL with the post id before the slug (``/news/politics/30012/<slug>``);
- ``capitalised``: the section segment as the site also spells it (``/news/Economy/<slug>``);
- ``unknown-path``: an opinion-type article under a two-segment path (``/articles/<slug>``): only
  the page's tawsiyat says what it is, so such pages always carry it;
- ``brief``: a body of one or two sentences;
- ``shares``: an ``N Shares`` item in the header, between the date and the read time;
- ``bare-byline``: a writer's name without ``By``;
- ``house-plain``: the house byline written ``Al Mayadeen``.
"""

import random
from typing import Final

CAPITALISED: Final = {"news/economics": "news/Economy", "news/politics": "news/Politics"}
SHARES: Final = {
    "post-id": 0.03,
    "capitalised": 0.1,
    "unknown-path": 0.06,
    "brief": 0.03,
    "shares": 0.08,
    "bare-byline": 0.3,
    "house-plain": 0.1,
}


def pick_shapes(seed: int, index: int, section: str) -> frozenset[str]:
    """The shapes article ``index`` of a site takes (those its section allows)."""
    rng = random.Random(f"{seed}/{index}/shape")
    drawn = {name for name, share in SHARES.items() if rng.random() < share}
    news = section.startswith("news/")
    allowed = {"shares", "brief" if news else "", "post-id" if news else ""}
    allowed |= {"capitalised"} if section in CAPITALISED else set()
    allowed |= {"unknown-path", "bare-byline"} if not news else {"house-plain"}
    if "post-id" in drawn and "capitalised" in drawn:
        drawn.discard("capitalised")
    return frozenset(drawn & allowed)


def article_path(section: str, slug: str, post_id: str, shapes: frozenset[str]) -> str:
    """The path an article is served and linked under.

    >>> article_path("news/economics", "x", "30001", frozenset({"capitalised"}))
    '/news/Economy/x'
    >>> article_path("news/politics", "x", "30001", frozenset({"post-id"}))
    '/news/politics/30001/x'
    >>> article_path("articles/opinion", "x", "30001", frozenset({"unknown-path"}))
    '/articles/x'
    """
    if "post-id" in shapes:
        return f"/{section}/{post_id}/{slug}"
    if "capitalised" in shapes:
        return f"/{CAPITALISED[section]}/{slug}"
    if "unknown-path" in shapes:
        return f"/{section.split('/')[0]}/{slug}"
    return f"/{section}/{slug}"

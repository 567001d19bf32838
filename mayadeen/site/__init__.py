"""Every rule of english.almayadeen.net in one place: URLs, page kinds, names and selectors.

What is confirmed about the live site and what is guessed is listed in ../shared/site/README.md.
The machine-readable sources (tawsiyat JSON, JSON-LD, meta tags) are confirmed or likely; the DOM
selectors are guesses kept as the last fallback, each a tuple tried in order. When a first live run
shows a shift in the ``mayadeen/field/<field>/<source>`` stats, this package is what to correct.

One module per kind of rule, each imported by name where it is used:

- ``urls``: hosts, canonical URLs, and what a URL's shape says (article or not, section, content type);
- ``sections``: the sections, their names and other spellings;
- ``page_kinds``: what a page is (its kind, the content type it states), by its own metadata;
- ``article``: house bylines, the sources tried per field and their keys, DOM selectors;
- ``navigation``: where the site lists its articles (home, listings, pagination, sitemaps, RSS);
- ``access``: how the site refuses a crawler (block and challenge pages);
- ``validity``: what a valid article is (limits, reason codes);
- ``canary_pages``: the canary pages ``scrapy canary`` checks;
- ``ticker``: the BREAKING ticker's selectors and when a line's opening names its source.
"""

"""Reading pages: everything that takes a fetched response and needs no running crawler.

- ``extract``: an article page to the contract's item, with the source of each field;
- ``discovery``: listing pages, sitemaps, RSS and robots.txt to the URLs they list;
- ``sources``, ``dom``: the page's four sources (tawsiyat JSON, JSON-LD, meta tags, the DOM);
- ``loader``: each field's processors and the first-usable-source-wins rule;
- ``ticker``: the BREAKING ticker's lines and their attributions;
- ``processors``, ``dates``: small pure functions from raw values to item values.

The site's own rules (selectors, keys, URL shapes) are in ``mayadeen.site``.
"""

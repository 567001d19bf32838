"""The one origin rule: whether a URL is the site's, by scheme, host and port.

Used for every URL whose page may be stored as the site's: a redirect's target
(``mayadeen.middlewares.redirects``), a record of a WARC made elsewhere (``scrapy reextract
--from``) and a web archive's capture (``mayadeen.webarchives``). A page on the site's host but
another port or scheme, with a user name (``user@host``), or on a look-alike host
(``127.0.0.1:8123.evil.invalid``) is another service's and is never stored as an article of the
site. Links *on* a page are read by ``mayadeen.site.urls.canonical_url``, which moves the live
site's links onto the crawled root.
"""

from typing import Final
from urllib.parse import urlsplit

from mayadeen.site.urls import LIVE_HOSTS

DEFAULT_PORTS: Final = {"http": 80, "https": 443}
LIVE_ROOT: Final = "https://english.almayadeen.net"


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port spelled out when it is the scheme's default; a
    URL with a user name has the port None, and one whose port is not a number is no origin at
    all (both match nothing).

    >>> origin("HTTPS://English.Almayadeen.net/x"), origin("http://u@h/x")
    (('https', 'english.almayadeen.net', 443), ('http', 'h', None))
    >>> origin("http://127.0.0.1:8123.evil.invalid/x")  # a port that is no number
    ('', '', None)
    """
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError:
        return "", "", None
    if "@" in parts.netloc:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def on_site(url: str, root: str) -> bool:
    """Whether a URL is on the crawled site: the scheme, host and port of ``root`` (any of the
    live hosts when ``root`` is the live site). The one exception is an upgrade to HTTPS: when
    ``root`` is ``http://`` on the default port, ``https://`` on the default port of the same host
    is on the site too (a site moving to HTTPS redirects there); the other way round, a
    downgrade, is not.

    >>> on_site("http://127.0.0.1:8123/news/politics/x", "http://127.0.0.1:8123")
    True
    >>> on_site("https://english.almayadeen.net/x", "http://127.0.0.1:8123")
    False
    >>> on_site("https://www.english.almayadeen.net/x", "https://english.almayadeen.net")
    True
    >>> [on_site(u, "http://127.0.0.1:8123") for u in
    ...  ("http://127.0.0.1:8124/x", "https://127.0.0.1:8123/x", "http://127.0.0.1/x",
    ...   "http://user@127.0.0.1:8123/x", "http://127.0.0.1:8123.evil.invalid/x")]
    [False, False, False, False, False]
    >>> [on_site(u, "https://english.almayadeen.net") for u in
    ...  ("https://english.almayadeen.net:443/x", "https://english.almayadeen.net:8443/x",
    ...   "http://english.almayadeen.net/x")]
    [True, False, False]
    >>> on_site("https://example.org/x", "http://example.org"), on_site("http://example.org:80/x",
    ...  "http://example.org"), on_site("https://example.org:8443/x", "http://example.org")
    (True, True, False)
    """
    scheme, host, port = origin(url)
    root_scheme, root_host, root_port = origin(root)
    same_host = host == root_host or (root_host in LIVE_HOSTS and host in LIVE_HOSTS)
    if not same_host or port is None:
        return False
    if (scheme, port) == (root_scheme, root_port):
        return True
    return (root_scheme, root_port, scheme, port) == ("http", 80, "https", 443)  # the upgrade


def archived_on_site(url: str, root: str) -> bool:
    """Whether an archived page (a WARC record, a web archive's capture) is the site's: on the
    crawled root, or on the live site itself (what the web archives and a wget of the site hold,
    whatever copy is crawled).

    >>> [archived_on_site(u, "http://127.0.0.1:8123") for u in
    ...  ("http://english.almayadeen.net/news/a", "https://english.almayadeen.net:8443/news/a",
    ...   "http://127.0.0.1:8123/news/a", "https://127.0.0.1:8123/news/a")]
    [True, False, True, False]
    """
    return on_site(url, root) or on_site(url, LIVE_ROOT.replace("https:", "http:"))

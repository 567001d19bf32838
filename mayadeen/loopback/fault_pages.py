"""What a fault answers instead of the site's page (the kinds of :mod:`mayadeen.loopback.faults`):
a block or challenge page, an error status, a redirect, an endless sitemap chain or listing, or
the site's own page re-encoded (``nonutf8``) or hidden behind JavaScript (``jsonly``)."""

import base64
import re
from urllib.parse import parse_qs

from mayadeen.loopback.catalog import Page, rewrite
from mayadeen.loopback.faults import Fault

BLOCK_PAGE = (
    "<!DOCTYPE html><html><head><title>Access denied</title></head><body>"
    "<h1>Access denied</h1><p>You have been blocked. This website is using a security service "
    "to protect itself from online attacks.</p><p>Ray ID: 7f1c2d3e4a5b6c7d</p></body></html>"
)
CHALLENGE_PAGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title>"
    '<meta http-equiv="refresh" content="30"></head><body><div id="challenge-running">'
    "<h1>Checking your browser before accessing the site.</h1><noscript>Enable JavaScript and "
    "cookies to continue</noscript></div><script>window._chl_opt={cType:'managed'};</script>"
    "</body></html>"
)


def js_only_shell(page: bytes) -> bytes:
    """A page whose visible document is written by JavaScript from an encoded copy of ``page``."""
    payload = base64.b64encode(page).decode("ascii")
    return (
        "<!DOCTYPE html><html><head><title>Loading...</title></head><body>"
        '<div id="app">Loading...</div><script>'
        f'const html = new TextDecoder().decode(Uint8Array.from(atob("{payload}"), c => c.charCodeAt(0)));'
        "document.open(); document.write(html); document.close();"
        "</script></body></html>"
    ).encode("ascii")


def non_utf8(page: bytes) -> bytes:
    """``page`` re-encoded in cp1252 (curly quotes become bytes invalid in UTF-8), plus a few
    stray bytes near the top so that even an ASCII page does not decode as UTF-8."""
    text = page.decode("utf-8", errors="replace")
    encoded = text.encode("cp1252", errors="xmlcharrefreplace")
    return encoded.replace(b"<head>", b"<head><!-- \xff\xfe\x92 -->", 1)


def fault_page(fault: Fault, root: str, path: str = "", query: str = "") -> Page | None:
    """The page a fault answers with at ``path`` (and ``query``) instead of the site's, if it
    replaces the page at all."""
    if fault.kind == "block":
        return Page.html(BLOCK_PAGE, 403)
    if fault.kind == "challenge":
        return Page.html(CHALLENGE_PAGE, int(fault.number))
    if fault.kind == "status":
        code = int(fault.number)
        return Page.html(f"<html><body><h1>Error {code}</h1></body></html>", code)
    if fault.kind in ("ratelimit", "unavailable"):
        status, title = (
            (429, "Too Many Requests")
            if fault.kind == "ratelimit"
            else (503, "Service Unavailable")
        )
        page = Page.html(f"<html><body><h1>{title}</h1></body></html>", status)
        page.headers["Retry-After"] = str(int(fault.number))
        return page
    if fault.kind == "sitemapchain":
        return sitemap_chain_link(root, path)
    if fault.kind == "endless":
        return endless_listing_page(path, query, fault.arg)
    if fault.kind == "redirect":
        code, target = fault.redirect()
        location = (
            f"{root}{target}" if target.startswith("/") else rewrite(target.encode(), root).decode()
        )
        return Page(b"", status=code, headers={"Location": location})
    return None


_CHAIN_LINK = re.compile(r"-(\d+)\.xml$")


def sitemap_chain_link(root: str, path: str) -> Page:
    """A sitemap index whose only entry is the next link of an endless chain: ``x.xml`` lists
    ``x-1.xml``, which lists ``x-2.xml``, and so on (a CMS bug seen on live sites).

    >>> b"/sitemaps/all-8.xml<" in sitemap_chain_link("http://h", "/sitemaps/all-7.xml").body
    True
    >>> b"/sitemaps/all-1.xml<" in sitemap_chain_link("http://h", "/sitemaps/all.xml").body
    True
    """
    if match := _CHAIN_LINK.search(path):
        following = f"{path[: match.start()]}-{int(match[1]) + 1}.xml"
    else:
        following = f"{path.removesuffix('.xml')}-1.xml"
    return Page.xml(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{root}{following}</loc></sitemap></sitemapindex>"
    )


def endless_listing_page(path: str, query: str, article: str = "") -> Page:
    """Page N of a listing that always links page N+1 and shows no article, or only the one at
    the path ``article`` (the same known link on every page)."""
    stated = parse_qs(query).get("page", ["1"])[0]
    number = int(stated) if stated.isdigit() else 1
    card = "<p>Nothing here.</p>"
    if article:  # and a "Load More" a page further on: two pages of it in flight at once
        card = (
            f"<a href='{article}'>The same article</a>"
            f"<a href='{path}?page={number + 2}'>Load More</a>"
        )
    return Page.html(
        f"<!DOCTYPE html><html lang='en'><head><title>Listing, page {number}</title></head>"
        f"<body><main>{card}<a rel='next' href='{path}?page={number + 1}'>"
        "Next</a></main></body></html>"
    )

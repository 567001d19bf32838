"""The Wayback Machine's CDX API and its ``id_`` replays, as cdx_toolkit speaks to them.

A query (``/cdx/search/cdx``) asks for one URL prefix (``matchType=prefix``) as JSON
(``output=json``): the first row names the fields (``fl``), each later row is a capture, and with
``showResumeKey=true`` a page ends with an empty row and a row holding the key that resumes the
listing where the page stopped (``resumeKey``). Filters use the Wayback field names
(``statuscode:200``, ``mimetype:text/html``; cdx_toolkit's ``compat.munge_filter``). A replay
``/web/<timestamp>id_/<original>`` answers the bytes the archive received, unrewritten.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Final
from urllib.parse import urlencode, urlsplit

from mayadeen.site.origin import archived_on_site
from mayadeen.site.urls import canonical_url
from mayadeen.site.webarchives import ARCHIVE_MIME
from mayadeen.webarchives.captures import Capture

FIELDS: Final = ("original", "timestamp", "statuscode", "mimetype", "digest")


def query_url(
    wayback: str,
    root: str,
    prefix: str,
    since: date | None,
    limit: int,
    resume_key: str | None = None,
    exact: bool = False,
) -> str:
    """The CDX query for the captures of the site's pages under ``prefix`` (or of exactly that
    URL path, with ``exact``), HTML with status 200, captured on or after ``since``.

    >>> query_url("https://web.archive.org", "https://english.almayadeen.net", "/news/", None, 500)
    ... # doctest: +NORMALIZE_WHITESPACE
    'https://web.archive.org/cdx/search/cdx?url=english.almayadeen.net%2Fnews%2F&matchType=prefix&output=json&fl=original%2Ctimestamp%2Cstatuscode%2Cmimetype%2Cdigest&filter=statuscode%3A200&filter=mimetype%3Atext%2Fhtml&limit=500&showResumeKey=true'
    """
    parameters: list[tuple[str, str]] = [
        ("url", f"{urlsplit(root).netloc}{prefix}"),
        ("matchType", "exact" if exact else "prefix"),
        ("output", "json"),
        ("fl", ",".join(FIELDS)),
        ("filter", "statuscode:200"),
        ("filter", f"mimetype:{ARCHIVE_MIME}"),
    ]
    if since is not None:
        parameters.append(("from", since.strftime("%Y%m%d")))
    parameters += [("limit", str(limit)), ("showResumeKey", "true")]
    if resume_key:
        parameters.append(("resumeKey", resume_key))
    return f"{wayback}/cdx/search/cdx?{urlencode(parameters)}"


def replay_url(wayback: str, capture: Capture) -> str:
    """The replay of a capture's original bytes (``id_``: no rewriting, no banner).

    >>> c = Capture("wayback", "u", "https://english.almayadeen.net/news/a", "20240102030405")
    >>> replay_url("https://web.archive.org", c)
    'https://web.archive.org/web/20240102030405id_/https://english.almayadeen.net/news/a'
    """
    return f"{wayback}/web/{capture.timestamp}id_/{capture.original}"


@dataclass(frozen=True)
class IndexPage:
    captures: list[Capture]
    resume_key: str | None
    """Where the listing goes on; None on its last page."""
    off_site: int = 0
    """Rows whose URL is not a page of the site root (another host, an odd spelling)."""


def read_page(body: bytes, root: str) -> IndexPage:
    """One page of a CDX query's JSON answer (an empty body is an empty listing).

    >>> page = read_page(b'[["original","timestamp","statuscode","mimetype","digest"],'
    ...     b'["http://h/news/a?x=1","20240101000000","200","text/html","D"],[],["K"]]', "http://h")
    >>> page.captures[0].url, page.resume_key
    ('http://h/news/a', 'K')
    """
    rows = json.loads(body) if body.strip() else []
    if not rows:
        return IndexPage([], None)
    header, *rest = rows
    resume_key = None
    if len(rest) >= 2 and rest[-2] == []:
        resume_key = str(rest[-1][0])
        rest = rest[:-2]
    captures, off_site = [], 0
    for row in rest:
        if not row:
            continue
        fields = dict(zip(header, row, strict=False))
        capture = _capture(fields, root)
        if capture is None:
            off_site += 1
        else:
            captures.append(capture)
    return IndexPage(captures, resume_key, off_site)


def _capture(fields: dict[str, str], root: str) -> Capture | None:
    original = fields.get("original", "")
    if fields.get("statuscode", "200") != "200":
        return None
    url = canonical_url(original, root) if archived_on_site(original, root) else None
    if url is None:
        return None
    return Capture("wayback", url, original, fields["timestamp"], fields.get("digest", ""))


def captures_in(pages: list[bytes], root: str) -> Iterator[Capture]:
    """Every capture of several pages (for tests and the canary)."""
    for body in pages:
        yield from read_page(body, root).captures

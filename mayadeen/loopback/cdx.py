"""The CDX query language the loopback web archives answer (``mayadeen.loopback.webarchives``):
``url`` with ``matchType`` (or a trailing ``*``), ``from``/``to``, ``filter``, ``collapse``, over
captures held in memory, in the order an index lists them (URL key, then time)."""

import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Held:
    """One capture the archives hold."""

    path: str
    timestamp: str
    body: bytes
    crawl: str
    status: int = 200
    mime: str = "text/html"

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.body).digest()).decode()  # noqa: S324


def index_rows(
    held: list[Held], site_root: str, parameters: list[tuple[str, str]], names: dict[str, str]
) -> list[dict[str, str]]:
    """The rows a CDX query over ``held`` answers (``names``: pywb's field names, for filters)."""
    given = dict(parameters)
    url = given.get("url", "")
    match_type = given.get("matchType", "exact")
    if url.endswith("*"):
        url, match_type = url[:-1], "prefix"
    wanted = url.split("/", 1)[1] if "/" in url else ""
    rows = []
    for capture in sorted(held, key=lambda h: (h.path.lower(), h.timestamp)):
        path = capture.path.lstrip("/")
        if not (path.startswith(wanted) if match_type == "prefix" else path == wanted):
            continue
        row = {
            "urlkey": f"{urlsplit(site_root).hostname})/{path.lower()}",
            "timestamp": capture.timestamp,
            "original": f"{site_root}{capture.path}",
            "mimetype": capture.mime,
            "statuscode": str(capture.status),
            "digest": capture.digest,
            "length": str(len(capture.body)),
        }
        if not in_time(capture.timestamp, given.get("from"), given.get("to")):
            continue
        filters = [value for name, value in parameters if name == "filter"]
        if all(passes(row, f, names) for f in filters):
            rows.append(row)
    return collapsed(rows, given.get("collapse"))


def dict_of(query: str) -> list[tuple[str, str]]:
    return parse_qsl(query, keep_blank_values=True)


def in_time(timestamp: str, start: str | None, end: str | None) -> bool:
    """``from``/``to`` are timestamp prefixes: ``to=2024`` includes all of 2024.

    >>> in_time("20240601000000", "2024", "2024"), in_time("20250101000000", None, "2024")
    (True, False)
    """
    if start and timestamp < start.ljust(14, "0"):
        return False
    return not (end and timestamp[: len(end)] > end)


def passes(row: dict[str, str], spec: str, names: dict[str, str]) -> bool:
    """``[!]field:regex`` (and pywb's ``=field:exact``, ``~field:contains``) over a row.

    >>> passes({"statuscode": "200"}, "statuscode:2..", {})
    True
    >>> passes({"statuscode": "200"}, "!status:200", {"statuscode": "status"})
    False
    """
    negate = spec.startswith("!")
    spec = spec.lstrip("!")
    mode = spec[0] if spec[:1] in ("=", "~") else ""
    field, _, pattern = spec.lstrip("=~").partition(":")
    field = {v: k for k, v in names.items()}.get(field, field)
    value = row.get(field, "")
    if mode == "=":
        found = value == pattern
    elif mode == "~":
        found = pattern in value
    else:
        found = re.fullmatch(pattern, value) is not None
    return found != negate


def collapsed(rows: list[dict[str, str]], spec: str | None) -> list[dict[str, str]]:
    """``collapse=field[:N]``: a row whose field (its first N characters) equals the previous
    row's is left out."""
    if not spec:
        return rows
    field, _, length = spec.partition(":")
    size = int(length) if length else None
    kept, last = [], None
    for row in rows:
        value = row.get(field, "")[:size]
        if value != last:
            kept.append(row)
        last = value
    return kept

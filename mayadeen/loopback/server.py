"""An HTTP server for a loopback site on 127.0.0.1: rewrites live-site URLs to its own root,
misbehaves on request (:mod:`mayadeen.loopback.faults`) and records every request.

Besides the site it answers three control paths, never listed or linked by the site:
``GET /__loopback__/requests`` (the request log as JSON), ``POST /__loopback__/faults`` (fault
specs, one a line) and ``DELETE /__loopback__/faults``.
"""

import ipaddress
import json
import logging
import re
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.catalog import Page, ranged
from mayadeen.loopback.faults import (
    BLOCK_PAGE,
    CHALLENGE_PAGE,
    Fault,
    js_only_shell,
    non_utf8,
    parse_fault,
)
from mayadeen.loopback.ticker import Ticker

logger = logging.getLogger(__name__)
CONTROL_PREFIX = "/__loopback__/"
NOT_FOUND = Page.html(
    "<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>404</h1></body></html>",
    404,
)


class Site(Protocol):
    def get(self, raw_path: str, query: str = "") -> Page | None: ...


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the server answered (or cut off)."""

    time: float
    method: str
    path: str
    """The path as the client sent it, escapes and all."""
    query: str
    user_agent: str
    status: int
    """The status sent; 0 when the connection was reset without a response."""
    fault: str | None


def rewrite(body: bytes, root: str) -> bytes:
    """Live-site URLs in ``body`` pointed at ``root`` (plain and JSON-escaped spellings)."""
    new = root.encode()
    for old in (LIVE_ROOT, LIVE_ROOT.replace("https:", "http:")):
        body = body.replace(old.encode(), new).replace(
            old.replace("/", "\\/").encode(), new.replace(b"/", b"\\/")
        )
    return body


def _check_loopback(host: str) -> None:
    address = ipaddress.ip_address(socket.gethostbyname(host) if host == "localhost" else host)
    if not address.is_loopback:
        raise ValueError(f"the loopback server only listens on loopback addresses, not {host}")


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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that times out or hangs up mid-response is normal in tests; anything else is not.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            logger.debug("client %s went away: %s", client_address, error)
        else:
            logger.exception("error while serving %s", client_address)


class LoopbackServer:
    """Serves ``site`` on ``host:port`` (port 0 picks a free one) in a background thread. With a
    ``ticker``, every HTML page shows its BREAKING lines of the moment (``mayadeen.loopback.ticker``);
    without, the lines the page was made with."""

    def __init__(
        self,
        site: Site,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: Iterable[Fault | str] = (),
        ticker: Ticker | None = None,
    ) -> None:
        _check_loopback(host)
        self.site = site
        self.ticker = ticker
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[RequestRecord] = []
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.loopback = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        for fault in faults:
            self.add_fault(fault)

    @property
    def root(self) -> str:
        """``http://127.0.0.1:PORT``: what replaces the live site's root in everything served."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "LoopbackServer":
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="loopback-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> "LoopbackServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def add_fault(self, fault: Fault | str) -> Fault:
        parsed = parse_fault(fault) if isinstance(fault, str) else fault
        with self._lock:
            self._faults.append(parsed)
        return parsed

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        """The first fault matching ``path``, counting it down (and dropping it when used up)."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path):
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def clear_requests(self) -> None:
        with self._lock:
            self._log.clear()

    def record(self, entry: RequestRecord) -> None:
        with self._lock:
            self._log.append(entry)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "loopback"
    # Headers and body go out as separate writes; with Nagle on, each keep-alive response waits
    # for the client's delayed ACK (~40 ms), capping the server near 25 pages/s.
    disable_nagle_algorithm = True
    _pending_record: RequestRecord | None = None

    @property
    def loopback(self) -> LoopbackServer:
        return self.server.loopback  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_POST(self) -> None:
        self._control()

    def do_DELETE(self) -> None:
        self._control()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith(CONTROL_PREFIX):
            self._control()
            return
        fault = self.loopback.take_fault(unquote(parts.path))
        self._pending_record = RequestRecord(
            time.time(),
            self.command,
            parts.path,
            parts.query,
            self.headers.get("User-Agent", ""),
            0,
            fault.label if fault else None,
        )
        self._respond(parts.path, parts.query, fault, head)

    def _record(self, status: int) -> None:
        """Log the request before answering it, so a client that got its answer finds it logged."""
        record, self._pending_record = self._pending_record, None
        if record is not None:
            self.loopback.record(replace(record, status=status))

    def _respond(self, path: str, query: str, fault: Fault | None, head: bool) -> int:
        """Send the response for ``path`` under ``fault``; return the status sent."""
        root = self.loopback.root
        kind = fault.kind if fault else None
        if fault and kind == "slow":
            time.sleep(fault.number)
        if fault and kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self._record(0)
            return 0
        if fault and (replacement := fault_page(fault, root, path, query)):
            return self._send(replacement, head)
        page = self.loopback.site.get(path, query) or NOT_FOUND
        if (ticker := self.loopback.ticker) is not None and page.content_type.startswith(
            "text/html"
        ):
            page = replace(page, body=ticker.replace(page.body))
        body = (
            rewrite(page.body, root)
            if page.content_type.startswith(("text/", "application/"))
            else page.body
        )
        if kind == "nonutf8":
            body = non_utf8(body)
        elif kind == "jsonly":
            body = js_only_shell(body)
        served = ranged(
            Page(body, page.content_type, page.status, page.headers), self.headers.get("Range")
        )
        if fault and kind == "truncate":
            return self._send(served, head, cut=fault.number)
        return self._send(served, head)

    def _send(self, page: Page, head: bool, cut: float | None = None) -> int:
        self._record(page.status)
        self.send_response(page.status)
        self.send_header("Content-Type", page.content_type)
        self.send_header("Content-Length", str(len(page.body)))
        for name, value in page.headers.items():
            self.send_header(name, value)
        if cut is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head:
            self.wfile.write(page.body if cut is None else page.body[: int(len(page.body) * cut)])
        return page.status

    def _control(self) -> None:
        path = urlsplit(self.path).path
        if path == f"{CONTROL_PREFIX}requests" and self.command == "GET":
            body = json.dumps([asdict(r) for r in self.loopback.requests]).encode()
            self._send(Page(body, "application/json"), head=False)
        elif path == f"{CONTROL_PREFIX}faults" and self.command == "POST":
            length = int(self.headers.get("Content-Length", "0"))
            try:
                added = [
                    self.loopback.add_fault(line.strip())
                    for line in self.rfile.read(length).decode().splitlines()
                    if line.strip()
                ]
            except ValueError as error:
                self._send(Page(str(error).encode(), "text/plain; charset=utf-8", 400), head=False)
                return
            self._send(
                Page(json.dumps([str(f) for f in added]).encode(), "application/json"), head=False
            )
        elif path == f"{CONTROL_PREFIX}faults" and self.command == "DELETE":
            self.loopback.clear_faults()
            self._send(Page(b"[]", "application/json"), head=False)
        else:
            self._send(Page(b"unknown control path", "text/plain; charset=utf-8", 404), head=False)

"""How the loopback server answers one request: the site's page (live-site URLs pointed at the
server, ranges honoured), a fault's page or misbehaviour instead, or a control path; each request
is logged (``RequestRecord``) before it is answered.

Besides the site it answers three control paths, never listed or linked by the site:
``GET /__loopback__/requests`` (the request log as JSON), ``POST /__loopback__/faults`` (fault
specs, one a line) and ``DELETE /__loopback__/faults``.
"""

import json
import logging
import socket
import struct
import time
from dataclasses import asdict, dataclass, replace
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from mayadeen.loopback.catalog import Page, ranged, rewrite
from mayadeen.loopback.fault_pages import fault_page, js_only_shell, non_utf8
from mayadeen.loopback.faults import Fault

if TYPE_CHECKING:  # the server builds its handler; the handler only calls back into it
    from mayadeen.loopback.server import LoopbackServer

logger = logging.getLogger(__name__)
CONTROL_PREFIX = "/__loopback__/"
NOT_FOUND = Page.html(
    "<!DOCTYPE html><html><head><title>Page not found</title></head><body><h1>404</h1></body></html>",
    404,
)


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


class RequestHandler(BaseHTTPRequestHandler):
    """Answers one request of a :class:`~mayadeen.loopback.server.LoopbackServer`: a control
    path, a fault's page, or the site's page with live-site URLs rewritten."""

    protocol_version = "HTTP/1.1"
    server_version = "loopback"
    # Headers and body go out as separate writes; with Nagle on, each keep-alive response waits
    # for the client's delayed ACK (~40 ms), capping the server near 25 pages/s.
    disable_nagle_algorithm = True
    _pending_record: RequestRecord | None = None

    @property
    def loopback(self) -> "LoopbackServer":
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

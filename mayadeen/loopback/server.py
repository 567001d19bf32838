"""An HTTP server for a loopback site on 127.0.0.1, in a background thread: it holds the site,
the faults that make chosen paths misbehave (:mod:`mayadeen.loopback.faults`) and the log of every
request; :mod:`mayadeen.loopback.handler` answers each request (and the control paths).
"""

import ipaddress
import logging
import socket
import sys
import threading
from collections.abc import Iterable
from http.server import ThreadingHTTPServer
from typing import Protocol

from mayadeen.loopback.catalog import Page
from mayadeen.loopback.faults import Fault, parse_fault
from mayadeen.loopback.handler import RequestHandler, RequestRecord
from mayadeen.loopback.ticker import Ticker

logger = logging.getLogger(__name__)


class Site(Protocol):
    """What the server serves: the page at a raw path and query, or None (a 404)."""

    def get(self, raw_path: str, query: str = "") -> Page | None: ...


def _check_loopback(host: str) -> None:
    address = ipaddress.ip_address(socket.gethostbyname(host) if host == "localhost" else host)
    if not address.is_loopback:
        raise ValueError(f"the loopback server only listens on loopback addresses, not {host}")


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
    """Serves ``site`` on ``host:port`` (port 0 picks a free one) in a background thread."""

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
        """With a ticker, every HTML page shows its BREAKING lines of the moment
        (``mayadeen.loopback.ticker``); without, the lines the page was made with."""
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._log: list[RequestRecord] = []
        self._httpd = _HTTPServer((host, port), RequestHandler)
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

"""The duplicate filter of a crawl alone (``DUPEFILTER_CLASS``): Scrapy's, with its request
fingerprints on disk (``mayadeen.crawl.seen``) instead of in a Python set that grows with every
request of the run. What it filters, and the ``JOBDIR`` file it keeps, are Scrapy's.

A worker of a crawl shared through Redis uses scrapy-redis's filter instead
(``mayadeen.scaleout.scheduler``), whose fingerprints live in Redis.
"""

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request
from scrapy.utils.request import RequestFingerprinterProtocol

from mayadeen.crawl.seen import SeenSet


class DiskDupeFilter(RFPDupeFilter):
    def __init__(
        self,
        path: str | None = None,
        debug: bool = False,
        *,
        fingerprinter: RequestFingerprinterProtocol | None = None,
    ) -> None:
        super().__init__(path, debug, fingerprinter=fingerprinter)
        self._seen = SeenSet()
        self._seen.update(self._fingerprints)  # a JOBDIR's requests.seen, read by Scrapy
        self._fingerprints = set()

    def request_seen(self, request: Request) -> bool:
        fp = self._fingerprint(request)
        if not self._seen.add(fp):
            return True
        if self.file:
            self.file.write(len(fp).to_bytes(2, "big") + fp)
        return False

    def close(self, reason: str) -> None:
        super().close(reason)
        self._seen.close()

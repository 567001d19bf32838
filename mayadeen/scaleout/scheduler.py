"""scrapy-redis's scheduler, queue and duplicate filter, made to work for several workers of one
crawl under Scrapy 2.19 (see ``docs/scaling.md``).

What scrapy-redis 0.9.1 gets wrong here, and what these subclasses do instead:

- Its scheduler ``close()`` deletes the shared queue and fingerprints when *any* worker closes
  (``SCHEDULER_PERSIST = False``): the others lose their queue and fetch again what was already
  fetched. With ``SCHEDULER_PERSIST = True`` the fingerprints outlive the crawl and the next
  scheduled crawl finds every start page "seen" and fetches nothing. Here the keys are deleted
  by the last worker when the whole crawl is over (:mod:`mayadeen.scaleout.crew`).
- A worker whose queue is momentarily empty closes at once (its ``SCHEDULER_IDLE_BEFORE_CLOSE``
  is ignored by the priority queue), e.g. a worker started a second after another that took the
  start pages. Here an idle worker waits while another worker still holds requests.
- Its dupefilter fingerprints with its own SHA-1 of the canonicalised URL; here Scrapy's
  ``REQUEST_FINGERPRINTER`` decides, as it does for Scrapy's own duplicate filter.
- It passes ``spider=`` to the stats collector and calls ``Spider.log``, both deprecated in
  Scrapy 2.19 (a warning on the first request).

With ``-a urls=`` a worker fetches exactly the given pages itself, with Scrapy's own scheduler:
those requests are not filtered and not shared.
"""

import contextlib
import logging
import os
import pickle
import secrets
import socket
from collections import deque

from redis import Redis, RedisError
from scrapy import Request, Spider, signals
from scrapy.core.engine import ExecutionEngine
from scrapy.core.scheduler import BaseScheduler
from scrapy.core.scheduler import Scheduler as LocalScheduler
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from mayadeen.scaleout.crew import CrawlKeys, Crew
from mayadeen.scaleout.outage import RedisOutage, Unshared
from mayadeen.squeues import CallbackNames, request_dict

logger = logging.getLogger(__name__)

BEAT_SECONDS = 5.0
"""How often a worker tells Redis it is alive (and whether it holds requests)."""
FORGET_AFTER_SECONDS = 60.0
"""A worker that has not beaten for this long is taken for dead (killed, machine lost)."""
_SERIALISATION_ERRORS = (ValueError, TypeError, AttributeError, pickle.PickleError)


class SharedQueue(PriorityQueue):  # type: ignore[misc]
    """scrapy-redis's priority queue of pickled requests, popped with marking this worker busy."""

    def __init__(self, server: Redis, spider: Spider, crew: Crew) -> None:
        super().__init__(server=server, spider=spider, key=crew.keys.requests)
        self.crew = crew
        self.callback_names = CallbackNames(spider)

    def _encode_request(self, request: Request) -> bytes:
        """scrapy-redis's, each callback's name looked up once (``mayadeen.squeues``)."""
        return bytes(self.serializer.dumps(request_dict(request, self.callback_names)))

    def pop(self, timeout: int = 0) -> Request | None:
        data = self.crew.take()
        return None if data is None else self._decode_request(data)


class SharedDupeFilter(RFPDupeFilter):  # type: ignore[misc]
    """scrapy-redis's Redis set of fingerprints, with Scrapy's request fingerprints."""

    def __init__(self, server: Redis, key: str, crawler: Crawler) -> None:
        super().__init__(server, key, debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        self.fingerprinter = crawler.request_fingerprinter

    def request_fingerprint(self, request: Request) -> str:
        return self.fingerprinter.fingerprint(request).hex()


class SharedScheduler(RedisScheduler):  # type: ignore[misc]
    """One worker of a crawl whose queue and duplicate filter live in Redis."""

    def __init__(self, server: Redis, crawler: Crawler, keys: CrawlKeys) -> None:
        worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        super().__init__(
            server,
            persist=True,
            queue_key=keys.requests,
            dupefilter=SharedDupeFilter(server, keys.seen, crawler),
            dupefilter_key=keys.seen,
        )
        self.crawler = crawler
        self.stats = crawler.stats
        self.crew = Crew(server, keys, worker, FORGET_AFTER_SECONDS)
        self._beating: AsyncioLoopingCall | LoopingCall | None = None
        self._waiting = False
        self._joined = False
        self.outage = RedisOutage(crawler.settings.getfloat("MAYADEEN_REDIS_GIVE_UP_SECONDS"))
        self._held: deque[tuple[Request, bool]] = deque()
        """Requests scheduled while Redis was away (with whether the duplicate filter passed
        them already), handed to it once it answers again."""
        self._given_up = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BaseScheduler:
        spider = crawler.spider
        assert spider is not None
        if getattr(spider, "urls_argument", None) is not None:
            logger.info("scale-out: -a urls is fetched by this worker alone, not shared")
            return LocalScheduler.from_crawler(crawler)
        settings = crawler.settings
        keys = CrawlKeys.of(settings["BOT_NAME"], spider.name, settings["MAYADEEN_REDIS_JOB"])
        scheduler = cls(get_redis_from_settings(settings), crawler, keys)
        crawler.signals.connect(scheduler.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = SharedQueue(self.server, spider, self.crew)
        try:
            peers, dropped = self.crew.join()
        except RedisError as error:
            logger.error(
                "scale-out: Redis is not reachable at MAYADEEN_REDIS_URL (%s); start it, fix"
                " the URL, or leave MAYADEEN_REDIS_URL empty to crawl alone",
                error,
            )
            return  # the spider is closed once open (spider_opened), so nothing is left half-open
        self._joined = True
        prefix = self.crew.keys.prefix
        if peers:
            logger.info(
                "scale-out: joined the crawl %s:* with %d other workers, %d requests queued",
                prefix,
                peers,
                len(self.queue),
            )
        else:
            logger.info("scale-out: started the crawl %s:* as its first worker", prefix)
        if dropped:
            logger.warning(
                "scale-out: dropped %d requests left in %s by a crawl that did not finish;"
                " this crawl discovers again whatever they would have found",
                dropped,
                self.crew.keys.requests,
            )
        self._beating = create_looping_call(self._beat)
        self._beating.start(BEAT_SECONDS, now=False)

    def spider_opened(self, spider: Spider) -> None:
        if not self._joined:
            raise CloseSpider("redis_unreachable")

    def close(self, reason: str) -> None:
        if self._beating is not None and self._beating.running:
            self._beating.stop()
        if self._joined:
            with contextlib.suppress(RedisError):  # else forgotten once its marks lapse
                self.crew.leave()

    def has_pending_requests(self) -> bool:
        """While Redis is away this worker cannot tell, and must not close as if idle: it waits
        (the heartbeat stops it if Redis stays away)."""
        return self.outage.ongoing or len(self) > 0

    def __len__(self) -> int:
        """Requests queued: held by this worker, and in the shared queue when Redis answers."""
        if self.outage.ongoing:
            return len(self._held)
        try:
            return len(self._held) + len(self.queue)
        except RedisError as error:
            self.outage.failed("counting the queue", error)
            return len(self._held)

    def enqueue_request(self, request: Request) -> bool:
        if not self.outage.ongoing:
            try:
                return self._share(request, checked=False)
            except Unshared as unshared:
                self.outage.failed("queueing a request", unshared.error)
                checked = unshared.checked
        else:
            checked = False
        self._held.append((request, checked))  # owed already, if an article (docs/scaling.md)
        return True

    def _share(self, request: Request, checked: bool) -> bool:
        """Through the shared duplicate filter (unless ``checked`` already) into the queue."""
        try:
            if not checked and not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                self._stat("dupefilter/filtered")
                return False
        except RedisError as error:
            raise Unshared(error, checked=False) from error
        try:
            self.queue.push(request)
        except RedisError as error:
            raise Unshared(error, checked=True) from error
        except _SERIALISATION_ERRORS as error:
            logger.error("%s: cannot be queued in Redis (%s); not fetched", request.url, error)
            self._stat("scheduler/unserializable")
            return False
        self._stat("scheduler/enqueued", "scheduler/enqueued/redis")
        return True

    def _hand_over_held(self) -> None:
        """Redis answers again: the requests held meanwhile go to the shared queue. One another
        worker requested meanwhile is dropped as seen there (still owed in this store: the next
        crawl finds it stored, or fetches it)."""
        while self._held:
            request, checked = self._held[0]
            try:
                self._share(request, checked)
            except Unshared as unshared:
                self._held[0] = (request, unshared.checked)
                raise
            self._held.popleft()

    def next_request(self) -> Request | None:
        if not self.outage.may_try():
            return None
        try:
            self._hand_over_held()
            request = self._take()
        except (Unshared, RedisError) as failure:
            error = failure.error if isinstance(failure, Unshared) else failure
            self.outage.failed("taking the next request", error)
            return None
        self.outage.answered()
        return request

    def _take(self) -> Request | None:
        while True:
            try:
                request: Request | None = self.queue.pop()
            except _SERIALISATION_ERRORS as error:  # queued by a worker running other code
                logger.error("scale-out: a queued request cannot be read (%s); skipped", error)
                self._stat("scheduler/unserializable")
                continue
            if request is not None:
                self._stat("scheduler/dequeued", "scheduler/dequeued/redis")
                self._waiting = False
            return request

    def spider_idle(self, spider: Spider) -> None:
        """Close only when the whole crawl is over; until then wait (the engine asks again every
        few seconds, and takes queued requests meanwhile)."""
        try:
            state, count = self.crew.idle()
        except RedisError as error:
            self.outage.failed("asking whether the crawl is over", error)
            raise DontCloseSpider from error
        if state == "done":
            logger.info("scale-out: queue empty and no worker busy: the crawl is over")
            return
        if state == "busy" and not self._waiting:
            logger.info("scale-out: idle; waiting while %d other workers are busy", count)
        self._waiting = state == "busy"
        raise DontCloseSpider

    def _beat(self) -> None:
        engine = self.crawler.engine
        assert engine is not None
        if self._given_up:
            return
        try:  # not idle: holding requests (or more are queued: taken soon, or the mark lapses)
            self.crew.beat(busy=not engine.spider_is_idle())
        except RedisError as error:
            self.outage.failed("telling it this worker is alive", error)
            if self.outage.hopeless():
                self._give_up(engine)
            return
        self.outage.answered()

    def _give_up(self, engine: ExecutionEngine) -> None:
        """Redis stayed away: stop as ``redis_unreachable`` (exit 1, the lock released); every
        article this worker scheduled and did not store stays owed in its store."""
        self._given_up = True
        logger.error(
            "scale-out: Redis at MAYADEEN_REDIS_URL has not answered for %.0f s"
            " (MAYADEEN_REDIS_GIVE_UP_SECONDS); stopping this worker: check that redis-server"
            " runs and is reachable; what it did not fetch is owed to the next crawl",
            self.outage.give_up_after,
        )
        deferred_from_coro(engine.close_spider_async(reason="redis_unreachable"))

    def _stat(self, *keys: str) -> None:
        assert self.stats is not None
        for key in keys:
            self.stats.inc_value(key)

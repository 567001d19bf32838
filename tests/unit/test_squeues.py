"""The scheduler's serializing queues (``mayadeen.squeues``): a request kept as the dict Scrapy's
``Request.to_dict`` makes, its callback's name looked up once per callback, and a paused
``JOBDIR`` crawl's requests back unchanged when it resumes."""

import inspect
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from redis import Redis
from scrapy import FormRequest, Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.utils.test import get_crawler
from scrapy_redis import picklecompat

from mayadeen import settings as project_settings
from mayadeen import squeues
from mayadeen.scaleout.scheduler import SharedQueue
from mayadeen.squeues import CallbackNames, PickleLifoDiskQueue, request_dict


class _Spider(Spider):
    name = "queues"

    def parse_page(self, response: Any) -> None:
        pass

    def parse_other(self, response: Any) -> None:
        pass

    def failed(self, failure: Any) -> None:
        pass


def _requests(spider: _Spider) -> list[Request]:
    return [
        Request("https://example.com/1", callback=spider.parse_page, meta={"owed": True}),
        Request("https://example.com/2", callback=spider.parse_other, errback=spider.failed),
        Request("https://example.com/3", priority=5, dont_filter=True, cb_kwargs={"n": 3}),
        Request("https://example.com/4", callback=spider.parse_page, headers={"X-A": "b"}),
        FormRequest("https://example.com/5", formdata={"q": "x"}, callback=spider.parse_other),
    ]


def test_a_request_is_kept_as_the_dict_scrapy_makes() -> None:
    spider = _Spider()
    names = CallbackNames(spider)
    for request in _requests(spider) * 2:
        assert request_dict(request, names) == request.to_dict(spider=spider)


def test_each_callback_s_name_is_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    getmembers = inspect.getmembers

    def counted(thing: object, predicate: Any = None) -> list[tuple[str, Any]]:
        calls.append(thing)
        return getmembers(thing, predicate)

    monkeypatch.setattr(squeues.inspect, "getmembers", counted)
    spider = _Spider()
    names = CallbackNames(spider)
    for request in _requests(spider) * 50:
        request_dict(request, names)
    assert len(calls) == 3, "parse_page, parse_other, failed: once each"


def test_a_callback_not_of_the_spider_is_refused_as_scrapy_refuses_it() -> None:
    spider, other = _Spider(), _Spider()
    names = CallbackNames(spider)
    request = Request("https://example.com/x", callback=lambda response: None)
    with pytest.raises(ValueError, match="is not an instance method"):
        request.to_dict(spider=spider)
    with pytest.raises(ValueError, match="is not an instance method"):
        request_dict(request, names)
    # Scrapy matches a method by its function: another spider of the class names it too.
    elsewhere = Request("https://example.com/y", callback=other.parse_page)
    assert request_dict(elsewhere, names) == elsewhere.to_dict(spider=spider)


def _scheduler(jobdir: Path, spider: _Spider) -> Scheduler:
    settings = {
        "JOBDIR": str(jobdir),
        "SCHEDULER_DISK_QUEUE": project_settings.SCHEDULER_DISK_QUEUE,
        "SCHEDULER_MEMORY_QUEUE": project_settings.SCHEDULER_MEMORY_QUEUE,
        # Scrapy's default priority queue asks the engine for downloader slots: none here.
        "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
    }
    crawler = get_crawler(_Spider, settings)
    crawler.spider = spider
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def test_a_paused_job_s_requests_come_back_unchanged_when_it_resumes(tmp_path: Path) -> None:
    """The project's ``SCHEDULER_DISK_QUEUE`` behind ``JOBDIR``: pushed, the crawl paused (the
    scheduler closed), a new process's scheduler gives back the same requests."""
    assert project_settings.SCHEDULER_DISK_QUEUE == "mayadeen.squeues.PickleLifoDiskQueue"
    spider = _Spider()
    sent = _requests(spider)
    first = _scheduler(tmp_path, spider)
    for request in sent:
        assert first.enqueue_request(request)
    queues = list(first.dqs.queues.values())
    assert queues
    assert all(isinstance(queue, PickleLifoDiskQueue) for queue in queues)
    assert first.stats.get_value("scheduler/enqueued/disk") == len(sent)
    first.close("shutdown")

    resumed_spider = _Spider()
    resumed = _scheduler(tmp_path, resumed_spider)
    assert len(resumed) == len(sent)
    back = []
    while (request := resumed.next_request()) is not None:
        back.append(request)
    resumed.close("finished")
    wanted = sorted((r.to_dict(spider=spider) for r in sent), key=lambda d: d["url"])
    got = sorted((r.to_dict(spider=resumed_spider) for r in back), key=lambda d: d["url"])
    assert got == wanted
    assert all(getattr(r.callback, "__self__", resumed_spider) is resumed_spider for r in back)
    assert {type(r) for r in back} == {Request, FormRequest}


def test_the_shared_redis_queue_keeps_a_request_as_scrapy_redis_would() -> None:
    """``mayadeen.scaleout``'s queue encodes what scrapy-redis's ``_encode_request`` would
    (``Request.to_dict``, pickled), and decodes it back to the same request."""
    spider = _Spider()
    crew: Any = SimpleNamespace(keys=SimpleNamespace(requests="crawl:requests"))
    queue = SharedQueue(Redis(), spider, crew)  # no command is sent: nothing connects
    for request in _requests(spider):
        encoded = queue._encode_request(request)
        assert picklecompat.loads(encoded) == request.to_dict(spider=spider)
        assert queue._decode_request(encoded).to_dict(spider=spider) == request.to_dict(
            spider=spider
        )

"""What a run has seen, kept on disk (mayadeen/crawl/seen.py), the duplicate filter that keeps
Scrapy's request fingerprints there (mayadeen/dupefilters.py), and the scheduler's queue there
(mayadeen/squeues.py)."""

from logging import getLogger
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.dupefilters import RFPDupeFilter
from scrapy.settings import Settings
from scrapy.utils.misc import load_object
from scrapy.utils.test import get_crawler

from mayadeen.crawl.arguments import Arguments
from mayadeen.crawl.frontier import moment
from mayadeen.crawl.seen import SeenMap, SeenRecords, SeenSet
from mayadeen.crawl.state import load_frontier
from mayadeen.dupefilters import DiskDupeFilter
from mayadeen.settings import SCHEDULER_MEMORY_QUEUE
from mayadeen.squeues import IN_MEMORY, TemporaryDiskQueue
from mayadeen.store import Store, store_path
from tests.helpers.pipeline import fixture_items

NOW = "2026-11-21T10:00:00+00:00"


def test_a_seen_set_answers_as_a_set_does() -> None:
    seen, reference = SeenSet(), set()
    for key in ["b", "a", "b", "c", "a"]:
        assert seen.add(key) == (key not in reference)
        reference.add(key)
    assert len(seen) == len(reference)
    assert sorted(seen) == sorted(reference)
    assert all(key in seen for key in reference)
    assert "d" not in seen
    seen.close()


def test_a_seen_map_keeps_the_first_value() -> None:
    seen = SeenMap()
    assert seen.setdefault("hash", "first") == "first"
    assert seen.setdefault("hash", "second") == "first"
    assert seen.get("hash") == "first"
    assert seen.get("other") is None
    assert len(seen) == 1


def _filter(jobdir: Path | None = None) -> DiskDupeFilter:
    settings = {"JOBDIR": str(jobdir)} if jobdir else {}
    return DiskDupeFilter.from_crawler(get_crawler(settings_dict=settings))


def test_the_disk_filter_filters_what_scrapys_filters() -> None:
    disk, scrapys = _filter(), RFPDupeFilter()
    requests = [
        Request("https://example.org/a"),
        Request("https://example.org/a#fragment"),  # the same fingerprint
        Request("https://example.org/b"),
        Request("https://example.org/a", method="POST"),
        Request("https://example.org/b"),
    ]
    assert [disk.request_seen(r) for r in requests] == [scrapys.request_seen(r) for r in requests]
    assert [disk.request_seen(r) for r in requests] == [True] * 5
    disk.close("finished")


def test_the_disk_filter_keeps_scrapys_jobdir_file(tmp_path: Path) -> None:
    first = _filter(tmp_path)
    assert not first.request_seen(Request("https://example.org/a"))
    first.close("shutdown")
    resumed = _filter(tmp_path)  # a resumed job remembers what the first one requested
    assert resumed.request_seen(Request("https://example.org/a"))
    assert not resumed.request_seen(Request("https://example.org/b"))
    resumed.close("finished")
    assert RFPDupeFilter(str(tmp_path)).request_seen(Request("https://example.org/b"))


def test_the_frontier_reads_the_store_s_known_articles_from_disk(tmp_path: Path) -> None:
    """What the run's frontier knows is the store's ``known_articles()`` at the run's start, kept
    in a file: every article and alias URL with its dates, the newest publication, and nothing the
    run stores afterwards."""
    items = list(fixture_items().values())
    alias = "https://english.almayadeen.net/news/politics/copy"
    with Store.open(store_path(tmp_path)) as store:
        for item in items[:-1]:
            store.put(item, NOW)
        store.add_alias(alias, items[0].url, None, NOW)
        store.commit()
        expected = store.known_articles()
        frontier = load_frontier(
            store, Settings({"MAYADEEN_RECHECK_HOURS": 48}), Arguments(), getLogger(__name__)
        )
        store.put(items[-1], NOW)
        store.commit()
        assert items[-1].url not in frontier.known, "known as the run began"
    assert isinstance(frontier.known, SeenRecords)
    assert len(frontier.known) == len(expected) == len(items)
    assert {url: frontier.known[url] for url in frontier.known} == expected
    assert frontier.known.get(alias) == expected[alias]
    assert frontier.known.get(items[-1].url) is None
    newest = max(k.published_at for k in expected.values() if k.published_at)
    assert frontier.newest == moment(newest)


class _QueueSpider(Spider):
    name = "queue"

    def parse_page(self, response: Any) -> None:
        pass


def test_the_scheduler_queue_keeps_its_requests_on_disk_in_lifo_order() -> None:
    """Scrapy's scheduler takes ``SCHEDULER_MEMORY_QUEUE`` from the project's settings: pending
    requests are pickled to a temporary file and come back as they went in (LIFO, like Scrapy's
    memory queue); one that cannot be pickled waits in memory; closing removes the file."""
    crawler = get_crawler(_QueueSpider, {"SCHEDULER_MEMORY_QUEUE": SCHEDULER_MEMORY_QUEUE})
    crawler.spider = spider = _QueueSpider()
    queue = load_object(crawler.settings["SCHEDULER_MEMORY_QUEUE"]).from_crawler(crawler, "")
    assert isinstance(queue, TemporaryDiskQueue)
    sent = [
        Request(f"https://example.com/{n}", callback=spider.parse_page, meta={"owed": True})
        for n in range(3)
    ]
    for request in sent:
        queue.push(request)
    unpicklable = Request("https://example.com/local", callback=lambda response: None)
    queue.push(unpicklable)
    assert len(queue) == 4
    assert crawler.stats.get_value(IN_MEMORY) == 1
    directory = Path(queue._directory.name)
    assert any(directory.iterdir()), "the requests are on disk"
    assert queue.pop() is unpicklable
    back = [queue.pop() for _ in sent]
    assert [r.url for r in back] == [r.url for r in reversed(sent)]
    assert all(r.callback == spider.parse_page and r.meta["owed"] for r in back)
    assert queue.pop() is None
    assert len(queue) == 0
    queue.close()
    assert not directory.exists()

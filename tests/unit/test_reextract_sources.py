"""What ``scrapy reextract`` reads and rebuilds, through the real archive and store: every
capture read for its ticker, the latest of each URL extracted, a revisit read from its response
but seen at its own time; and the ``breaking`` table rebuilt without counting a sighting twice."""

from pathlib import Path

from mayadeen.store import Store
from mayadeen.store.breaking import Sighting, Sightings, all_lines, rebuild, record_sighting
from mayadeen.warc.index import add_capture, unchanged_original
from mayadeen.warc.jobs import Extractor, Figures, chunks
from mayadeen.warc.responses import seen_at
from mayadeen.warc.sources import indexed_sources
from mayadeen.warc.writing import ArchiveWriter, Exchange, payload_digest

ROOT = "https://english.almayadeen.net"
URL = f"{ROOT}/news/politics/a-slug"
PAGE = b'<html><body><ul class="ticker"><li>Israeli media: Sirens sound</li></ul></body></html>'


def exchange(body: bytes) -> Exchange:
    return Exchange(URL, "GET", [], 200, [("Content-Type", "text/html; charset=utf-8")], body)


def test_every_capture_is_read_the_latest_extracted_a_revisit_seen_at_its_own_time(
    tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "articles.sqlite") as store:
        archive = ArchiveWriter(tmp_path / "archive", "r1", 1 << 30, {"software": "tests"})
        first = archive.write(exchange(PAGE))
        add_capture(store.db, URL, first, "r1", False)
        digest = payload_digest(PAGE)
        revisit = archive.write(exchange(PAGE), unchanged_original(store.db, URL, digest), digest)
        assert revisit.record_type == "revisit"
        add_capture(store.db, URL, revisit, "r2", False)
        archive.close()
        sources = indexed_sources(store.db, tmp_path / "archive", None, None)
    assert [(s.offset, s.captured_at, s.article) for s in sources] == [
        (first.offset, first.captured_at, False),
        (first.offset, revisit.captured_at, True),
    ]
    extractor = Extractor(ROOT, 0)
    reads = [extractor.read(source, Figures()) for source in sources]
    extractor.close()
    assert [read.sighting.seen_at for read in reads if read.sighting] == [
        seen_at(first.captured_at),
        seen_at(revisit.captured_at),
    ]
    assert [[line.text for line in read.lines] for read in reads] == [
        ["Israeli media: Sirens sound"]
    ] * 2


def test_a_rebuild_gives_back_what_the_crawls_recorded_and_counts_nothing_twice(
    tmp_path: Path,
) -> None:
    line = [("Israeli media: Sirens sound", "Israeli media")]
    seen = [
        Sighting(f"{ROOT}/", "2026-01-01T10:00:00+00:00", "site"),
        Sighting(f"{ROOT}/news", "2026-01-01T10:00:00+00:00", "site"),  # a tie: the first wins
        Sighting(f"{ROOT}/news", "2026-01-01T10:20:00+00:00", "site"),
    ]
    sightings = Sightings()
    with (
        Store.open(tmp_path / "crawled.sqlite") as crawled,
        Store.open(tmp_path / "r.sqlite") as rebuilt,
    ):
        for sighting in seen:
            record_sighting(crawled.db, line, sighting, "crawl")
            sightings.add(line, sighting)
        rebuild(rebuilt.db, sightings, "reextract")
        (before,), (after,) = list(all_lines(crawled.db)), list(all_lines(rebuilt.db))
        assert {**before, "run_id": "reextract"} == after
        assert after["times_seen"] == 3
        rebuild(crawled.db, sightings, "reextract")
        rebuild(crawled.db, sightings, "reextract")
        assert list(all_lines(crawled.db)) == [before], "read again: nothing counted twice"


def test_chunks_keep_the_order_of_the_sources() -> None:
    assert list(chunks(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]  # type: ignore[arg-type]

"""An article names the capture its page was archived as and where the page was read (its
provenance, from the page's request meta), even when the page's own metadata stores it under
another URL than the one fetched; the store step writes its verdict on it, and no output lists it."""

import asyncio
import csv
import dataclasses
import sqlite3
from pathlib import Path

from mayadeen.items import CAPTURE_META, FETCHED_META, FIELD_NAMES, ArticleItem, Provenance
from mayadeen.loopback import GeneratedSite
from mayadeen.store.origins import SITE, Origin
from tests.helpers.pipeline import PipelineRun, generated_items

FETCHED = "https://english.almayadeen.net/news/politics/an-old-slug-of-the-article"


def test_the_article_of_a_page_names_its_capture_and_origin_under_the_url_its_page_states(
    tmp_path: Path,
) -> None:
    stored, invalid = generated_items(GeneratedSite(2, seed=3))
    invalid = dataclasses.replace(invalid, title=None)
    origin = Origin(SITE, "2026-11-21T10:00:00+00:00", source_url=FETCHED)
    passed: list[object] = []

    async def crawl() -> PipelineRun:
        run = PipelineRun(tmp_path)
        await run.open()
        for item, capture in ((stored, 41), (invalid, 42)):
            assert item.url is not None
            assert item.url != FETCHED
            item.provenance = Provenance.of({CAPTURE_META: capture, FETCHED_META: origin})
            passed.append(await run.process(item))
        await run.close()
        return run

    run = asyncio.run(crawl())
    assert run.stats()["mayadeen/items/new"] == 1
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        rows = db.execute(
            "SELECT a.url, a.capture_id, o.source_url FROM articles a "
            "JOIN article_origins o ON o.url = a.url"
        ).fetchall()
    assert rows == [(stored.url, 41, FETCHED)]
    item = passed[0]
    assert isinstance(item, ArticleItem)
    assert item.provenance.verdict == "new", "the store step writes its verdict on the article"


def test_a_page_without_a_capture_or_origin_stores_none(tmp_path: Path) -> None:
    (item,) = generated_items(GeneratedSite(1, seed=3))
    assert item.provenance == Provenance.of({})

    async def crawl() -> None:
        run = PipelineRun(tmp_path)
        await run.open()
        await run.process(item)
        await run.close()

    asyncio.run(crawl())
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT capture_id FROM articles").fetchall() == [(None,)]
        assert db.execute("SELECT via FROM article_origins").fetchall() == [(SITE,)]


def test_no_output_lists_the_provenance(tmp_path: Path) -> None:
    (item,) = generated_items(GeneratedSite(1, seed=3))
    item.provenance = Provenance(capture=7, origin=Origin(SITE, "2026-11-21T10:00:00+00:00"))
    assert "provenance" not in FIELD_NAMES
    assert item == dataclasses.replace(item, provenance=Provenance()), "not part of its value"
    assert "provenance" not in repr(item)

    async def crawl() -> str:
        run = PipelineRun(tmp_path)
        await run.open()
        await run.process(item)
        run_id = run.run.run_id
        await run.close()
        return run_id

    run_id = asyncio.run(crawl())
    with (tmp_path / "feeds" / f"articles-{run_id}.csv").open(encoding="utf-8") as feed:
        header = next(csv.reader(feed))
    assert header == list(FIELD_NAMES)

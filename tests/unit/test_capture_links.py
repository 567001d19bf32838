"""An article names the capture its page was archived as and where the page was read, even when
the page's own metadata stores it under another URL than the one fetched; an article that is not
stored leaves nothing behind in the run context."""

import asyncio
import dataclasses
import sqlite3
from pathlib import Path

from mayadeen.extensions.run_context import CAPTURE_META, FETCHED_META
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

    async def crawl() -> PipelineRun:
        run = PipelineRun(tmp_path)
        await run.open()
        for item, capture in ((stored, 41), (invalid, 42)):
            assert item.url is not None
            assert item.url != FETCHED
            run.context.page_read({CAPTURE_META: capture, FETCHED_META: origin}, item.url)
            await run.process(item)
        # Neither the stored article nor the quarantined one is kept for the rest of the run.
        assert run.context.captures == {}
        assert run.context.origins == {}
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


def test_a_page_without_a_capture_or_origin_adds_nothing(tmp_path: Path) -> None:
    (item,) = generated_items(GeneratedSite(1, seed=3))

    async def crawl() -> None:
        run = PipelineRun(tmp_path)
        await run.open()
        assert item.url is not None
        run.context.page_read({}, item.url)
        assert run.context.captures == {}
        assert run.context.origins == {}
        await run.process(item)
        await run.close()

    asyncio.run(crawl())
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT capture_id FROM articles").fetchall() == [(None,)]

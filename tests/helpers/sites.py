"""The sites the tests crawl: a generated site's articles and what they should give, what the
crawler asked the loopback server for, and the canary page altered as by a redesign."""

import json
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from mayadeen.drift.expectations import CanaryPage, load_pages
from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.catalog import Page
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.listings import normalize_path


def article_urls(generated: GeneratedSite, root: str) -> set[str]:
    return {f"{root}{article.path}" for article in generated.articles}


def requested_paths(server: LoopbackServer) -> list[str]:
    """Paths the crawler asked for, escapes decoded and trailing ``/`` dropped (one per page)."""
    return [unquote(r.path).rstrip("/") or "/" for r in server.requests]


def articles(site: GeneratedSite, prefix: str, n: int) -> list[GeneratedArticle]:
    chosen = [a for a in site.articles_by_index if a.entry.path.startswith(prefix)][:n]
    assert len(chosen) == n
    return chosen


def expected(site: GeneratedSite, article: GeneratedArticle, root: str) -> dict[str, Any]:
    item: dict[str, Any] = json.loads(
        json.dumps(site.expected_item(article)).replace(LIVE_ROOT, root)
    )
    return item


PAGES = load_pages()


TROOPS = next(p for p in PAGES if p.name == "article-belarusian-troops")


TROOPS_TITLE = "Lukashenko: Belarusian troops not partaking in Russian operation"


NEW_TITLE = "Belarus stays out of the war, Lukashenko says"


TAWSIYAT = re.compile(rb'<script type="text/tawsiyat".*?</script>', re.DOTALL)


def drifted(body: bytes) -> bytes:
    """The page after a redesign: no tawsiyat block, and a reworded headline."""
    return TAWSIYAT.sub(b"", body).replace(TROOPS_TITLE.encode(), NEW_TITLE.encode())


class AlteredSite:
    """A site serving some of its pages altered: ``alterations`` maps a path to a change."""

    def __init__(self, inner: FixtureSite, alterations: dict[str, Callable[[bytes], bytes]]):
        self.inner, self.alterations = inner, alterations

    def get(self, raw_path: str, query: str = "") -> Page | None:
        page = self.inner.get(raw_path, query)
        alter = self.alterations.get(normalize_path(raw_path))
        if page is None or alter is None:
            return page
        return replace(page, body=alter(page.body))


def path_of(page: CanaryPage) -> str:
    return page.url.removeprefix(LIVE_ROOT)

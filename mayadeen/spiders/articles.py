"""The ``articles`` spider: a placeholder until discovery and extraction land.

It fetches the site root named by ``MAYADEEN_BASE_URL`` and nothing else, so that the project's
command line, settings and the loopback site can be exercised end to end. It yields no items:
extraction and discovery are built in their own issues, not faked here.
"""

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy.http import Response


class ArticlesSpider(scrapy.Spider):
    name = "articles"

    async def start(self) -> AsyncIterator[Any]:
        base_url = self.settings.get("MAYADEEN_BASE_URL").rstrip("/")
        yield scrapy.Request(f"{base_url}/", callback=self.parse)

    def parse(self, response: Response, **kwargs: Any) -> Any:
        self.logger.warning(
            "placeholder spider: fetched %s (HTTP %d); article discovery and extraction "
            "are not implemented yet",
            response.url,
            response.status,
        )
        self.crawler.stats.inc_value("mayadeen/placeholder/pages")
        return []

"""The floor of ``bench/crawl.py``: Scrapy with its default settings fetching a list of URLs (the
article pages the real crawl fetched) and doing nothing with them: no discovery, no reading, no
project code at all. Run alone::

    scrapy runspider bench/list_spider.py -a urls_file=urls.txt
"""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response


class ListSpider(scrapy.Spider):
    name = "list"
    custom_settings = {  # noqa: RUF012 (Scrapy's own attribute, read from the class)
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
    }

    def __init__(self, urls_file: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(urls_file).read_text(encoding="utf-8").split()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, self.parse)

    def parse(self, response: Response) -> None:
        """Nothing: fetching is all this spider does."""

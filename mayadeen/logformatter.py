"""Log lines for dropped items: the project's drops say everything in one line, without the item
(an invalid article's whole body in a WARNING helps nobody; the quarantine keeps it)."""

from typing import Any

from scrapy import Spider, logformatter
from scrapy.http import Response
from twisted.python.failure import Failure

from mayadeen.pipelines.drops import DuplicateItem, InvalidItem


class LogFormatter(logformatter.LogFormatter):
    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> logformatter.LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        if isinstance(exception, InvalidItem | DuplicateItem):
            return {**result, "msg": "Dropped: %(exception)s", "args": {"exception": exception}}
        return result

"""Why a pipeline dropped an item: Scrapy ``DropItem`` subclasses whose message is the one log
line the drop needs (``mayadeen.logformatter``)."""

from scrapy.exceptions import DropItem


class InvalidItem(DropItem):
    """An item that failed validation; it was quarantined with ``reasons``."""

    def __init__(self, url: str | None, reasons: list[str]) -> None:
        super().__init__(
            f"invalid article {url}: {', '.join(reasons)} (quarantined)", log_level="WARNING"
        )
        self.url = url
        self.reasons = reasons


class DuplicateItem(DropItem):
    """An item already seen: ``kind`` is ``url`` (same URL earlier in this run) or ``content``
    (the same ``content_hash`` stored under ``original``)."""

    def __init__(self, kind: str, url: str, original: str, log_level: str) -> None:
        what = "URL seen before in this run" if kind == "url" else f"same content as {original}"
        super().__init__(f"duplicate article {url}: {what}", log_level=log_level)
        self.kind = kind
        self.url = url
        self.original = original

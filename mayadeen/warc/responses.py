"""An archived page as Scrapy's response, and a WARC-Date as a time: for ``extract()``."""

from datetime import UTC, datetime

from scrapy.http import HtmlResponse

from mayadeen.pages.dates import iso_seconds
from mayadeen.warc.reading import Page


def as_response(page: Page) -> HtmlResponse | None:
    """The archived page as Scrapy's response, for ``extract()``; None when it is not HTML."""
    headers = dict(page.headers)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if content_type and "html" not in content_type.lower():
        return None
    return HtmlResponse(
        page.url,
        status=page.status,
        headers={k: v for k, v in headers.items() if k.lower() == "content-type"},
        body=page.body,
    )


def warc_moment(warc_date: str) -> datetime | None:
    """A WARC-Date as a UTC time (None when unreadable: then now)."""
    try:
        return datetime.fromisoformat(warc_date.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def seen_at(warc_date: str) -> str:
    """A WARC-Date in the store's form (seconds, UTC offset): when a capture's page was seen.

    >>> seen_at("2026-12-07T12:03:42.918273Z")
    '2026-12-07T12:03:42+00:00'
    """
    moment = warc_moment(warc_date)
    return iso_seconds(moment) if moment is not None else warc_date

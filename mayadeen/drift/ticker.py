"""The canary's check of the BREAKING ticker: the site's selectors (``mayadeen/site/ticker.py``)
must find its lines.

With ``--via wayback`` the newest capture of the home page is read (the ticker's first real check
for a user the site blocks), and its report is always shown: ``matches`` with the lines found,
``differs`` when none, ``not captured`` when the archive holds no capture of it. Read from the
site, the ticker is checked on the canary pages already fetched (each page of the site carries
it; no request is added), and reported only when none of them yields a line: a healthy site's
canary report stays as it was.
"""

from typing import Final

from scrapy.http import HtmlResponse

from mayadeen.drift.expectations import Difference, PageReport
from mayadeen.drift.fetch import Fetched
from mayadeen.pages.ticker import ticker_lines

NAME: Final = "ticker"
RULE: Final = "mayadeen/site/ticker.py"
SHOWN: Final = 3
"""Lines quoted in a report that matches."""


def ticker_finding(pages: list[Fetched]) -> PageReport:
    """The ticker's report from ``pages``: it matches when one of them yields a line."""
    fetched = [page for page in pages if isinstance(page.response, HtmlResponse)]
    url = pages[0].url if len(pages) == 1 else ""
    report = PageReport(NAME, url, kind="ticker")
    if not fetched:
        report.failure = next((page.failure for page in pages if page.failure), "no page")
        return report
    for page in fetched:
        assert isinstance(page.response, HtmlResponse)
        if lines := ticker_lines(page.response):
            report.notes.append(
                f"{len(lines)} line{'' if len(lines) == 1 else 's'} on {page.url}: "
                + "; ".join(repr(line.text) for line in lines[:SHOWN])
            )
            return report
    where = fetched[0].url if len(fetched) == 1 else f"any of {len(fetched)} pages"
    report.differences.append(
        Difference(NAME, f"lines by the selectors of {RULE} (TICKER_LINES)", "none", "value")
    )
    report.notes.append(
        f"no BREAKING ticker line on {where}: the ticker's markup changed; correct TICKER_LINES "
        f"in {RULE} (the crawl counts such pages as mayadeen/ticker/pages_without)"
    )
    return report

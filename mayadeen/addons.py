"""The project's add-ons: settings that depend on other settings, applied after the command
line's ``-s`` values are known.

``AccessAddon``:

- ``MAYADEEN_CONTACT`` given (e.g. ``-s MAYADEEN_CONTACT=mailto:me@example.org``) and
  ``USER_AGENT`` not set at a higher priority: the User-Agent carries that contact.
- ``MAYADEEN_BROWSER`` other than ``off``: scrapy-playwright's download handlers, Debian's
  Chromium with flags that keep it off the network except for the page, and the browser
  middleware. With ``off`` nothing of scrapy-playwright is imported or started.

``RunFeedsAddon``: the per-run feeds (``MAYADEEN_FEED_FORMAT``) added to ``FEEDS``, beside the
user's own (``-o``, Scrapyd's ``items_dir``), which replace the project's ``FEEDS`` but never these.
"""

import shutil
from typing import Final

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from mayadeen.crawl.configuration import BROWSER_EXTRA, browser_installed
from mayadeen.middlewares.browser import browser_mode
from mayadeen.run import Run
from mayadeen.run.feeds import run_feeds
from mayadeen.site.webarchives import ARCHIVE_VIAS

CHROMIUM: Final = "/usr/bin/chromium"
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PLAYWRIGHT_HANDLER: Final = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
BROWSER_MIDDLEWARE: Final = "mayadeen.middlewares.browser.BrowserMiddleware"
BROWSER_MIDDLEWARE_ORDER: Final = 588
"""Before the block middleware (585) sees a response, after decompression (590)."""


def user_agent(contact: str) -> str:
    """The User-Agent naming the crawler and who to contact.

    >>> user_agent("mailto:data@example.org")
    'mayadeen/0.1 (+mailto:data@example.org)'
    """
    return f"mayadeen/0.1 (+{contact})"


class AccessAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        contact_priority = settings.getpriority("MAYADEEN_CONTACT") or 0
        if settings.get("MAYADEEN_CONTACT") and contact_priority > (
            settings.getpriority("USER_AGENT") or 0
        ):
            settings.set("USER_AGENT", user_agent(settings["MAYADEEN_CONTACT"]), contact_priority)
        if browser_mode(settings.get("MAYADEEN_BROWSER")) != "off":
            install_browser(settings)
        archive_slots(settings)


def archive_slots(settings: BaseSettings) -> None:
    """The web archives' download slots (``download_slot`` ``wayback``, ``commoncrawl``): their
    own pace, whatever the site's, unless ``DOWNLOAD_SLOTS`` names them already."""
    slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
    pace = {
        "concurrency": settings.getint("MAYADEEN_ARCHIVE_CONCURRENCY"),
        "delay": settings.getfloat("MAYADEEN_ARCHIVE_DELAY"),
    }
    for name in ARCHIVE_VIAS:
        slots.setdefault(name, dict(pace))
    settings.set("DOWNLOAD_SLOTS", slots, "addon")


def install_browser(settings: BaseSettings) -> None:
    """scrapy-playwright for http and https, Chromium launch options unless the user gave some,
    and the browser middleware."""
    if not browser_installed():  # `scrapy crawl` said so before starting; other commands here
        raise RuntimeError(
            f"MAYADEEN_BROWSER={settings.get('MAYADEEN_BROWSER')} needs {BROWSER_EXTRA}"
        )
    for scheme in ("http", "https"):
        settings["DOWNLOAD_HANDLERS"].set(scheme, PLAYWRIGHT_HANDLER, "addon")
    settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", "addon")
    if not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS"):
        if not shutil.which(CHROMIUM):
            raise RuntimeError(
                f"MAYADEEN_BROWSER={settings.get('MAYADEEN_BROWSER')} needs Chromium at {CHROMIUM}"
                " (apt-get install chromium), or PLAYWRIGHT_LAUNCH_OPTIONS naming another browser"
            )
        launch = {"executable_path": CHROMIUM, "headless": True, "args": list(CHROMIUM_ARGS)}
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch, "addon")
    settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, "addon")
    settings.set(
        "PLAYWRIGHT_ABORT_REQUEST", "mayadeen.middlewares.browser.skip_needless_resource", "addon"
    )
    settings["DOWNLOADER_MIDDLEWARES"].set(BROWSER_MIDDLEWARE, BROWSER_MIDDLEWARE_ORDER, "addon")


class RunFeedsAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        # The feeds are named by the run id: no run (as when `scrapy canary` fetches
        # pages, which are no run of the crawl), no per-run feeds.
        extensions = build_component_list(settings.getwithbase("EXTENSIONS"))
        if Run not in (load_object(path) for path in extensions):
            return
        feeds = {**run_feeds(settings), **settings.getdict("FEEDS")}
        priority = max(settings.getpriority("FEEDS") or 0, SETTINGS_PRIORITIES["addon"])
        settings.set("FEEDS", feeds, priority)

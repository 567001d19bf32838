"""The site's block and content-less rules on real pages, the back-off arithmetic, and the add-on's
settings (no crawl)."""

from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import signals
from scrapy.core.downloader import Slot
from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from mayadeen.addons import CHROMIUM_ARGS, PLAYWRIGHT_HANDLER, AccessAddon
from mayadeen.loopback import GeneratedSite, load_fixtures
from mayadeen.loopback.fault_pages import BLOCK_PAGE, CHALLENGE_PAGE, js_only_shell
from mayadeen.middlewares.backoff import SlotBackoff
from mayadeen.middlewares.retry import retry_after_seconds
from mayadeen.middlewares.shutdown import Shutdown
from mayadeen.site.access import block_kind, is_contentless, response_is_contentless

ARTICLE_URL = "https://english.almayadeen.net/news/politics/some-slug"


def test_the_loopback_block_and_challenge_pages_are_blocks() -> None:
    assert block_kind(403, BLOCK_PAGE.encode()) == "http_403"
    for status in (200, 403, 503):
        assert block_kind(status, CHALLENGE_PAGE.encode()) == "challenge"


def test_no_fixture_or_generated_page_is_a_block_or_contentless() -> None:
    pages = [(f.url, f.html()) for f in load_fixtures()]
    generated = GeneratedSite(200, seed=3)
    for article in generated.articles_by_index:
        page = generated.get(article.entry.path)
        assert page is not None
        pages.append((f"https://english.almayadeen.net{article.entry.path}", page.body))
    for url, body in pages:
        assert block_kind(200, body) is None, url
        assert not is_contentless(url, 200, body), url


def test_a_javascript_shell_of_an_article_is_contentless_not_a_block() -> None:
    generated = GeneratedSite(20, seed=3)
    page = generated.get(generated.articles_by_index[0].entry.path)
    assert page is not None
    shell = js_only_shell(page.body)
    assert block_kind(200, shell) is None
    assert is_contentless(ARTICLE_URL, 200, shell)
    response = HtmlResponse(ARTICLE_URL, body=shell)
    assert response_is_contentless(response)
    assert not is_contentless("https://english.almayadeen.net/news/politics", 200, shell)


@pytest.mark.parametrize(
    ("status", "headers", "body", "kind"),
    [
        (403, {}, b"<html><title>Attention Required! | Cloudflare</title></html>", "challenge"),
        (503, {}, b"<script>window._cf_chl_opt={}</script>", "challenge"),
        (200, {"cf-mitigated": "challenge"}, b"<html></html>", "challenge"),
        (200, {}, b"<title>DDoS-Guard</title>", "challenge"),
        (200, {}, b"<script src='/_Incapsula_Resource?x'></script>", "challenge"),
        (200, {}, b"<a href='https://errors.edgesuite.net/x'>ref</a>", "challenge"),
        (403, {}, b"<html><title>Access Denied</title>Reference #18.1</html>", "http_403"),
        (200, {}, b"<title>Request Rejected</title>", "block_page"),
        (503, {}, b"<h1>Service Unavailable</h1>", None),
        (429, {}, b"<h1>Too Many Requests</h1>", None),
        (404, {}, b"<title>Page not found</title>", None),
    ],
)
def test_block_kinds(status: int, headers: dict[str, str], body: bytes, kind: str | None) -> None:
    assert block_kind(status, body, headers) == kind


def test_an_article_about_a_vendor_is_not_a_block() -> None:
    body = (
        b'<html><head><title>DDoS-Guard and cf-chl | Al Mayadeen English</title><script type="text/'
        b'tawsiyat">{}</script></head><body><h1>Checking your browser before accessing</h1></body>'
    )
    assert block_kind(200, body) is None


def test_retry_after_values() -> None:
    assert retry_after_seconds(b" 7 ") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"-3") is None
    assert retry_after_seconds(b"Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def _backoff(autothrottle: bool = False) -> tuple[SlotBackoff, Slot, Request, dict[str, Any]]:
    slot = Slot(concurrency=2, delay=1.0, jitter=0)
    stats: dict[str, Any] = {}
    crawler: Any = SimpleNamespace(
        settings=Settings(
            {
                "MAYADEEN_BACKOFF_START": 4.0,
                "MAYADEEN_BACKOFF_MAX": 20.0,
                "AUTOTHROTTLE_ENABLED": autothrottle,
            }
        ),
        engine=SimpleNamespace(downloader=SimpleNamespace(slots={"host": slot})),
        stats=SimpleNamespace(
            inc_value=lambda key, count=1, start=0: stats.__setitem__(key, stats.get(key, 0) + 1),
            max_value=lambda key, value: stats.__setitem__(key, max(stats.get(key, 0), value)),
        ),
    )
    request = Request("http://host/x", meta={"download_slot": "host"})
    return SlotBackoff(crawler), slot, request, stats


def test_backoff_doubles_to_a_cap_and_recovers_slowly_to_the_slots_own_delay() -> None:
    backoff, slot, request, stats = _backoff()
    assert [backoff.slow_down(request) for _ in range(4)] == [4.0, 8.0, 16.0, 20.0]
    assert slot.delay == 20.0
    assert stats["mayadeen/backoff/max_delay"] == 20.0
    backoff.relax(request)
    assert slot.delay == 16.0, "one success shrinks the delay a little, not at once"
    for _ in range(20):
        backoff.relax(request)
    assert slot.delay == 1.0, "back to DOWNLOAD_DELAY once recovered"
    assert backoff.floors == {}


def test_backoff_to_a_stated_wait_and_with_autothrottle() -> None:
    backoff, slot, request, _ = _backoff(autothrottle=True)
    assert backoff.slow_down(request, to=2.5) == 2.5
    assert backoff.slow_down(request, to=60) == 20.0, "capped"
    slot.delay = 3.0  # AutoThrottle lowered it after a fast success
    backoff.relax(request)
    assert slot.delay == 16.0, "the floor survives AutoThrottle"


def _apply_addon(**values: Any) -> Settings:
    settings = Settings()
    settings.setmodule("mayadeen.settings", priority="project")
    settings.setdict(values, priority="cmdline")
    AccessAddon().update_settings(settings)
    return settings


def test_addon_off_installs_nothing_of_playwright() -> None:
    settings = _apply_addon()
    assert PLAYWRIGHT_HANDLER not in settings.getdict("DOWNLOAD_HANDLERS").values()
    assert not settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")


@pytest.mark.parametrize("mode", ["fallback", "always"])
def test_addon_installs_playwright_with_system_chromium(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mayadeen.addons.shutil.which", lambda path: path)
    settings = _apply_addon(MAYADEEN_BROWSER=mode)
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == PLAYWRIGHT_HANDLER
    launch = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")
    assert launch["executable_path"] == "/usr/bin/chromium"
    assert set(CHROMIUM_ARGS) <= set(launch["args"])
    assert "mayadeen.middlewares.browser.BrowserMiddleware" in settings.getdict(
        "DOWNLOADER_MIDDLEWARES"
    )


def test_addon_without_chromium_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("mayadeen.addons.shutil.which", lambda path: None)
    with pytest.raises(RuntimeError, match="apt-get install chromium"):
        _apply_addon(MAYADEEN_BROWSER="fallback")


def test_addon_keeps_the_users_launch_options_and_rejects_unknown_modes() -> None:
    mine = {"executable_path": "/opt/chrome/chrome"}
    settings = _apply_addon(MAYADEEN_BROWSER="fallback", PLAYWRIGHT_LAUNCH_OPTIONS=mine)
    assert settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS") == mine
    with pytest.raises(ValueError, match="MAYADEEN_BROWSER='sometimes'"):
        _apply_addon(MAYADEEN_BROWSER="sometimes")


def test_addon_puts_the_contact_into_the_user_agent_unless_the_user_agent_is_given() -> None:
    settings = _apply_addon(MAYADEEN_CONTACT="mailto:data@example.org")
    assert settings["USER_AGENT"] == "mayadeen/0.1 (+mailto:data@example.org)"
    settings = _apply_addon(MAYADEEN_CONTACT="mailto:data@example.org", USER_AGENT="custom")
    assert settings["USER_AGENT"] == "custom"
    assert "+https://" in _apply_addon()["USER_AGENT"], "the project's contact by default"


def test_a_shutdown_is_noticed_only_once_the_crawl_has_started() -> None:
    crawler = get_crawler()
    shutdown = Shutdown.of(crawler)
    assert shutdown is Shutdown.of(crawler), "one per crawler"
    assert not shutdown.stopping, "a crawler not started yet is not stopping"
    crawler.signals.send_catch_log(signals.engine_started)
    crawler.crawling = True
    assert not shutdown.stopping
    crawler.crawling = False  # what Crawler.stop does first, on SIGTERM or Ctrl-C
    assert shutdown.stopping

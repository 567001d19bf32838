"""The project's settings, checked before a crawl starts: a bad value is one line naming the
setting, the value and what is accepted (``scrapy crawl`` exits 2 with it, before anything is
fetched or recorded), never a traceback from deep inside a component.

``CHECKS`` has one rule per ``MAYADEEN_*`` setting; a new setting adds its rule here. The per-machine
settings (``MACHINE_SETTINGS``) are also read from the environment, by ``settings.py``.
"""

import difflib
import importlib.util
import re
from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urlsplit

from scrapy.settings import BaseSettings

from mayadeen.exporters import EXPORT_FORMATS

BROWSER_MODES: Final = ("off", "fallback", "always")
"""``MAYADEEN_BROWSER``'s values (``mayadeen.middlewares.browser``)."""

MACHINE_SETTINGS: Final = (
    "MAYADEEN_DATA_DIR",
    "MAYADEEN_CONTACT",
    "MAYADEEN_BROWSER",
    "MAYADEEN_REDIS_URL",
    "MAYADEEN_REDIS_JOB",
    "MAYADEEN_ALERTS",
    "MAYADEEN_ALERT_WEBHOOK_URL",
)
"""Settings that belong to a machine rather than to the project: an environment variable of the
same name overrides the default (``-s`` still overrides both)."""


class SettingError(ValueError):
    """A setting the crawl cannot run with; the message names it, its value and what is accepted."""


Rule = Callable[[Any], str | None]
"""A value → None when accepted, else what is accepted (``a number of hours, 0 or more``)."""


def _number(minimum: float, maximum: float | None = None, whole: bool = False) -> Rule:
    kind = "a whole number" if whole else "a number"
    span = f"from {minimum:g} to {maximum:g}" if maximum is not None else f"{minimum:g} or more"

    def rule(value: Any) -> str | None:
        try:
            number = float(str(value).strip())
        except ValueError:
            return f"{kind} {span}"
        if (whole and not number.is_integer()) or number != number:  # NaN
            return f"{kind} {span}"
        if number < minimum or (maximum is not None and number > maximum):
            return f"{kind} {span}"
        return None

    return rule


_HTTP_URL: Final = "an http(s) URL with a host, such as https://english.almayadeen.net"
_REDIS: Final = "empty, or a Redis URL such as redis://host:6379/0 (or rediss://, unix:///path)"


def _http_url(value: Any) -> str | None:
    try:
        parts = urlsplit(str(value).strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return _HTTP_URL
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return _HTTP_URL
    return None


def _redis_url(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return _REDIS
    scheme = parts.scheme.lower()
    if scheme == "unix" and parts.path:
        return None
    database = parts.path.strip("/")
    if (
        scheme not in {"redis", "rediss"}
        or not parts.hostname
        or not re.fullmatch(r"\d*", database)
    ):
        return _REDIS
    return None


def _one_of(choices: tuple[str, ...]) -> Rule:
    def rule(value: Any) -> str | None:
        if str(value or "").strip().lower() in choices:
            return None
        return f"one of {', '.join(choices)}"

    return rule


BROWSER_EXTRA: Final = "scrapy-playwright installed: pip install 'mayadeen[browser]'"
"""What ``MAYADEEN_BROWSER`` other than ``off`` needs besides Chromium."""


def _browser(value: Any) -> str | None:
    """``MAYADEEN_BROWSER``: one of its modes, and scrapy-playwright installed unless ``off``.

    >>> _browser("off"), _browser("sometimes")
    (None, 'one of off, fallback, always')
    """
    if (wrong := _one_of(BROWSER_MODES)(value)) is not None:
        return wrong
    if str(value).strip().lower() != "off" and not browser_installed():
        return f"{value.strip()} with {BROWSER_EXTRA}"
    return None


def browser_installed() -> bool:
    return importlib.util.find_spec("scrapy_playwright") is not None


def _feed_formats(value: Any) -> str | None:
    entries = value.split(",") if isinstance(value, str) else list(value or ())
    names = [str(entry).strip().lower() for entry in entries if str(entry).strip()]
    if not names or any(name not in EXPORT_FORMATS for name in names):
        return f"one or more of {', '.join(EXPORT_FORMATS)}, separated by commas"
    missing = next(filter(None, (EXPORT_FORMATS[name].problem(name) for name in names)), None)
    return f"formats whose library is installed ({missing})" if missing else None


def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty text"


def _switch(value: Any) -> str | None:
    """On or off, as Scrapy's ``getbool`` and ``MAYADEEN_ARCHIVE`` read it."""
    if str(value).strip().lower() in {"on", "off", "1", "0", "true", "false", "yes", "no"}:
        return None
    return "on or off (also 1/0, true/false, yes/no)"


def _job_name(value: Any) -> str | None:
    if re.fullmatch(r"[A-Za-z0-9_.-]*", str(value or "")):
        return None
    return "empty, or letters, digits, '_', '.' and '-'"


ALERT_CHANNELS: Final = ("email", "slack", "telegram", "discord", "webhook")


def alert_channels(value: Any) -> tuple[str, ...]:
    """``MAYADEEN_ALERTS`` as channel names: comma-separated, any case, each once.

    >>> alert_channels("Email, webhook,email"), alert_channels(""), alert_channels(["slack"])
    (('email', 'webhook'), (), ('slack',))
    """
    entries = value.split(",") if isinstance(value, str) else list(value or ())
    return tuple(dict.fromkeys(str(e).strip().lower() for e in entries if str(e).strip()))


def _alert_channels(value: Any) -> str | None:
    """Channels ``MAYADEEN_ALERTS`` may name, and Spidermon installed when it names any.

    >>> _alert_channels(""), _alert_channels("email,pager")
    (None, 'empty, or some of email, slack, telegram, discord, webhook, separated by commas')
    """
    names = set(alert_channels(value))
    if not names <= set(ALERT_CHANNELS):
        return f"empty, or some of {', '.join(ALERT_CHANNELS)}, separated by commas"
    if names and importlib.util.find_spec("spidermon") is None:
        return "Spidermon installed for alerts: pip install 'mayadeen[alerts]'"
    return None


def _optional_http_url(value: Any) -> str | None:
    return None if not str(value or "").strip() else _http_url(value)


CHECKS: Final[dict[str, Rule]] = {
    "MAYADEEN_BASE_URL": _http_url,
    "MAYADEEN_DATA_DIR": _text,
    "MAYADEEN_CONTACT": _text,
    "MAYADEEN_RECHECK_HOURS": _number(0),
    "MAYADEEN_OWED_RETRY_HOURS": _number(0),
    "MAYADEEN_OWED_RETRY_MAX_HOURS": _number(0),
    "MAYADEEN_REBIND_SITE": _switch,
    "MAYADEEN_SITEMAP_MAX_DEPTH": _number(0, whole=True),
    "MAYADEEN_LISTING_MAX_STALE_PAGES": _number(1, whole=True),
    "MAYADEEN_ARCHIVE": _switch,
    "MAYADEEN_ARCHIVE_DISCOVERY": _switch,
    "MAYADEEN_ARCHIVE_MAX_BYTES": _number(1, whole=True),
    "MAYADEEN_WAYBACK_URL": _http_url,
    "MAYADEEN_COMMONCRAWL_INDEX_URL": _http_url,
    "MAYADEEN_COMMONCRAWL_DATA_URL": _http_url,
    "MAYADEEN_COMMONCRAWL_CRAWLS": _number(1, whole=True),
    "MAYADEEN_WAYBACK_PAGE_SIZE": _number(1, whole=True),
    "MAYADEEN_ARCHIVE_INDEX_MAX_PAGES": _number(1, whole=True),
    "MAYADEEN_ARCHIVE_CONCURRENCY": _number(1, whole=True),
    "MAYADEEN_ARCHIVE_DELAY": _number(0),
    "MAYADEEN_ARCHIVE_FALLBACK": _switch,
    "MAYADEEN_TICKER_CAPTURES": _one_of(("all", "hour", "day")),
    "MAYADEEN_RETRY_AFTER_MAX": _number(0),
    "MAYADEEN_MAX_CONSECUTIVE_BLOCKS": _number(1, whole=True),
    "MAYADEEN_BACKOFF_START": _number(0),
    "MAYADEEN_BACKOFF_MAX": _number(0),
    "MAYADEEN_BROWSER": _browser,
    "MAYADEEN_STORE_BATCH_SIZE": _number(1, whole=True),
    "MAYADEEN_STORE_COMMIT_INTERVAL": _number(0),
    "MAYADEEN_FEED_FORMAT": _feed_formats,
    "MAYADEEN_HEALTH_MAX_COVERAGE_DROP": _number(0, 1),
    "MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE": _number(0, 1),
    "MAYADEEN_HEALTH_MIN_PAGES": _number(0, whole=True),
    "MAYADEEN_HEALTH_MAX_FAILED_SHARE": _number(0, 1),
    "MAYADEEN_REDIS_URL": _redis_url,
    "MAYADEEN_REDIS_JOB": _job_name,
    "MAYADEEN_REDIS_GIVE_UP_SECONDS": _number(1),
    "MAYADEEN_ALERTS": _alert_channels,
    "MAYADEEN_ALERT_WEBHOOK_URL": _optional_http_url,
}


PREFIX: Final = "MAYADEEN_"


def check_setting_names(settings: BaseSettings) -> None:
    """Raise ``SettingError`` for a ``MAYADEEN_*`` name that is not a setting of the project (a
    typo would otherwise be ignored silently), naming the nearest valid one.

    >>> try:
    ...     check_setting_names(BaseSettings({"MAYADEEN_RECHEK_HOURS": "12"}))
    ... except SettingError as error:
    ...     print(str(error).replace(": ", ":\\n"))
    MAYADEEN_RECHEK_HOURS is not a setting:
    did you mean MAYADEEN_RECHECK_HOURS? (the README's settings table lists them all)
    """
    for name in settings:
        if not isinstance(name, str) or not name.upper().startswith(PREFIX) or name in CHECKS:
            continue
        # Compared without the prefix, which every name shares.
        known = [known.removeprefix(PREFIX) for known in CHECKS]
        nearest = difflib.get_close_matches(name.upper().removeprefix(PREFIX), known, n=1)
        hint = f"did you mean {PREFIX}{nearest[0]}?" if nearest else "none is near it"
        raise SettingError(
            f"{name} is not a setting: {hint} (the README's settings table lists them all)"
        )


def check_settings(settings: BaseSettings) -> None:
    """Raise ``SettingError`` for an unknown ``MAYADEEN_*`` name (``check_setting_names``) or the
    first project setting whose value is not accepted.

    >>> check_settings(BaseSettings({"MAYADEEN_RECHECK_HOURS": "abc"}))
    Traceback (most recent call last):
    ...
    mayadeen.crawl.configuration.SettingError: MAYADEEN_RECHECK_HOURS='abc': expected a number 0 or more
    >>> check_settings(BaseSettings({"MAYADEEN_BROWSER": "Fallback", "MAYADEEN_REDIS_URL": ""}))
    """
    check_setting_names(settings)
    for name, rule in CHECKS.items():
        if name not in settings:
            continue
        value = settings[name]
        if (accepted := rule(value)) is not None:
            raise SettingError(f"{name}={value!r}: expected {accepted}")
    if (
        "webhook" in alert_channels(settings.get("MAYADEEN_ALERTS"))
        and not str(settings.get("MAYADEEN_ALERT_WEBHOOK_URL") or "").strip()
    ):
        raise SettingError(
            "MAYADEEN_ALERTS names webhook: set MAYADEEN_ALERT_WEBHOOK_URL to the URL to POST to"
        )
    backoff = (settings.get("MAYADEEN_BACKOFF_START"), settings.get("MAYADEEN_BACKOFF_MAX"))
    if None not in backoff and float(backoff[0]) > float(backoff[1]):
        raise SettingError(
            f"MAYADEEN_BACKOFF_START={backoff[0]!r}: expected at most MAYADEEN_BACKOFF_MAX "
            f"({backoff[1]!r})"
        )

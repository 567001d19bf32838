"""A run's identity and the paths of its outputs under ``MAYADEEN_DATA_DIR``, and the clock its
store writes by: plain functions, for the run context and the per-run feeds."""

import time
from datetime import UTC, datetime
from pathlib import Path

from scrapy.settings import BaseSettings

from mayadeen.exporters import EXPORT_FORMATS
from mayadeen.pages.dates import iso_seconds


def data_dir(settings: BaseSettings) -> Path:
    """``MAYADEEN_DATA_DIR`` as a path (relative paths are relative to where the crawl runs)."""
    return Path(settings["MAYADEEN_DATA_DIR"])


def feed_formats(settings: BaseSettings) -> tuple[str, ...]:
    """The per-run feeds' formats: ``MAYADEEN_FEED_FORMAT``, file extensions separated by commas.

    >>> feed_formats(BaseSettings({"MAYADEEN_FEED_FORMAT": "csv, jsonl.gz"}))
    ('csv', 'jsonl.gz')
    """
    value = settings["MAYADEEN_FEED_FORMAT"]
    entries = value.split(",") if isinstance(value, str) else list(value or ())
    formats = tuple(dict.fromkeys(entry.strip().lower() for entry in entries if entry.strip()))
    if not formats or any(name not in EXPORT_FORMATS for name in formats):
        raise ValueError(
            f"MAYADEEN_FEED_FORMAT = {value!r}: use one or more of "
            f"{', '.join(EXPORT_FORMATS)}, separated by commas"
        )
    return formats


def run_id_for(moment: datetime) -> str:
    """The run id for a crawl started at ``moment``: its UTC time, compact and sortable.

    >>> run_id_for(datetime(2026, 11, 21, 10, 15, 0, 812, tzinfo=UTC))
    '20261121T101500Z'
    """
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def feed_path(directory: Path, run_id: str, extension: str) -> Path:
    """``<data_dir>/feeds/articles-<run_id>.<extension>``.

    >>> feed_path(Path("data"), "20261121T101500Z", "jsonl.gz").as_posix()
    'data/feeds/articles-20261121T101500Z.jsonl.gz'
    """
    return directory / "feeds" / f"articles-{run_id}.{extension}"


def quarantine_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/quarantine/<run_id>.jsonl``."""
    return directory / "quarantine" / f"{run_id}.jsonl"


def manifest_path(directory: Path, run_id: str) -> Path:
    """``<data_dir>/runs/<run_id>.json``."""
    return directory / "runs" / f"{run_id}.json"


class Clock:
    """The current UTC time in the store's form, worked out once per second, not once per item."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._second = second
            self._text = iso_seconds(datetime.fromtimestamp(second, UTC))
        return self._text

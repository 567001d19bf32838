"""Scaling out: several ``scrapy crawl articles`` processes, on one machine or many, share one
crawl through Redis (scrapy-redis): one request queue and one duplicate filter, so each page is
fetched once by one of them. Off unless ``MAYADEEN_REDIS_URL`` is set; see ``docs/scaling.md``.

The add-on only switches Scrapy's scheduler; this module imports nothing of Redis, so the
project works without the ``redis`` extra installed as long as the mode is off.
"""

import importlib.util
import re
from typing import Final

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

SCHEDULER: Final = "mayadeen.scaleout.scheduler.SharedScheduler"
JOB_NAME = re.compile(r"[A-Za-z0-9._-]*")


class ScaleOutAddon:
    """With ``MAYADEEN_REDIS_URL`` set: the shared scheduler, scrapy-redis's ``REDIS_URL``, and
    store commits per article."""

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("MAYADEEN_REDIS_URL")
        if not url:
            return
        job = settings.get("MAYADEEN_REDIS_JOB") or ""
        if not JOB_NAME.fullmatch(job):
            raise ValueError(
                f"MAYADEEN_REDIS_JOB = {job!r}: use letters, digits, '.', '_' and '-' only"
            )
        if importlib.util.find_spec("scrapy_redis") is None:
            raise RuntimeError(
                "MAYADEEN_REDIS_URL is set but scrapy-redis is not installed:"
                " pip install 'mayadeen[redis]'"
            )
        settings.set("SCHEDULER", SCHEDULER, "addon")
        settings.set("REDIS_URL", url, "addon")
        # Workers sharing a data directory share its store: a batch holds SQLite's write lock
        # until it is committed, and a worker waiting for it stalls (docs/scaling.md).
        # Committing each article keeps the lock for milliseconds; unless the user chose.
        project = SETTINGS_PRIORITIES["project"]
        if (settings.getpriority("MAYADEEN_STORE_BATCH_SIZE") or 0) <= project:
            settings.set("MAYADEEN_STORE_BATCH_SIZE", 1, project)

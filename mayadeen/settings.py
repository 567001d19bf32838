"""Production settings of the mayadeen project.

Values here are the defaults a scheduled run against the live site uses. Tests and the offline
try-out override ``MAYADEEN_BASE_URL`` (and politeness) with ``-s KEY=VALUE``.
"""

import os

from mayadeen import items
from mayadeen.site.urls import LIVE_ROOT

BOT_NAME = "mayadeen"
SPIDER_MODULES = ["mayadeen.spiders"]
NEWSPIDER_MODULE = "mayadeen.spiders"
COMMANDS_MODULE = "mayadeen.commands"

# The site root. Everything the spider requests and outputs stays on this host.
MAYADEEN_BASE_URL = LIVE_ROOT
# Where the store and the feeds go; the environment variable of the same name wins over the default.
MAYADEEN_DATA_DIR = os.environ.get("MAYADEEN_DATA_DIR", "data")
# Who to contact about this crawler; part of the User-Agent so the site's operators can reach us.
# Also read from the environment (as every per-machine setting: MACHINE_SETTINGS in
# mayadeen/crawl/configuration.py).
MAYADEEN_CONTACT = os.environ.get("MAYADEEN_CONTACT", "https://github.com/mayadeen-crawler")

# Incremental runs fetch a known article again while it is younger than this (late edits and
# corrections happen in the first days), besides when a sitemap's lastmod says it changed.
MAYADEEN_RECHECK_HOURS = 48
# An article a run requested and could not settle (an error, a refused redirect, a run stopped
# before it) is owed: later runs request it again, the first after this many hours, each further
# one after twice as long, at most this many hours apart, until it is stored, quarantined or
# answers 404/410 twice (docs/runs.md).
MAYADEEN_OWED_RETRY_HOURS = 1.0
MAYADEEN_OWED_RETRY_MAX_HOURS = 168.0
# A data directory belongs to one site: a crawl of another MAYADEEN_BASE_URL is refused, unless
# this is set (the store then belongs to the new root).
MAYADEEN_REBIND_SITE = False

# Discovery is bounded (docs/crawling.md): sitemap indexes are read this many levels below a
# starting sitemap (/sitemaps/all.xml or robots.txt's; the site needs 1)...
MAYADEEN_SITEMAP_MAX_DEPTH = 3
# ...and a listing stops after this many pages in a row without an article link new to it.
MAYADEEN_LISTING_MAX_STALE_PAGES = 3

# USER_AGENT: mayadeen/0.1 (+MAYADEEN_CONTACT), set by AccessAddon (mayadeen/addons.py) unless
# USER_AGENT is given at a higher priority than MAYADEEN_CONTACT.

# Politeness: one slow, well-identified client.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# Scrapy hands each response's output (items and requests) to this many asyncio tasks, made afresh
# for every response; the pipelines are synchronous, so more only costs CPU making tasks
# (measured in docs/benchmarks.md).
CONCURRENT_ITEMS = 1
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
# Scrapy's duplicate filter with its request fingerprints on disk, not in memory: memory stays
# flat however many requests a backfill makes (docs/benchmarks.md, "Memory").
DUPEFILTER_CLASS = "mayadeen.dupefilters.DiskDupeFilter"
# The scheduler's pending requests pickled to a temporary file, not held in memory: a first run
# of a large site discovers articles faster than it fetches them (docs/benchmarks.md, "Memory").
SCHEDULER_MEMORY_QUEUE = "mayadeen.squeues.TemporaryDiskQueue"
# JOBDIR's queue: Scrapy's, each callback's name looked up once rather than per request.
SCHEDULER_DISK_QUEUE = "mayadeen.squeues.PickleLifoDiskQueue"
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Scrapy 2.19 enables both by default; an unattended crawler must not open control ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# -- Access: retries, blocks, back-off, browser rendering (mayadeen/middlewares, mayadeen/addons) --
# Transient failures are retried a few times; 429/503 wait as long as their Retry-After asks.
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# A body shorter than its Content-Length is an error (retried), never half a page.
DOWNLOAD_FAIL_ON_DATALOSS = True
# A Retry-After longer than this (seconds) is not waited for: the page is given up, loudly.
MAYADEEN_RETRY_AFTER_MAX = 300
# A 403 or challenge page is a block: counted, not retried, and the host slowed down (delay
# doubled from MAYADEEN_BACKOFF_START up to MAYADEEN_BACKOFF_MAX seconds, shrinking again on
# success). This many blocks in a row stop the run with the close reason "blocked".
MAYADEEN_MAX_CONSECUTIVE_BLOCKS = 5
MAYADEEN_BACKOFF_START = 5.0
MAYADEEN_BACKOFF_MAX = 120.0
# Chromium (scrapy-playwright) for pages: "off", "fallback" (blocked or content-less pages get
# one more try in the browser) or "always". Needs /usr/bin/chromium (apt-get install chromium)
# unless PLAYWRIGHT_LAUNCH_OPTIONS names another browser. Also read from the environment.
MAYADEEN_BROWSER = os.environ.get("MAYADEEN_BROWSER", "off")
DOWNLOADER_MIDDLEWARES = {
    # Scrapy's redirects, followed on the site only (scheme, host and port of MAYADEEN_BASE_URL);
    # redirects off it or in a loop are counted and logged, never dropped silently.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "mayadeen.middlewares.redirects.OnSiteRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "mayadeen.middlewares.redirects.OnSiteMetaRefreshMiddleware": 580,
    # Scrapy's own lets requests made while robots.txt is being fetched through unchecked.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "mayadeen.middlewares.robots.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "mayadeen.middlewares.retry.RetryAfterMiddleware": 550,
    "mayadeen.middlewares.blocks.BlockMiddleware": 585,
    # A graceful stop (SIGTERM, Ctrl-C once) drops requests still waiting behind a download
    # delay instead of sending them at the slot's pace first.
    "mayadeen.middlewares.shutdown.ShutdownMiddleware": 10,
    # Sees each response before decompression (590): the bytes as received (docs/archive.md).
    "mayadeen.middlewares.warc.WarcMiddleware": 595,
    # A page read from a web archive becomes the site's page before it is archived (597).
    "mayadeen.middlewares.webarchives.WebArchiveMiddleware": 597,
    # A site that cannot be resolved or connected to before anything answered stops the run at
    # once (close reason "unreachable"), with one line: before the retries, inside the stats.
    "mayadeen.middlewares.reachability.ReachabilityMiddleware": 840,
}
# The BREAKING ticker of every HTML page of the site (archived ones too) into the store's
# breaking table (docs/breaking.md): next to the callback, whose extraction takes its parse.
SPIDER_MIDDLEWARES = {"mayadeen.middlewares.ticker.TickerMiddleware": 950}
# Applies MAYADEEN_CONTACT to the User-Agent and MAYADEEN_BROWSER, command-line values included.
ADDONS = {
    "mayadeen.addons.AccessAddon": 0,
    "mayadeen.addons.RunFeedsAddon": 0,
    "mayadeen.scaleout.ScaleOutAddon": 0,
}

FEED_EXPORT_ENCODING = "utf-8"
# Every feed lists the contract's columns, in order (an article's provenance is no column).
FEED_EXPORT_FIELDS = list(items.FIELD_NAMES)
LOG_LEVEL = "INFO"

# -- Pipelines, store and feeds (docs/store.md) --------------------------------------------------
# Order matters: validate → deduplicate → store. The per-run feeds are FEEDS entries (below).
ITEM_PIPELINES = {
    "mayadeen.pipelines.validate.ValidationPipeline": 100,
    "mayadeen.pipelines.dedupe.DeduplicatePipeline": 200,
    "mayadeen.pipelines.store.StorePipeline": 300,
}
# Store writes are committed every this many items...
MAYADEEN_STORE_BATCH_SIZE = 1000
# ...and at least every this many seconds, so a killed crawl loses no more than that.
MAYADEEN_STORE_COMMIT_INTERVAL = 2.0
# The per-run feeds under <MAYADEEN_DATA_DIR>/feeds/ (articles new or updated in the run), one
# per format, comma-separated: csv, jsonl, jsonl.gz, json, parquet (pip install 'mayadeen[parquet]').
# Added to FEEDS by RunFeedsAddon.
MAYADEEN_FEED_FORMAT = "csv,jsonl.gz"
# -O/-o file.csv: list fields as JSON text and formulas neutralised, like the per-run feed;
# -O file.parquet: typed columns, times also as UTC timestamps (mayadeen/parquet.py).
FEED_EXPORTERS = {
    "csv": "mayadeen.exporters.CsvItemExporter",
    # Scrapy's, with a fast path for the article item: the same lines (mayadeen/exporters.py).
    "jsonl": "mayadeen.exporters.JsonLinesItemExporter",
    "parquet": "mayadeen.exporters.parquet_exporter",
}
# Feed files are written unbuffered: a killed crawl leaves whole rows, each as it was exported.
FEED_STORAGES = {
    "": "mayadeen.run.feeds.UnbufferedFileFeedStorage",
    "file": "mayadeen.run.feeds.UnbufferedFileFeedStorage",
}
# Dropped items are logged in one line (reasons and URL), without the whole item.
LOG_FORMATTER = "mayadeen.logformatter.LogFormatter"

# -- What a run reports (docs/runs.md) -----------------------------------------------------------
# A progress line every LOGSTATS_INTERVAL seconds (Scrapy's setting; 0 turns it off), and at the
# end a summary in the log, health checks and the run manifest <MAYADEEN_DATA_DIR>/runs/<run>.json.
EXTENSIONS = {
    # The run (mayadeen/run/): its id, its store writer and ledger, and its close in one ordered
    # method (commit, ledger, feeds, finish, report, alerts), which also opens and closes the feeds.
    "mayadeen.run.extension.Run": 0,
    # Scrapy's, whose per-run feeds never list a failed write as complete (mayadeen/run/feeds.py).
    "scrapy.extensions.feedexport.FeedExporter": None,
    "mayadeen.run.feeds.FeedExporter": 0,
    "scrapy.extensions.logstats.LogStats": None,
    "mayadeen.extensions.progress.ProgressLog": 0,
}
# Scrapy's in-memory stats, without the cost Scrapy 2.19's deprecation check puts on every stats
# call (about 42 a page; mayadeen/statscollectors.py).
STATS_CLASS = "mayadeen.statscollectors.MemoryStatsCollector"
# Who hears of a failed run (a failed health check, a blocked crawl): comma-separated channels,
# email, slack, telegram, discord (Spidermon's actions, set up with Spidermon's SPIDERMON_*
# settings) and webhook (a JSON POST to MAYADEEN_ALERT_WEBHOOK_URL). Needs the alerts extra.
MAYADEEN_ALERTS = os.environ.get("MAYADEEN_ALERTS", "")
MAYADEEN_ALERT_WEBHOOK_URL = os.environ.get("MAYADEEN_ALERT_WEBHOOK_URL", "")
# Health checks: a failed one is logged as an error and makes `scrapy crawl articles` exit 1.
# A field's coverage (share of article pages where some source gave it) falling by more than this
# share below the previous run's fails the run (1 turns the check off)...
MAYADEEN_HEALTH_MAX_COVERAGE_DROP = 0.2
# ...so do quarantined items above this share of the items validated (1 turns it off)...
MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE = 0.1
# ...judged only on runs (and against earlier runs) with at least this many article pages (and
# the share below on runs with at least this many article fetches)...
MAYADEEN_HEALTH_MIN_PAGES = 20
# ...and article fetches that failed on our side or transiently (errors after retries, blocks,
# refused redirects: owed to later runs; not a 404/410 nor robots.txt, the site's answers) above
# this share of the article fetches made, or any write the store refused (1 turns the share off).
MAYADEEN_HEALTH_MAX_FAILED_SHARE = 0.1
# A run that stored no article while it hit errors or blocked responses always fails.

# -- Scaling out (docs/scaling.md) ----------------------------------------------------------------
# A Redis URL (redis://host:6379/0) makes this process one worker of a crawl shared through Redis:
# one queue, one duplicate filter. Empty: crawl alone. Also read from the environment.
MAYADEEN_REDIS_URL = os.environ.get("MAYADEEN_REDIS_URL", "")
# Names the shared crawl when several different ones use one Redis (e.g. a backfill beside the
# daily crawl); workers of one crawl use the same name. Keys: mayadeen:articles[:JOB]:*.
MAYADEEN_REDIS_JOB = os.environ.get("MAYADEEN_REDIS_JOB", "")
# How long a worker of a shared crawl waits for Redis to answer again (a restart, a failover)
# before it stops as redis_unreachable, what it did not fetch owed (docs/scaling.md).
MAYADEEN_REDIS_GIVE_UP_SECONDS = 60.0

# -- The archive (docs/archive.md) ---------------------------------------------------------------
# Every article page received is kept as WARC records under <MAYADEEN_DATA_DIR>/archive/, for
# `scrapy reextract`: "on" or "off"; the environment variable of the same name wins.
MAYADEEN_ARCHIVE = os.environ.get("MAYADEEN_ARCHIVE", "on")
# A run's archive file is closed and the next one begun once it passes this many bytes.
MAYADEEN_ARCHIVE_MAX_BYTES = 1024**3
# Discovery pages (home, listings, sitemaps, RSS, robots.txt) are archived too when true.
MAYADEEN_ARCHIVE_DISCOVERY = False

# -- Web archives as a source (docs/web-archives.md) -----------------------------------------
# `-a via=wayback|commoncrawl` reads the site's captures from these; tests point them at loopback
# copies. Each archive is one download slot of its own, polite: MAYADEEN_ARCHIVE_CONCURRENCY
# requests at a time, MAYADEEN_ARCHIVE_DELAY seconds apart (429/503 and Retry-After as for the site).
MAYADEEN_WAYBACK_URL = "https://web.archive.org"
MAYADEEN_COMMONCRAWL_INDEX_URL = "https://index.commoncrawl.org"
MAYADEEN_COMMONCRAWL_DATA_URL = "https://data.commoncrawl.org"
# How many of the newest Common Crawl crawls (collinfo.json) a run reads.
MAYADEEN_COMMONCRAWL_CRAWLS = 3
# Captures per page of a Wayback CDX listing.
MAYADEEN_WAYBACK_PAGE_SIZE = 500
# Index pages of one web archive listing (a prefix, a crawl) a run reads at most; the listing's
# cursor resumes it in the next run. An archive that pages on without end cannot hold a run.
MAYADEEN_ARCHIVE_INDEX_MAX_PAGES = 1000
MAYADEEN_ARCHIVE_CONCURRENCY = 2
MAYADEEN_ARCHIVE_DELAY = 1.0
# A live article page that is blocked is read from its newest Wayback capture instead, when true.
MAYADEEN_ARCHIVE_FALLBACK = False
# Which captures of the home page a via=wayback|commoncrawl run reads for the BREAKING ticker:
# "all", or the first of each "hour" or "day". "hour" by default: a ticker line stays up for
# hours, so an hourly capture sees nearly every line within an hour of its first and last showing,
# while a home page the Wayback Machine captures dozens of times a day in bursts costs at most 24
# fetches a day (~8,800 a year at MAYADEEN_ARCHIVE_DELAY); "day" misses most lines.
MAYADEEN_TICKER_CAPTURES = "hour"

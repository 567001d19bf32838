"""Production settings of the mayadeen project.

Values here are the defaults a scheduled run against the live site uses. Tests and the offline
try-out override ``MAYADEEN_BASE_URL`` (and politeness) with ``-s KEY=VALUE``.
"""

import os

BOT_NAME = "mayadeen"
SPIDER_MODULES = ["mayadeen.spiders"]
NEWSPIDER_MODULE = "mayadeen.spiders"
COMMANDS_MODULE = "mayadeen.commands"

# The site root. Everything the spider requests and outputs stays on this host.
MAYADEEN_BASE_URL = "https://english.almayadeen.net"
# Where the store and the feeds go; the environment variable of the same name wins over the default.
MAYADEEN_DATA_DIR = os.environ.get("MAYADEEN_DATA_DIR", "data")
# Who to contact about this crawler; part of the User-Agent so the site's operators can reach us.
MAYADEEN_CONTACT = "https://github.com/mayadeen-crawler"

USER_AGENT = f"mayadeen/0.1 (+{MAYADEEN_CONTACT})"

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
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024

# Scrapy 2.19 enables both by default; an unattended crawler must not open control ports.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# -- Pipelines, store and feeds (docs/store.md) --------------------------------------------------
# Order matters: validate → deduplicate → store → feed.
ITEM_PIPELINES = {
    "mayadeen.pipelines.validate.ValidationPipeline": 100,
    "mayadeen.pipelines.dedupe.DeduplicatePipeline": 200,
    "mayadeen.pipelines.store.StorePipeline": 300,
    "mayadeen.pipelines.feed.FeedPipeline": 400,
}
# Store writes are committed every this many items...
MAYADEEN_STORE_BATCH_SIZE = 1000
# ...and at least every this many seconds, so a killed crawl loses no more than that.
MAYADEEN_STORE_COMMIT_INTERVAL = 2.0
# The per-run feed under <MAYADEEN_DATA_DIR>/feeds/: "csv" or "jsonl".
MAYADEEN_FEED_FORMAT = "csv"
# -O/-o file.csv: list fields as JSON text and formulas neutralised, like the per-run feed.
FEED_EXPORTERS = {"csv": "mayadeen.exporters.CsvItemExporter"}
# Dropped items are logged in one line (reasons and URL), without the whole item.
LOG_FORMATTER = "mayadeen.logformatter.LogFormatter"

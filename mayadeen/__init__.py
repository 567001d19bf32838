"""mayadeen: a Scrapy crawler for Al Mayadeen English (english.almayadeen.net)."""

__version__ = "0.1.0"

"""Scrapy extensions beside the run's (``mayadeen.run``): the progress line (``progress``)."""

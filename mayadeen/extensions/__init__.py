"""Scrapy extensions: the progress line (``progress``) and the end-of-run report (``run_report``)."""

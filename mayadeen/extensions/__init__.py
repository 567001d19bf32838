"""Scrapy extensions: the run context (``run_context``: the run's id, outputs and item verdicts),
the per-run feeds' feed exporter and storage (``run_feeds``), the progress line (``progress``)
and the end-of-run report (``run_report``)."""

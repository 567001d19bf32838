"""Scrapy extensions: the run context (``run_context``: the run's id, outputs and item verdicts),
the per-run feeds' feed exporter and storage (``run_feeds``), the progress line (``progress``)
the end-of-run report (``run_report``) and the alerts of a failed run (``run_alerts``, delivered by
Spidermon's actions in ``spidermon_alerts``)."""

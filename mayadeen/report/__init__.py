"""What a run tells its user: figures from its stats, health checks, the run manifest and the log
lines (progress and summary). The extensions in ``mayadeen.extensions`` wire them to a crawl."""

"""Site drift: ``scrapy canary`` checks known live pages against what they gave when recorded,
``scrapy record`` keeps a live page as a fixture (docs/drift.md)."""

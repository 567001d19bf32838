"""Project commands (``scrapy <name>`` inside this project)."""

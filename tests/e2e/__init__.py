"""The end-to-end layer: the real commands run as subprocesses against the loopback site, with
real servers (Scrapyd, Redis, Chromium, Datasette) started by the tests."""

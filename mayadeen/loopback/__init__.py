"""A loopback copy of english.almayadeen.net for tests, benchmarks and offline try-outs.

- :class:`~mayadeen.loopback.fixtures.FixtureSite`: the hand-checked fixture pages;
- :class:`~mayadeen.loopback.generator.GeneratedSite`: a deterministic site of N articles;
- :class:`~mayadeen.loopback.server.LoopbackServer`: serves either on 127.0.0.1 with faults.
"""

from mayadeen.loopback.fixtures import Fixture, FixtureSite, load_fixtures
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.generator import GeneratedSite
from mayadeen.loopback.handler import RequestRecord
from mayadeen.loopback.server import LoopbackServer

__all__ = [
    "Fixture",
    "FixtureSite",
    "GeneratedArticle",
    "GeneratedSite",
    "LoopbackServer",
    "RequestRecord",
    "load_fixtures",
]

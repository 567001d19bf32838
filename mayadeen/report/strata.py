"""A field's coverage in two runs compared section by section, so that a run whose pages are of
other sections than an earlier run's is not taken for the site's markup drifting.

A field the site gives on some sections only (an article's ``source`` is stated on news, never on
opinion pieces) covers fewer of a run's pages when fewer of them are of those sections: an
incremental run on a day of opinion pieces, or the run that fetches what the workers of a shared
crawl left owed. So the earlier run's coverage is taken in each of this run's sections and
weighted by this run's pages there (direct standardisation), and the difference is judged against
the standard error of the difference of the two shares in each section (a stratified
two-proportion test). A section the earlier run had no page of counts at the earlier run's share
over all its pages. Runs whose manifests predate the sections (no ``sections``) are compared over
all their pages, as one section.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mayadeen.report.figures import MISSING

Strata = dict[str, tuple[int, int]]
"""Section → (pages that gave the field, article pages)."""
ALL = "*"
"""The one stratum of a run counted without sections."""


@dataclass(frozen=True)
class Comparison:
    then: float
    """The earlier run's coverage, weighted to this run's sections."""
    now: float
    """This run's coverage."""
    noise: float
    """The standard error of ``then - now``."""
    weighted: bool
    """Whether the weighting moved ``then`` off the earlier run's own coverage (by half a point
    or more): the figure is then none the earlier run's manifest shows."""

    @property
    def drop(self) -> float:
        return self.then - self.now


def strata(name: str, run: Mapping[str, Any]) -> Strata:
    """Field ``name``'s strata in a run's figures (``fields`` and ``sections``, as the manifest
    has them); empty when the run did not count the field on any page.

    >>> fields = {"source": {"sources": {"dom": 3, "missing": 2}, "coverage": 0.6}}
    >>> strata("source", {"fields": fields})
    {'*': (3, 5)}
    >>> sections = {"Politics": {"pages": 3, "missing": {}},
    ...             "Opinion": {"pages": 2, "missing": {"source": 2}}}
    >>> strata("source", {"fields": fields, "sections": sections})
    {'Politics': (3, 3), 'Opinion': (0, 2)}
    >>> strata("image", {"fields": fields, "sections": sections})
    {}
    """
    figures = (run.get("fields") or {}).get(name)
    if not figures:
        return {}
    pages = sum((figures.get("sources") or {}).values())
    if not pages:
        return {}
    sections: Mapping[str, Mapping[str, Any]] = run.get("sections") or {}
    if not sections:
        return {ALL: (pages - int(figures["sources"].get(MISSING, 0)), pages)}
    return {
        section: (int(s["pages"]) - int(s["missing"].get(name, 0)), int(s["pages"]))
        for section, s in sections.items()
        if s.get("pages")
    }


def compare(now: Strata, then: Strata) -> Comparison | None:
    """This run's strata against an earlier run's; None when either counted no page.

    >>> same = compare({"*": (30, 100)}, {"*": (65, 100)})
    >>> round(same.then, 2), round(same.now, 2), round(same.noise, 3), same.weighted
    (0.65, 0.3, 0.071, False)
    >>> fewer_news = compare({"News": (27, 30), "Opinion": (0, 70)},
    ...                      {"News": (72, 80), "Opinion": (0, 20)})
    >>> round(fewer_news.then, 2), round(fewer_news.now, 2), abs(fewer_news.drop) < 1e-9
    (0.27, 0.27, True)
    >>> fewer_news.weighted  # over all its pages, the earlier run had 72%
    True
    >>> dropped = compare({"News": (0, 30), "Opinion": (0, 70)},
    ...                   {"News": (72, 80), "Opinion": (0, 20)})
    >>> round(dropped.then, 2), dropped.now, dropped.weighted
    (0.27, 0.0, True)
    >>> compare({"New": (5, 10)}, {"Old": (8, 10)}).then  # an unseen section: the overall share
    0.8
    >>> compare({}, {"*": (1, 2)}) is None, compare({"*": (1, 2)}, {}) is None
    (True, True)
    """
    found0, pages0 = map(sum, zip(*then.values(), strict=True)) if then else (0, 0)
    found1, pages1 = map(sum, zip(*now.values(), strict=True)) if now else (0, 0)
    if not pages0 or not pages1:
        return None
    if ALL in then:  # an earlier run counted without sections: compared over all pages
        now = {ALL: (found1, pages1)}
    expected = variance = 0.0
    for section, (f1, n1) in now.items():
        f0, n0 = then.get(section) or (found0, pages0)
        weight = n1 / pages1
        pooled = (f0 + f1) / (n0 + n1)
        expected += weight * f0 / n0
        variance += weight * weight * pooled * (1 - pooled) * (1 / n0 + 1 / n1)
    weighted = abs(expected - found0 / pages0) >= 0.005
    return Comparison(expected, found1 / pages1, math.sqrt(variance), weighted)

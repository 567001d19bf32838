"""Health checks at the end of a run: what makes a run that *finished* still a failed one.

Each check looks at the run's figures (``mayadeen.report.figures``) and, for field coverage, at the
figures of an earlier run; the thresholds come from settings (``Thresholds.from_settings``). Runs
too small to judge (fewer than ``min_pages`` article pages) are reported as skipped, not failed:
an incremental run on a quiet morning must not page anyone.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scrapy.settings import BaseSettings

from mayadeen import settings as defaults
from mayadeen.report.figures import Stats, articles, counter, plural, sections
from mayadeen.report.strata import Comparison, Strata, compare, strata

Status = Literal["ok", "failed", "skipped"]
SUCCESSFUL_CLOSE_REASONS = frozenset({"finished", "max_articles", "reextracted"})
"""Close reasons of runs that ran their course; any other is a failure in itself."""


@dataclass(frozen=True)
class Thresholds:
    max_coverage_drop: float = defaults.MAYADEEN_HEALTH_MAX_COVERAGE_DROP
    """A field failing: its coverage fell by more than this (a share, 0.2 = 20 points) below the
    previous run's. 1 turns the check off."""
    max_quarantine_share: float = defaults.MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE
    """Quarantined items above this share of the items validated fail the run. 1 turns it off."""
    max_failed_share: float = defaults.MAYADEEN_HEALTH_MAX_FAILED_SHARE
    """Article fetches that failed on our side or transiently (owed to later runs) above this share
    of the article fetches fail the run. 1 turns it off."""
    min_pages: int = defaults.MAYADEEN_HEALTH_MIN_PAGES
    """Coverage, quarantine and the share of failed fetches are judged only on runs (and against
    runs) with at least this many article pages, items or fetches; smaller samples say too
    little."""

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> "Thresholds":
        return cls(
            max_coverage_drop=settings.getfloat("MAYADEEN_HEALTH_MAX_COVERAGE_DROP"),
            max_quarantine_share=settings.getfloat("MAYADEEN_HEALTH_MAX_QUARANTINE_SHARE"),
            max_failed_share=settings.getfloat("MAYADEEN_HEALTH_MAX_FAILED_SHARE"),
            min_pages=settings.getint("MAYADEEN_HEALTH_MIN_PAGES"),
        )


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}"


def run_checks(
    stats: Stats,
    fields: Mapping[str, Mapping[str, Any]],
    baselines: Sequence[Mapping[str, Any]],
    thresholds: Thresholds,
) -> list[Check]:
    """Every check, in a fixed order. ``fields`` are this run's per-field figures, ``baselines``
    the manifests of the earlier runs to compare coverage with, newest first (maybe none)."""
    return [
        stored_something(stats),
        coverage(fields, baselines, thresholds, sections(stats)),
        quarantine_share(stats, thresholds),
        losses(stats, thresholds),
    ]


def stored_something(stats: Stats) -> Check:
    """A run that stored no article while it hit errors or blocks failed; a quiet day did not.
    A run stopped early (``finish_reason`` ``blocked``, ``shutdown``...) has already failed, so it
    is not judged again here.

    >>> stored_something({"log_count/ERROR": 2}).status
    'failed'
    >>> str(stored_something({"log_count/ERROR": 2, "mayadeen/blocks/total": 1}))
    'articles: stored no article and hit 1 blocked response and 2 errors'
    >>> stored_something({}).status, stored_something({"item_scraped_count": 1, "log_count/ERROR": 1}).status
    ('ok', 'ok')
    >>> stored_something({"finish_reason": "blocked", "mayadeen/blocks/total": 5}).status
    'skipped'
    """
    reason = stats.get("finish_reason", "finished")
    if reason not in SUCCESSFUL_CLOSE_REASONS:
        return Check("articles", "skipped", f"the run stopped early ({reason})")
    stored = counter(stats, "item_scraped_count")
    blocks, errors = counter(stats, "mayadeen/blocks/total"), counter(stats, "log_count/ERROR")
    if stored or not (blocks or errors):
        return Check("articles", "ok", f"{stored} stored")
    trouble = [
        plural(n, noun) for n, noun in ((blocks, "blocked response"), (errors, "error")) if n
    ]
    return Check("articles", "failed", "stored no article and hit " + " and ".join(trouble))


def coverage(
    fields: Mapping[str, Mapping[str, Any]],
    baselines: Sequence[Mapping[str, Any]],
    thresholds: Thresholds,
    sections: Mapping[str, Mapping[str, Any]] | None = None,
) -> Check:
    """Fields whose coverage fell well below the earlier runs': each field against its median
    over ``baselines`` (the lower one of an even count), so that one earlier run whose pages were
    no fair sample (a ``max_articles`` run takes the first articles discovery finds) is no alarm,
    while a field the site's markup stopped giving falls below every earlier run. Runs are
    compared section by section (``sections``, ``mayadeen.report.strata``): a run with fewer news
    pages has fewer pages stating a source, which is no drift.

    >>> now = {"image": {"sources": {"meta": 10, "missing": 30}, "coverage": 0.25}}
    >>> before = {"run_id": "R1", "fields": {"image": {"sources": {"meta": 40}, "coverage": 1.0}}}
    >>> str(coverage(now, [before], Thresholds()))
    'coverage: field coverage fell: image from 100% to 25% (run R1 as the baseline)'
    >>> low = {"run_id": "R0", "fields": {"image": {"sources": {"meta": 10, "missing": 30},
    ...                                             "coverage": 0.25}}}
    >>> coverage(now, [before, low], Thresholds()).status  # the median of 100% and 25%: 25%
    'ok'
    >>> str(coverage(now, [before, before, low], Thresholds()))
    'coverage: field coverage fell: image from 100% to 25% (the median of runs R1, R1, R0 as the baseline)'
    >>> coverage(now, [], Thresholds()).status
    'skipped'
    """
    if not baselines:
        return Check("coverage", "skipped", "no earlier run to compare with")
    if _pages(fields) < thresholds.min_pages:
        return Check("coverage", "skipped", f"fewer than {thresholds.min_pages} article pages")
    earlier = [b for b in baselines if _pages(b.get("fields") or {}) >= thresholds.min_pages]
    if not earlier:
        return Check("coverage", "skipped", "the earlier runs had too few article pages")
    run = {"fields": fields, "sections": sections or {}}
    judged = [(name, _median(strata(name, run), earlier, name)) for name in fields]
    fallen = [(name, c) for name, c in judged if c and _fell(c, thresholds.max_coverage_drop)]
    if fallen:
        runs = ", ".join(str(b.get("run_id")) for b in earlier)
        baseline = f"run {runs}" if len(earlier) == 1 else f"the median of runs {runs}"
        baseline += " as the baseline"
        if any(c.weighted for _, c in fallen):  # a figure no earlier manifest shows: say why
            baseline += ", section by section"
        drops = ", ".join(f"{name} from {c.then:.0%} to {c.now:.0%}" for name, c in fallen)
        return Check("coverage", "failed", f"field coverage fell: {drops} ({baseline})")
    return Check("coverage", "ok", f"no field fell by more than {thresholds.max_coverage_drop:.0%}")


def _median(now: Strata, baselines: Sequence[Mapping[str, Any]], name: str) -> Comparison | None:
    """The comparison with the earlier run where the field's coverage (on this run's sections)
    is the (lower) median; None when no earlier run counted the field."""
    compared = [c for b in baselines if (c := compare(now, strata(name, b)))]
    if not compared:
        return None
    return sorted(compared, key=lambda c: c.then)[(len(compared) - 1) // 2]


def quarantine_share(stats: Stats, thresholds: Thresholds) -> Check:
    """Quarantined items as a share of every item that was validated.

    >>> stats = {"mayadeen/items/new": 60, "mayadeen/quarantine/items": 40}
    >>> str(quarantine_share(stats, Thresholds()))
    'quarantine: 40 of 100 items quarantined (40%, above the 10% limit)'
    >>> quarantine_share({"mayadeen/quarantine/items": 3}, Thresholds()).status
    'skipped'
    >>> quarantine_share({}, Thresholds(min_pages=0)).status  # MAYADEEN_HEALTH_MIN_PAGES=0
    'skipped'
    """
    figures = articles(stats)
    validated = sum(figures.values())
    if validated < thresholds.min_pages or not validated:  # no item: no share to judge
        return Check("quarantine", "skipped", f"fewer than {max(thresholds.min_pages, 1)} items")
    share = figures["quarantined"] / validated
    failed = share > thresholds.max_quarantine_share
    detail = (
        f"{figures['quarantined']} of {validated} items quarantined ({share:.0%}, "
        f"{'above' if failed else 'within'} the {thresholds.max_quarantine_share:.0%} limit)"
    )
    return Check("quarantine", "failed" if failed else "ok", detail)


def losses(stats: Stats, thresholds: Thresholds) -> Check:
    """What the run could not settle: writes the store refused, items that failed in the
    pipelines, and article fetches that failed on our side or transiently (errors after retries,
    blocks, refused redirects: owed to later runs) above ``max_failed_share`` of the article
    fetches, on runs with at least ``min_pages`` of them. What the site answered is no loss: a
    404/410 (gone once it answers so twice) and a URL robots.txt forbids are counted, not judged.

    >>> str(losses({"mayadeen/owed/arrived": 69, "mayadeen/owed/failed": 31}, Thresholds()))
    'losses: 31 of 100 article fetches failed (31%, above the 10% limit); owed to later runs'
    >>> str(losses({"mayadeen/store/errors": 2, "mayadeen/owed/arrived": 5}, Thresholds()))
    'losses: the store refused 2 writes'
    >>> losses({"mayadeen/owed/arrived": 95, "mayadeen/owed/failed": 5}, Thresholds()).status
    'ok'
    >>> str(losses({"mayadeen/owed/arrived": 15, "mayadeen/owed/not_found": 1,
    ...             "mayadeen/owed/forbidden": 1}, Thresholds()))
    'losses: 0 of 16 article fetches failed (1 not found, 1 forbidden by robots.txt)'
    >>> str(losses({"mayadeen/owed/arrived": 2, "mayadeen/owed/failed": 2}, Thresholds()))
    'losses: 2 of 4 article fetches failed; the share is judged on runs of at least 20'
    """
    problems = []
    if store_errors := counter(stats, "mayadeen/store/errors"):
        problems.append(f"the store refused {plural(store_errors, 'write')}")
    if counter(stats, "mayadeen/feeds/failed"):
        problems.append("the per-run feeds are incomplete (their articles go to the next run's)")
    if counter(stats, "mayadeen/feeds/breaking_failed"):
        problems.append("the breaking feed is incomplete (its lines go to the next run's)")
    if item_errors := counter(stats, "mayadeen/items/errors"):
        problems.append(f"{plural(item_errors, 'item')} failed in the pipelines")
    if close_errors := counter(stats, "mayadeen/run/close_errors"):
        problems.append(f"{plural(close_errors, 'step')} of the run's close failed (logged)")
    failed = counter(stats, "mayadeen/owed/failed")
    answered = counter(stats, "mayadeen/owed/not_found") + counter(stats, "mayadeen/owed/gone")
    fetches = failed + answered + counter(stats, "mayadeen/owed/arrived")
    share = failed / fetches if fetches else 0.0
    judged = fetches >= thresholds.min_pages
    if judged and share > thresholds.max_failed_share:
        problems.append(
            f"{failed} of {fetches} article fetches failed ({share:.0%}, above the "
            f"{thresholds.max_failed_share:.0%} limit); owed to later runs"
        )
    if problems:
        return Check("losses", "failed", "; ".join(problems))
    detail = f"{failed} of {fetches} article fetches failed"
    if not judged and failed:
        detail += f"; the share is judged on runs of at least {thresholds.min_pages}"
    answers = []  # the site's answers: reported, never a loss
    if answered:
        answers.append(f"{answered} not found")
    if forbidden := counter(stats, "mayadeen/owed/forbidden"):
        answers.append(f"{forbidden} forbidden by robots.txt")
    if answers:
        detail += f" ({', '.join(answers)})"
    return Check("losses", "ok", detail)


NOISE_LIMIT = 3.0
"""Standard errors a coverage drop must exceed to be more than the luck of which pages a run got."""


def _fell(compared: Comparison, max_drop: float) -> bool:
    """Whether a field's coverage fell by more than ``max_drop`` *and* by more than sampling noise
    (a two-proportion z-test over the pages each run counted, section by section): a run of 30
    pages may well find a field that 65% of pages have on only 40% of them by chance, a run of
    300 may not.

    >>> def fell(then, now, max_drop):
    ...     return _fell(compare({"*": now}, {"*": then}), max_drop)
    >>> fell((65, 100), (12, 30), 0.2)  # 65% → 40% on 30 pages: could be luck
    False
    >>> fell((650, 1000), (120, 300), 0.2)  # the same shares on 300: it is not
    True
    >>> fell((100, 100), (10, 30), 0.2), fell((70, 100), (15, 30), 0.3)
    (True, False)
    """
    return compared.drop > max_drop and compared.drop > NOISE_LIMIT * compared.noise


def _pages(fields: Mapping[str, Mapping[str, Any]]) -> int:
    """How many article pages the field figures were counted on (every field counts every page)."""
    return max((sum(f["sources"].values()) for f in fields.values()), default=0)

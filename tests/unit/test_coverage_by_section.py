"""The coverage check compares runs section by section: generated article pages extracted and
counted by the real code (``extract``, ``count``), their figures read as the manifest reads them,
judged by the real check. A run of other sections than the earlier run's is no drift; a field
the markup stopped giving on the sections that have it is, whatever the mix."""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import pytest
from scrapy.http import HtmlResponse

from mayadeen.loopback import GeneratedSite
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.pages.extract import count, extract
from mayadeen.report import figures
from mayadeen.report.coverage import changes
from mayadeen.report.health import Thresholds, coverage
from mayadeen.report.history import RunFigures

SOURCE_LINE = re.compile(rb'<li class="post-source">.*?</li>')


class Stats(Counter[str]):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self[key] += count


def run(
    run_id: str,
    site: GeneratedSite,
    articles: Iterable[GeneratedArticle],
    alter: Callable[[bytes], bytes] = lambda body: body,
) -> dict[str, Any]:
    """A run's manifest figures for these article pages, as a crawl counts them."""
    stats = Stats()
    for article in articles:
        page = site.content(article.entry.path)
        assert page is not None
        url = LIVE_ROOT + article.entry.path
        count(stats, extract(HtmlResponse(url, body=alter(page.body), encoding="utf-8"), LIVE_ROOT))
    return {"run_id": run_id, "fields": figures.fields(stats), "sections": figures.sections(stats)}


def judged(now: dict[str, Any], *earlier: dict[str, Any]) -> str:
    check = coverage(now["fields"], list(earlier), Thresholds(), now["sections"])
    return f"{check.status}: {check.detail}"


@pytest.fixture(scope="module")
def site() -> GeneratedSite:
    return GeneratedSite(400, seed=21)


@pytest.fixture(scope="module")
def news(site: GeneratedSite) -> list[GeneratedArticle]:
    return [a for a in site.articles_by_index if (a.entry.section or "").startswith("news/")]


@pytest.fixture(scope="module")
def others(site: GeneratedSite) -> list[GeneratedArticle]:
    return [a for a in site.articles_by_index if not (a.entry.section or "").startswith("news/")]


def test_each_article_page_is_counted_in_its_section_with_the_fields_it_lacked(
    site: GeneratedSite, news: list[GeneratedArticle], others: list[GeneratedArticle]
) -> None:
    figures_ = run("R", site, [*news[:30], *others[:20]])
    sections = figures_["sections"]
    assert sum(s["pages"] for s in sections.values()) == 50
    assert (
        sum(s["missing"].get("source", 0) for s in sections.values())
        == (figures_["fields"]["source"]["sources"]["missing"])
    ), "the sections' missing pages are the field's"
    opinion = [s for name, s in sections.items() if name in {"Opinion", "Analysis", "Blog"}]
    assert opinion
    assert all(s["missing"]["source"] == s["pages"] for s in opinion)


def test_a_run_of_fewer_news_pages_is_no_fall_of_the_fields_only_news_gives(
    site: GeneratedSite, news: list[GeneratedArticle], others: list[GeneratedArticle]
) -> None:
    earlier = run("R1", site, [*news[:120], *others[:25]])  # mostly news: a source on most
    now = run("R2", site, [*news[120:160], *others[25:]])  # mostly opinion and analysis
    assert earlier["fields"]["source"]["coverage"] - now["fields"]["source"]["coverage"] > 0.3
    assert judged(now, earlier).startswith("ok: ")
    as_one_section = {**earlier, "sections": {}}  # a manifest written before sections counted
    assert judged({**now, "sections": {}}, as_one_section).startswith("failed: ")


def test_a_field_the_markup_stopped_giving_falls_whatever_the_mix_of_sections(
    site: GeneratedSite, news: list[GeneratedArticle], others: list[GeneratedArticle]
) -> None:
    earlier = run("R1", site, [*news[:120], *others[:25]])

    def unsourced(body: bytes) -> bytes:
        return SOURCE_LINE.sub(b"", body)

    now = run("R2", site, [*news[120:160], *others[25:]], alter=unsourced)
    assert now["fields"]["source"]["coverage"] == 0
    expected = round(0.9 * 40 / (40 + len(others) - 25), 2)
    verdict = judged(now, earlier)
    assert verdict.startswith("failed: field coverage fell: source from ")
    assert verdict.endswith(" to 0% (run R1 as the baseline, section by section)")
    baseline = int(verdict.split(" from ")[1].split("%")[0]) / 100
    assert abs(baseline - expected) < 0.06, "the earlier run's share on this run's sections"


def as_run_figures(figures_: dict[str, Any]) -> RunFigures:
    """A run of the report's grid, read from its manifest's figures."""
    fields = figures_["fields"]
    pages = max(sum(f["sources"].values()) for f in fields.values())
    coverage_ = {name: f["coverage"] for name, f in fields.items()}
    run_ = RunFigures(figures_["run_id"], "t", "t", "finished", 0, 0, 0, 0, manifest="m")
    return replace(run_, coverage=coverage_, field_pages=pages, field_figures=figures_)


def test_the_report_grid_compares_runs_section_by_section_as_the_check_does(
    site: GeneratedSite, news: list[GeneratedArticle], others: list[GeneratedArticle]
) -> None:
    earlier = run("R1", site, [*news[:120], *others[:25]])
    now = run("R2", site, [*news[120:160], *others[25:]])
    cells = changes([as_run_figures(earlier), as_run_figures(now)], Thresholds())
    assert cells[("source", "R2")].trend == "steady"
    assert cells[("source", "R1")].trend == "first"
    baseline = cells[("source", "R2")].baseline
    assert baseline is not None
    assert abs(baseline - now["fields"]["source"]["coverage"]) < 0.05
    unsourced = run("R3", site, news[120:160], alter=lambda body: SOURCE_LINE.sub(b"", body))
    cells = changes([as_run_figures(earlier), as_run_figures(unsourced)], Thresholds())
    assert cells[("source", "R3")].trend == "fell"

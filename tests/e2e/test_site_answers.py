"""End to end: what the site answers is not our loss. A URL robots.txt forbids is settled as
forbidden (counted, not owed, not asked again while robots.txt stays the same), a 404 is counted
and becomes gone on its second answer, and neither fails a run; a run of a handful of article
fetches is not failed by the share of them that failed."""

import dataclasses
import sqlite3
from pathlib import Path

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.catalog import Page
from tests.helpers.outputs import manifest, stored
from tests.helpers.runs import crawl
from tests.helpers.sites import article_urls, requested_paths

FORBIDDEN = "/news/politics/a-story-robots-txt-forbids"
REMOVED = "/news/politics/a-story-the-site-removed"


class AnsweringSite:
    """A held-out copy of the site as the issue measured it: its articles, one article link that
    robots.txt disallows (on the home page and in a related box) and one related link to a story
    the site removed (404), as the real site has."""

    def __init__(self, inner: GeneratedSite, robots_extra: str = "") -> None:
        self.inner = inner
        self.robots_extra = robots_extra
        self.related_path = next(a.entry.path for a in inner.articles_by_index if a.related)

    def get(self, raw_path: str, query: str = "") -> Page | None:
        page = self.inner.get(raw_path, query)
        if page is None:
            return None
        if raw_path == "/robots.txt":
            rules = f"User-agent: *\nDisallow: {FORBIDDEN}\n{self.robots_extra}"
            return self._edit(page, b"User-agent: *\n", rules)
        if raw_path == "/":
            return self._edit(page, b"</body>", f'<a href="{FORBIDDEN}">Forbidden</a></body>')
        if raw_path == self.related_path:
            links = (
                f'<li><a href="{FORBIDDEN}">Forbidden</a></li>'
                f'<li><a href="{REMOVED}">Removed</a></li>'
            )
            return self._edit(page, b"Related News</h4><ul>", f"Related News</h4><ul>{links}")
        return page

    @staticmethod
    def _edit(page: Page, old: bytes, new: str) -> Page:
        assert old in page.body, old
        return dataclasses.replace(page, body=page.body.replace(old, new.encode(), 1))


def ledger(data_dir: Path, table: str) -> set[str]:
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        return {row[0] for row in db.execute(f"SELECT url FROM {table}")}  # noqa: S608


def test_forbidden_and_removed_stories_are_the_sites_answers_and_healthy_runs_exit_0(
    tmp_path: Path,
) -> None:
    generated = GeneratedSite(15, seed=5)
    site = AnsweringSite(generated)
    with LoopbackServer(site) as server:
        # Owed ones due again at once (by default the first retry waits an hour).
        first = crawl(server.root, tmp_path, "-s", "MAYADEEN_OWED_RETRY_HOURS=0")
        assert first.returncode == 0, first.stderr[-3000:]
        once = manifest(tmp_path)
        assert set(stored(tmp_path)) == article_urls(generated, server.root)
        assert once["owed"] | {"reasons": {}} == {
            "failed": 0,
            "not_found": 1,
            "gone": 0,
            "forbidden": 1,
            "settled": 0,
            "outstanding": 1,  # the removed story: asked once more, to confirm it is gone
            "reasons": {},
        }
        losses = next(c for c in once["health"] if c["check"] == "losses")
        assert losses == {
            "check": "losses",
            "status": "ok",
            "detail": "0 of 16 article fetches failed (1 not found, 1 forbidden by robots.txt)",
        }
        assert ledger(tmp_path, "forbidden") == {server.root + FORBIDDEN}
        assert ledger(tmp_path, "owed") == {server.root + REMOVED}
        assert once["errors"] == 0, first.stderr[-3000:]

        server.clear_requests()
        second = crawl(server.root, tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        again = manifest(tmp_path)
        asked = requested_paths(server)
        assert again["owed"]["gone"] == 1, again["owed"]
        assert again["owed"]["forbidden"] == 0, "not requested, so not refused again"
        assert again["discovery"]["home"]["forbidden"] == 1
        assert ledger(tmp_path, "owed") == set()
        assert ledger(tmp_path, "gone") == {server.root + REMOVED}
        assert FORBIDDEN not in asked
        assert asked.count(REMOVED) == 1

        # robots.txt changed (a rule added): what it forbade is asked again, and is still
        # forbidden, so it is settled as such once more, under the new robots.txt's fingerprint.
        site.robots_extra = "Disallow: /nothing\n"
        server.clear_requests()
        third = crawl(server.root, tmp_path)
        assert third.returncode == 0, third.stderr[-3000:]
        assert manifest(tmp_path)["owed"]["forbidden"] == 1
        assert FORBIDDEN not in requested_paths(server), "robots.txt is obeyed all the same"

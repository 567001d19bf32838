"""End to end: redirects are followed on the site only (its scheme, host and port), and redirects
that lead elsewhere or in a loop are counted, logged and shown in the run's manifest and summary,
never stored as the site's article nor dropped silently."""

import json
import sqlite3
from pathlib import Path

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import run_stats
from tests.helpers.runs import Run, crawl
from tests.helpers.sites import articles, expected


def manifest(data_dir: Path) -> dict[str, object]:
    (path,) = (data_dir / "runs").glob("*.json")
    loaded: dict[str, object] = json.loads(path.read_text("utf-8"))
    return loaded


def test_redirects_to_another_port_scheme_or_in_a_loop_are_given_up_loudly(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    article, foreign = articles(small_site, "/news/", 2)
    port = server.root.rsplit(":", 1)[1]
    with LoopbackServer(small_site) as other:  # the same pages, on another port of the host
        server.add_fault(f"/news/politics/to-port=redirect:{other.root}{foreign.entry.path}")
        https = f"https://127.0.0.1:{port}{foreign.entry.path}"
        server.add_fault(f"/news/politics/to-https=redirect:{https}")
        server.add_fault("/news/politics/loop-a=redirect:/news/politics/loop-b")
        server.add_fault("/news/politics/loop-b=redirect:/news/politics/loop-a")
        for hop in range(4):  # a chain longer than REDIRECT_MAX_TIMES
            server.add_fault(f"/news/politics/chain-{hop}=redirect:/news/politics/chain-{hop + 1}")
        server.add_fault(f"/news/politics/moved=redirect:301:{article.entry.path}")
        paths = ["to-port", "to-https", "loop-a", "chain-0", "moved"]
        run = Run(
            server,
            tmp_path,
            [f"/news/politics/{p}" for p in paths],
            "-s",
            "REDIRECT_MAX_TIMES=3",
        )
        assert not other.requests, "the other port's page is never fetched"

    assert list(run.items) == [expected(small_site, article, server.root)["url"]]
    assert run.stats["mayadeen/redirects/offsite"] == 2
    assert run.stats["mayadeen/redirects/loop"] == 2
    assert run.stats["mayadeen/given_up/redirect_offsite"] == 2
    assert run.stats["mayadeen/given_up/redirect_loop"] == 2
    root = server.root
    for line in (
        f"{root}/news/politics/to-port: redirects off the site to {other.root}{foreign.entry.path}",
        f"{root}/news/politics/to-https: redirects off the site to {https}",
        f"{root}/news/politics/loop-a: redirects in a loop (back to {root}/news/politics/loop-a)",
        f"{root}/news/politics/chain-0: redirected more than REDIRECT_MAX_TIMES times",
    ):
        assert f"WARNING: {line}" in run.log
    assert "not fetched" not in run.log, "given up once, not reported again as a failure"
    assert manifest(tmp_path)["given_up"] == {"redirect_loop": 2, "redirect_offsite": 2}
    assert "; 4 given up (redirect_loop 2, redirect_offsite 2)" in run.log


def test_a_discovered_article_redirected_off_the_site_or_in_a_loop_is_counted(
    small_site: GeneratedSite, server: LoopbackServer, tmp_path: Path
) -> None:
    """Discovered articles are filtered requests: Scrapy's offsite and duplicate filters would
    have dropped these redirects at DEBUG level, uncounted."""
    away, looping = articles(small_site, "/news/", 2)
    with LoopbackServer(small_site) as other:
        server.add_fault(f"{away.entry.path}=redirect:{other.root}{away.entry.path}")
        server.add_fault(f"{looping.entry.path}=redirect:{looping.entry.path}/again")
        server.add_fault(f"{looping.entry.path}/again=redirect:{looping.entry.path}")
        done = crawl(server.root, tmp_path)
        assert not other.requests
    assert done.returncode == 0, done.stderr[-3000:]
    assert run_stats(tmp_path)["mayadeen/given_up/redirect_offsite"] == 1
    assert run_stats(tmp_path)["mayadeen/given_up/redirect_loop"] == 1
    assert "offsite/filtered" not in done.stderr
    stored = manifest(tmp_path)["articles"]
    assert isinstance(stored, dict)
    assert stored["new"] == len(small_site.articles) - 2
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        owed = dict(db.execute("SELECT url, reason FROM owed").fetchall())
    assert owed == {
        f"{server.root}{away.entry.path}": "redirect_offsite",
        f"{server.root}{looping.entry.path}": "redirect_loop",
    }, "given up, and owed to later runs"

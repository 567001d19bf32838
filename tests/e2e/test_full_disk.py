"""End to end: a full disk (a small tmpfs, mounted by the test as root) under the store or under
the feeds. The run fails with what it lost, counts only what was committed, leaves the store
intact, and once there is room the next run makes every stored article appear in exactly one
complete feed."""

import json
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from mayadeen.loopback import GeneratedSite, LoopbackServer
from tests.helpers.outputs import committed_feed_urls, stored
from tests.helpers.runs import crawl
from tests.helpers.sites import article_urls


@pytest.fixture
def small_disk(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A small tmpfs at ``tmp_path/disk`` (``size`` marker, 2 MiB by default: room for the store
    and the feeds of about half the small site), made bigger with :func:`grow`."""
    marker = request.node.get_closest_marker("size")
    size = marker.args[0] if marker else "2m"
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        if os.environ.get("CI") and os.geteuid() == 0:
            pytest.fail(f"CI runs as root and must mount a tmpfs: {mounted.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)


def data_dir_with(tmp_path: Path, part: str, disk: Path) -> Path:
    """A data directory whose ``part`` (``feeds``, ``archive``) is on its own (small) disk."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / part).symlink_to(disk)
    return data_dir


def grow(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)


def test_a_full_store_disk_fails_the_run_counts_only_committed_rows_and_loses_nothing(
    small_site: GeneratedSite, small_disk: Path
) -> None:
    with LoopbackServer(small_site) as server:
        full = crawl(server.root, small_disk, "-s", "MAYADEEN_STORE_BATCH_SIZE=20")
        assert full.returncode == 1
        assert "Traceback" not in full.stderr, full.stderr[-3000:]
        assert "run failed: " in full.stderr
        assert "database or disk is full" in full.stderr
        db = sqlite3.connect(small_disk / "articles.sqlite")
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            kept = db.execute("SELECT count(*) FROM articles").fetchone()[0]
            counted = db.execute("SELECT items_new FROM runs").fetchone()[0]
        finally:
            db.close()
        assert 0 < kept < len(small_site.articles)
        assert counted in (0, kept), "the runs row counts committed rows (or was not written)"
        said = re.search(r"run failed: .*?(\d+) articles? stored", full.stderr)
        assert said is not None, full.stderr[-3000:]
        assert int(said.group(1)) == kept, "the failure line counts what the store committed"
        assert not list((small_disk / "feeds").glob("articles-*.csv")), "no feed claims them"

        grow(small_disk)
        after = crawl(server.root, small_disk)
    assert after.returncode == 0, after.stderr[-3000:]
    expected = article_urls(small_site, server.root)
    assert set(stored(small_disk)) == expected
    listed = committed_feed_urls(small_disk)
    assert set(listed) == expected
    assert set(listed.values()) == {1}


@pytest.mark.size("300k")  # the feeds of about a third of the small site
def test_a_full_feed_disk_leaves_the_articles_owed_to_a_later_feed(
    small_site: GeneratedSite, tmp_path: Path, small_disk: Path
) -> None:
    data_dir = data_dir_with(tmp_path, "feeds", small_disk)
    with LoopbackServer(small_site) as server:
        full = crawl(server.root, data_dir)
        assert full.returncode == 1
        assert "Traceback" not in full.stderr, full.stderr[-3000:]
        assert "the per-run feeds are incomplete" in full.stderr
        assert set(stored(data_dir)) == article_urls(small_site, server.root)
        [manifest] = [json.loads(p.read_text()) for p in (data_dir / "runs").glob("*.json")]
        assert manifest["outputs"]["feeds"] == []
        assert not list(small_disk.glob("articles-*.csv"))

        grow(small_disk)
        after = crawl(server.root, data_dir)
    assert after.returncode == 0, after.stderr[-3000:]
    listed = committed_feed_urls(data_dir)
    assert set(listed) == article_urls(small_site, server.root)
    assert set(listed.values()) == {1}


def test_a_read_only_data_directory_is_one_line_and_nothing_is_fetched(
    small_site: GeneratedSite, small_disk: Path
) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    with LoopbackServer(small_site) as server:
        done = crawl(server.root, small_disk)
        assert server.requests == []
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.stderr.rstrip().splitlines()[-1] == (
        f"mayadeen: the data directory {small_disk} is not writable: make it writable, "
        "or set MAYADEEN_DATA_DIR to another directory"
    )


@pytest.mark.size("600k")  # the archive of about half the small site
def test_a_full_archive_disk_stops_the_crawl_and_the_next_run_archives_what_it_missed(
    small_site: GeneratedSite, tmp_path: Path, small_disk: Path
) -> None:
    data_dir = data_dir_with(tmp_path, "archive", small_disk)
    with LoopbackServer(small_site) as server:
        full = crawl(server.root, data_dir, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
        assert full.returncode == 1, full.stderr[-3000:]
        assert "Traceback" not in full.stderr, full.stderr[-3000:]
        assert "run failed: the crawl did not finish (close reason: archive_unavailable)" in (
            full.stderr
        )
        db = sqlite3.connect(data_dir / "articles.sqlite")
        try:
            assert db.execute("SELECT close_reason FROM runs").fetchall() == [
                ("archive_unavailable",)
            ]
            unarchived = {
                url for (url,) in db.execute("SELECT url FROM articles WHERE capture_id IS NULL")
            }
            owed = dict(db.execute("SELECT url, reason FROM owed").fetchall())
        finally:
            db.close()
        assert unarchived, "the disk filled before the crawl's end"
        assert {url: owed.get(url) for url in unarchived} == dict.fromkeys(
            unarchived, "not archived"
        ), "every article stored without its page is owed to the archive"

        grow(small_disk)
        after = crawl(server.root, data_dir)  # incremental: no full=1
    assert after.returncode == 0, after.stderr[-3000:]
    expected = article_urls(small_site, server.root)
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        archived = {
            url
            for (url,) in db.execute(
                "SELECT a.url FROM articles a JOIN captures c ON c.id = a.capture_id"
            )
        }
        assert db.execute("SELECT count(*) FROM owed").fetchone() == (0,)
    assert archived == expected, "every stored article's page is in the archive"

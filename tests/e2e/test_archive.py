"""End to end: the crawl's WARC archive and ``scrapy reextract``, through the real commands
against the loopback site."""

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from mayadeen.loopback import GeneratedSite, LoopbackServer
from mayadeen.loopback.catalog import Page
from mayadeen.site.urls import may_be_article
from mayadeen.warc.scanning import scan
from tests.helpers.outputs import run_stats
from tests.helpers.runs import ROOT, crawl, crawl_arguments, reextract, run


@pytest.fixture(scope="module")
def tiny_site() -> GeneratedSite:
    return GeneratedSite(24, seed=16)


def warc_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "archive").glob("*.warc.gz"))


def record_types(path: Path) -> list[str]:
    with path.open("rb") as stream:
        return [record.rec_type for record in ArchiveIterator(stream)]


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    warcio = Path(sys.executable).with_name("warcio")
    return subprocess.run(
        [str(warcio), "check", *map(str, paths)], capture_output=True, text=True, check=False
    )


def crawled(root: str, data_dir: Path, *options: str) -> str:
    done = crawl(root, data_dir, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", *options)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr


def test_a_crawl_archives_every_article_page_and_a_second_crawl_writes_revisits_only(
    tiny_site: GeneratedSite, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    server = LoopbackServer(tiny_site).start()
    request.addfinalizer(server.stop)
    crawled(server.root, tmp_path)
    stats = run_stats(tmp_path)
    fetched = [r.path for r in server.requests if may_be_article(server.root + r.path)]
    assert len(fetched) == len(tiny_site.articles) == stats["mayadeen/archive/response"]
    (first,) = warc_files(tmp_path)
    assert warcio_check(first).returncode == 0
    types = record_types(first)
    assert types[0] == "warcinfo"
    assert types.count("response") == types.count("request") == len(fetched)
    archived = sorted(r.url.removeprefix(server.root) for r in scan(first))
    assert archived == sorted(fetched)

    db = sqlite3.connect(tmp_path / "articles.sqlite")
    rows = db.execute(
        "SELECT a.url, c.url, c.warc_file, c.record_type FROM articles a "
        "JOIN captures c ON c.id = a.capture_id"
    ).fetchall()
    assert len(rows) == len(tiny_site.articles), "every stored article names its capture"
    assert all(url == captured and kind == "response" for url, captured, _, kind in rows)
    [manifest] = [json.loads(p.read_text()) for p in (tmp_path / "runs").glob("*.json")]
    assert manifest["outputs"]["archive"] == [{"file": str(first), "bytes": first.stat().st_size}]
    assert manifest["archive"]["response"] == len(fetched)

    # Nothing changed: every page again, each a revisit record of the first copy.
    paths = ",".join(sorted(fetched))
    crawled(server.root, tmp_path, "-a", f"urls={paths}")
    (second,) = (p for p in warc_files(tmp_path) if p != first)
    assert warcio_check(second).returncode == 0
    types = record_types(second)
    assert types.count("revisit") == len(fetched)
    assert set(types) == {"warcinfo", "revisit", "request"}
    assert second.stat().st_size < first.stat().st_size / 3
    (revisits,) = db.execute(
        "SELECT count(*) FROM articles a JOIN captures c ON c.id = a.capture_id "
        "WHERE c.record_type = 'revisit'"
    ).fetchone()
    assert revisits == len(fetched)


def test_archive_off_writes_no_archive(tiny_site: GeneratedSite, tmp_path: Path) -> None:
    path = tiny_site.articles_by_index[0].entry.path
    with LoopbackServer(tiny_site) as server:
        done = run(
            *crawl_arguments(server.root, "-a", f"urls={path}"),
            env={"MAYADEEN_DATA_DIR": str(tmp_path), "MAYADEEN_ARCHIVE": "off"},
        )
    assert done.returncode == 0, done.stderr[-3000:]
    assert run_stats(tmp_path)["mayadeen/items/new"] == 1
    assert not (tmp_path / "archive").exists()


def test_discovery_pages_are_archived_by_a_setting(
    tiny_site: GeneratedSite, tmp_path: Path
) -> None:
    with LoopbackServer(tiny_site) as server:
        crawled(server.root, tmp_path, "-s", "MAYADEEN_ARCHIVE_DISCOVERY=True")
        answered = {r.path for r in server.requests}
        root = server.root
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        archived = {url.removeprefix(root) for (url,) in db.execute("SELECT url FROM captures")}
    assert {"/", "/robots.txt"} <= archived
    assert archived == answered
    assert len(archived) > len(tiny_site.articles)


def test_a_crawl_killed_midway_leaves_readable_files_and_the_next_run_completes(
    tmp_path: Path,
) -> None:
    site = GeneratedSite(80, seed=5)
    with LoopbackServer(site) as server:
        arguments = crawl_arguments(server.root, "-s", "DOWNLOAD_DELAY=0.05")
        process = subprocess.Popen(
            [sys.executable, "-m", *arguments],
            cwd=ROOT,
            env={**os.environ, "MAYADEEN_DATA_DIR": str(tmp_path)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            files = warc_files(tmp_path)
            if files and files[0].stat().st_size > 40_000:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        with sqlite3.connect(tmp_path / "articles.sqlite") as db:
            assert db.execute("SELECT close_reason FROM runs").fetchall() == [(None,)], "midway"
        (killed,) = warc_files(tmp_path)
        read = list(scan(killed))
        assert read, "the records written before the kill are read"
        # A writer killed in the middle of a record leaves its head: the readers skip it.
        with killed.open("ab") as stream:
            stream.write((tmp_path / "archive" / killed.name).read_bytes()[400:3000])
        assert [r.offset for r in scan(killed)] == [r.offset for r in read]

        done = crawl(server.root, tmp_path, "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8")
        assert done.returncode == 0, done.stderr[-3000:]
    files = warc_files(tmp_path)
    assert len(files) == 2
    assert warcio_check(files[1]).returncode == 0
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        (stored,) = db.execute("SELECT count(*) FROM articles").fetchone()
    assert stored == len(site.articles)
    done = reextract(server.root, tmp_path, "--dry-run")
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{len(site.articles)} archived pages read; 0 articles changed" in done.stdout


class RenamedCaptionSite:
    """The generated site after a redesign the rules do not know: the image caption is a
    ``<p class="img-caption">`` instead of a ``<figcaption>``."""

    def __init__(self, inner: GeneratedSite) -> None:
        self.inner = inner

    def get(self, raw_path: str, query: str = "") -> Page | None:
        page = self.inner.get(raw_path, query)
        if page is None or b"<figcaption" not in page.body:
            return page
        body = page.body.replace(b'<figcaption class="img-caption">', b'<p class="img-caption">')
        return replace(page, body=body.replace(b"</figcaption>", b"</p>"))


FIXED_RULE = """\
import mayadeen.site.article as rules
rules.DOM_TEXT["image_caption"] = ("figure.post-image p.img-caption",) + rules.DOM_TEXT["image_caption"]
"""


def stored(db: sqlite3.Connection) -> dict[str, dict[str, Any]]:
    db.row_factory = sqlite3.Row
    return {row["url"]: dict(row) for row in db.execute("SELECT * FROM articles")}


def test_a_fixed_rule_and_reextract_update_exactly_that_field_with_versions_and_a_feed(
    tiny_site: GeneratedSite, tmp_path: Path
) -> None:
    with LoopbackServer(RenamedCaptionSite(tiny_site)) as server:  # type: ignore[arg-type]
        crawled(server.root, tmp_path)
        root = server.root
    db = sqlite3.connect(tmp_path / "articles.sqlite")
    before = stored(db)
    captions = {root + a.entry.path: a.caption for a in tiny_site.articles_by_index if a.caption}
    assert captions
    assert all(before[url]["image_caption"] is None for url in captions), "the rule misses it"

    fixed = tmp_path / "fixed-rules"
    fixed.mkdir()
    (fixed / "sitecustomize.py").write_text(FIXED_RULE)
    env = {"PYTHONPATH": str(fixed)}
    dry = reextract(root, tmp_path, "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr[-3000:]
    n = len(captions)
    assert f"image_caption: {n} changed ({n} were null)" in dry.stdout
    assert stored(db) == before, "a dry run leaves the store untouched"
    assert len(list((tmp_path / "runs").glob("*.json"))) == 1

    one = sorted(captions)[0]
    narrowed = reextract(root, tmp_path, "--dry-run", "--urls", one, env=env)
    assert "1 archived pages read; 1 articles changed" in narrowed.stdout, narrowed.stdout
    assert "image_caption: 1 changed (1 were null)" in narrowed.stdout
    later = reextract(root, tmp_path, "--dry-run", "--since", "2999-01-01", env=env)
    assert "0 archived pages read" in later.stdout, later.stdout

    done = reextract(root, tmp_path, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"image_caption: {n} changed ({n} were null)" in done.stdout
    assert done.stdout.count(" changed (") == 1, done.stdout
    after = stored(db)
    for url, row in after.items():
        old = before[url]
        if url in captions:
            assert row["image_caption"] == captions[url]
            assert row["version"] == 2
            rest = {
                k
                for k in row
                if k not in {"image_caption", "version", "changed_at", "last_seen_at", "crawled_at"}
            }
            assert {k: row[k] for k in rest} == {k: old[k] for k in rest}
        else:
            assert row == old | {"last_seen_at": row["last_seen_at"]}
    kept = dict(db.execute("SELECT url, image_caption FROM article_versions").fetchall())
    assert kept == dict.fromkeys(captions)
    manifests = sorted((tmp_path / "runs").glob("*.json"))
    manifest = json.loads(manifests[-1].read_text())
    assert manifest["close_reason"] == "reextracted"
    assert manifest["articles"]["updated"] == n
    assert manifest["reextract"]["changed"] == {"image_caption": n}
    feed = Path(manifest["outputs"]["feed"])
    rows = list(csv.DictReader(feed.open(encoding="utf-8", newline="")))
    assert sorted(r["url"] for r in rows) == sorted(captions)
    assert all(r["image_caption"] == captions[r["url"]] for r in rows)
    (last_crawl,) = db.execute("SELECT run_id FROM runs WHERE close_reason = 'finished'").fetchone()
    assert last_crawl == json.loads(manifests[0].read_text())["run_id"]


def test_reextract_from_reads_a_warc_written_by_wget(
    tiny_site: GeneratedSite, tmp_path: Path
) -> None:
    if shutil.which("wget") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the wget test, but wget is missing (see .ci/run)")
        pytest.skip("no wget (apt-get install wget)")
    articles = tiny_site.articles_by_index[:6]
    with LoopbackServer(tiny_site) as server:
        urls = [server.root + a.entry.path for a in articles]
        fetched = subprocess.run(
            [
                "wget",
                "--quiet",
                "--warc-file",
                str(tmp_path / "site"),
                "-O",
                os.devnull,
                server.root + "/",
                *urls,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        root = server.root
    assert fetched.returncode == 0, fetched.stderr
    warc = tmp_path / "site.warc.gz"
    data = tmp_path / "data"
    done = reextract(root, data, "--from", str(warc))
    stats = run_stats(data)
    assert done.returncode == 0, done.stderr[-3000:]
    assert stats["mayadeen/items/new"] == len(articles)
    assert stats["mayadeen/reextract/foreign/skipped"] >= 1, "the home page"
    db = sqlite3.connect(data / "articles.sqlite")
    rows = db.execute(
        "SELECT a.url, c.warc_file FROM articles a JOIN captures c ON c.id = a.capture_id"
    ).fetchall()
    assert sorted(url for url, _ in rows) == sorted(urls)
    assert {file for _, file in rows} == {str(warc)}
    assert not (data / "archive").exists(), "nothing fetched, nothing archived"


def test_an_archive_that_cannot_be_written_stops_the_crawl_with_one_clear_error(
    tiny_site: GeneratedSite, tmp_path: Path
) -> None:
    (tmp_path / "archive").write_text("not a directory: writes fail as on a full disk")
    paths = ",".join(a.entry.path for a in tiny_site.articles_by_index[:3])
    with LoopbackServer(tiny_site) as server:
        done = crawl(server.root, tmp_path, "-a", f"urls={paths}")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "ERROR: archive:" in line]
    assert len(errors) == 1, errors
    assert "MAYADEEN_ARCHIVE=off" in errors[0]
    with sqlite3.connect(tmp_path / "articles.sqlite") as db:
        assert db.execute("SELECT close_reason FROM runs").fetchall() == [("archive_unavailable",)]
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_wrong_archive_setting_is_a_usage_error(tmp_path: Path) -> None:
    done = run(
        *crawl_arguments("http://127.0.0.1:9", "-s", "MAYADEEN_ARCHIVE=maybe"),
        env={"MAYADEEN_DATA_DIR": str(tmp_path)},
    )
    assert done.returncode == 2
    assert done.stderr.rstrip().splitlines()[-1] == (
        "scrapy crawl: error: MAYADEEN_ARCHIVE='maybe': expected on or off "
        "(also 1/0, true/false, yes/no)"
    )
    assert "Traceback" not in done.stderr

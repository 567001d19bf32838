"""Shared fixtures: the loopback sites and servers the tests crawl, the stores both layers of a
command's tests read, and a real ``redis-server`` (helpers live in ``tests/helpers/``)."""

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis, RedisError

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer
from mayadeen.store import Store, store_path
from tests.helpers import diffs, exports
from tests.helpers.managed import MANAGED
from tests.helpers.pipeline import CRAWLED_AT, changed, fixture_items
from tests.helpers.redis import REDIS_SERVER, free_port


@pytest.fixture(scope="session")
def small_site() -> GeneratedSite:
    return GeneratedSite(300, seed=7)


@pytest.fixture(scope="session")
def fixture_site() -> FixtureSite:
    return FixtureSite()


@pytest.fixture
def server(small_site: GeneratedSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(small_site) as running:
        yield running


@pytest.fixture
def fixture_server(fixture_site: FixtureSite) -> Iterator[LoopbackServer]:
    with LoopbackServer(fixture_site) as running:
        yield running


@pytest.fixture
def edited_store(tmp_path: Path) -> Path:
    """A data directory whose store holds the fixture articles, one of them edited twice."""
    data = tmp_path / "data"
    edited = diffs.EDITED
    with Store.open(store_path(data)) as store:
        store.db.execute("INSERT INTO site (key, value) VALUES ('root', ?)", (diffs.site_root(),))
        for item in diffs.ITEMS:
            store.put(item, CRAWLED_AT)
        late = changed(edited, body=edited.body + "\n\nA late paragraph.", word_count=0)
        store.put(late, diffs.SECOND)
        store.put(changed(late, title=diffs.NEW_TITLE, tags=[*edited.tags, "Minsk"]), diffs.THIRD)
    return data


@pytest.fixture
def export_store(tmp_path: Path) -> Path:
    """A data directory whose store holds a few fixture articles."""
    with Store.open(store_path(tmp_path)) as opened:
        for item in [exports.HOSTILE, *exports.ITEMS[1:]]:
            opened.put(item, CRAWLED_AT)
    return tmp_path


@pytest.fixture
def managed_dir(tmp_path: Path) -> Path:
    """A data directory with a store of a few articles and one file of each managed kind."""
    directory = tmp_path / "data"
    with Store.open(store_path(directory)) as opened:
        for item in list(fixture_items().values())[:3]:
            opened.put(item, CRAWLED_AT)
    for name in MANAGED.values():
        path = directory / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f"kept: {name}\n".encode())
    return directory


@pytest.fixture
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh ``redis-server`` on 127.0.0.1 in its own directory, persisting nothing."""
    if REDIS_SERVER is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the scale-out tests, but redis-server is missing (.ci/run)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    directory = str(tmp_path_factory.mktemp("redis"))
    options = ["--bind", "127.0.0.1", "--port", str(port), "--dir", directory]
    options += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    server = subprocess.Popen([REDIS_SERVER, *options], stdout=subprocess.DEVNULL)
    client = Redis(port=port)
    try:
        for _ in range(200):  # waiting until it listens, not a timing assertion
            try:
                client.ping()
                break
            except RedisError:
                assert server.poll() is None, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def fixture_store(tmp_path: Path) -> Path:
    """A data directory whose store holds every fixture article (25, over 22 months)."""
    with Store.open(store_path(tmp_path / "data")) as opened:
        for item in fixture_items().values():
            opened.put(item, CRAWLED_AT)
    return tmp_path / "data"

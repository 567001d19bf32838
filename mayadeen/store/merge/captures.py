"""Captures and their WARC files: each source capture gets a target id (an identical capture
already there keeps its own), and each WARC file it names is hard-linked (or copied) into the
target's ``archive/`` under its own name, or under a new one when the target has a different
file of that name (two machines' runs of the same second).
"""

import filecmp
import os
import shutil
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path

ARCHIVE = "archive"
CAPTURE_COLUMNS = (
    "url, captured_at, warc_file, offset, length, payload_digest, record_type, status, rendered, "
    "run_id"
)
_KEY = "url, captured_at, warc_file, offset, payload_digest"


def _is_prefix(shorter: Path, longer: Path) -> bool:
    """Whether ``longer`` begins with all of ``shorter``'s bytes (a WARC that grew since)."""
    size = shorter.stat().st_size
    if size > longer.stat().st_size:
        return False
    with shorter.open("rb") as first, longer.open("rb") as second:
        while chunk := first.read(1 << 20):
            if second.read(len(chunk)) != chunk:
                return False
    return True


def _place(source: Path, target: Path) -> str:
    """Put ``source`` at ``target`` (a hard link, else a copy renamed into place)."""
    try:
        os.link(source, target)
        return "linked"
    except OSError:
        pass
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return "copied"


def _alternatives(name: str) -> list[str]:
    """``name``, then ``<stem>.merged-2.warc.gz``, ``-3``... (never another run's name)."""
    stem, dot, suffix = name.partition(".")
    return [name] + [f"{stem}.merged-{n}{dot}{suffix}" for n in range(2, 1000)]


class ArchiveFiles:
    """The WARC files of one source, brought into the target's archive directory."""

    def __init__(self, source_dir: Path, target_dir: Path) -> None:
        self.source = source_dir / ARCHIVE
        self.target = target_dir / ARCHIVE
        self.names: dict[str, str] = {}
        self.outcomes: Counter[str] = Counter()

    def bring(self, name: str) -> str:
        """The target's name for the source file ``name`` (absolute paths, WARCs read with
        ``reextract --from``, stay as they are), placed there on first use."""
        if name in self.names:
            return self.names[name]
        self.names[name] = chosen = name if Path(name).is_absolute() else self._bring(name)
        return chosen

    def _bring(self, name: str) -> str:
        source = self.source / name
        if not source.is_file():
            self.outcomes["missing"] += 1
            return name
        self.target.mkdir(parents=True, exist_ok=True)
        for candidate in _alternatives(name):
            target = self.target / candidate
            if not target.exists():
                self.outcomes[_place(source, target)] += 1
                return candidate
            if os.path.samefile(source, target) or filecmp.cmp(source, target, shallow=False):
                self.outcomes["present"] += 1
                return candidate
            if _is_prefix(target, source):  # merged before while its run still wrote it
                os.unlink(target)
                self.outcomes[_place(source, target)] += 1
                return candidate
        raise RuntimeError(f"{source}: too many different files of this name in {self.target}")


def merge_captures(
    db: sqlite3.Connection, files: ArchiveFiles, runs: dict[str, str]
) -> dict[int, int]:
    """Copy the source's captures (``src.captures``), in their order, into the target; returns
    source capture id → target capture id."""
    existing = {
        tuple(row[1:]): row[0] for row in db.execute(f"SELECT id, {_KEY} FROM main.captures")
    }
    mapping: dict[int, int] = {}
    rows = db.execute(f"SELECT id, {CAPTURE_COLUMNS} FROM src.captures ORDER BY id").fetchall()
    for old, url, captured_at, warc_file, offset, *rest in rows:
        name = files.bring(warc_file)
        key = (url, captured_at, name, offset, rest[1])
        if key in existing:
            mapping[old] = existing[key]
            continue
        run_id = rest[-1]
        values = (url, captured_at, name, offset, *rest[:-1], runs.get(run_id, run_id))
        cursor = db.execute(
            f"INSERT INTO main.captures ({CAPTURE_COLUMNS}) VALUES ({', '.join('?' * 10)})", values
        )
        assert cursor.lastrowid is not None
        mapping[old] = existing[key] = cursor.lastrowid
    return mapping


def order_captures(db: sqlite3.Connection) -> int:
    """Where a URL's captures from different stores are out of time order by id, renumber every
    capture by (time, id) and make ``capture_id`` follow: a URL's last capture by id is its latest,
    as in a crawled store (``scrapy reextract`` reads it). Returns how many ids changed."""
    (disorder,) = db.execute(
        "SELECT count(*) FROM (SELECT captured_at, lag(captured_at) OVER "
        "(PARTITION BY url ORDER BY id) AS before FROM main.captures) WHERE before > captured_at"
    ).fetchone()
    if not disorder:
        return 0
    db.execute("DROP TABLE IF EXISTS temp.capture_order")
    db.execute("CREATE TEMP TABLE capture_order (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)")
    db.execute(
        "INSERT INTO temp.capture_order SELECT id, row_number() OVER (ORDER BY captured_at, id) "
        "FROM main.captures"
    )
    (changed,) = db.execute("SELECT count(*) FROM temp.capture_order WHERE old <> new").fetchone()
    (top,) = db.execute("SELECT max(id) FROM main.captures").fetchone()
    db.execute("UPDATE main.captures SET id = id + ?", (top,))
    db.execute(
        "UPDATE main.captures SET id = (SELECT new FROM temp.capture_order WHERE old = id - ?)",
        (top,),
    )
    for table in ("articles", "article_versions"):
        db.execute(
            f"UPDATE main.{table} SET capture_id = (SELECT new FROM temp.capture_order "
            "WHERE old = capture_id) WHERE capture_id IS NOT NULL"
        )
    db.execute("DROP TABLE temp.capture_order")
    return int(changed)

"""The tables beside the articles: runs (ids kept; a different run of the same id, from another
machine, gets the next free ``_2`` suffix), quarantine, aliases, pages that are not articles, and
the crawl's ledger (owed, gone, covered, feed_owed, archive cursors), combined so that the next
crawl of the merged store neither fetches again what a source settled nor forgets what one owed.

Every statement reads the attached source as ``src`` and writes ``main``; ``merged_run(run_id)``
is the target's id of a source run.
"""

import sqlite3

from mayadeen.store.db import unique_run_id

RUN_COLUMNS = (
    "run_id, started_at, finished_at, close_reason, items_new, items_updated, items_unchanged, "
    "duplicates, quarantined, pid"
)


def merge_runs(db: sqlite3.Connection) -> dict[str, str]:
    """Copy the source's runs; returns source run id → target run id. A run is the same run when
    its id (or a suffixed one) has the same start and process: its row then takes the source's
    figures (the source may have finished it since the last merge)."""
    mapping: dict[str, str] = {}
    taken = {row[0] for row in db.execute("SELECT run_id FROM main.runs")}
    for row in db.execute(f"SELECT {RUN_COLUMNS} FROM src.runs ORDER BY run_id").fetchall():
        run_id, started_at, pid = row[0], row[1], row[-1]
        same = db.execute(
            "SELECT run_id FROM main.runs WHERE (run_id = ? OR run_id GLOB ?) AND started_at = ? "
            "AND pid IS ?",
            (run_id, f"{run_id}_*", started_at, pid),
        ).fetchone()
        chosen = same[0] if same else unique_run_id(run_id, taken)
        taken.add(chosen)
        mapping[run_id] = chosen
        db.execute(
            f"INSERT INTO main.runs ({RUN_COLUMNS}) VALUES ({', '.join('?' * 10)}) "
            "ON CONFLICT(run_id) DO UPDATE SET finished_at = excluded.finished_at, "
            "close_reason = excluded.close_reason, items_new = excluded.items_new, "
            "items_updated = excluded.items_updated, items_unchanged = excluded.items_unchanged, "
            "duplicates = excluded.duplicates, quarantined = excluded.quarantined",
            (chosen, *row[1:]),
        )
    return mapping


def merge_quarantine(db: sqlite3.Connection) -> int:
    """Every quarantined item of the source not already here."""
    return db.execute(
        "INSERT INTO main.quarantine (run_id, url, reasons, item, quarantined_at) "
        "SELECT merged_run(run_id), url, reasons, item, quarantined_at FROM src.quarantine s "
        "WHERE NOT EXISTS (SELECT 1 FROM main.quarantine m WHERE m.url IS s.url "
        "AND m.quarantined_at = s.quarantined_at AND m.reasons = s.reasons "
        "AND m.item = s.item AND m.run_id IS merged_run(s.run_id)) ORDER BY id"
    ).rowcount


def merge_aliases(db: sqlite3.Connection) -> None:
    """Alias URLs of both; a URL stored as an article in either is an article, not an alias."""
    db.execute(
        "INSERT INTO main.aliases (alias_url, url, content_hash, first_seen_at, last_seen_at) "
        "SELECT alias_url, url, content_hash, first_seen_at, last_seen_at FROM src.aliases "
        "WHERE alias_url NOT IN (SELECT url FROM main.articles) "
        "ON CONFLICT(alias_url) DO UPDATE SET "
        "url = CASE WHEN excluded.last_seen_at > aliases.last_seen_at THEN excluded.url "
        "ELSE aliases.url END, "
        "content_hash = CASE WHEN excluded.last_seen_at > aliases.last_seen_at "
        "THEN excluded.content_hash ELSE aliases.content_hash END, "
        "first_seen_at = min(aliases.first_seen_at, excluded.first_seen_at), "
        "last_seen_at = max(aliases.last_seen_at, excluded.last_seen_at)"
    )
    db.execute("DELETE FROM main.aliases WHERE alias_url IN (SELECT url FROM main.articles)")


def merge_non_articles(db: sqlite3.Connection) -> None:
    """Pages that said they are not articles, in either: the kind last seen, the first run."""
    db.execute(
        "INSERT INTO main.non_articles (url, kind, run_id, first_seen_at, last_seen_at) "
        "SELECT url, kind, merged_run(run_id), first_seen_at, last_seen_at FROM src.non_articles "
        "WHERE true ON CONFLICT(url) DO UPDATE SET "
        "kind = CASE WHEN excluded.last_seen_at > non_articles.last_seen_at THEN excluded.kind "
        "ELSE non_articles.kind END, "
        "run_id = CASE WHEN excluded.first_seen_at < non_articles.first_seen_at "
        "THEN excluded.run_id ELSE non_articles.run_id END, "
        "first_seen_at = min(non_articles.first_seen_at, excluded.first_seen_at), "
        "last_seen_at = max(non_articles.last_seen_at, excluded.last_seen_at)"
    )


def _later(column: str, table: str) -> str:
    """The later of two nullable times (SQLite's ``max`` of a NULL is NULL)."""
    return f"nullif(max(coalesce({table}.{column}, ''), coalesce(excluded.{column}, '')), '')"


def merge_gone(db: sqlite3.Connection) -> None:
    """URLs confirmed gone, in either, by their latest confirmation."""
    db.execute(
        "INSERT INTO main.gone (url, status, confirmed_at, run_id) "
        "SELECT url, status, confirmed_at, merged_run(run_id) FROM src.gone WHERE true "
        "ON CONFLICT(url) DO UPDATE SET status = excluded.status, "
        "confirmed_at = excluded.confirmed_at, run_id = excluded.run_id "
        "WHERE excluded.confirmed_at > gone.confirmed_at"
    )


def merge_forbidden(db: sqlite3.Connection) -> None:
    """URLs robots.txt forbids, in either, by the latest robots.txt that forbade them (a later
    crawl asks again once the site's robots.txt is another one)."""
    db.execute(
        "INSERT INTO main.forbidden (url, robots, forbidden_at, run_id) "
        "SELECT url, robots, forbidden_at, merged_run(run_id) FROM src.forbidden WHERE true "
        "ON CONFLICT(url) DO UPDATE SET robots = excluded.robots, "
        "forbidden_at = excluded.forbidden_at, run_id = excluded.run_id "
        "WHERE excluded.forbidden_at > forbidden.forbidden_at"
    )


def merge_owed(db: sqlite3.Connection) -> None:
    """What either owes, one row per URL: the attempts and 404s of the store that tried more, owed
    since the first, due at the earliest (a debt is never put off by a merge)."""
    db.execute(
        "INSERT INTO main.owed (url, reason, attempts, gone_answers, first_owed_at, "
        "last_attempt_at, next_attempt_at, run_id) SELECT url, reason, attempts, gone_answers, "
        "first_owed_at, last_attempt_at, next_attempt_at, merged_run(run_id) FROM src.owed "
        "WHERE true ON CONFLICT(url) DO UPDATE SET "
        "reason = CASE WHEN coalesce(excluded.last_attempt_at, '') > "
        "coalesce(owed.last_attempt_at, '') THEN excluded.reason ELSE owed.reason END, "
        "run_id = CASE WHEN coalesce(excluded.last_attempt_at, '') > "
        "coalesce(owed.last_attempt_at, '') THEN excluded.run_id ELSE owed.run_id END, "
        "attempts = max(owed.attempts, excluded.attempts), "
        "gone_answers = max(owed.gone_answers, excluded.gone_answers), "
        "first_owed_at = min(owed.first_owed_at, excluded.first_owed_at), "
        f"last_attempt_at = {_later('last_attempt_at', 'owed')}, "
        "next_attempt_at = min(owed.next_attempt_at, excluded.next_attempt_at)"
    )


SETTLED = (
    # What settles a URL owed since ``first_owed_at``: a store (either) read it after that.
    ("articles", "url", "last_seen_at"),
    ("aliases", "alias_url", "last_seen_at"),
    ("non_articles", "url", "last_seen_at"),
    ("gone", "url", "confirmed_at"),
    ("quarantine", "url", "quarantined_at"),
)


def settle_owed(db: sqlite3.Connection) -> int:
    """Drop what one store owes and the other settled later (stored, an alias, not an article,
    gone, quarantined); a URL a store owes since after the other read it stays owed. And a URL
    confirmed gone that a store read again later is not gone. Returns how many debts settled."""
    settled = 0
    for table, url, at in SETTLED:
        settled += db.execute(
            f"DELETE FROM main.owed WHERE EXISTS (SELECT 1 FROM main.{table} AS done "
            f"WHERE done.{url} = owed.url AND done.{at} >= owed.first_owed_at)"
        ).rowcount
    db.execute(
        "DELETE FROM main.gone WHERE EXISTS (SELECT 1 FROM main.articles a "
        "WHERE a.url = gone.url AND a.last_seen_at > gone.confirmed_at)"
    )
    return settled


def merge_covered(db: sqlite3.Connection) -> None:
    """What either covered, by its latest coverage."""
    db.execute(
        "INSERT INTO main.covered (source, kind, covered_at, run_id) "
        "SELECT source, kind, covered_at, merged_run(run_id) FROM src.covered WHERE true "
        "ON CONFLICT(source) DO UPDATE SET kind = excluded.kind, "
        "covered_at = excluded.covered_at, run_id = excluded.run_id "
        "WHERE excluded.covered_at > covered.covered_at"
    )


def merge_feed_owed(db: sqlite3.Connection) -> None:
    """Articles a source's feeds still owe, where the merged row is the source's version: the
    target's next complete feed lists them."""
    db.execute(
        "INSERT INTO main.feed_owed (url, run_id) SELECT url, merged_run(run_id) FROM src.feed_owed "
        "WHERE url IN (SELECT url FROM temp.merge_won) ON CONFLICT(url) DO NOTHING"
    )


def merge_cursors(db: sqlite3.Connection) -> None:
    """Where each web archive's index listing goes on: the cursor saved last."""
    db.execute(
        "INSERT INTO main.archive_cursors (query, resume, saved_at) "
        "SELECT query, resume, saved_at FROM src.archive_cursors WHERE true "
        "ON CONFLICT(query) DO UPDATE SET resume = excluded.resume, saved_at = excluded.saved_at "
        "WHERE excluded.saved_at > archive_cursors.saved_at"
    )


def bind_site(db: sqlite3.Connection, root: str) -> None:
    db.execute("INSERT OR IGNORE INTO main.site (key, value) VALUES ('root', ?)", (root,))

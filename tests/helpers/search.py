"""The store's full-text index checked whole: every article indexed once, searchable."""

import sqlite3
from pathlib import Path


def assert_search_whole(data_dir: Path) -> None:
    """FTS5's own check of ``articles_fts`` against ``articles``, as many indexed rows as
    articles, and each article found exactly once by its title's phrase."""
    with sqlite3.connect(data_dir / "articles.sqlite") as db:
        db.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)")
        (articles,) = db.execute("SELECT count(*) FROM articles").fetchone()
        (indexed,) = db.execute("SELECT count(*) FROM articles_fts_docsize").fetchone()
        assert indexed == articles, f"{indexed} articles indexed of {articles}"
        query = (
            "SELECT a.url FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
            "WHERE articles_fts MATCH ?"
        )
        for url, title in db.execute("SELECT url, title FROM articles").fetchall():
            phrase = 'title:"' + title.replace('"', " ") + '"'
            found = [row[0] for row in db.execute(query, (phrase,))]
            assert found.count(url) == 1, (url, found)

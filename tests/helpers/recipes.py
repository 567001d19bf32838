"""The recipes of docs/analysis.md (its code blocks, each named by its first line) and what
each shows on the crawled store."""

import re
from dataclasses import dataclass

from tests.helpers.runs import ROOT

DOC = ROOT / "docs" / "analysis.md"


SEARCHED = "Lukashenko"


@dataclass(frozen=True)
class Recipe:
    name: str
    language: str
    code: str


def recipes() -> list[Recipe]:
    """The page's code blocks, each named by its first line (a comment)."""
    found = []
    for language, code in re.findall(r"^```(\w+)\n(.*?)^```$", DOC.read_text("utf-8"), re.M | re.S):
        first = code.splitlines()[0]
        assert first.startswith("# "), f"a recipe of {DOC.name} starts with '# its name': {first}"
        found.append(Recipe(first[2:], language, code))
    return found


EXPECTED = {
    "sqlite3: the latest articles": "published_at",
    "sqlite3: a search, best match first, with the words around the match": "[Lukashenko]",
    "sqlite3: articles per section and month, as CSV for a spreadsheet": "section,month,articles",
    "sqlite3: the most used tags, and why items were quarantined": "missing:body",
    "sqlite3: the BREAKING ticker's lines by source, and a search of them": "Ben Gurion Airport",
    "pandas: the store into a DataFrame, lists decoded, times as UTC": "+00:00",
    "pandas: a full-text search": SEARCHED,
    "pandas: every run's feed, JSON Lines and Parquet": "rows in 1 JSON Lines feeds",
    "mayadeen export: the store as Parquet, all of it or a selection": "articles to politics.parquet",
    "DuckDB: articles per section and month from a Parquet export, by UTC time": "Politics",
    "DuckDB: the feeds of every run, JSON Lines (gzip read as it is) and CSV": "Politics",
    "DuckDB, polars and pandas: a dataset partitioned by month, read as one table": "2022-02",
    "polars: the Parquet feeds, filtered by UTC time": "published_at_utc",
    "polars: the store, through a read-only connection, lists decoded": "Politics",
    "datasette: serve the store on http://127.0.0.1:8001/": "",
    "datasette: a search through the JSON API": "Belarusian troops",
    "datasette: the ranked search with the words around the match, through the JSON API": (
        "[Lukashenko]"
    ),
    "datasette: a search with FTS5 syntax, from Python": "Belarusian troops",
}
"""Each recipe by name → what its output shows on the crawled store (every recipe is listed)."""

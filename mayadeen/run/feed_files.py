"""The per-run feeds' files: written as ``articles-<run_id>.<ext>.partial`` and given their final
names only when every feed of the run is complete and the store committed every article in them.

A run killed midway, or whose feed failed to write, leaves ``.partial`` files that no reader takes
for a complete feed; the articles they were to list stay owed to a feed in the store
(``feed_owed``) and the next run's feeds list them. A run killed while renaming (some files final,
some partial) is put back to all partial by the next run, which lists their articles again.
"""

import os
from pathlib import Path
from typing import Final, Literal

PARTIAL: Final = ".partial"

FeedState = Literal["complete", "incomplete", "absent"]


def partial_path(final: Path) -> Path:
    """
    >>> partial_path(Path("data/feeds/articles-R.csv")).as_posix()
    'data/feeds/articles-R.csv.partial'
    """
    return final.with_name(final.name + PARTIAL)


def final_path(partial: Path) -> Path:
    """
    >>> final_path(Path("data/feeds/articles-R.jsonl.gz.partial")).as_posix()
    'data/feeds/articles-R.jsonl.gz'
    """
    return partial.with_name(partial.name.removesuffix(PARTIAL))


def run_feed_files(
    feeds_dir: Path, run_id: str, kind: str = "articles"
) -> tuple[list[Path], list[Path]]:
    """(final, partial) feed files of a run in ``feeds_dir``: its articles' feeds, or those of
    another ``kind`` (``breaking``: ``mayadeen.run.breaking_feed``)."""
    found = sorted(feeds_dir.glob(f"{kind}-{run_id}.*")) if feeds_dir.is_dir() else []
    partials = [path for path in found if path.name.endswith(PARTIAL)]
    return [path for path in found if path not in partials], partials


def feed_state(feeds_dir: Path, run_id: str, kind: str = "articles") -> FeedState:
    """Whether a run's feeds are complete (final names only), incomplete, or absent."""
    finals, partials = run_feed_files(feeds_dir, run_id, kind)
    if partials:
        return "incomplete"
    return "complete" if finals else "absent"


def demote(feeds_dir: Path, run_id: str, kind: str = "articles") -> None:
    """Put the final files of an incomplete run's feeds back to ``.partial``."""
    finals, _ = run_feed_files(feeds_dir, run_id, kind)
    for path in finals:
        os.replace(path, partial_path(path))


def complete(partials: list[Path]) -> None:
    """Give a run's feed files their final names (the caller checked each one is whole)."""
    for path in partials:
        os.replace(path, path.with_name(path.name.removesuffix(PARTIAL)))

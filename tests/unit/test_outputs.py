"""One guard for every command that writes a file: which outputs are files the data directory
manages (the store and its SQLite files, the archive, feeds, manifests, quarantine, the lock),
however spelled, through links or not."""

import os
from pathlib import Path

import pytest

from mayadeen.store.outputs import managed_feed, managed_output
from tests.helpers.managed import MANAGED


@pytest.mark.parametrize("kind", list(MANAGED))
def test_every_managed_file_is_recognised_however_spelled(managed_dir: Path, kind: str) -> None:
    target = managed_dir / MANAGED[kind]
    spellings = [target, managed_dir / ".." / managed_dir.name / MANAGED[kind]]
    link = managed_dir.parent / "link.out"
    link.symlink_to(target)
    spellings.append(link)
    through_link = managed_dir.parent / "data-link"
    through_link.symlink_to(managed_dir)
    spellings.append(through_link / MANAGED[kind])
    for spelling in spellings:
        assert managed_output(spelling, managed_dir), spelling
        assert managed_output(spelling, through_link), spelling


def test_a_hard_link_to_a_managed_file_is_refused_and_other_files_are_not(
    managed_dir: Path,
) -> None:
    hard = managed_dir.parent / "hard.csv"
    os.link(managed_dir / MANAGED["archive"], hard)
    assert "hard link" in (managed_output(hard, managed_dir) or "")
    assert managed_output(managed_dir / "report.html", managed_dir) is None
    assert managed_output(managed_dir / "mine" / "out.csv", managed_dir) is None
    assert managed_output(managed_dir.parent / "out.csv", managed_dir) is None


def test_feeds_of_other_storages_are_not_files_here(managed_dir: Path) -> None:
    assert managed_feed(["stdout:", "s3://bucket/articles.sqlite"], managed_dir) is None
    assert managed_feed([f"file://{managed_dir}/articles.sqlite"], managed_dir)
    assert managed_feed([f"{managed_dir}/feeds/mine-%(time)s.csv"], managed_dir)

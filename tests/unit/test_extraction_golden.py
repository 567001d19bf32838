"""``extract()`` gives, field by field, what the golden file recorded before extraction was made
cheaper (issue 27), over every fixture, the samples, a generated site and each fixture in other
encodings and byte shapes (``tests/helpers/extraction_golden.py``).

The golden file is committed rather than comparing with the code as it was: the code before the
change is kept nowhere a test could import, and a file of every field also catches any later
change of the output that was not meant (rewrite it deliberately when one is).
"""

from typing import Any

from tests.helpers.extraction_golden import read_golden, snapshots


def differences(was: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """Which parts of a page's line changed: kind, sources, notes, each item field."""
    changed = [part for part in ("kind", "sources", "notes") if was.get(part) != now.get(part)]
    was_item, now_item = was.get("item") or {}, now.get("item") or {}
    for name in sorted(set(was_item) | set(now_item)):
        if was_item.get(name) != now_item.get(name):
            changed.append(f"item.{name}: {was_item.get(name)!r} -> {now_item.get(name)!r}")
    return changed


def test_every_field_of_every_page_is_what_the_golden_file_recorded() -> None:
    golden = {line["page"]: line for line in read_golden()}
    now = {line["page"]: line for line in snapshots()}
    assert sorted(now) == sorted(golden), "the same pages"
    assert len(now) > 600
    assert sum(1 for line in now.values() if line["kind"] == "article") > 500
    changed = {page: d for page in golden if (d := differences(golden[page], now[page]))}
    assert not changed, "\n".join(f"{page}: {d}" for page, d in sorted(changed.items())[:20])

"""The item's JSON Schema (docs/article.schema.json): current with the dataclass, and every item
the fixtures expect is valid under it while broken ones are not."""

import json
from pathlib import Path

import jsonschema
import pytest

from mayadeen import itemschema
from mayadeen.items import FIELD_NAMES, content_hash
from tests.helpers.runs import ROOT

FIXTURES = ROOT / "mayadeen" / "loopback" / "fixtures"
EXPECTED = sorted(FIXTURES.glob("*.expected.json"))
VALID = [path for path in EXPECTED if not path.name.startswith("invalid-")]
INVALID = [path for path in EXPECTED if path.name.startswith("invalid-")]


def test_the_committed_schema_is_current() -> None:
    committed = (ROOT / "docs" / "article.schema.json").read_text("utf-8")
    assert committed == itemschema.render(), "run: python -m mayadeen.datadict"


def test_the_schema_lists_every_field_in_order_with_its_docstring() -> None:
    schema = itemschema.schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert tuple(schema["properties"]) == FIELD_NAMES
    assert schema["properties"]["word_count"]["description"] == "``len(body.split())``."


def _complete(path: Path) -> dict[str, object]:
    """An expected item as a feed holds it (fixtures leave out the fetch time)."""
    item = json.loads(path.read_text("utf-8"))
    item.setdefault("crawled_at", "2026-11-28T23:00:00+00:00")
    item.setdefault("content_hash", content_hash(item.get("title") or "", item.get("body") or ""))
    return item


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_expected_item_is_valid(path: Path) -> None:
    jsonschema.validate(_complete(path), itemschema.schema())


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_the_items_validation_quarantines_are_invalid(path: Path) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(_complete(path), itemschema.schema())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_at", "2022-02-24 14:05"),
        ("content_type", "video"),
        ("tags", "Lebanon"),
        ("title", None),
        ("content_hash", "abc"),
        ("extra", 1),
    ],
)
def test_a_broken_item_is_not(field: str, value: object) -> None:
    item = _complete(VALID[0])
    item[field] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(item, itemschema.schema())

"""The item's JSON Schema (docs/article.schema.json): current with the dataclass, and every item
the fixtures expect is valid under it while broken ones are not, formats checked; its ``$id`` a
name a registry resolves."""

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from mayadeen import datadict, itemschema
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


def validate(item: object, schema: dict[str, Any] | None = None) -> None:
    """Validate as the data dictionary tells users to: with the format checker, so a
    ``date-time`` or ``uri`` is checked, not only annotated."""
    checker = Draft202012Validator.FORMAT_CHECKER
    Draft202012Validator(schema or itemschema.schema(), format_checker=checker).validate(item)


def _complete(path: Path) -> dict[str, object]:
    """An expected item as a feed holds it (fixtures leave out the fetch time)."""
    item = json.loads(path.read_text("utf-8"))
    item.setdefault("crawled_at", "2026-11-28T23:00:00+00:00")
    item.setdefault("content_hash", content_hash(item.get("title") or "", item.get("body") or ""))
    return item


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_expected_item_is_valid(path: Path) -> None:
    validate(_complete(path))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_the_items_validation_quarantines_are_invalid(path: Path) -> None:
    with pytest.raises(jsonschema.ValidationError):
        validate(_complete(path))


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
        validate(item)


def test_the_date_time_format_is_checked_not_only_its_pattern() -> None:
    """30 February at 25:61 has the pattern's shape: only the format checker (rfc3339-validator,
    from ``jsonschema[format-nongpl]``) refuses it."""
    assert {"date-time", "uri"} <= set(Draft202012Validator.FORMAT_CHECKER.checkers), (
        "pip install 'jsonschema[format-nongpl]'"
    )
    item = _complete(VALID[0])
    item["published_at"] = "2022-02-30T25:61:00+02:00"
    jsonschema.validate(item, itemschema.schema())  # without a format checker: the shape passes
    with pytest.raises(jsonschema.ValidationError, match="is not a 'date-time'"):
        validate(item)


def test_the_schema_id_is_a_name_a_registry_resolves() -> None:
    """No server serves the ``$id``: a schema referring to it finds it in a registry."""
    committed = json.loads((ROOT / "docs" / "article.schema.json").read_text("utf-8"))
    assert committed["$id"] == itemschema.SCHEMA_ID
    assert itemschema.SCHEMA_ID.startswith("urn:")
    registry: Registry[Any] = Registry().with_resource(
        itemschema.SCHEMA_ID, Resource.from_contents(committed)
    )
    feed = {"type": "array", "items": {"$ref": itemschema.SCHEMA_ID}}
    checker = Draft202012Validator.FORMAT_CHECKER
    validator = Draft202012Validator(feed, registry=registry, format_checker=checker)
    validator.validate([_complete(VALID[0])])
    with pytest.raises(jsonschema.ValidationError):
        validator.validate([{**_complete(VALID[0]), "word_count": -1}])


ACCEPTS: dict[str, str] = {
    "urn:mayadeen:article:1": "2a698b2670dee8ed",
}
"""Each schema id and the fingerprint of what its schema accepts (descriptions left out)."""


def _accepting(node: Any) -> Any:
    if isinstance(node, dict):
        skipped = {"description", "title", "$id"}
        return {key: _accepting(value) for key, value in node.items() if key not in skipped}
    if isinstance(node, list):
        return [_accepting(value) for value in node]
    return node


def test_the_schema_id_changes_when_what_the_schema_accepts_does() -> None:
    accepted = json.dumps(_accepting(itemschema.schema()), sort_keys=True)
    fingerprint = hashlib.sha256(accepted.encode()).hexdigest()[:16]
    assert ACCEPTS.get(itemschema.SCHEMA_ID) == fingerprint, (
        "the schema accepts something else: give itemschema.SCHEMA_ID the next number and "
        f"record {fingerprint!r} for it here"
    )


def test_the_dictionary_tool_refuses_an_option_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert datadict.main(["--help"]) == 0
    assert datadict.main(["--force"]) == 2
    assert datadict.main(["a.md", "b.md"]) == 2
    assert list(tmp_path.iterdir()) == []
    refused = capsys.readouterr().err.strip().splitlines()
    assert len(refused) == 2
    assert "--force" in refused[0]

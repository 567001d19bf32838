"""The item is declared once, in the contract's order, and documents itself."""

import re
from dataclasses import fields

import pytest

from mayadeen.items import FIELD_NAMES, LIST_FIELDS, ArticleItem, field_docs
from tests.helpers.runs import SHARED

CONTRACT = SHARED / "CONTRACT.md"
ROW = re.compile(r"^\| `(\w+)` \| ([^|]+) \|", re.MULTILINE)


def contract_rows() -> list[tuple[str, str]]:
    if not CONTRACT.is_file():
        pytest.skip(f"{CONTRACT} is not beside this checkout")
    return [(name, kind.strip()) for name, kind in ROW.findall(CONTRACT.read_text("utf-8"))]


def test_fields_are_the_contracts_in_its_order() -> None:
    assert tuple(name for name, _ in contract_rows()) == FIELD_NAMES


def test_field_types_follow_the_contract() -> None:
    kinds = dict(contract_rows())
    assert {name for name, kind in kinds.items() if kind.startswith("list")} == LIST_FIELDS
    int_fields = {name for name, kind in kinds.items() if kind.startswith("int")}
    assert {f.name for f in fields(ArticleItem) if str(f.type).startswith("int")} == int_fields


def test_every_field_is_documented() -> None:
    docs = field_docs()
    assert tuple(docs) == FIELD_NAMES
    assert all(len(doc) > 10 for doc in docs.values())


def test_an_empty_item_has_every_field_unset() -> None:
    item = ArticleItem()
    assert all(getattr(item, name) in (None, []) for name in FIELD_NAMES)

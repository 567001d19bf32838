"""The item as a JSON Schema (draft 2020-12), ``docs/article.schema.json``, generated like the data
dictionary from the dataclass and its field docstrings, so the two never disagree.

It describes an article as the outputs hold it (JSON Lines feeds, ``scrapy export``): the fields
validation requires (``mayadeen.site.validity.REQUIRED``) are present and not null, the others may
be null, lists are arrays of strings. ``python -m mayadeen.datadict`` rewrites it with the data
dictionary; a test keeps the committed file equal to ``render()``.
"""

import json
import typing
from typing import Any

from mayadeen.items import ITEM_FIELDS, LIST_FIELDS, TIME_FIELDS, ArticleItem, field_docs
from mayadeen.site.validity import CONTENT_TYPES, LANGUAGES, REQUIRED

SCHEMA_ID = "urn:mayadeen:article:1"
"""The schema's ``$id``: a name, not an address, since no server of ours serves the file. A schema
``$ref``-ing it resolves it from a registry holding this schema under the name
(``referencing.Registry().with_resource(SCHEMA_ID, ...)``); each Parquet file names it in its
metadata. The number grows when what the schema accepts changes (``tests/unit/test_itemschema.py``
keeps a fingerprint of what version 1 accepts)."""
DATE_TIME = {"format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$"}
"""ISO-8601 with seconds and an offset: the contract's dates (``format`` alone is advisory)."""
REFINEMENTS: dict[str, dict[str, Any]] = {
    "url": {"format": "uri"},
    "image_url": {"format": "uri"},
    "content_type": {"enum": sorted(CONTENT_TYPES)},
    "language": {"enum": sorted(LANGUAGES)},
    **dict.fromkeys(TIME_FIELDS, DATE_TIME),
    "read_time_minutes": {"minimum": 0},
    "word_count": {"minimum": 0},
    "content_hash": {"pattern": "^[0-9a-f]{64}$"},
}
"""What the contract says of a value beyond its type."""
JSON_TYPES = {str: "string", int: "integer", float: "number"}


def json_type(python_type: object) -> str:
    """The JSON Schema type of a (non-list) field's Python type.

    >>> json_type(str | None), json_type(int | None)
    ('string', 'integer')
    """
    base = [t for t in typing.get_args(python_type) if t is not type(None)] or [python_type]
    return JSON_TYPES[base[0]]


def field_schema(name: str, python_type: object, description: str) -> dict[str, Any]:
    """One property: its type (null allowed unless required), description and refinements.

    >>> field_schema("tags", list[str], "Tags.")
    {'description': 'Tags.', 'type': 'array', 'items': {'type': 'string'}}
    >>> field_schema("summary", str | None, "Lead.")["type"]
    ['string', 'null']
    """
    schema: dict[str, Any] = {"description": description}
    if name in LIST_FIELDS:
        items: dict[str, Any] = {"type": "string"}
        if name == "related_urls":
            items["format"] = "uri"
        return {**schema, "type": "array", "items": items}
    kind = json_type(python_type)
    schema["type"] = kind if name in REQUIRED else [kind, "null"]
    if name in REQUIRED and kind == "string":
        schema["minLength"] = 1  # validation's missing:<field> is null *or* empty
    refinements = dict(REFINEMENTS.get(name, {}))
    if "enum" in refinements and name not in REQUIRED:
        refinements["enum"] = [*refinements["enum"], None]
    return {**schema, **refinements}


def schema() -> dict[str, Any]:
    docs = field_docs()
    item_fields = ITEM_FIELDS
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Al Mayadeen English article",
        "description": " ".join((ArticleItem.__doc__ or "").split())
        + " Generated from mayadeen/items.py by `python -m mayadeen.datadict`; do not edit.",
        "type": "object",
        "properties": {
            f.name: field_schema(f.name, f.type, " ".join(docs[f.name].split()))
            for f in item_fields
        },
        "required": [f.name for f in item_fields],
        "additionalProperties": False,
    }


def render() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"

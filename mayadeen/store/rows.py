"""Items to store rows and back: list fields as JSON text, everything else as is."""

import json
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import Any

from itemadapter import ItemAdapter

from mayadeen.items import FIELD_NAMES, LIST_FIELDS, ArticleItem

_FROM_ARTICLE = attrgetter(*FIELD_NAMES)
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode
"""``json.dumps`` with an option builds an encoder per call; one made once saves that per value."""
_LIST_POSITIONS = tuple(i for i, name in enumerate(FIELD_NAMES) if name in LIST_FIELDS)


def to_json(value: Any) -> str:
    """The JSON text a list field is stored as (UTF-8 kept readable, stable spelling).

    >>> to_json(["Al Mayadeen Net", "Zeinab Ḥ"])
    '["Al Mayadeen Net", "Zeinab Ḥ"]'
    """
    return _ENCODE(value)


def item_values(item: Any) -> tuple[Any, ...]:
    """An item's values in ``FIELD_NAMES`` order, list fields as JSON text."""
    if isinstance(item, ArticleItem):
        values = list(_FROM_ARTICLE(item))
    else:
        adapter = ItemAdapter(item)
        values = [adapter.get(name) for name in FIELD_NAMES]
    for position in _LIST_POSITIONS:
        values[position] = to_json(values[position] if values[position] is not None else [])
    return tuple(values)


def item_dict(values: Sequence[Any]) -> dict[str, Any]:
    """A stored row's item fields (``FIELD_NAMES`` order) as the item's dict, lists decoded."""
    row = dict(zip(FIELD_NAMES, values, strict=True))
    for name in LIST_FIELDS:
        row[name] = json.loads(row[name]) if row[name] is not None else []
    return row


def as_dict(item: Any) -> dict[str, Any]:
    """Any item as a plain dict of its fields (JSON-ready), in ``FIELD_NAMES`` order when it is
    an ``ArticleItem``."""
    if isinstance(item, ArticleItem):
        return dict(zip(FIELD_NAMES, _FROM_ARTICLE(item), strict=True))
    if isinstance(item, Mapping):
        return dict(item)
    return ItemAdapter(item).asdict()

"""The data dictionary, ``docs/data-dictionary.md``, generated from the item's field docstrings.

``python -m mayadeen.datadict`` rewrites it and, beside it, the item's JSON Schema
(``docs/article.schema.json``, ``mayadeen.itemschema``) and Datasette's metadata
(``docs/datasette.json``, ``mayadeen.datasette_metadata``); tests keep the committed files current.
"""

import sys
import typing
from pathlib import Path

from mayadeen import datasette_metadata, itemschema
from mayadeen.items import ITEM_FIELDS, LIST_FIELDS, field_docs
from mayadeen.site.validity import REQUIRED

HEADER = """\
# Data dictionary

One row per article: the columns of the CSV feeds and of the store's `articles` table, in this
order. Generated from `mayadeen/items.py` by `python -m mayadeen.datadict`; do not edit by hand.
Lists are JSON arrays in JSON Lines, JSON text in CSV cells and SQLite columns.

| # | field | type | meaning |
|---|---|---|---|
"""

SCHEMA_FILE = "article.schema.json"
DATASETTE_FILE = "datasette.json"

STORE_COLUMNS = """
The store's `articles` table adds `first_seen_at`, `last_seen_at` (UTC times the URL was first
and last stored), `changed_at` (when its values last changed: first insert or update) and
`version` (1, then one more per update); see `docs/store.md`.

The same fields as a JSON Schema (draft 2020-12), to validate the JSON Lines feeds or an export:
[`article.schema.json`](article.schema.json) (in Python, `mayadeen.itemschema.schema()`). Its
`$id`, `{schema_id}`, is a name, not an address: a schema `$ref`-ing it resolves it from a
registry holding the file under that name (`referencing.Registry().with_resource(...)`). Parquet
files name it in their metadata (`mayadeen.schema_id`) and describe each column with its meaning
above (field metadata `description`). The
`format` of the times and URLs is checked only by a validator given a format checker, with the
packages it needs (`pip install 'jsonschema[format-nongpl]'`):

```python
import json
from jsonschema import Draft202012Validator

schema = json.load(open("docs/article.schema.json"))
validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
for line in open("articles.jsonl"):
    validator.validate(json.loads(line))
```
"""


def type_name(name: str, python_type: object) -> str:
    """The contract's spelling of a field's type.

    >>> type_name("tags", list[str]), type_name("summary", str | None), type_name("url", str | None)
    ('list of str', 'str or null', 'str')
    """
    if name in LIST_FIELDS:
        return "list of str"
    base = [t for t in typing.get_args(python_type) if t is not type(None)] or [python_type]
    text = getattr(base[0], "__name__", str(base[0]))
    return text if name in REQUIRED else f"{text} or null"


def render() -> str:
    docs = field_docs()
    rows = [
        f"| {number} | `{item_field.name}` | {type_name(item_field.name, item_field.type)} | "
        + " ".join(docs[item_field.name].split()).replace("|", "\\|")
        + " |"
        for number, item_field in enumerate(ITEM_FIELDS, start=1)
    ]
    return HEADER + "\n".join(rows) + "\n" + STORE_COLUMNS.format(schema_id=itemschema.SCHEMA_ID)


USAGE: typing.Final = (
    "usage: python -m mayadeen.datadict [TARGET.md]: writes the data dictionary (default "
    f"docs/data-dictionary.md), and {SCHEMA_FILE} and {DATASETTE_FILE} beside it"
)


def main(argv: list[str]) -> int:
    if argv[:1] in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    if len(argv) > 1 or (argv and argv[0].startswith("-")):
        print(f"{USAGE}; got {' '.join(argv)!r}: give one target file, or none", file=sys.stderr)
        return 2
    target = Path(argv[0]) if argv else Path("docs/data-dictionary.md")
    target.write_text(render(), encoding="utf-8")
    schema_file = target.with_name(SCHEMA_FILE)
    schema_file.write_text(itemschema.render(), encoding="utf-8")
    datasette_file = target.with_name(DATASETTE_FILE)
    datasette_file.write_text(datasette_metadata.render(), encoding="utf-8")
    print(f"wrote {target}, {schema_file} and {datasette_file}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

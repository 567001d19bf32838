"""The article item, declared once.

The field order is the contract's column order; the CSV feed, the SQLite schema and the data
dictionary derive from this class (``FIELD_NAMES``, ``field_docs()``), never from a second list.
A field the page does not state stays ``None`` (or empty): validation decides what that means.

Beside the contract's fields, an article carries its ``provenance`` (where its page came from, and
what the store made of it), which no output lists: ``FIELD_NAMES`` and ``ITEM_FIELDS`` skip it.
"""

import ast
import hashlib
import inspect
import re
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields
from functools import cache
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:  # the store imports the item: named for the type checker only
    from mayadeen.store.origins import Origin

Verdict = Literal["new", "updated", "unchanged"]
"""What the store made of an article: new, updated (a changed text) or unchanged."""

CAPTURE_META: Final = "mayadeen_capture"
"""Request meta: the id of the capture our archive indexed the page as (``mayadeen.warc``)."""
FETCHED_META: Final = "mayadeen_fetched_from"
"""Request meta: the ``Origin`` of the page, the site or a web archive's capture."""
UNARCHIVED_META: Final = "mayadeen_unarchived"
"""Request meta: the page was to be archived and could not be (the archive stopped, a full
disk): the article read from it is stored and stays owed to the archive."""
CURSOR_META: Final = "mayadeen_cursor"
"""Request meta: the web archive's listing and index page that named the capture fetched
(``mayadeen.spiders.webarchive_routes``), whose cursor moves past it once its article is settled."""


@dataclass(frozen=True)
class Provenance:
    """Where an article's page came from, and what the store made of it: set by the spider from
    the page's request meta (:meth:`of`), and by the store step (``verdict``). Not a contract
    field: no feed, table column, data dictionary or JSON Schema lists it."""

    capture: int | None = None
    """The capture our archive indexed the page as (``captures.id``); None when not archived."""
    origin: "Origin | None" = None
    """Where the page was read: the site, or a web archive's capture; None when re-extracted."""
    unarchived: bool = False
    """The page was to be archived and could not be: stored, and owed to the archive."""
    cursor: tuple[str, str] | None = None
    """The web archive's listing and index page that named the capture read."""
    verdict: Verdict | None = None
    """The store's verdict, once stored; None before (or never stored)."""
    signed: bytes | None = None
    """The body's near-duplicate signature, when computed already (by a re-extraction's worker
    process, so that the one writing process need not: ``store.near_duplicates.signed``)."""
    problems: tuple[str, ...] | None = None
    """The item's problems (``site.validity.problems``: empty when valid), when checked already
    where it was extracted (a re-extraction's worker), so that validation need not again."""

    @classmethod
    def of(cls, meta: Mapping[str, Any]) -> "Provenance":
        """The provenance a page's request meta states.

        >>> Provenance.of({CAPTURE_META: 7}).capture, Provenance.of({}).unarchived
        (7, False)
        """
        return cls(
            meta.get(CAPTURE_META),
            meta.get(FETCHED_META),
            bool(meta.get(UNARCHIVED_META)),
            meta.get(CURSOR_META),
        )


NO_PROVENANCE: Final = Provenance()


@dataclass
class ArticleItem:
    """One text article of english.almayadeen.net (news and ``/articles/*`` pages)."""

    url: str | None = None
    """Canonical URL: absolute, on the site host, scheme and host lower-case, percent-escapes of
    characters legal in a path decoded (``%3A`` → ``:``), no query, no fragment, no trailing ``/``."""

    article_id: str | None = None
    """The CMS post id (tawsiyat ``postid``, else JSON-LD ``identifier``); null when neither states one."""

    title: str | None = None
    """The headline, entities decoded, whitespace collapsed."""

    summary: str | None = None
    """The lead paragraph (``p.lg_para.summary``), else the page's description."""

    authors: list[str] = field(default_factory=list)
    """Byline names; house bylines are spelled ``Al Mayadeen Net`` / ``Al Mayadeen English``."""

    source: str | None = None
    """The text after ``Source:`` (e.g. ``Agencies``); null without a Source line."""

    section: str | None = None
    """Section display name: ``Politics``, ``Economy``, ... for news; ``Opinion``, ``Analysis``,
    ``Blog``, ``Features`` for ``/articles/<sub>/`` pages."""

    content_type: str | None = None
    """``news``, ``opinion``, ``analysis``, ``blog`` or ``features``, from the URL path (else the
    page's tawsiyat ``posttype``, for a URL of unexpected shape)."""

    published_at: str | None = None
    """Publication time, ISO-8601 with offset and seconds (``2022-02-24T14:05:00+02:00``); a time the
    page states without a zone is Beirut wall time."""

    modified_at: str | None = None
    """The last modification the page states, same format, even when equal to ``published_at``;
    null when no source states one."""

    read_time_minutes: int | None = None
    """The displayed ``N Min Read``; null when the page shows none."""

    tags: list[str] = field(default_factory=list)
    """The article's tags, duplicates removed, in first-seen order."""

    coverage: str | None = None
    """The coverage (dossier) the article belongs to, e.g. ``Russia & NATO``; null when none."""

    image_url: str | None = None
    """Absolute URL of the main image; null when there is none."""

    image_caption: str | None = None
    """The main image's visible caption; null when there is none (the ``alt`` text is not a caption)."""

    body: str | None = None
    """The article text: paragraphs and in-body subheadings joined by a blank line, without the lead,
    the Related News box, ``Read more:`` lines, the disclaimer and scripts; a tweet keeps its text."""

    word_count: int | None = None
    """``len(body.split())``."""

    related_urls: list[str] = field(default_factory=list)
    """Canonical URLs of the articles linked from the Related News box and ``Read more:`` lines, in
    order, no duplicates."""

    language: str | None = None
    """The page's language code: ``en``."""

    crawled_at: str | None = None
    """ISO-8601 UTC time of the fetch."""

    content_hash: str | None = None
    """Hex SHA-256 of ``title + "\\n" + body`` (UTF-8): changes exactly when the text changes."""

    provenance: Provenance = field(
        default=NO_PROVENANCE, compare=False, repr=False, metadata={"contract": False}
    )


ITEM_FIELDS: tuple["Field[Any]", ...] = tuple(
    f for f in fields(ArticleItem) if f.metadata.get("contract", True)
)
"""The contract's fields of the item, in contract order (``provenance`` is not one)."""

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in ITEM_FIELDS)
"""The item's fields in contract (and CSV column) order."""

LIST_FIELDS: frozenset[str] = frozenset(
    f.name for f in ITEM_FIELDS if str(f.type).startswith("list")
)
"""Fields holding lists: JSON arrays in JSON outputs, JSON text in CSV cells and SQLite columns."""

TIME_FIELDS: tuple[str, ...] = tuple(name for name in FIELD_NAMES if name.endswith("_at"))
"""Fields holding times: ISO-8601 with seconds and an offset (``published_at``, ``modified_at``,
``crawled_at``)."""


@cache
def field_docs() -> dict[str, str]:
    """Each field's docstring, in field order: the data dictionary.

    >>> list(field_docs())[:3]
    ['url', 'article_id', 'title']
    >>> field_docs()["word_count"]
    '``len(body.split())``.'
    """
    tree = ast.parse(inspect.getsource(ArticleItem))
    statements = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in pairwise(statements):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
        ):
            docs[node.target.id] = inspect.cleandoc(str(following.value.value))
    return {name: docs[name] for name in FIELD_NAMES if name in docs}


def contract_dict(item: ArticleItem) -> dict[str, Any]:
    """The item's contract fields as a dict (``dataclasses.asdict`` would add ``provenance``).

    >>> list(contract_dict(ArticleItem(url="u")))[:2]
    ['url', 'article_id']
    """
    return {name: getattr(item, name) for name in FIELD_NAMES}


def plain_text(doc: str) -> str:
    """A docstring as one line of plain text, without reST's literal quotes (for Datasette's
    column descriptions and the Parquet files' field metadata).

    >>> plain_text('Hex SHA-256 of ``title + "\\\\n" + body``\\n(UTF-8).')
    'Hex SHA-256 of title + "\\\\n" + body (UTF-8).'
    """
    return " ".join(re.sub(r"``(.+?)``", r"\1", doc).split())


@cache
def plain_field_docs() -> dict[str, str]:
    """``field_docs()`` as plain text, one line each."""
    return {name: plain_text(doc) for name, doc in field_docs().items()}


def content_hash(title: str, body: str) -> str:
    """The contract's ``content_hash``: hex SHA-256 of ``title + "\\n" + body``.

    >>> content_hash("A", "B")[:16]
    '23519a43c66b4c34'
    """
    return hashlib.sha256(f"{title}\n{body}".encode()).hexdigest()

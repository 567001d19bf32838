"""An article of the generated site (``mayadeen.loopback.generator``): the truth its page is
rendered from (``mayadeen.loopback.article_page``) and its expected item derived from."""

import random
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from mayadeen.loopback import text
from mayadeen.loopback.catalog import Entry


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article body: a paragraph, an in-body subheading or a tweet's text."""

    kind: str
    text: str


@dataclass(frozen=True)
class GeneratedArticle:
    """An article of the generated site, with the truth its page is rendered from."""

    index: int
    seed: int
    entry: Entry
    post_id: str
    byline: str
    """The byline as the page shows it (``Al Mayadeen net`` as well as the canonical spellings)."""
    authors: tuple[str, ...]
    source: str | None
    caption: str | None
    sources: frozenset[str]
    """Machine-readable sources on the page: ``tawsiyat``, ``tawsiyat-broken``, ``jsonld``,
    ``meta``, ``meta-modified``."""
    extras: frozenset[str]
    """Body features: ``tweet``, ``subheading``, ``read-time`` (the ``N Min Read`` line)."""
    related: tuple[int, ...]
    read_more: tuple[int, ...]
    edited: bool = False
    shapes: frozenset[str] = frozenset()
    """Shapes real pages showed (``mayadeen.loopback.shapes``): ``post-id``, ``brief``..."""

    def blocks(self) -> list[Block]:
        rng = random.Random(f"{self.seed}/{self.index}/body")
        blocks = [Block("p", text.paragraph(rng)) for _ in range(rng.randint(3, 9))]
        if "brief" in self.shapes:  # one or two sentences, nothing else
            sentences = " ".join(text.sentence(rng) for _ in range(rng.randint(1, 2)))
            blocks = [Block("p", sentences)]
        if "subheading" in self.extras and "brief" not in self.shapes:
            blocks.insert(len(blocks) // 2, Block("h3", " ".join(text.title(rng).split()[:5])))
        if "tweet" in self.extras and "brief" not in self.shapes:
            blocks.insert(
                1,
                Block("tweet", f"{text.sentence(rng)} pic.twitter.com/{rng.randrange(10**6):06d}"),
            )
        if self.edited:
            blocks.append(Block("p", f"Update: {text.paragraph(rng)}"))
        return blocks

    @cached_property
    def body(self) -> str:
        return "\n\n".join(block.text for block in self.blocks())

    @property
    def read_time(self) -> int | None:
        return -(-len(self.body.split()) // 200) if "read-time" in self.extras else None

    @property
    def meta_modified(self) -> datetime | None:
        """The modification time the page states, if any source states one."""
        if {"tawsiyat", "jsonld", "meta-modified"} & self.sources:
            return self.entry.modified
        return None

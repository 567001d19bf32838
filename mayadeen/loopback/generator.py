"""A deterministic loopback site of N articles in the anatomy of the samples.

Article ``i`` depends only on the seed and ``i``, and is newer than article ``i - 1``; it links
(Related News, ``Read more:``) only to older articles. So the site of ``N + 20`` articles is the site
of ``N`` plus 20 newer articles: what an incremental crawl sees between two runs. Only metadata is
built up front; pages are rendered when requested, so 100,000 articles take seconds.
"""

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from mayadeen.loopback import text
from mayadeen.loopback.anatomy import ARTICLE_SECTIONS, NEWS_SECTIONS, VIDEO_CATEGORIES, url
from mayadeen.loopback.article_page import expected_item, render_article, render_non_article
from mayadeen.loopback.catalog import Entry, Page
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.listings import ListedSite
from mayadeen.loopback.shapes import article_path, pick_shapes

START = datetime(2023, 12, 20, 6, 0, tzinfo=UTC)
"""Publication time of article 0; with the default spacing the slug rule changes (2024) early."""
MINUTES_BETWEEN = 15
SLUG_RULE_CHANGE = datetime(2024, 1, 1, tzinfo=UTC)
SECTION_WEIGHTS = (30, 10, 6, 4, 5, 4, 6, 5, 12, 8, 4, 6)  # news sections, then /articles/*


def _pick_section(rng: random.Random) -> str:
    sections = NEWS_SECTIONS + ARTICLE_SECTIONS
    return rng.choices(sections, weights=SECTION_WEIGHTS)[0].path


def _sources(rng: random.Random) -> frozenset[str]:
    roll = rng.random()
    found = {"tawsiyat"} if roll < 0.94 else ({"tawsiyat-broken"} if roll < 0.96 else set())
    if rng.random() < 0.35:
        found.add("jsonld")
    if rng.random() < 0.95:
        found.add("meta")
        if rng.random() < 0.5:
            found.add("meta-modified")
    return frozenset(found)


def _with_tawsiyat(sources: frozenset[str]) -> frozenset[str]:
    """A page whose URL does not say what it is always says so itself."""
    return (sources - {"tawsiyat-broken"}) | {"tawsiyat"}


def _extras(rng: random.Random) -> frozenset[str]:
    extras = {
        name for name, share in (("tweet", 0.08), ("subheading", 0.25)) if rng.random() < share
    }
    if rng.random() < 0.97:
        extras.add("read-time")
    return frozenset(extras)


def _byline(rng: random.Random, section: str, published: datetime) -> tuple[str, tuple[str, ...]]:
    if section.startswith("articles/"):
        writer = rng.choice(text.WRITERS)
        return writer, (writer,)
    if published.year < 2024:
        return ("Al Mayadeen net" if rng.random() < 0.2 else "Al Mayadeen Net"), (
            "Al Mayadeen Net",
        )
    return "Al Mayadeen English", ("Al Mayadeen English",)


def _related(rng: random.Random, index: int, chance: float, most: int) -> tuple[int, ...]:
    if index == 0 or rng.random() >= chance:
        return ()
    return tuple(rng.randrange(max(0, index - 500), index) for _ in range(rng.randint(1, most)))


class GeneratedSite(ListedSite):
    """The site of ``n`` articles for ``seed``; ``edited`` indices carry a later revision."""

    def __init__(
        self,
        n: int,
        seed: int = 0,
        *,
        edited: frozenset[int] = frozenset(),
        start: datetime = START,
        minutes_between: int = MINUTES_BETWEEN,
    ) -> None:
        if n < 0:
            raise ValueError("the number of articles must not be negative")
        self.n, self.seed, self.edited = n, seed, edited
        self.start, self.spacing = start, timedelta(minutes=minutes_between)
        self.articles_by_index: list[GeneratedArticle] = []
        used_slugs: set[str] = set()
        for index in range(n):
            self.articles_by_index.append(self._article(index, used_slugs))
        self._by_path = {a.entry.path: a for a in self.articles_by_index}
        extra = self._videos() + self._infographs() + self._author_pages()
        self._non_articles = {entry.path: entry for entry in extra}
        super().__init__([a.entry for a in self.articles_by_index] + extra)

    def article(self, path: str) -> GeneratedArticle | None:
        return self._by_path.get(path)

    def expected_item(self, article: GeneratedArticle) -> dict[str, Any]:
        """The item the contract asks for from ``article``'s page (without ``crawled_at``)."""
        return expected_item(article, self)

    def content(self, path: str) -> Page | None:
        if article := self._by_path.get(path):
            return Page.html(render_article(article, self))
        if entry := self._non_articles.get(path):
            return Page.html(render_non_article(entry, self))
        return None

    def _article(self, index: int, used_slugs: set[str]) -> GeneratedArticle:
        rng = random.Random(f"{self.seed}/{index}")
        section = _pick_section(rng)
        published = (self.start + index * self.spacing).replace(second=0, microsecond=0)
        headline = text.title(rng)
        rule = text.slug_new_rule if published >= SLUG_RULE_CHANGE else text.slug_old_rule
        while (slug := rule(headline)) in used_slugs:  # the live site has no id in its URLs either
            headline = text.title(rng)
        used_slugs.add(slug)
        modified = published + timedelta(minutes=rng.randrange(0, 90), seconds=rng.randrange(60))
        if index in self.edited:
            modified = published + timedelta(hours=36)
        byline, authors = _byline(rng, section, published)
        shapes = pick_shapes(self.seed, index, section)
        if "house-plain" in shapes and authors == ("Al Mayadeen English",):
            byline, authors = "Al Mayadeen", ("Al Mayadeen",)
        tags = tuple(dict.fromkeys(rng.sample(text.TAGS, rng.randint(2, 5))))
        image = None
        if rng.random() < 0.92:
            image = url(f"Content/uploadsmedia/{published:%Y/%-m/%-d}/{slug[:40].strip('-:')}.jpg")
        entry = Entry(
            path=article_path(section, slug, str(30000 + index), shapes),
            title=headline,
            kind="article",
            published=published,
            modified=modified,
            section=section,
            image_url=image,
            summary=text.sentence(rng),
            tags=tags,
            coverage=rng.choice(text.COVERAGES) if rng.random() < 0.15 else None,
            author=authors[0],
        )
        news = section.startswith("news/")
        source = rng.choice(text.SOURCES) if news and rng.random() < 0.9 else None
        caption = rng.choice(text.IMAGE_CAPTIONS) if image and rng.random() < 0.85 else None
        sources, extras = _sources(rng), _extras(rng)
        related, read_more = _related(rng, index, 0.6, 3), _related(rng, index, 0.35, 2)
        return GeneratedArticle(
            index=index,
            seed=self.seed,
            entry=entry,
            post_id=str(30000 + index),
            byline=byline,
            authors=authors,
            source=source,
            caption=caption,
            sources=_with_tawsiyat(sources) if "unknown-path" in shapes else sources,
            extras=extras,
            related=related if "brief" not in shapes else (),  # no box in one paragraph
            read_more=read_more if "brief" not in shapes else (),
            edited=index in self.edited,
            shapes=shapes,
        )

    def _videos(self) -> list[Entry]:
        videos = []
        for k in range(self.n // 8):
            rng = random.Random(f"{self.seed}/video/{k}")
            category = rng.choice(VIDEO_CATEGORIES)[0]
            headline = f"{text.title(rng)} (video {k})"
            when = self.start + (8 * k + 3) * self.spacing
            slug = text.slug_new_rule(headline)
            videos.append(
                Entry(
                    f"/videos/{category}/{slug}",
                    headline,
                    "video",
                    when,
                    section=f"videos/{category}",
                )
            )
        return videos

    def _infographs(self) -> list[Entry]:
        infographs = []
        for k in range(self.n // 25):
            rng = random.Random(f"{self.seed}/infograph/{k}")
            headline = f"{text.title(rng)} in numbers {k}"
            when = self.start + (25 * k + 7) * self.spacing
            image = url(f"Content/uploadsmedia/infographs/{k}.jpg")
            slug = text.slug_new_rule(headline)
            infographs.append(
                Entry(
                    f"/infographs/{slug}",
                    headline,
                    "infograph",
                    when,
                    section="infographs",
                    image_url=image,
                )
            )
        return infographs

    def _author_pages(self) -> list[Entry]:
        """One page per byline, house bylines included (every byline links to one)."""
        first_article: dict[str, GeneratedArticle] = {}
        for article in self.articles_by_index:
            first_article.setdefault(text.slugify_name(article.byline), article)
        return [
            Entry(
                f"/authors/{slug}", a.authors[0], "author", a.entry.published, author=a.authors[0]
            )
            for slug, a in first_article.items()
        ]

    def with_new_articles(self, count: int) -> "GeneratedSite":
        """The same site ``count`` articles later (older pages unchanged but for sidebars)."""
        return self._variant(self.n + count, self.edited)

    def with_edits(self, indices: frozenset[int]) -> "GeneratedSite":
        """The same site where articles ``indices`` were revised (later ``modified``, new text)."""
        return self._variant(self.n, self.edited | indices)

    def _variant(self, n: int, edited: frozenset[int]) -> "GeneratedSite":
        minutes = int(self.spacing.total_seconds() // 60)
        return GeneratedSite(n, self.seed, edited=edited, start=self.start, minutes_between=minutes)

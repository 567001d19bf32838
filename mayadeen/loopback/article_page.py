"""Pages of the generated site: articles in the anatomy of the samples, video, infograph and
author pages, and the item the contract expects from each article page."""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any, Protocol

from mayadeen.loopback.anatomy import (
    BEIRUT,
    DISCLAIMER,
    LIVE_ROOT,
    SECTION_BY_PATH,
    cms_wall_time,
    document,
    iso,
    listing_date,
    tawsiyat,
    url,
    visible_datetime,
)
from mayadeen.loopback.catalog import Entry, choice_for, link_spelling
from mayadeen.loopback.generated_article import GeneratedArticle
from mayadeen.loopback.listings import PAGE_SIZE, card
from mayadeen.loopback.text import HANDLES, slugify_name


class ArticleSite(Protocol):
    """What a page needs of its site (``GeneratedSite``): the articles it links to and lists."""

    @property
    def articles(self) -> Sequence[Entry]: ...

    @property
    def articles_by_index(self) -> Sequence[GeneratedArticle]: ...

    def articles_in(self, listing: str) -> list[Entry]: ...


def _tawsiyat_data(article: GeneratedArticle) -> dict[str, Any]:
    e = article.entry
    section = SECTION_BY_PATH[e.section or ""]
    keywords = list(e.tags)
    if choice_for(e.path, "dup-keyword", 10) == 0:
        keywords.append(keywords[0])  # the CMS often repeats a keyword
    classes = [
        {"key": "class1", "mapping": "posttype", "value": section.content_type.title()},
        {"key": "class2", "mapping": "category", "value": section.display_name},
    ]
    if e.coverage:
        classes.append({"key": "class5", "mapping": "coverage", "value": e.coverage})
    classes.append({"key": "class6", "mapping": "author", "value": article.byline})
    return {
        "type": "article",
        "postid": article.post_id,
        "title": e.title,
        "url": url(e.path),
        "keywords": ",".join(keywords),
        "thumbnail": e.image_url or "",
        "video_duration": None,
        "word_count": str(len(article.body.split())),
        "lang": "en",
        "published_time": iso(e.published),
        "last_updated": iso(e.modified or e.published),
        "description": e.summary,
        "author": article.byline,
        "classes": classes,
        "html": "",
        "lite_url": "",
    }


def _json_ld(article: GeneratedArticle) -> str:
    e = article.entry
    kind = "Organization" if SECTION_BY_PATH[e.section or ""].content_type == "news" else "Person"
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": e.title,
        "identifier": article.post_id,
        "url": url(e.path),
        "inLanguage": "en",
        "datePublished": iso(e.published),
        "dateModified": iso(e.modified or e.published),
        "author": {"@type": kind, "name": article.authors[0]},
        "keywords": ",".join(e.tags),
        "articleSection": SECTION_BY_PATH[e.section or ""].display_name,
        "description": e.summary,
    }
    if e.image_url:
        data["image"] = {"@type": "ImageObject", "url": e.image_url}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>\n'


def _head(article: GeneratedArticle) -> str:
    e, found = article.entry, article.sources
    head = [f'<link rel="canonical" href="{escape(url(e.path))}">\n']
    if "meta" in found:
        head.append(
            f'<meta name="description" content="{escape(e.summary)}">\n'
            f'<meta name="keywords" content="{escape(",".join(e.tags))}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{escape(e.title)}">\n'
            f'<meta property="og:url" content="{escape(url(e.path))}">\n'
            f'<meta property="article:published_time" content="{cms_wall_time(e.published)}">\n'
        )
        if "meta-modified" in found and e.modified:
            head.append(
                f'<meta property="article:modified_time" content="{cms_wall_time(e.modified)}">\n'
            )
        if e.image_url:
            head.append(f'<meta property="og:image" content="{e.image_url}">\n')
    if "jsonld" in found:
        head.append(_json_ld(article))
    if found & {"tawsiyat", "tawsiyat-broken"}:
        head.append(tawsiyat(_tawsiyat_data(article), broken="tawsiyat-broken" in found))
    return "".join(head)


def _link(entry: Entry, salt: str) -> str:
    return f'<a href="{escape(url(link_spelling(entry.path, salt)))}">{escape(entry.title)}</a>'


def _body(article: GeneratedArticle, site: ArticleSite) -> str:
    salt = f"body{article.index}"
    html = []
    for position, block in enumerate(article.blocks()):
        if block.kind == "h3":
            html.append(f"<h3>{escape(block.text)}</h3>")
        elif block.kind == "tweet":
            words, _, pic = block.text.partition(" pic.twitter.com/")
            html.append(
                f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{escape(words)} '
                f'<a href="https://t.co/{pic}">pic.twitter.com/{pic}</a></p>&mdash; {escape(HANDLES[0])} '
                f'<a href="https://twitter.com/MayadeenEnglish/status/{pic}">{listing_date(article.entry.published)}</a>'
                '</blockquote><script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>'
            )
        else:
            html.append(f"<p>{escape(block.text)}</p>")
        if position == 1 and article.related:
            links = "".join(
                f"<li>{_link(site.articles_by_index[i].entry, salt)}</li>" for i in article.related
            )
            html.append(
                f'<div class="related-news"><h4 class="related-title">Related News</h4><ul>{links}</ul></div>'
            )
    for i in article.read_more:
        html.append(
            f"<p><strong>Read more: </strong>{_link(site.articles_by_index[i].entry, salt)}</p>"
        )
    return "\n".join(html)


def _sidebars(article: GeneratedArticle, site: ArticleSite) -> tuple[str, str]:
    """Most Read and Read Next: they reflect the site at crawl time, not the article."""
    most = "".join(
        card(e, "most-read").replace("news-card", "most-read-item") for e in site.articles[:4]
    )
    same = [
        e for e in site.articles_in(article.entry.section or "")[:5] if e.path != article.entry.path
    ][:4]
    nxt = "".join(card(e, "read-next").replace("news-card", "read-next-item") for e in same)
    return (
        f'<aside class="col-4"><div class="most-read"><h2 class="block-title">Most Read</h2>{most}</div></aside>',
        f'<section class="read-next"><h2 class="block-title">Read Next</h2>{nxt}</section>',
    )


def render_article(article: GeneratedArticle, site: ArticleSite) -> str:
    e = article.entry
    section = SECTION_BY_PATH[e.section or ""]
    author_link = url(f"authors/{slugify_name(article.byline)}")
    source = (
        f'<li class="post-source">Source: {escape(article.source)}</li>' if article.source else ""
    )
    read_time = (
        f'<span class="read-time">{article.read_time} Min Read</span>\n'
        if article.read_time
        else ""
    )
    figure = ""
    if e.image_url:
        caption = (
            f'<figcaption class="img-caption">{escape(article.caption)}</figcaption>'
            if article.caption
            else ""
        )
        figure = f'<figure class="post-image"><img src="{e.image_url}" alt="{escape(e.title)}">{caption}</figure>\n'
    disclaimer = ""
    if section.content_type != "news":
        disclaimer = f'<div class="post_disclaimer"><p>{DISCLAIMER}</p></div>\n'
    tags = "".join(
        f'<li><a href="{url("tag/" + slugify_name(t))}">{escape(t)}</a></li>' for t in e.tags
    )
    coverage = ""
    if e.coverage:
        coverage = (
            f'<div class="coverage-box"><a href="{url("coverage/" + slugify_name(e.coverage))}">'
            f'<h3 class="coverage-title">{escape(e.coverage)}</h3></a></div>\n'
        )
    aside, read_next = _sidebars(article, site)
    by = "" if "bare-byline" in article.shapes else "By "
    shares = ""
    if "shares" in article.shapes:
        shares = f'<li class="post-shares">{choice_for(e.path, "shares", 40) + 1} Shares</li>'
    main = (
        '<main class="main-content">\n<div class="container"><div class="row">\n<div class="col-8">\n'
        '<article class="article-details">\n'
        f'<div class="post-type post-metas type-wrap article-details-metas"><a href="{url(section.path)}">'
        f"{escape(section.display_name)}</a></div>\n"
        f'<h1 class="post-title">{escape(e.title)}</h1>\n'
        f'<ul class="post-info"><li class="post-author">{by}<a href="{author_link}">{escape(article.byline)}</a></li>'
        f'{source}<li class="post-date"><span class="date">{visible_datetime(e.published)}</span></li>{shares}</ul>\n'
        f'{read_time}<section class="read-section">\n<p class="lg_para summary">{escape(e.summary)}</p>\n'
        f'{figure}<div class="p-content">\n{_body(article, site)}\n</div>\n{disclaimer}</section>\n'
        f'<div class="post-tags"><ul>{tags}</ul></div>\n{coverage}</article>\n</div>\n{aside}\n</div>\n'
        f"{read_next}\n</div>\n</main>"
    )
    return document(e.title, _head(article), "article-page", main)


def render_non_article(entry: Entry, site: ArticleSite) -> str:
    """A video, infograph or author page: it carries no article body."""
    kind = {"video": "videoobject", "author": "page"}.get(entry.kind, "article")
    data = {
        "type": kind,
        "title": entry.title,
        "url": url(entry.path),
        "lang": "en",
        "published_time": iso(entry.published),
        "video_duration": "PT3M12S" if kind == "videoobject" else None,
        "classes": [{"key": "class1", "mapping": "posttype", "value": entry.kind.title()}],
    }
    if entry.kind == "video":
        inner = f'<div class="video-player" data-video-id="{choice_for(entry.path, "video", 10**6)}"></div>'
    elif entry.kind == "infograph":
        inner = f'<figure class="infograph-image"><img src="{entry.image_url}" alt="{escape(entry.title)}"></figure>'
    else:
        theirs = [e for e in site.articles if e.author == entry.author][:PAGE_SIZE]
        cards = "".join(card(e, "author") for e in theirs)
        bio = f"{escape(entry.title)} writes for Al Mayadeen English."
        inner = f'<p class="author-bio">{bio}</p><div class="news-list">{cards}</div>'
    title = f'<h1 class="post-title">{escape(entry.title)}</h1>'
    main = f'<main class="main-content"><div class="container">{title}{inner}</div></main>'
    return document(entry.title, tawsiyat(data), f"{entry.kind}-page", main)


def as_read_from_wall_time(moment: datetime) -> datetime:
    """What a reader of the Beirut wall time alone (no offset) can recover: an ambiguous hour
    reads as its first occurrence.

    >>> second_2330 = datetime(2023, 10, 28, 21, 30, tzinfo=UTC)  # 23:30+02:00, after the switch
    >>> iso(as_read_from_wall_time(second_2330))
    '2023-10-28T23:30:00+03:00'
    """
    wall = moment.astimezone(BEIRUT).replace(tzinfo=None, fold=0)
    return wall.replace(tzinfo=BEIRUT).astimezone(UTC)


def expected_item(article: GeneratedArticle, site: ArticleSite) -> dict[str, Any]:
    """The contract's item for ``article``'s page, from the truth it was rendered from."""
    e, found = article.entry, article.sources
    offsets_stated = bool(found & {"tawsiyat", "jsonld"})
    published = e.published if offsets_stated else as_read_from_wall_time(e.published)
    modified = article.meta_modified
    if modified and not offsets_stated:
        modified = as_read_from_wall_time(modified)
    related = [site.articles_by_index[i].entry.path for i in article.related + article.read_more]
    body = article.body
    return {
        "url": f"{LIVE_ROOT}{e.path}",
        "article_id": article.post_id if offsets_stated else None,
        "title": e.title,
        "summary": e.summary,
        "authors": list(article.authors),
        "source": article.source,
        "section": SECTION_BY_PATH[e.section or ""].display_name,
        "content_type": SECTION_BY_PATH[e.section or ""].content_type,
        "published_at": iso(published),
        "modified_at": iso(modified) if modified else None,
        "read_time_minutes": article.read_time,
        "tags": list(e.tags),
        "coverage": e.coverage,
        "image_url": e.image_url,
        "image_caption": article.caption,
        "body": body,
        "word_count": len(body.split()),
        "related_urls": [f"{LIVE_ROOT}{p}" for p in dict.fromkeys(related)],
        "language": "en",
        "content_hash": hashlib.sha256(f"{e.title}\n{body}".encode()).hexdigest(),
    }

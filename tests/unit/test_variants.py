"""Markup the live site may show that the samples do not: the guessed rules' fallbacks at work."""

import json

from scrapy.http import HtmlResponse

from mayadeen.items import ArticleItem
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.pages.extract import extract

URL = f"{LIVE_ROOT}/news/politics/some-article"


def item_of(head: str = "", body: str = "", url: str = URL) -> ArticleItem:
    html = f"<!DOCTYPE html><html lang='en'><head>{head}</head><body>{body}</body></html>"
    item = extract(HtmlResponse(url, body=html.encode(), encoding="utf-8"), LIVE_ROOT).item
    assert item is not None
    return item


def article(content: str, before: str = "") -> str:
    return (
        f'<article class="article-details">{before}<div class="p-content">{content}</div></article>'
    )


def test_a_site_name_in_a_meta_title_is_dropped_and_the_html_title_never_used() -> None:
    item = item_of(
        head="<title>Other | Al Mayadeen English</title>"
        '<meta property="og:title" content="Gaza truce holds - Al Mayadeen English">'
    )
    assert item.title == "Gaza truce holds"
    assert item_of(head="<title>Gaza truce holds</title>").title is None


def test_a_relative_canonical_link_gives_the_canonical_url() -> None:
    item = item_of(head='<link rel="Canonical" href="/news/politics/kremlin%3A-talks/">')
    assert item.url == f"{LIVE_ROOT}/news/politics/kremlin:-talks"


def test_an_off_site_url_in_a_source_falls_through_to_the_next() -> None:
    tawsiyat = json.dumps({"type": "article", "url": "https://www.almayadeen.net/news/x/y"})
    item = item_of(
        head=f'<script type="text/tawsiyat" id="tawsiyat-metadata">{tawsiyat}</script>'
        f'<meta property="og:url" content="{LIVE_ROOT}/news/politics/right-one">'
    )
    assert item.url == f"{LIVE_ROOT}/news/politics/right-one"


def test_lazy_loaded_and_unsafe_image_urls() -> None:
    lazy = item_of(
        body='<article class="article-details"><figure class="post-image">'
        '<img src="data:image/gif;base64,R0lG" data-src="/Content/uploadsmedia/2024/1/2/a b.jpg">'
        "</figure></article>"
    )
    assert lazy.image_url == f"{LIVE_ROOT}/Content/uploadsmedia/2024/1/2/a%20b.jpg"


def test_lists_and_text_only_divs_are_paragraphs_and_other_embeds_are_left_out() -> None:
    item = item_of(
        body=article(
            "<p>First.</p><ul><li>One point.</li><li><p>Two</p></li></ul><div>A div paragraph.</div>"
            '<blockquote class="instagram-media"><p>View this post on Instagram</p></blockquote>'
            "<div><div>Nested div.</div></div><p>Last.</p>"
        )
    )
    assert item.body == "First.\n\nOne point.\n\nTwo\n\nA div paragraph.\n\nNested div.\n\nLast."


def test_an_unknown_news_section_takes_the_cms_category() -> None:
    tawsiyat = json.dumps(
        {"type": "article", "classes": [{"key": "c2", "mapping": "category", "value": " Sports "}]}
    )
    item = item_of(
        head=f'<script type="text/tawsiyat">{tawsiyat}</script>',
        url=f"{LIVE_ROOT}/news/football/some-match",
    )
    assert (item.section, item.content_type) == ("Sports", "news")


def test_a_byline_naming_several_writers_gives_several_authors() -> None:
    item = item_of(
        body='<article class="article-details"><ul class="post-info"><li class="post-author">'
        "By <a>Leila Haddad</a> and <a>Karim Nasser</a></li></ul></article>"
    )
    assert item.authors == ["Leila Haddad", "Karim Nasser"]


def test_most_read_and_read_next_outside_the_article_are_ignored() -> None:
    item = item_of(
        body=article("<p>Text.</p>")
        + '<aside><div class="most-read"><span class="date">30 Sep 2025 10:00</span>'
        '<div class="related-news"><a href="/news/politics/most-read">x</a></div></div></aside>'
    )
    assert (item.published_at, item.related_urls) == (None, [])


def test_the_tawsiyat_block_by_its_id_wins_over_one_by_its_type_wherever_they_are() -> None:
    def block(attribute: str, title: str) -> str:
        data = json.dumps({"type": "article", "title": title})
        return f"<script {attribute}>{data}</script>"

    by_type = block('type="text/tawsiyat"', "By type")
    by_id = block('id="tawsiyat-metadata" type="text/plain"', "By id")
    assert item_of(head=by_type + by_id).title == "By id"
    assert item_of(head=by_type + block('type="text/tawsiyat"', "Second")).title == "By type"

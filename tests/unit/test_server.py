"""The loopback server over real HTTP: URL rewriting, every fault mode, and the request log."""

import base64
import http.client
import json
import re
import socket

import pytest

from mayadeen.loopback import FixtureSite, GeneratedSite, LoopbackServer
from mayadeen.loopback.anatomy import LIVE_ROOT
from mayadeen.loopback.faults import FaultSpecError, parse_fault
from tests.helpers.runs import fetch

TAWSIYAT = re.compile(rb'<script type="text/tawsiyat" id="tawsiyat-metadata">(.*?)</script>', re.S)


def an_article(site: GeneratedSite) -> str:
    return site.articles_by_index[42].entry.path


def test_serves_pages_with_live_urls_rewritten_to_its_root(
    server: LoopbackServer, small_site: GeneratedSite
) -> None:
    reply = fetch(server.root, an_article(small_site))
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert LIVE_ROOT.encode() not in reply.body
    assert f'href="{server.root}/news/'.encode() in reply.body
    robots = fetch(server.root, "/robots.txt").body.decode()
    assert f"Sitemap: {server.root}/sitemaps/all.xml" in robots
    assert (
        f"<loc>{server.root}/sitemaps/all/sitemap-"
        in fetch(server.root, "/sitemaps/all.xml").body.decode()
    )


def test_rewriting_keeps_embedded_json_valid(fixture_server: LoopbackServer) -> None:
    path = "/news/politics/lukashenko:-belarusian-troops-not-partaking-in-russian-opera"
    body = fetch(fixture_server.root, path).body
    data = json.loads(TAWSIYAT.search(body)[1])  # type: ignore[index]
    assert data["url"] == f"{fixture_server.root}{path}"
    assert data["thumbnail"].startswith(f"{fixture_server.root}/Content/")
    assert b"https://www.almayadeen.net/" in body, "off-site links are left alone"


def test_unknown_path_is_404_and_head_has_no_body(server: LoopbackServer) -> None:
    assert fetch(server.root, "/news/politics/no-such-article").status == 404
    head = fetch(server.root, "/", method="HEAD")
    assert head.status == 200
    assert head.body == b""
    assert int(head.headers["Content-Length"]) > 1000


def test_block_and_challenge(server: LoopbackServer) -> None:
    server.add_fault("/news/*=block")
    server.add_fault("/articles/*=challenge")
    server.add_fault("/rss=challenge:503")
    blocked = fetch(server.root, "/news/politics")
    assert blocked.status == 403
    assert b"Access denied" in blocked.body
    challenged = fetch(server.root, "/articles/opinion")
    assert challenged.status == 200
    assert b"Just a moment..." in challenged.body
    assert fetch(server.root, "/rss").status == 503


@pytest.mark.parametrize("code", [500, 503])
def test_error_status(server: LoopbackServer, code: int) -> None:
    server.add_fault(f"/sitemaps/*=status:{code}")
    assert fetch(server.root, "/sitemaps/all.xml").status == code


def test_rate_limit_with_retry_after(server: LoopbackServer) -> None:
    server.add_fault("/=ratelimit:7")
    reply = fetch(server.root, "/")
    assert reply.status == 429
    assert reply.headers["Retry-After"] == "7"


def test_times_limits_a_fault_then_the_path_recovers(server: LoopbackServer) -> None:
    server.add_fault("/rss=status:503*2")
    assert [fetch(server.root, "/rss").status for _ in range(3)] == [503, 503, 200]


def test_slow_response_outlasts_a_short_timeout(server: LoopbackServer) -> None:
    server.add_fault("/rss=slow:1.5*1")
    with pytest.raises(TimeoutError):
        fetch(server.root, "/rss", timeout=0.3)
    assert fetch(server.root, "/rss").status == 200


def test_truncated_body(server: LoopbackServer, small_site: GeneratedSite) -> None:
    server.add_fault(f"{an_article(small_site)}=truncate:0.25")
    with pytest.raises(http.client.IncompleteRead) as caught:
        fetch(server.root, an_article(small_site))
    assert 0 < len(caught.value.partial) < caught.value.expected  # type: ignore[operator]


def test_redirects_on_site_and_off_site(server: LoopbackServer) -> None:
    server.add_fault("/old-politics=redirect:301:/news/politics")
    server.add_fault("/elsewhere=redirect:https://www.almayadeen.net/")
    server.add_fault("/live-link=redirect:https://english.almayadeen.net/news/health")
    on_site = fetch(server.root, "/old-politics")
    assert (on_site.status, on_site.headers["Location"]) == (301, f"{server.root}/news/politics")
    off_site = fetch(server.root, "/elsewhere")
    assert (off_site.status, off_site.headers["Location"]) == (302, "https://www.almayadeen.net/")
    assert fetch(server.root, "/live-link").headers["Location"] == f"{server.root}/news/health"


def test_non_utf8_bytes_under_a_utf8_label(fixture_server: LoopbackServer) -> None:
    fixture_server.add_fault("*=nonutf8")
    path = "/news/politics/lukashenko:-belarusian-troops-not-partaking-in-russian-opera"
    reply = fetch(fixture_server.root, path)
    assert reply.status == 200
    assert "charset=utf-8" in reply.headers["Content-Type"]
    with pytest.raises(UnicodeDecodeError):
        reply.body.decode("utf-8")
    assert "District’s S-400".encode("cp1252") in reply.body


def test_connection_reset(server: LoopbackServer) -> None:
    server.add_fault("/=reset")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        fetch(server.root, "/")
    assert server.requests[-1].status == 0


def test_js_only_page_hides_content_until_its_script_runs(
    server: LoopbackServer, small_site: GeneratedSite
) -> None:
    path = an_article(small_site)
    title = small_site.article(path).entry.title.encode()  # type: ignore[union-attr]
    server.add_fault(f"{path}=jsonly")
    shell = fetch(server.root, path).body
    assert title not in shell
    payload = re.search(rb'atob\("([^"]+)"\)', shell)[1]  # type: ignore[index]
    assert title in base64.b64decode(payload)


def test_request_log_records_what_was_asked_and_answered(server: LoopbackServer) -> None:
    server.add_fault("/rss=block*1")
    fetch(server.root, "/news/politics?page=2")
    fetch(server.root, "/rss")
    fetch(server.root, "/news/politics/a%3Ab")
    log = server.requests
    assert [(r.method, r.path, r.query, r.status) for r in log] == [
        ("GET", "/news/politics", "page=2", 200),
        ("GET", "/rss", "", 403),
        ("GET", "/news/politics/a%3Ab", "", 404),
    ]
    assert log[1].fault == "/rss=block"
    assert all(r.user_agent == "mayadeen-tests" for r in log)
    server.clear_requests()
    assert server.requests == []


def test_control_paths(server: LoopbackServer) -> None:
    fetch(server.root, "/")
    logged = json.loads(fetch(server.root, "/__loopback__/requests").body)
    assert [entry["path"] for entry in logged] == ["/"]
    added = fetch(
        server.root, "/__loopback__/faults", method="POST", body=b"/rss=block\n/=status:500*1\n"
    )
    assert json.loads(added.body) == ["/rss=block", "/=status:500*1"]
    assert fetch(server.root, "/rss").status == 403
    assert (
        fetch(server.root, "/__loopback__/faults", method="POST", body=b"/x=explode").status == 400
    )
    fetch(server.root, "/__loopback__/faults", method="DELETE")
    assert fetch(server.root, "/rss").status == 200


def test_site_can_be_swapped_while_serving(
    server: LoopbackServer, small_site: GeneratedSite
) -> None:
    grown = small_site.with_new_articles(5)
    newest = grown.articles[0].path
    assert fetch(server.root, newest).status == 404
    server.site = grown
    assert fetch(server.root, newest).status == 200


def test_listens_only_on_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        LoopbackServer(FixtureSite(), host="0.0.0.0")  # noqa: S104 - the point is that it is refused
    with LoopbackServer(FixtureSite(), host="127.0.0.2") as other:
        assert other.root.startswith("http://127.0.0.2:")


@pytest.mark.parametrize(
    "spec", ["rss=block", "/rss", "/rss=explode", "/x=slow:soon", "/x=redirect"]
)
def test_bad_fault_specs_are_refused_clearly(spec: str) -> None:
    with pytest.raises(FaultSpecError, match="fault"):
        parse_fault(spec)


def test_port_in_use_is_an_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            LoopbackServer(FixtureSite(), port=taken.getsockname()[1])

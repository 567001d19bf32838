"""Benchmark of the loopback site: generation time, page rendering and HTTP serving rates.

Prints figures; asserts nothing. Usage: ``python bench/generate.py [N ...]`` (default 10000 100000).
"""

import http.client
import sys
import time

from mayadeen.loopback import GeneratedSite, LoopbackServer


def measure_generation(n: int) -> GeneratedSite:
    started = time.perf_counter()
    site = GeneratedSite(n)
    print(f"generate {n:>7} articles: {time.perf_counter() - started:6.2f} s")
    return site


def measure_rendering(site: GeneratedSite, pages: int = 2000) -> None:
    paths = [e.path for e in site.articles[:pages]]
    started = time.perf_counter()
    rendered = [site.get(p) for p in paths]
    size = sum(len(page.body) for page in rendered if page is not None)
    elapsed = time.perf_counter() - started
    kib = size / len(paths) / 1024
    print(
        f"render   {len(paths):>7} pages:    {len(paths) / elapsed:8.0f} pages/s ({kib:.1f} KiB each)"
    )


def measure_serving(site: GeneratedSite, pages: int = 2000) -> None:
    paths = [e.path for e in site.articles[:pages]]
    with LoopbackServer(site) as server:
        host, port = server.root.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port))
        started = time.perf_counter()
        for path in paths:
            connection.request("GET", path)
            connection.getresponse().read()
        elapsed = time.perf_counter() - started
        connection.close()
    print(
        f"serve    {len(paths):>7} pages:    {len(paths) / elapsed:8.0f} pages/s (one keep-alive client)"
    )


def main(sizes: list[int]) -> None:
    for n in sizes:
        site = measure_generation(n)
        measure_rendering(site)
        measure_serving(site)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000])

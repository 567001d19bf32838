"""Ways the loopback server can misbehave on chosen paths, as the live site and its CDN do.

A fault is written ``PATTERN=KIND[:ARG][*TIMES]``: ``PATTERN`` is a glob over the decoded request
path (``/news/*``; ``*`` matches ``/`` too), ``TIMES`` limits how many requests it hits (then the
path behaves again). Kinds:

================  ============================================================  ==============
kind              what the client gets                                          ARG (default)
================  ============================================================  ==============
``block``         403 with an "access denied" block page                        —
``challenge``     a "Just a moment..." JavaScript challenge page                status (200)
``status``        that status with a short error page                           status (500)
``ratelimit``     429 with ``Retry-After``                                      seconds (5)
``unavailable``   503 with ``Retry-After`` (maintenance, an overloaded origin)  seconds (5)
``slow``          the normal response after a delay                             seconds (3)
``truncate``      the full ``Content-Length`` announced, part of the body sent  fraction (0.5)
``redirect``      a redirect to a path on the site or to an absolute URL        [3xx:]target
``nonutf8``       the page in cp1252 with stray bytes, still labelled UTF-8     —
``reset``         the connection closed without a response                      —
``jsonly``        a shell whose content only appears after its JavaScript runs  —
``sitemapchain``  a sitemap index listing only the next of an endless chain     —
``endless``       a listing page whose next page never ends, showing no article   article path
                  (or only the article at ARG, on every page)                   (none)
================  ============================================================  ==============
"""

import fnmatch
import re
from dataclasses import dataclass

KINDS = (
    "block",
    "challenge",
    "status",
    "ratelimit",
    "unavailable",
    "slow",
    "truncate",
    "redirect",
    "nonutf8",
    "reset",
    "jsonly",
    "sitemapchain",
    "endless",
)
_DEFAULT_ARG = {
    "challenge": "200",
    "status": "500",
    "ratelimit": "5",
    "unavailable": "5",
    "slow": "3",
    "truncate": "0.5",
}
_TIMES = re.compile(r"\*(\d+)$")


class FaultSpecError(ValueError):
    """A fault written in a form this module does not understand."""


@dataclass(slots=True)
class Fault:
    """A misbehaviour on the paths matching ``pattern``; ``remaining`` counts down if set."""

    pattern: str
    kind: str
    arg: str = ""
    remaining: int | None = None

    def matches(self, path: str) -> bool:
        return fnmatch.fnmatchcase(path, self.pattern)

    @property
    def number(self) -> float:
        return float(self.arg)

    def redirect(self) -> tuple[int, str]:
        """(status, target) of a ``redirect`` fault: ``301:/new`` or just ``/new`` (302)."""
        code, _, target = self.arg.partition(":")
        if code.isdigit() and target:
            return int(code), target
        return 302, self.arg

    @property
    def label(self) -> str:
        """``PATTERN=KIND[:ARG]``: what the request log says hit a request."""
        return f"{self.pattern}={self.kind}{':' if self.arg else ''}{self.arg}"

    def __str__(self) -> str:
        return self.label + (f"*{self.remaining}" if self.remaining is not None else "")


def parse_fault(spec: str) -> Fault:
    """Read ``PATTERN=KIND[:ARG][*TIMES]``.

    >>> parse_fault("/news/*=status:503*2")
    Fault(pattern='/news/*', kind='status', arg='503', remaining=2)
    >>> parse_fault("/old=redirect:301:/news/politics").redirect()
    (301, '/news/politics')
    """
    pattern, sep, rest = spec.partition("=")
    if not sep or not pattern.startswith(("/", "*")):
        raise FaultSpecError(
            f"fault {spec!r}: expected PATTERN=KIND[:ARG][*TIMES], e.g. /rss=block"
        )
    remaining = None
    if match := _TIMES.search(rest):
        remaining, rest = int(match[1]), rest[: match.start()]
    kind, _, arg = rest.partition(":")
    if kind not in KINDS:
        raise FaultSpecError(f"fault {spec!r}: unknown kind {kind!r}; known: {', '.join(KINDS)}")
    arg = arg or _DEFAULT_ARG.get(kind, "")
    if kind == "redirect" and not arg:
        raise FaultSpecError(f"fault {spec!r}: a redirect needs a target")
    fault = Fault(pattern, kind, arg, remaining)
    if kind in _DEFAULT_ARG:
        try:
            fault.number  # noqa: B018 - validates the argument now rather than mid-crawl
        except ValueError:
            raise FaultSpecError(f"fault {spec!r}: {arg!r} is not a number") from None
    return fault

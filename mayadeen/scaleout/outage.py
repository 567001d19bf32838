"""A worker's view of Redis going away and coming back.

Redis restarting (an upgrade, a crash, a failover) drops every connection: redis-py reconnects by
itself on the next command, but the command that met the dead socket raises, and a scheduler that
lets it escape kills the engine's request loop (the worker then hangs for good, holding the data
directory's lock). The scheduler instead holds what it cannot hand to Redis, asks Redis again
with a bounded back-off, and, if Redis stays away longer than ``give_up_after``, stops the run as
``redis_unreachable``: what it did not fetch stays owed in its store.
"""

import logging
import time
from collections.abc import Callable

logger = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
LAST_RETRY_SECONDS = 8.0
"""The back-off between tries doubles from the first to the last, then stays there."""


class RedisOutage:
    """Whether Redis answers this worker, since when it has not, and when to try it again."""

    def __init__(self, give_up_after: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.give_up_after = give_up_after
        self.clock = clock
        self.since: float | None = None
        """When Redis last stopped answering (``clock`` time), or None while it answers."""
        self._retry_in = FIRST_RETRY_SECONDS
        self._next_try = 0.0

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, doing: str, error: Exception) -> None:
        """A command failed: Redis is away (logged once per outage); back off before the next."""
        now = self.clock()
        if self.since is None:
            self.since = now
            self._retry_in = FIRST_RETRY_SECONDS
            logger.warning(
                "scale-out: Redis stopped answering while %s (%s); retrying for up to %.0f s",
                doing,
                error,
                self.give_up_after,
            )
        else:
            self._retry_in = min(self._retry_in * 2, LAST_RETRY_SECONDS)
        self._next_try = now + self._retry_in

    def may_try(self) -> bool:
        """Whether to ask Redis now (always while it answers; after the back-off otherwise)."""
        return self.since is None or self.clock() >= self._next_try

    def answered(self) -> None:
        """A command succeeded: the outage, if any, is over."""
        if self.since is not None:
            logger.warning(
                "scale-out: Redis answers again after %.1f s; the crawl goes on",
                self.clock() - self.since,
            )
            self.since = None

    def hopeless(self) -> bool:
        """Redis has been away longer than this worker waits for it."""
        return self.since is not None and self.clock() - self.since >= self.give_up_after


class Unshared(Exception):
    """A request Redis did not take, with whether the duplicate filter had passed it already."""

    def __init__(self, error: Exception, checked: bool) -> None:
        super().__init__(str(error))
        self.error = error
        self.checked = checked

"""The workers of one shared crawl, as Redis sees them: who is alive, who holds requests, and
when the crawl is over.

Every step is one Lua script, so it is atomic against every other worker, and every expiry is
reckoned by the Redis server's clock, so the machines' clocks need not agree.

- ``join``: a worker starting when no other is alive starts a new crawl: the requests and
  fingerprints left by an earlier, interrupted one are dropped (the store is the incremental
  state; the next crawl's discovery finds again whatever was lost). Otherwise it joins the
  running crawl.
- ``take``: pops the highest-priority request and marks the worker busy in the same step, so a
  request is never out of the queue without its holder being known.
- ``beat``: every few seconds a worker says it is alive, and busy while its engine is not idle.
  A worker that dies stops beating and is forgotten after ``ttl`` seconds.
- ``idle``: a worker whose engine is idle holds nothing. If the queue is empty and no worker is
  busy, the crawl is over: its queue and fingerprints are deleted (so the next scheduled crawl
  starts afresh) and the worker may close; otherwise it waits, as requests may still come.
- ``leave``: a closing worker is neither alive nor busy any more; the queue stays for the others.
"""

from dataclasses import dataclass
from typing import Literal

from redis import Redis

_NOW = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)"

# KEYS: alive, busy, requests, seen. ARGV: worker, ttl (ms). Returns {alive peers, dropped}.
_JOIN = f"""{_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local peers = redis.call('ZCARD', KEYS[1])
local dropped = 0
if peers == 0 then
  dropped = redis.call('ZCARD', KEYS[3])
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
end
redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], now + ARGV[2], ARGV[1])
return {{peers, dropped}}
"""

# KEYS: requests, busy. ARGV: worker, ttl (ms). Returns the request's data or nil.
_TAKE = f"""local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
{_NOW}
redis.call('ZADD', KEYS[2], now + ARGV[2], ARGV[1])
return popped[1]
"""

# KEYS: alive, busy. ARGV: worker, ttl (ms), busy ("1" or "0").
_BEAT = f"""{_NOW}
redis.call('ZADD', KEYS[1], now + ARGV[2], ARGV[1])
if ARGV[3] == '1' then redis.call('ZADD', KEYS[2], now + ARGV[2], ARGV[1]) end
return 1
"""

# KEYS: busy, requests, seen. ARGV: worker. Returns {state, count}.
_IDLE = f"""redis.call('ZREM', KEYS[1], ARGV[1])
{_NOW}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local queued = redis.call('ZCARD', KEYS[2])
if queued > 0 then return {{'queued', queued}} end
local busy = redis.call('ZCARD', KEYS[1])
if busy > 0 then return {{'busy', busy}} end
redis.call('DEL', KEYS[2], KEYS[3])
return {{'done', 0}}
"""

# KEYS: alive, busy. ARGV: worker.
_LEAVE = """redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
"""

IdleState = Literal["queued", "busy", "done"]


@dataclass(frozen=True)
class CrawlKeys:
    """The Redis keys of one shared crawl, all under ``prefix``.

    >>> CrawlKeys.of("mayadeen", "articles", "").requests
    'mayadeen:articles:requests'
    >>> CrawlKeys.of("mayadeen", "articles", "backfill-2024").seen
    'mayadeen:articles:backfill-2024:seen'
    """

    prefix: str

    @classmethod
    def of(cls, bot: str, spider: str, job: str) -> "CrawlKeys":
        return cls(":".join(part for part in (bot, spider, job) if part))

    @property
    def requests(self) -> str:
        """Sorted set: the shared queue (pickled requests, score ``-priority``)."""
        return f"{self.prefix}:requests"

    @property
    def seen(self) -> str:
        """Set: the fingerprints of every request scheduled in this crawl."""
        return f"{self.prefix}:seen"

    @property
    def alive(self) -> str:
        """Sorted set: worker → when it is forgotten unless it beats again (ms, server time)."""
        return f"{self.prefix}:workers"

    @property
    def busy(self) -> str:
        """Sorted set: worker holding requests → when that mark lapses (ms, server time)."""
        return f"{self.prefix}:busy"


class Crew:
    """One worker's view of the shared crawl at ``keys``."""

    def __init__(self, server: Redis, keys: CrawlKeys, worker: str, ttl: float) -> None:
        self.server = server
        self.keys = keys
        self.worker = worker
        self.ttl_ms = int(ttl * 1000)
        self._join = server.register_script(_JOIN)
        self._take = server.register_script(_TAKE)
        self._beat = server.register_script(_BEAT)
        self._idle = server.register_script(_IDLE)
        self._leave = server.register_script(_LEAVE)

    def join(self) -> tuple[int, int]:
        """Join (or start) the crawl; returns (other workers alive, requests dropped because no
        worker was alive to take them)."""
        keys = self.keys
        peers, dropped = self._join(
            [keys.alive, keys.busy, keys.requests, keys.seen], [self.worker, self.ttl_ms]
        )
        return int(peers), int(dropped)

    def take(self) -> bytes | None:
        """The next request's data, or None when the queue is empty."""
        data = self._take([self.keys.requests, self.keys.busy], [self.worker, self.ttl_ms])
        return bytes(data) if data is not None else None

    def beat(self, busy: bool) -> None:
        self._beat([self.keys.alive, self.keys.busy], [self.worker, self.ttl_ms, int(busy)])

    def idle(self) -> tuple[IdleState, int]:
        """This worker holds nothing: whether requests are ``queued``, other workers are
        ``busy`` (with how many), or the crawl is ``done`` (its keys are deleted)."""
        keys = self.keys
        state, count = self._idle([keys.busy, keys.requests, keys.seen], [self.worker])
        name = state.decode() if isinstance(state, bytes) else str(state)
        assert name in ("queued", "busy", "done")
        return name, int(count)  # type: ignore[return-value]

    def leave(self) -> None:
        self._leave([self.keys.alive, self.keys.busy], [self.worker])

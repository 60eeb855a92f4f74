"""The one rate limiter: atomic counters per key, each with a window that opens on its first hit.

    ratelimit.limit("complaint-ip:1.2.3.4", limit=5, window=dt.timedelta(hours=1), message=...)

raises RateLimited (429, code "rate_limited" unless told otherwise, `retry_after` in seconds) when the
hit is over the limit. A hit is counted in one atomic statement, and the decision is taken on the
count that statement returned, so that twenty requests at once can never all see "4 of 5":

- database backend (default): one row per key (RateCounter), `INSERT ... ON CONFLICT DO UPDATE ...
  RETURNING count` (PostgreSQL and SQLite alike);
- Redis backend (GOVCREDIT_RATELIMIT_BACKEND=redis, the default when REDIS_URL is set): `SET NX EX`
  + `INCR` in one MULTI.

Callers that limit failures only (logins, tracking look-ups) reserve a hit first and `release` it when
the attempt succeeded: counting first is what makes the limit hold under concurrency.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from workflow import clock
from workflow.errors import Message, RateLimited


@dataclass(frozen=True)
class Hit:
    """The count after a hit and when the key's window closes."""

    count: int
    expires_at: dt.datetime

    def seconds_left(self) -> int:
        return max(1, math.ceil((self.expires_at - clock.now()).total_seconds()))

    def minutes_left(self) -> int:
        return max(1, math.ceil(self.seconds_left() / 60))


class DatabaseBackend:
    def _table(self) -> str:
        from workflow.models import RateCounter

        return connection.ops.quote_name(RateCounter._meta.db_table)

    @staticmethod
    def _moment(value) -> dt.datetime:
        if isinstance(value, str):  # SQLite returns the stored text
            parsed = parse_datetime(value)
            assert parsed is not None
            value = parsed
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value

    def hit(self, key: str, window: dt.timedelta) -> Hit:
        now = clock.now()
        adapt = connection.ops.adapt_datetimefield_value
        table = self._table()
        qn = connection.ops.quote_name
        key_, count_, expires_ = qn("key"), qn("count"), qn("expires_at")
        # Only the model's quoted identifiers are formatted in; every value is a parameter.
        sql = (
            f"INSERT INTO {table} ({key_}, {count_}, {expires_}) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT ({key_}) DO UPDATE SET "
            f"{count_} = CASE WHEN {table}.{expires_} <= %s THEN 1 ELSE {table}.{count_} + 1 END, "
            f"{expires_} = CASE WHEN {table}.{expires_} <= %s THEN EXCLUDED.{expires_} ELSE {table}.{expires_} END "
            f"RETURNING {count_}, {expires_}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, adapt(now + window), adapt(now), adapt(now)])
            count, expires_at = cursor.fetchone()
        return Hit(int(count), self._moment(expires_at))

    def peek(self, key: str) -> Hit | None:
        from workflow.models import RateCounter

        row = RateCounter.objects.filter(key=key, expires_at__gt=clock.now()).first()
        return Hit(row.count, row.expires_at) if row else None

    def release(self, key: str) -> None:
        from workflow.models import RateCounter

        RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)

    def reset(self, key: str) -> None:
        from workflow.models import RateCounter

        RateCounter.objects.filter(key=key).delete()

    def extend(self, key: str, until: dt.datetime) -> None:
        from workflow.models import RateCounter

        RateCounter.objects.filter(key=key, expires_at__lt=until).update(expires_at=until)


_RELEASE = "local v = tonumber(redis.call('GET', KEYS[1]) or '0') if v > 0 then redis.call('DECR', KEYS[1]) end"
_EXTEND = (
    "local t = redis.call('PTTL', KEYS[1]) "
    "if t >= 0 and t < tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end"
)


class RedisBackend:
    prefix = "govcredit:rl:"

    def __init__(self, url: str):
        import redis

        self.client = redis.Redis.from_url(url)

    def _hit(self, count: int, pttl: int) -> Hit:
        return Hit(int(count), clock.now() + dt.timedelta(milliseconds=max(int(pttl), 0)))

    def hit(self, key: str, window: dt.timedelta) -> Hit:
        name = self.prefix + key
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(name, 0, px=max(1, int(window.total_seconds() * 1000)), nx=True)
            pipe.incr(name)
            pipe.pttl(name)
            _set, count, pttl = pipe.execute()
        return self._hit(count, pttl)

    def peek(self, key: str) -> Hit | None:
        name = self.prefix + key
        with self.client.pipeline(transaction=True) as pipe:
            pipe.get(name)
            pipe.pttl(name)
            count, pttl = pipe.execute()
        return None if count is None else self._hit(int(count), pttl)

    def release(self, key: str) -> None:
        self.client.eval(_RELEASE, 1, self.prefix + key)

    def reset(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def extend(self, key: str, until: dt.datetime) -> None:
        ms = int((until - clock.now()).total_seconds() * 1000)
        if ms > 0:
            self.client.eval(_EXTEND, 1, self.prefix + key, ms)


@cache
def _redis(url: str) -> RedisBackend:
    return RedisBackend(url)


def backend() -> DatabaseBackend | RedisBackend:
    if getattr(settings, "GOVCREDIT_RATELIMIT_BACKEND", "db") == "redis":
        return _redis(settings.REDIS_URL)
    return DatabaseBackend()


def hit(key: str, *, window: dt.timedelta) -> Hit:
    """Count one hit on `key` (atomically) and return the count in the current window."""
    return backend().hit(key, window)


def limit(key: str, *, limit: int, window: dt.timedelta, message: Message, code: str = "rate_limited") -> Hit:
    """Count one hit; RateLimited when it is over `limit` hits in the window."""
    counted = hit(key, window=window)
    if counted.count > limit:
        raise RateLimited(message, code, retry_after=counted.seconds_left())
    return counted


def peek(key: str) -> Hit | None:
    return backend().peek(key)


def release(key: str) -> None:
    """Take back one reserved hit (the attempt succeeded and must not count)."""
    backend().release(key)


def reset(key: str) -> None:
    backend().reset(key)


def extend(key: str, until: dt.datetime) -> None:
    """Keep the key's window open at least until `until`."""
    backend().extend(key, until)


def purge_expired() -> int:
    """Delete the database counters whose window has closed (the daily sweep); Redis expires its own."""
    from workflow.models import RateCounter

    deleted, _by_model = RateCounter.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted

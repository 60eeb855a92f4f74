"""Lists that cost the same on page 1 at a million rows as at a thousand.

`CappedPaginator` counts at most `cap` rows (a `COUNT(*)` over `LIMIT cap + 1`, which stops early
instead of scanning the table) and says so: `paginator.capped` is true when there are more, and
templates then write "1,000+" instead of an exact figure; the pages beyond the cap are not offered.

With `cached=<topic>` the capped count is also kept in the cache for COUNT_CACHE_SECONDS, keyed by
the count's SQL (so by the user's scope and the filters) and by the topic's version:
`count_cache_forget(topic)` (called on saves, e.g. a new contract) makes every count of the topic
stale at once in this process; elsewhere, and after set-based updates that send no signal, a count
is at most COUNT_CACHE_SECONDS old. The rows of the page are always read fresh.

`keyset_cursor` / `keyset_parse` are the opaque cursor of keyset pagination ("rows after this
one" in the list's order), used by the API list and the OCDS feed: `WHERE (a, b) < (x, y) ORDER BY
a DESC, b DESC LIMIT n` reads n rows through an index whatever the page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Hashable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000
COUNT_CACHE_SECONDS = 60


def _version_key(topic: str) -> str:
    return f"pagination:count-version:{topic}"


def count_cache_version(topic: str) -> int:
    """The topic's version in this process: it changes whenever count_cache_forget(topic) is called, so
    other caches of the same data (e.g. a list's rendered page) can be keyed by it."""
    return cache.get(_version_key(topic), 0)


def count_cache_forget(topic: str) -> None:
    """Every cached count of `topic` is stale from now on (in this process's cache)."""
    try:
        cache.incr(_version_key(topic))
    except ValueError:
        cache.set(_version_key(topic), 1, None)


class CappedPaginator(Paginator):
    def __init__(
        self,
        object_list,
        per_page,
        *,
        cap: int | None = None,
        cached: str | None = None,
        key: Hashable | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap
        self.cached = cached
        # Names the cached count instead of its compiled SQL (compiling only to name it cost about 0.3 ms
        # a request): the caller guarantees that `key` determines the rows, as a scope's Q does.
        self.key = key

    @cached_property
    def _counted(self) -> int:
        queryset: Any = self.object_list
        counting = queryset.order_by().values("pk")[: self.cap + 1]
        if not self.cached or COUNT_CACHE_SECONDS <= 0:
            return counting.count()
        version = count_cache_version(self.cached)
        if self.key is not None:
            text = repr(self.key)
        else:
            try:
                text = str(counting.query)
            except EmptyResultSet:  # e.g. `__in=[]`: matches nothing, and Django would not even query
                return 0
        sql = hashlib.sha256(text.encode()).hexdigest()
        key = f"pagination:count:{self.cached}:{version}:{sql}"
        counted = cache.get(key)
        if counted is None:
            counted = counting.count()
            cache.set(key, counted, COUNT_CACHE_SECONDS)
        return counted

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def page(self, number):
        """Like Paginator.page, but a page is never cut at the capped count."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def capped(self) -> bool:
        """There are more rows than the count says (at least cap + 1)."""
        return self._counted > self.cap


def keyset_cursor(*values) -> str:
    """An opaque cursor for the row with these sort-key values (str() of each)."""
    raw = "\x1f".join(str(v) for v in values)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def keyset_parse(cursor: str, parts: int) -> list[str] | None:
    """The sort-key values of a cursor, or None when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    values = raw.split("\x1f")
    return values if len(values) == parts else None

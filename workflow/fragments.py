"""A template fragment rendered once and reused while what it shows is the same.

`fragment(template, context, key=...)` renders `template` with `context`, or returns what the cache
holds for `key` and the active language (FRAGMENT_SECONDS). `key=None` renders every time: pass a key
only when the context is fully described by it, e.g. an unbound filter form whose choices are in the
key. The list pages use it for their filter forms: building the options of a select with hundreds of
agencies cost as much as the rest of the page (docs/performance.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

FRAGMENT_SECONDS = 300


def fragment(
    template_name: str, context: Callable[[], dict], *, key: object | None, seconds: int = FRAGMENT_SECONDS
) -> SafeString:
    """`context` is a function: it is called only when the fragment is rendered (not on a cache hit),
    so that what only the fragment needs (a form with thousands of choices) is not even built.
    `seconds`: how long the fragment is kept (FRAGMENT_SECONDS unless given)."""
    if key is None:
        return mark_safe(render_to_string(template_name, context()))  # noqa: S308 - a rendered template
    digest = hashlib.sha256(repr((template_name, translation.get_language(), key)).encode()).hexdigest()
    cache_key = f"fragment:{digest}"
    html = cache.get(cache_key)
    if html is None:
        html = render_to_string(template_name, context())
        cache.set(cache_key, html, seconds)
    return mark_safe(html)  # noqa: S308 - a rendered template

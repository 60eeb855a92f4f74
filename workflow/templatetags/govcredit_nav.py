"""`{% staff_nav %}`: the signed-in navigation of base.html, rendered once per language, page (URL name),
roles and staff flag and kept (workflow.fragments); only the unread-notification badge is written per
request. Its ~15 `{% url %}` and role tests cost as much as a list's rows on every staff page
(docs/performance.md)."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from workflow.fragments import fragment

register = template.Library()

_BADGE = "<!--govcredit:unread-->"


@register.simple_tag(takes_context=True)
def staff_nav(context) -> SafeString:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match is not None else None
    user = context.get("user")
    user_roles = tuple(context.get("user_roles") or ())
    is_staff = bool(getattr(user, "is_staff", False))
    html = fragment(
        "_staff_nav.html",
        lambda: {"current": current, "user_roles": user_roles, "is_staff": is_staff, "badge": mark_safe(_BADGE)},  # noqa: S308
        key=("staff-nav", current, user_roles, is_staff),
    )
    unread = context.get("unread_count")
    if callable(unread):
        unread = unread()
    badge = (
        format_html(' <span class="badge" title="{}">{}</span>', gettext("Unread notifications"), unread)
        if unread
        else ""
    )
    return mark_safe(html.replace(_BADGE, badge, 1))  # noqa: S308 - a rendered template and an escaped badge

"""The site's form renderer: Django's TemplatesSetting (widget templates go through TEMPLATES, so the
site may replace one), with `<select>` written in Python.

A select rendered through templates costs an `{% include %}` of the option template and of its attrs
template for every option: the staff contract list's agency filter (208 agencies at city scale) took
most of the page's rendering time (docs/performance.md). `FormRenderer` writes the same bytes as
Django's `select.html` with the site's `select_option.html` (the empty choice reads 请选择) and
`attrs.html`, in one pass. It does so only while those are the templates in use and every option uses
the standard option template; anything else (another widget, a replaced template, an unusual label)
goes through the templates as before. tests/workflow/test_form_renderer.py compares both, byte for byte.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting
from django.utils.formats import localize
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ATTRS = "django/forms/widgets/attrs.html"
# The site's option template (templates/django/forms/widgets/select_option.html) is what this mirrors.
SITE_OPTION = Path(settings.BASE_DIR) / "templates" / OPTION
PLACEHOLDER_LABELS = ("---------", "—")


def _stringformat(value) -> str:
    # `{{ value|stringformat:'s' }}` under autoescape: "%s" % value, still safe if it was safe, escaped.
    text = "%s" % (value,)  # noqa: UP031 - the filter's own formatting
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{_stringformat(value)}"')
    return "".join(out)


def _label(value, label) -> str | None:
    if (value == "" or value is None) and label in PLACEHOLDER_LABELS:
        return conditional_escape(gettext("Please choose"))
    if isinstance(label, str | Promise | int) and not isinstance(label, bool):
        return conditional_escape(str(localize(label)))
    return None  # a date, a float, an object: as the template would, through the template


class FormRenderer(TemplatesSetting):
    @cached_property
    def _select_is_standard(self) -> bool:
        """Django's select.html and attrs.html and the site's select_option.html are the templates in use."""
        django_widgets = Path(forms.__file__).parent / "templates"

        def origin(name: str) -> Path | None:
            try:
                template: Any = self.get_template(name)
            except Exception:  # noqa: BLE001 - a template that cannot be found: the templates will say so
                return None
            return Path(template.origin.name)

        return (
            origin(SELECT) == django_widgets / SELECT
            and origin(ATTRS) == django_widgets / ATTRS
            and origin(OPTION) == SITE_OPTION
        )

    def render(self, template_name, context, request=None):
        if template_name == SELECT and self._select_is_standard:
            html = render_select(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request)


def render_select(widget: dict) -> SafeString | None:
    """The HTML of Django's select.html for this widget context, or None where only the templates know."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            if not isinstance(group_name, str | Promise):
                return None
            parts.append(f'\n  <optgroup label="{conditional_escape(str(group_name))}">')
        for option in group_choices:
            if option.get("template_name") != OPTION or isinstance(option["label"], dt.date | dt.time):
                return None
            label = _label(option["value"], option["label"])
            if label is None:
                return None
            parts.append(
                f'\n  <option value="{_stringformat(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n'
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped

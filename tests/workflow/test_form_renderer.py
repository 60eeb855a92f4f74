"""The site's form renderer writes <select> in Python: the same bytes as the templates (Django's
select.html with the site's select_option.html), for every kind of select the site uses."""

import datetime as dt

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from workflow.form_renderer import FormRenderer, render_select

AGENCIES = [(f"A{i:03d}", f"X市第{i}局 <&\"'>") for i in range(200)]


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---------"), ("a", "Apple"), ("b", _("Kind"))], required=False)
    dash = forms.ChoiceField(choices=[("", "—"), ("x", "X")], required=False)
    every = forms.ChoiceField(choices=[("", _("All")), *AGENCIES], required=False)
    typed = forms.TypedChoiceField(choices=[("", "All"), (2026, "2026"), (2025, 2025)], coerce=int, required=False)
    grouped = forms.ChoiceField(choices=[("Fruit", [("a", "Apple"), ("p", "Pear")]), ("Other", [("o", "<b>")])])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    safe = forms.ChoiceField(choices=[("s", mark_safe("<i>safe</i>"))])
    attrs = forms.ChoiceField(
        choices=[("a", "A")],
        widget=forms.Select(attrs={"class": "c", "data-x": '"q"', "disabled": True, "hidden": False}),
    )


CHOSEN = {"plain": "b", "every": "A150", "typed": "2025", "grouped": "o", "many": ["a", "b"]}


@pytest.mark.parametrize("data", [None, CHOSEN])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_select_is_byte_for_byte_what_the_templates_write(data, language):
    fast, slow = FormRenderer(), TemplatesSetting()
    assert fast._select_is_standard
    with translation.override(language):
        for name in Everything.base_fields:
            fast_html = Everything(data, renderer=fast)[name].as_widget()
            slow_html = Everything(data, renderer=slow)[name].as_widget()
            assert fast_html == slow_html, name


def test_the_empty_choice_reads_please_choose():
    with translation.override("zh-hans"):
        html = str(Everything(renderer=FormRenderer())["dash"])
    assert '<option value="" selected>请选择</option>' in html


def test_what_only_the_templates_know_goes_through_them():
    widget = forms.Select(choices=[(dt.date(2026, 1, 1), dt.date(2026, 1, 1))]).get_context("d", None, {})["widget"]
    assert render_select(widget) is None
    radio = forms.RadioSelect(choices=[("a", "A")]).get_context("r", None, {})["widget"]
    assert render_select(radio) is None

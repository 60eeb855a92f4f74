"""Shared form machinery, and the forms of the staff shell.

- `form_errors_from` / `form_service`: the one place where a service's DomainError becomes form
  errors (next to the field it names, or at the top of the form);
- `choice_field`: a form's choice field, typed as one, to set its choices;
- the login form with its lockout message, and entering a year's holiday notice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from workflow.auth import login_refusal
from workflow.errors import DomainError

T = TypeVar("T")


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field `name` (form.fields is typed by the base Field), e.g. to set its choices."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField), f"{name} is not a choice field"
    return field


def form_errors_from(
    exc: DomainError,
    form: forms.Form,
    *,
    mapping: Mapping[str, str | None] | None = None,
    formset=None,
    rows: list | None = None,
    rows_field: str = "milestones",
) -> None:
    """Put a service error next to the field it names, at the top of the form otherwise.

    `mapping` renames service fields to form fields ({"amount": "days"}; a field mapped to None goes to the
    top of the form). With a `formset`, errors on "<rows_field>.<i>.<name>" go to field `name` of `rows[i]`
    (the i-th row the service was given), and other errors on `rows_field` to the formset's own errors.
    """
    errors = getattr(exc, "errors", None) or {exc.field: [exc.message]}
    mapping = mapping or {}
    for field, messages in errors.items():
        for message in messages:
            target, name = form, mapping.get(field or "", field)
            if field and formset is not None and field.split(".")[0] == rows_field:
                parts = field.split(".")
                if len(parts) == 3 and parts[1].isdigit() and rows and int(parts[1]) < len(rows):
                    target, name = rows[int(parts[1])], parts[2]
                else:
                    formset.non_form_errors().append(message)
                    continue
            if name not in target.fields:
                name = None
            target.add_error(name, message)


def form_service(form: forms.Form, service: Callable[..., T], /, *, mapping=None, **kwargs) -> T | None:
    """Call `service(**kwargs)`; a DomainError becomes form errors (see form_errors_from) and None.

    The caller then checks `form.errors`: empty means the service succeeded.
    """
    try:
        return service(**kwargs)
    except DomainError as exc:
        form_errors_from(exc, form, mapping=mapping)
        return None


# The login form's message for each refusal of workflow.auth.login_refusal.
LOGIN_REFUSED = {
    "locked_out": ngettext_lazy(
        "Too many failed attempts; this account is locked for %(minutes)s minute.",
        "Too many failed attempts; this account is locked for %(minutes)s minutes.",
        "minutes",
    ),
    "too_many_logins": ngettext_lazy(
        "Too many failed logins from this address; try again in %(minutes)s minute.",
        "Too many failed logins from this address; try again in %(minutes)s minutes.",
        "minutes",
    ),
}


class LoginForm(AuthenticationForm):
    """Django's login form; says so plainly when the lockout backend refused the attempt (workflow.auth)."""

    def get_invalid_login_error(self):
        refused = login_refusal(self.request)
        if refused:
            code, minutes = refused
            return ValidationError(LOGIN_REFUSED[code], code=code, params={"minutes": minutes})
        return super().get_invalid_login_error()


# Markers accepted in the second column of a holiday line.
REST_MARKERS = {"休", "rest", "off", "holiday"}
WORK_MARKERS = {"班", "work", "workday"}


def parse_holiday_lines(text: str, *, year: int | None = None) -> list[tuple[dt.date, bool, str]]:
    """Parse lines `YYYY-MM-DD 休 元旦` / `YYYY-MM-DD 班 春节调休` into (day, is_workday, name).

    Blank lines are skipped. Any bad line raises ValidationError naming that line; nothing is
    returned partially.
    """
    days: list[tuple[dt.date, bool, str]] = []
    seen: dict[dt.date, int] = {}
    errors: list[ValidationError] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split(maxsplit=2)
        params = {"number": number, "line": line}
        if len(parts) < 2:
            errors.append(
                ValidationError(
                    _("Line %(number)s (“%(line)s”): expected a date, 休 or 班, and a name."),
                    code="bad_line",
                    params=params,
                )
            )
            continue
        raw_day, marker = parts[0], parts[1]
        name = parts[2].strip() if len(parts) > 2 else ""
        try:
            day = dt.date.fromisoformat(raw_day)
        except ValueError:
            errors.append(
                ValidationError(
                    _("Line %(number)s (“%(line)s”): “%(value)s” is not a date (YYYY-MM-DD)."),
                    code="bad_date",
                    params={**params, "value": raw_day},
                )
            )
            continue
        if marker.lower() in REST_MARKERS:
            is_workday = False
        elif marker.lower() in WORK_MARKERS:
            is_workday = True
        else:
            errors.append(
                ValidationError(
                    _("Line %(number)s (“%(line)s”): write 休 for a rest day or 班 for a working day."),
                    code="bad_marker",
                    params=params,
                )
            )
            continue
        if year is not None and day.year != year:
            errors.append(
                ValidationError(
                    _("Line %(number)s (“%(line)s”): %(day)s is not in %(year)s."),
                    code="wrong_year",
                    params={**params, "day": day.isoformat(), "year": year},
                )
            )
            continue
        if day in seen:
            errors.append(
                ValidationError(
                    _("Line %(number)s (“%(line)s”): %(day)s is already given on line %(first)s."),
                    code="duplicate_day",
                    params={**params, "day": day.isoformat(), "first": seen[day]},
                )
            )
            continue
        seen[day] = number
        days.append((day, is_workday, name[:64]))
    if errors:
        raise ValidationError(errors)
    return days


class CalendarYearForm(forms.Form):
    """A year's State Council holiday notice, as entered by a supervisor."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice = forms.CharField(
        label=_("State Council notice"),
        max_length=200,
        help_text=_("Reference of the notice, e.g. 国办发明电〔2026〕7号."),
    )
    days = forms.CharField(
        label=_("Rest days and adjusted working days"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "mono", "spellcheck": "false"}),
        help_text=_(
            "One day per line: the date, then 休 (rest day) or 班 (adjusted working day), then the name, "
            "e.g. “2027-01-01 休 元旦” or “2027-02-07 班 春节调休”. Weekends not listed are rest days, "
            "weekdays not listed are working days."
        ),
    )

    def clean_notice(self):
        return self.cleaned_data["notice"].strip()

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        year = cleaned.get("year")
        text = cleaned.get("days")
        if year is not None and text is not None:
            try:
                cleaned["parsed_days"] = parse_holiday_lines(text, year=year)
            except ValidationError as exc:
                self.add_error("days", exc)
        return cleaned

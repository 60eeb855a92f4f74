"""workflow.forms: a service's DomainError lands next to the field it names, or at the top of the form."""

from django import forms

from workflow.errors import Conflict, ValidationFailed
from workflow.forms import form_errors_from, form_service


class DaysForm(forms.Form):
    days = forms.IntegerField()
    reason = forms.CharField()


def test_a_field_error_lands_on_the_renamed_field_and_the_rest_at_the_top():
    form = DaysForm(data={"days": "3", "reason": "x"})
    assert form.is_valid()
    exc = ValidationFailed(
        "bad", "invalid", errors={"amount": ["最多延长60日。"], "reason": ["请说明理由。"], "other": ["其他问题。"]}
    )
    form_errors_from(exc, form, mapping={"amount": "days"})
    assert form.errors["days"] == ["最多延长60日。"]
    assert form.errors["reason"] == ["请说明理由。"]
    assert form.non_field_errors() == ["其他问题。"]
    assert not form.is_valid()


def test_form_service_returns_the_result_or_none_with_the_error_on_the_form():
    form = DaysForm(data={"days": "3", "reason": "x"})
    assert form.is_valid()
    assert form_service(form, lambda *, days: days * 2, days=3) == 6
    assert not form.errors

    def refuse(**kwargs):
        raise Conflict("该申请已被他人处理。", "application_state")

    assert form_service(form, refuse, days=3) is None
    assert form.non_field_errors() == ["该申请已被他人处理。"]


def test_row_errors_go_to_the_row_the_service_was_given():
    RowFormSet = forms.formset_factory(DaysForm, extra=0)
    formset = RowFormSet(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-days": "1",
            "form-0-reason": "a",
            "form-1-days": "2",
            "form-1-reason": "b",
        }
    )
    assert formset.is_valid()
    form = DaysForm(data={"days": "1", "reason": "x"})
    assert form.is_valid()
    exc = ValidationFailed("bad", errors={"milestones.1.days": ["超过上限。"], "milestones": ["至少一行。"]})
    form_errors_from(exc, form, formset=formset, rows=formset.forms)
    assert formset.forms[1].errors["days"] == ["超过上限。"]
    assert not formset.forms[0].errors
    assert formset.non_form_errors() == ["至少一行。"]

"""The LPR table in the admin: supervisors enter each month's rate; saves go through the service."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from contracts.models import LoanPrimeRate
from contracts.services.rates import loan_prime_rate_check, loan_prime_rate_save
from workflow.errors import ValidationFailed


class LoanPrimeRateForm(forms.ModelForm):
    class Meta:
        model = LoanPrimeRate
        fields = ("published_on", "one_year_percent", "source")

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if not self.errors:
            try:
                loan_prime_rate_check(
                    published_on=data["published_on"], one_year_percent=data["one_year_percent"], rate=self.instance
                )
            except ValidationFailed as exc:
                raise ValidationError(exc.errors or str(exc.message)) from exc
        return data

    def _post_clean(self):
        # The month is derived from the publication date by the service, which validates the row.
        pass


@admin.register(LoanPrimeRate)
class LoanPrimeRateAdmin(admin.ModelAdmin):
    form = LoanPrimeRateForm
    list_display = ("month", "published_on", "one_year_percent", "source", "updated_by", "updated_at")
    ordering = ("-published_on",)

    def has_delete_permission(self, request, obj=None):
        return False  # a published rate is corrected, never removed: contracts were checked against it

    def save_model(self, request, obj, form, change):
        saved = loan_prime_rate_save(
            published_on=form.cleaned_data["published_on"],
            one_year_percent=form.cleaned_data["one_year_percent"],
            source=form.cleaned_data.get("source", ""),
            acting_user=request.user,
            rate=obj if change else None,
        )
        for field in ("pk", "month", "published_on", "one_year_percent", "source", "updated_by_id", "updated_at"):
            setattr(obj, field, getattr(saved, field))

"""Django admin for credit repair: the deciding units' remedies and payment details, which every
adverse act names (the review body and the court) and every fine decision states (where to pay)."""

from django.contrib import admin

from repair.models import DecidingUnitProfile


@admin.register(DecidingUnitProfile)
class DecidingUnitProfileAdmin(admin.ModelAdmin):
    list_display = ("unit", "review_body", "court")
    search_fields = ("unit__name", "unit__code", "review_body", "court")
    autocomplete_fields = ("unit",)

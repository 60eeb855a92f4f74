from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from workflow import rules, workdays
from workflow.models import CalendarYear, HolidayOverride, Rule


@receiver([post_save, post_delete], sender=HolidayOverride)
@receiver([post_save, post_delete], sender=CalendarYear)
def _calendar_changed(**kwargs):
    # Now (this transaction reads its own writes) and again once the change is committed or not.
    workdays.invalidate()
    transaction.on_commit(workdays.invalidate)


@receiver([post_save, post_delete], sender=Rule)
def _rules_changed(**kwargs):
    rules.invalidate()
    transaction.on_commit(rules.invalidate)

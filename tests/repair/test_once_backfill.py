"""Migration repair 0004 backfills the one-open-application and one-service rows from existing data."""

import datetime as dt
import importlib

import pytest
from django.apps import apps

from repair.models import NoticeService, OpenApplicationRecord
from repair.process import application_task
from repair.services.records import record_serve_notices
from tests.repair.test_applications import apply, record

pytestmark = pytest.mark.django_db
backfill = importlib.import_module("repair.migrations.0004_open_application_once_and_notices_served_once").backfill


def test_open_applications_and_served_notices_are_backfilled(officer, travel):
    open_one = record(officer, travel)
    decided = record(officer, travel, number="X市监罚〔2025〕119号")
    record_serve_notices(
        record=open_one, method="in_person", delivered_on=dt.date(2025, 12, 1), recipient="张伟", acting_user=officer
    )
    a = apply(travel, "2026-03-02", [open_one], proof_held_by_unit=True)
    b = apply(travel, "2026-03-02", [decided], proof_held_by_unit=True)
    application_task(application=b, step="review", user=officer, approve=False, reason="罚款尚未缴纳。")
    served = NoticeService.objects.get()
    OpenApplicationRecord.objects.all().delete()
    NoticeService.objects.all().delete()

    backfill(apps, None)
    backfill(apps, None)  # and again: nothing twice

    assert list(OpenApplicationRecord.objects.values_list("record_id", "application_id")) == [(open_one.pk, a.pk)]
    assert list(NoticeService.objects.values_list("record_id", "delivery_id")) == [(open_one.pk, served.delivery_id)]

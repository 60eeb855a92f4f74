"""Default weights of the government-integrity evaluation: a local-policy starting point (sum 100)
that supervisors replace, with a reason, from the evaluation page."""

import datetime as dt

from django.db import migrations

DEFAULT = {
    "registration_timeliness": 10,
    "on_time_payment_rate": 25,
    "overdue_payables": 15,
    "arrears_resolution_rate": 15,
    "arrears_repayment_rate": 15,
    "complaint_timeliness": 10,
    "dishonesty_records": 10,
}


def seed(apps, schema_editor):
    Weights = apps.get_model("contracts", "EvaluationWeights")
    if not Weights.objects.exists():
        Weights.objects.create(
            weights=DEFAULT,
            reason="初始权重（本地政策默认值，可由监管人员调整）",
            effective_from=dt.date(2020, 1, 1),
            created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )


class Migration(migrations.Migration):
    dependencies = [("contracts", "0002_publication_disposal_evaluation")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

"""The time a handling body has to finish and report after a supervision notice (督办书): a rule row,
not a number written into the notice's text (local policy, editable by supervisors)."""

import datetime as dt

from django.db import migrations

ROW = dict(
    code="complaint.supervision.report",
    effective_from=dt.date(2020, 1, 1),
    title="督办书办结报告期限",
    amount=5,
    unit="working_days",
    kind="deadline",
    basis_document="地方政策（政府违约失信投诉处理工作规则）；可调整",
    local_policy=True,
    verified=False,
    note="Working days, from receipt of the supervision notice, for the handling body to finish and report in writing.",
)


def seed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    row = dict(ROW)
    Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)


def unseed(apps, schema_editor):
    apps.get_model("workflow", "Rule").objects.filter(code=ROW["code"], effective_from=ROW["effective_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0014_complaint_accept_basis"),
        ("workflow", "0008_notification_rules"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

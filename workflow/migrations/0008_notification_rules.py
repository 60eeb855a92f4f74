"""Notifications carry the case they are about (code, party, step, due date) for the inbox, and the
rule for how early an officer is reminded of a clock's end (local policy, editable)."""

import datetime as dt

from django.db import migrations, models

REMIND = dict(
    code="notify.deadline.remind",
    title="法定期限届满前提醒承办人",
    amount=3,
    unit="working_days",
    kind="deadline",
    basis_document="local policy",
    local_policy=True,
    effective_from=dt.date(2020, 1, 1),
    note="Local policy default: the officer who owns a clock is told this many working days before it ends.",
)


def seed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    row = dict(REMIND)
    Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)


def unseed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    Rule.objects.filter(code=REMIND["code"], effective_from=REMIND["effective_from"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0007_document_signature'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='case_code',
            field=models.CharField(blank=True, max_length=100, verbose_name='case'),
        ),
        migrations.AddField(
            model_name='notification',
            name='due_on',
            field=models.DateField(blank=True, null=True, verbose_name='due'),
        ),
        migrations.AddField(
            model_name='notification',
            name='party',
            field=models.CharField(blank=True, max_length=200, verbose_name='party'),
        ),
        migrations.AddField(
            model_name='notification',
            name='step',
            field=models.CharField(blank=True, max_length=200, verbose_name='step'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['recipient', 'due_on'], name='notification_recipient_due'),
        ),
        migrations.RunPython(seed, unseed),
    ]

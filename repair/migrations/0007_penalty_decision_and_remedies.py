"""Penalty decisions as the deciding unit's own act (issued here complete, or its own PDF attached), the
deciding unit's remedies (review body, court) and payment details, and the rule rows the served acts cite.

Rule rows (verified against the texts quoted in docs/repair.md):
- remedy.review: 行政复议 within 60 days (行政复议法 2023 第二十条; before 2024-01-01 the 1999 law's 第九条).
- remedy.litigation: 行政诉讼 within 6 months (行政诉讼法 第四十六条, from the 2014 amendment in force 2015-05-01).
- penalty.fine.surcharge: 3% of the fine a day for late payment (行政处罚法 2021 第七十二条; before
  2021-07-15 the same rate in 第五十一条).
- repair.effect: what a repair decision does (令第36号 第三条: 终止公示、停止共享和使用, 解除失信惩戒措施); a
  citation row with no amount.
"""

import datetime as dt

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


D = dt.date
REVIEW_2023 = "中华人民共和国行政复议法（2023年9月1日修订，2024年1月1日施行）"
REVIEW_1999 = "中华人民共和国行政复议法（1999年10月1日施行）"
LITIGATION = "中华人民共和国行政诉讼法（2014年11月1日修正，2015年5月1日施行）"
PENALTY_2021 = "中华人民共和国行政处罚法（2021年1月22日修订，2021年7月15日施行）"
PENALTY_1996 = "中华人民共和国行政处罚法（1996年10月1日施行）"
M36 = "信用修复管理办法（国家发展改革委令第36号，2026年4月1日施行）"
M58 = "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令第58号，2023年5月1日施行）"

RULES = [
    dict(code="remedy.review", title="申请行政复议的期限", amount=60, unit="calendar_days", kind="deadline",
         basis_document=REVIEW_2023, basis_article="第二十条", effective_from=D(2024, 1, 1),
         note="From the day the party knew or should have known of the act (e.g. service of the decision)."),
    dict(code="remedy.review", title="申请行政复议的期限", amount=60, unit="calendar_days", kind="deadline",
         basis_document=REVIEW_1999, basis_article="第九条", effective_from=D(1999, 10, 1),
         effective_to=D(2023, 12, 31)),
    dict(code="remedy.litigation", title="直接提起行政诉讼的期限", amount=6, unit="months", kind="deadline",
         basis_document=LITIGATION, basis_article="第四十六条", effective_from=D(2015, 5, 1),
         note="From the day the party knew or should have known of the act."),
    dict(code="penalty.fine.surcharge", title="到期不缴纳罚款的加处罚款（每日按罚款数额）", unit="none", kind="rate",
         rate="0.030000", basis_document=PENALTY_2021, basis_article="第七十二条第一款第（一）项",
         effective_from=D(2021, 7, 15), note="The surcharge may not exceed the fine (same article)."),
    dict(code="penalty.fine.surcharge", title="到期不缴纳罚款的加处罚款（每日按罚款数额）", unit="none", kind="rate",
         rate="0.030000", basis_document=PENALTY_1996, basis_article="第五十一条第（一）项",
         effective_from=D(1996, 10, 1), effective_to=D(2021, 7, 14)),
    dict(code="repair.effect", title="信用修复的效果：终止公示、停止共享和使用失信信息，解除失信惩戒措施", unit="none",
         kind="start_rule", basis_document=M36, basis_article="第三条", effective_from=D(2026, 4, 1),
         note="A citation row (no amount): what an approved repair does, cited by the repair decision."),
    dict(code="repair.effect", title="信用信息修复的效果：终止公示失信信息", unit="none", kind="start_rule",
         basis_document=M58, basis_article="第三条", effective_from=D(2023, 5, 1), effective_to=D(2026, 3, 31),
         verified=False, note="A citation row (no amount); confirm the article against the 2023 text."),
]


def seed_rules(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for row in RULES:
        row = dict(row)
        Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)


def unseed_rules(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for row in RULES:
        Rule.objects.filter(code=row["code"], effective_from=row["effective_from"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('repair', '0006_record_penalty_types'),
        ('workflow', '0006_rules_by_era'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='dishonestyrecord',
            name='decision_source',
            field=models.CharField(choices=[('issued', 'issued here as a complete decision document'), ('attached', "the unit's own signed PDF is attached")], default='issued', max_length=10, verbose_name='penalty decision document'),
        ),
        migrations.AddField(
            model_name='dishonestyrecord',
            name='evidence',
            field=models.TextField(blank=True, verbose_name='evidence'),
        ),
        migrations.AddField(
            model_name='dishonestyrecord',
            name='subject_address',
            field=models.CharField(blank=True, max_length=200, verbose_name='address of the party'),
        ),
        migrations.AddField(
            model_name='repairapplication',
            name='review_opinion',
            field=models.TextField(blank=True, verbose_name="reviewing officer's opinion"),
        ),
        migrations.CreateModel(
            name='DecidingUnitProfile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('address', models.CharField(blank=True, max_length=200, verbose_name='address of the unit')),
                ('review_body', models.CharField(max_length=200, verbose_name='administrative review body (复议机关)')),
                ('court', models.CharField(max_length=200, verbose_name='court for administrative litigation (人民法院)')),
                ('payment_method', models.TextField(blank=True, help_text='E.g. the non-tax revenue payment platform and the collecting bank, with its address.', verbose_name='how and where fines are paid')),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='repair_profile', to='workflow.agency', verbose_name='deciding unit')),
            ],
            options={
                'verbose_name': "deciding unit's remedies and payment details",
                'verbose_name_plural': "deciding units' remedies and payment details",
            },
        ),
        migrations.CreateModel(
            name='PenaltyDecisionFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(max_length=200)),
                ('content_type', models.CharField(max_length=100)),
                ('size_bytes', models.PositiveIntegerField()),
                ('sha256', models.CharField(max_length=64)),
                ('uploaded_at', models.DateTimeField()),
                ('file', models.FileField(upload_to='repair/decisions/%Y/%m/')),
                ('record', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='decision_file', to='repair.dishonestyrecord')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'penalty decision document (PDF)',
                'verbose_name_plural': 'penalty decision documents (PDF)',
            },
        ),
        migrations.RunPython(seed_rules, unseed_rules),
    ]

"""Contracts: the LPR table, and the statutory and policy numbers that were literals in code, as rules.

- `LoanPrimeRate`: the one-year LPR by month, 2019-08 (the first reformed LPR, 2019-08-20) to 2025-05,
  each with its publication date (the 20th, postponed over rest days). Figures: the monthly 1-year
  LPR announcements of the National Interbank Funding Center (全国银行间同业拆借中心, by authority of the
  PBOC), as compiled in the public LPR table of github.com/ZiGmaX809/LawsDatabase
  (LPR_Calculator/LPR_Data.txt); every change month agrees with the PBOC announcements
  (4.25 → 4.20 on 2019-09-20, 4.15 on 2019-11-20, 4.05 on 2020-02-20, 3.85 on 2020-04-20, 3.80 on
  2021-12-20, 3.70 on 2022-01-20, 3.65 on 2022-08-22, 3.55 on 2023-06-20, 3.45 on 2023-08-21, 3.35 on
  2024-07-22, 3.10 on 2024-10-21, 3.00 on 2025-05-20). Later months are entered in the admin.
- `sme.late_interest` for contracts signed under the 2020 regulation (国务院令第728号 第十五条, the same
  0.05 % a day with no agreed rate); the 2025 row (第802号 第十七条) is unchanged.
- `sme.pay.large_enterprise`: 第802号 第九条第二款 sets 60 days from delivery "合同另有约定的，从其约定，
  但应当按照行业规范、交易习惯合理约定付款期限并及时支付款项" — a default, not a ceiling. The 2020 text
  (第728号 第九条) sets no number at all ("应当按照行业规范、交易习惯合理约定付款期限并及时支付款项").
- the disposal rectification period (15 days, 1–90), the "payment due soon" horizon and the warning
  levels: local policy, editable.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

D = dt.date
SME_802 = "保障中小企业款项支付条例（国务院令第802号，2025年6月1日施行）"
SME_728 = "保障中小企业款项支付条例（国务院令第728号，2020年9月1日施行）"
LPR_SOURCE = "全国银行间同业拆借中心受权公布的贷款市场报价利率（LPR）"
LPR_NOTE = (
    "Agreed rate not below the one-year LPR in force on the signing date (contracts.lpr); with no agreed "
    "rate 0.05% a day. A daily rate is compared with the annual LPR on a 360-day year (日利率＝年利率÷360, "
    "人民币利率管理规定 第二十条; params.lpr_day_count)."
)
LOCAL = "地方政策（政府合同履约信用监管工作方案）；可调整"

# (published on, one-year LPR % a year)
LPR = [
    ("2019-08-20", "4.25"),
    ("2019-09-20", "4.20"),
    ("2019-10-21", "4.20"),
    ("2019-11-20", "4.15"),
    ("2019-12-20", "4.15"),
    ("2020-01-20", "4.15"),
    ("2020-02-20", "4.05"),
    ("2020-03-20", "4.05"),
    ("2020-04-20", "3.85"),
    ("2020-05-20", "3.85"),
    ("2020-06-22", "3.85"),
    ("2020-07-20", "3.85"),
    ("2020-08-20", "3.85"),
    ("2020-09-21", "3.85"),
    ("2020-10-20", "3.85"),
    ("2020-11-20", "3.85"),
    ("2020-12-21", "3.85"),
    ("2021-01-20", "3.85"),
    ("2021-02-22", "3.85"),
    ("2021-03-22", "3.85"),
    ("2021-04-20", "3.85"),
    ("2021-05-20", "3.85"),
    ("2021-06-21", "3.85"),
    ("2021-07-20", "3.85"),
    ("2021-08-20", "3.85"),
    ("2021-09-22", "3.85"),
    ("2021-10-20", "3.85"),
    ("2021-11-22", "3.85"),
    ("2021-12-20", "3.80"),
    ("2022-01-20", "3.70"),
    ("2022-02-21", "3.70"),
    ("2022-03-21", "3.70"),
    ("2022-04-20", "3.70"),
    ("2022-05-20", "3.70"),
    ("2022-06-20", "3.70"),
    ("2022-07-20", "3.70"),
    ("2022-08-22", "3.65"),
    ("2022-09-20", "3.65"),
    ("2022-10-20", "3.65"),
    ("2022-11-21", "3.65"),
    ("2022-12-20", "3.65"),
    ("2023-01-20", "3.65"),
    ("2023-02-20", "3.65"),
    ("2023-03-20", "3.65"),
    ("2023-04-20", "3.65"),
    ("2023-05-22", "3.65"),
    ("2023-06-20", "3.55"),
    ("2023-07-20", "3.55"),
    ("2023-08-21", "3.45"),
    ("2023-09-20", "3.45"),
    ("2023-10-20", "3.45"),
    ("2023-11-20", "3.45"),
    ("2023-12-20", "3.45"),
    ("2024-01-22", "3.45"),
    ("2024-02-20", "3.45"),
    ("2024-03-20", "3.45"),
    ("2024-04-22", "3.45"),
    ("2024-05-20", "3.45"),
    ("2024-06-20", "3.45"),
    ("2024-07-22", "3.35"),
    ("2024-08-20", "3.35"),
    ("2024-09-20", "3.35"),
    ("2024-10-21", "3.10"),
    ("2024-11-20", "3.10"),
    ("2024-12-20", "3.10"),
    ("2025-01-20", "3.10"),
    ("2025-02-20", "3.10"),
    ("2025-03-20", "3.10"),
    ("2025-04-21", "3.10"),
    ("2025-05-20", "3.00"),
]

RULES = [
    dict(code="sme.late_interest", effective_from=D(2020, 9, 1), effective_to=D(2025, 5, 31), title="逾期付款利息",
         unit="none", kind="rate", rate=Decimal("0.000500"), params={"lpr_day_count": 360},
         basis_document=SME_728, basis_article="第十五条", verified=True,
         note=LPR_NOTE + " 2020 text: 双方对逾期利息的利率有约定的，约定利率不得低于合同订立时1年期贷款市场报价利率；"
         "未作约定的，按照每日利率万分之五支付逾期利息."),
    dict(code="sme.pay.large_enterprise", effective_from=D(2020, 9, 1), effective_to=D(2025, 5, 31),
         title="大型企业向中小企业支付款项", amount=None, ceiling=None, unit="calendar_days", kind="deadline",
         basis_document=SME_728, basis_article="第九条", verified=True,
         note="No statutory number: 应当按照行业规范、交易习惯合理约定付款期限并及时支付款项. The agreed term "
              "applies; with none, the planned payment date."),
    dict(code="contract.disposal.rectify", effective_from=D(2020, 1, 1), title="政府合同履约问题整改期限",
         amount=15, ceiling=90, unit="calendar_days", kind="deadline", basis_document=LOCAL, local_policy=True,
         verified=False,
         note="Days allowed in a rectification notice (default 15, at most 90), counted from the notice; "
              "a last day on a rest day moves to the next working day."),
    dict(code="warning.payment.due_soon", effective_from=D(2020, 1, 1), title="付款即将到期预警提前天数",
         amount=7, unit="calendar_days", kind="deadline", basis_document=LOCAL, local_policy=True, verified=False,
         note="The daily sweep warns of a payment to an SME due within this many days."),
]
LEVELS = {
    # warning rule: [(more than N days late, level)], highest first; level 1 notice, 2 warning, 3 serious
    "payment.overdue": ("逾期付款预警等级", [[30, 3], [0, 2]]),
    "payment.due_soon": ("付款即将到期预警等级", [[0, 1]]),
    "report.missing": ("履约报告缺报预警等级", [[30, 2], [0, 1]]),
    "term.ended": ("合同期满未结预警等级", [[30, 2], [0, 1]]),
    "register.late": ("合同逾期录入预警等级", [[7, 2], [0, 1]]),
}
for warning_rule, (title, levels) in LEVELS.items():
    RULES.append(
        dict(code=f"warning.levels.{warning_rule}", effective_from=D(2020, 1, 1), title=title, amount=None,
             unit="none", kind="deadline", params={"levels": levels}, basis_document=LOCAL, local_policy=True,
             verified=False,
             note="params.levels: [more than N days late, level], highest first; 1 notice, 2 warning, 3 serious.")
    )

# Rows of workflow 0002 corrected here: (code, effective_from) -> changed fields.
UPDATES = {
    ("sme.pay.large_enterprise", D(2025, 6, 1)): dict(
        ceiling=None,
        verified=True,
        note="60 days from delivery by default. 第九条第二款: 合同另有约定的，从其约定，但应当按照行业规范、交易习惯"
             "合理约定付款期限并及时支付款项，不得约定以收到第三方付款作为向中小企业支付款项的条件或者按照第三方付款进度"
             "比例支付中小企业款项. A longer agreed term is lawful and applies; it is flagged for review "
             "(reasonableness, 第七条 不合理的付款期限), never refused.",
    ),
    ("sme.pay.government", D(2020, 9, 1)): dict(
        verified=True,
        note="2020 text 第八条: 应当自货物、工程、服务交付之日起30日内支付款项；合同另有约定的，付款期限最长不得超过60日.",
    ),
    ("sme.late_interest", D(2025, 6, 1)): dict(params={"lpr_day_count": 360}, note=LPR_NOTE),
}
PREVIOUS = {
    ("sme.pay.large_enterprise", D(2025, 6, 1)): dict(ceiling=60, verified=True, note=""),
    ("sme.pay.government", D(2020, 9, 1)): dict(
        verified=False,
        note="Earlier regulation, for deliveries before 2025-06-01; confirm the article before relying on it.",
    ),
    ("sme.late_interest", D(2025, 6, 1)): dict(
        params={},
        note="Agreed rate, not below the one-year LPR on the signing date; with no agreed rate 0.05% a day.",
    ),
}


def seed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    LoanPrimeRate = apps.get_model("contracts", "LoanPrimeRate")
    for published, percent in LPR:
        day = dt.date.fromisoformat(published)
        LoanPrimeRate.objects.update_or_create(
            month=day.replace(day=1),
            defaults={"published_on": day, "one_year_percent": Decimal(percent), "source": LPR_SOURCE},
        )
    for row in RULES:
        row = dict(row)
        Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)
    for (code, start), fields in UPDATES.items():
        Rule.objects.filter(code=code, effective_from=start).update(**fields, updated_at=timezone.now())


def grant(apps, schema_editor):
    """Supervisors (credit office) enter the LPR each month in the admin, as they keep the rules table."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("contracts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="supervisor")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="contracts",
            codename__in=["view_loanprimerate", "add_loanprimerate", "change_loanprimerate"],
        )
    )


def unseed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for row in RULES:
        Rule.objects.filter(code=row["code"], effective_from=row["effective_from"]).delete()
    for (code, start), fields in PREVIOUS.items():
        Rule.objects.filter(code=code, effective_from=start).update(**fields, updated_at=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ('contracts', '0008_retire_submission_throttle'),
        ('workflow', '0005_rate_counter'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='interest_confirmed',
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True, verbose_name='late-payment interest (CNY)'),
        ),
        migrations.AlterField(
            model_name='disposalcase',
            name='rectification_days',
            field=models.PositiveSmallIntegerField(verbose_name='days allowed for rectification'),
        ),
        migrations.CreateModel(
            name='LoanPrimeRate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='The first day of the month the rate was published in.', unique=True, verbose_name='month')),
                ('published_on', models.DateField(unique=True, verbose_name='published on')),
                ('one_year_percent', models.DecimalField(decimal_places=2, max_digits=5, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='one-year LPR (% a year)')),
                ('source', models.CharField(blank=True, max_length=200, verbose_name='source')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'loan prime rate',
                'verbose_name_plural': 'loan prime rates',
                'ordering': ['-month'],
                'constraints': [models.CheckConstraint(condition=models.Q(('month__day', 1)), name='lpr_month_first_day')],
            },
        ),
        migrations.RunPython(seed, unseed),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]

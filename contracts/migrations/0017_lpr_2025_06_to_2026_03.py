"""The one-year LPR for 2025-06 to 2026-03 (the table was seeded to 2025-05 by 0009).

Figures and publication dates: the monthly LPR announcements of the National Interbank Funding Center
as compiled in github.com/ZiGmaX809/LawsDatabase, LPR_Calculator/LPR_Data.txt (stored version of commit
08dc4934a76195269cc19ff1d52a01a128671a91, rows 2025-06-20 to 2026-03-20): 3.00 % every month, unchanged
since 2025-05-20. The publication dates follow the 20th-or-next-working-day calendar (2026-02-24: the
20th fell in the Spring Festival holiday of 2026-02-15 to 02-23). No second independent copy of these
months was found; 2026-04 onwards was found nowhere and is left to the administrator (contracts signed
from 2026-04-20 are recorded with `lpr_unknown` until then).
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations

SOURCE = "全国银行间同业拆借中心受权公布的贷款市场报价利率（LPR）"
LPR = [
    ("2025-06-20", "3.00"),
    ("2025-07-21", "3.00"),
    ("2025-08-20", "3.00"),
    ("2025-09-22", "3.00"),
    ("2025-10-20", "3.00"),
    ("2025-11-20", "3.00"),
    ("2025-12-22", "3.00"),
    ("2026-01-20", "3.00"),
    ("2026-02-24", "3.00"),
    ("2026-03-20", "3.00"),
]


def seed(apps, schema_editor):
    LoanPrimeRate = apps.get_model("contracts", "LoanPrimeRate")
    for published, percent in LPR:
        day = dt.date.fromisoformat(published)
        LoanPrimeRate.objects.get_or_create(
            month=day.replace(day=1),
            defaults={"published_on": day, "one_year_percent": Decimal(percent), "source": SOURCE},
        )


def unseed(apps, schema_editor):
    LoanPrimeRate = apps.get_model("contracts", "LoanPrimeRate")
    LoanPrimeRate.objects.filter(
        published_on__in=[dt.date.fromisoformat(p) for p, _ in LPR], source=SOURCE, updated_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0016_rule_citations_checked"),
    ]

    operations = [migrations.RunPython(seed, unseed)]

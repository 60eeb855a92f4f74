"""Publication periods by era (issue 9 item 3): the law in force on the decision date.

* 令第58号 (2023-05-01 to 2026-03-31): administrative penalty information is published at least
  3 months and at most 3 years from the decision; penalties in the special domains at least 1 year.
  These rows replace the 2023-05-01 versions of the category rows, which carried the 2026 numbers.
* 国办发〔2025〕22号 (issued 2025-06-22, in force from issue; no later date is stated): the tiers
  minor / general / serious, until 令第36号 takes over on 2026-04-01.
* 令第36号 (from 2026-04-01): the same tiers, with the penalty types each tier names.

What was verified, and how, is in docs/deadlines.md; rows not checked against the text itself are
verified=False. params["cite"] is how a notice cites the instrument.
"""

import datetime as dt

from django.db import migrations

D = dt.date
M58 = "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令第58号，2023年5月1日施行）"
G22 = "国务院办公厅印发《关于进一步完善信用修复制度的实施方案》的通知（国办发〔2025〕22号，2025年6月22日印发）"
M36 = "信用修复管理办法（国家发展改革委令第36号，2026年4月1日施行）"
OLD_M36 = "信用修复管理办法（国家发展改革委令第36号，2026年4月1日施行）；国办发〔2025〕22号"
C58 = "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展改革委令第58号）"
C22 = "《关于进一步完善信用修复制度的实施方案》（国办发〔2025〕22号）"
C36 = "《信用修复管理办法》（国家发展改革委令第36号）"
PROCEDURE_CODES = ("repair.accept", "repair.feedback", "repair.sync")
TIER_CODES = (
    "publication.minor.max",
    "publication.general.min",
    "publication.general.max",
    "publication.serious.min",
    "publication.serious.max",
)
NOTE_58 = (
    "Amounts as reproduced by two third-party copies attributing them to 令第58号 (a Shenzhen housing "
    "bureau notice and a Beijing Q&A; see docs/deadlines.md); the article text itself was not seen."
)
NOTE_58_DOMAINS = (
    NOTE_58 + " The Shenzhen notice lists 特种设备、安全生产、消防; the Beijing Q&A quotes 58号令 as "
    "食品、药品、特种设备、安全生产、消防: all five are listed here; confirm against the official text."
)
NOTE_22 = (
    "国办发〔2025〕22号 二、完善失信信息分类标准, read in two reproductions of the document (docs/deadlines.md). "
    "Issued 2025-06-22 with no other effective date: in force from issue. For decisions from 2025-06-22 to "
    "2026-03-31 令第58号 was in force too; each bound takes the reading more favourable to the subject "
    "(transitional reading, not verified: docs/deadlines.md)."
)
NOTE_36_TYPES = (
    "Penalty types per tier (params.penalty_types) follow the NDRC's published summary of 令第36号 "
    "(轻微: 警告、通报批评; 一般: 没收、暂扣许可证件、责令停产停业、限制开展生产经营活动; 严重: 吊销许可证件、"
    "责令关闭、限制从业); a fine's tier depends on its amount and is the officer's choice. Unverified: confirm."
)

ERA_58 = dict(basis_document=M58, effective_from=D(2023, 5, 1), effective_to=D(2026, 3, 31), verified=False)
NEW_ROWS = [
    dict(code="publication.penalty.min", title="行政处罚信息最短公示期", amount=3, unit="months", kind="waiting",
         params={"cite": C58}, note=NOTE_58, **ERA_58),
    dict(code="publication.penalty.max", title="行政处罚信息最长公示期", amount=3, unit="years", kind="expiry",
         params={"cite": C58}, note=NOTE_58, **ERA_58),
    dict(code="publication.penalty.min.domain", title="食品、药品、特种设备、安全生产、消防领域行政处罚信息最短公示期",
         amount=1, unit="years", kind="waiting",
         params={"cite": C58, "domains": ["food", "drug", "special_equipment", "work_safety", "fire"]},
         note=NOTE_58_DOMAINS, **ERA_58),
]
ERA_22 = dict(basis_document=G22, basis_article="二、完善失信信息分类标准", effective_from=D(2025, 6, 22),
              effective_to=D(2026, 3, 31), verified=True, params={"cite": C22}, note=NOTE_22)
NEW_ROWS += [
    dict(code="publication.minor.max", title="轻微失信信息公示期（可以不予公示，确有必要公示的最长）", amount=3,
         unit="months", kind="expiry", **ERA_22),
    dict(code="publication.general.min", title="一般失信信息最短公示期", amount=3, unit="months", kind="waiting",
         **ERA_22),
    dict(code="publication.general.max", title="一般失信信息最长公示期", amount=1, unit="years", kind="expiry",
         **ERA_22),
    dict(code="publication.serious.min", title="严重失信信息最短公示期", amount=1, unit="years", kind="waiting",
         **ERA_22),
    dict(code="publication.serious.max", title="严重失信信息最长公示期", amount=3, unit="years", kind="expiry",
         **ERA_22),
]
TYPES_36 = {
    "publication.minor.max": ["warning", "criticism"],
    "publication.general.min": ["confiscation", "license_suspension", "production_suspension", "business_restriction"],
    "publication.serious.min": ["license_revocation", "closure", "practice_restriction"],
}


def forward(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    # The 令第58号 versions of the tier rows carried the 2026 numbers: 令第58号 has no tiers.
    Rule.objects.filter(code__in=TIER_CODES, effective_from=D(2023, 5, 1)).delete()
    for row in NEW_ROWS:
        row = dict(row)
        Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)
    for code in TIER_CODES:
        params = {"cite": C36}
        if code in TYPES_36:
            params["penalty_types"] = TYPES_36[code]
        Rule.objects.filter(code=code, effective_from=D(2026, 4, 1)).update(
            basis_document=M36,
            params=params,
            # the amounts were read; the penalty-type lists were not: a row carrying one is unverified
            verified=code not in TYPES_36,
            note="Amounts read in the NDRC's announcement of 令第36号 as reproduced by several outlets and in "
            "two full-text copies (docs/deadlines.md). " + (NOTE_36_TYPES if code in TYPES_36 else ""),
        )
    # How a notice cites the procedure rules (受理, 反馈, 共享) of each era: the same instrument as its periods.
    for start, cite in ((D(2023, 5, 1), C58), (D(2026, 4, 1), C36)):
        for rule in Rule.objects.filter(code__in=PROCEDURE_CODES, effective_from=start):
            rule.params = {**(rule.params or {}), "cite": cite}
            rule.save(update_fields=["params"])


def backward(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for rule in Rule.objects.filter(code__in=PROCEDURE_CODES):
        rule.params = {k: v for k, v in (rule.params or {}).items() if k != "cite"}
        rule.save(update_fields=["params"])
    for row in NEW_ROWS:
        Rule.objects.filter(code=row["code"], effective_from=row["effective_from"]).delete()
    Rule.objects.filter(code__in=TIER_CODES, effective_from=D(2026, 4, 1)).update(basis_document=OLD_M36, params={})


class Migration(migrations.Migration):
    dependencies = [("workflow", "0005_rate_counter")]
    operations = [migrations.RunPython(forward, backward)]

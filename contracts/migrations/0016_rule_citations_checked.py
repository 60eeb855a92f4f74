"""The rule rows' citations checked against the texts (issue 9; docs/deadlines.md, "Citations checked").

Each change below names what was read and where. `verified` is True only on rows whose operative words
were read in the article itself; a row whose article could not be read is set to (or stays) False.

Corrections:
- complaint.accept: 工信部企业〔2021〕224号 took effect on issue, 2021-12-30 ("自发布之日起施行", Xinhua,
  2021-12-30), not 2021-12-01. The 10 working days ("收到投诉后，应当在10个工作日内进行审查") were read in
  Xinhua's report only, not in the article: still unverified.
- remedy.review (2024-01-01, 行政复议法 2023 revision, 第二十条): the copies found quote the 1999 text
  (第九条, 60 days); the 2023 article was not read, so the row is no longer marked verified.
- repair.accept (令第36号 / 国办发〔2025〕22号): the reproductions readable here show the 36号 text only
  to 第四条, and the 22号 copies that reach point 四 are scrambled; the 3 working days are stated only
  by a news summary. Not read in the text: no longer marked verified.
- Local-policy rows (contract.register, contract.report.period, notify.deadline.remind, publicity.other):
  a city's default cannot be verified against a national text; they are marked unverified like the
  other local-policy rows, and every local row's basis says "地方政策……；可调整".
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

D = dt.date
LOCAL_SUFFIX = "；可调整"

# (code, effective_from): (fields before, fields after, words appended to the note)
CHANGES = {
    ("complaint.accept", D(2021, 12, 1)): (
        {"effective_from": D(2021, 12, 1), "note": "Unconfirmed; editable."},
        {"effective_from": D(2021, 12, 30), "note": ""},
        (
            "In force from issue, 2021-12-30 (自发布之日起施行). 10 working days to examine a complaint "
            "(收到投诉后，应当在10个工作日内进行审查) as reported by Xinhua on 2021-12-30 "
            "(https://xncapp.cn/article/zixundongtai/shizhengyaowen/20211231/41510.html); the article itself "
            "was not read (the full-text copies readable here stop at 第四条): unverified; editable."
        ),
    ),
    ("remedy.review", D(2024, 1, 1)): (
        {"verified": True},
        {"verified": False},
        (
            "60 days is the 1999 text (第九条, read in three copies); the 2023 revision's 第二十条 was not read "
            "here: unverified."
        ),
    ),
    ("repair.accept", D(2026, 4, 1)): (
        {"verified": True},
        {"verified": False},
        (
            "3 working days as summarised by the Economic Daily (2025-07-11) for 国办发〔2025〕22号; the article "
            "of 令第36号 and point 四 of 22号 were not read in a legible copy: unverified."
        ),
    ),
    ("repair.effect", D(2026, 4, 1)): (
        {},
        {},
        (
            "第三条: 终止公示、停止共享和使用失信信息，同步依法依规解除失信惩戒措施, read in two reproductions "
            "(toubiaole.com/news/xingyexinwen/887.html, quietvariable.com/news-show-id-686.html)."
        ),
    ),
    ("penalty.fine.surcharge", D(2021, 7, 15)): (
        {},
        {},
        (
            "第七十二条第一款第（一）项: 到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出"
            "罚款的数额 (read in https://m.64365.com/zs/2819710.aspx)."
        ),
    ),
    ("penalty.fine.surcharge", D(1996, 10, 1)): (
        {},
        {},
        "第五十一条第（一）项: 到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款 (read in three copies).",
    ),
    ("remedy.litigation", D(2015, 5, 1)): (
        {},
        {},
        "第四十六条: 应当自知道或者应当知道作出行政行为之日起六个月内提出 (read in three copies).",
    ),
}

LOCAL_ROWS = {
    # code: (basis before, basis after)
    "contract.register": (
        "地方政策：郑州市、郑东新区信用工作方案（7个工作日内报送信用平台）",
        "地方政策：郑州市、郑东新区信用工作方案（7个工作日内报送信用平台）；可调整",
    ),
    "contract.report.period": ("地方政策（按合同类型可配置）", "地方政策（按合同类型可配置）；可调整"),
    "notify.deadline.remind": ("local policy", "地方政策（法定期限届满前提醒）；可调整"),
    "publicity.other": ("地方政策（信阳市示范城市创建工作方案）", "地方政策（信阳市示范城市创建工作方案）；可调整"),
}


def _note(old: str | None, words: str) -> str:
    return f"{old} {words}".strip() if old else words


def forwards(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    now = timezone.now()
    for (code, start), (_before, after, words) in CHANGES.items():
        for rule in Rule.objects.filter(code=code, effective_from=start):
            for field, value in after.items():
                setattr(rule, field, value)
            rule.note = _note(rule.note, words)
            rule.updated_at = now
            rule.save()
    for code, (_before, after) in LOCAL_ROWS.items():
        Rule.objects.filter(code=code, local_policy=True).update(basis_document=after, verified=False, updated_at=now)


def backwards(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    now = timezone.now()
    for (code, start), (before, after, words) in CHANGES.items():
        for rule in Rule.objects.filter(code=code, effective_from=after.get("effective_from", start)):
            note = rule.note or ""
            rule.note = note[: -len(words)].rstrip() if note.endswith(words) else note
            for field, value in before.items():
                setattr(rule, field, value)
            rule.updated_at = now
            rule.save()
    for code, (before, _after) in LOCAL_ROWS.items():
        Rule.objects.filter(code=code, local_policy=True).update(basis_document=before, verified=True, updated_at=now)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0015_complaint_supervision_report_rule"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

"""The statutory and policy time limits of ../shared/STATUTES.md, with their legal basis.

Rows marked verified=False are defaults whose amount is not confirmed against the text: an
administrator sees them flagged and confirms or corrects them (with history) in the admin.
"""

import datetime as dt

from django.db import migrations

D = dt.date
SME_802 = "保障中小企业款项支付条例（国务院令第802号，2025年6月1日施行）"
SME_728 = "保障中小企业款项支付条例（国务院令第728号，2020年9月1日施行）"
M36 = "信用修复管理办法（国家发展改革委令第36号，2026年4月1日施行）；国办发〔2025〕22号"
M58 = "失信行为纠正后的信用信息修复管理办法（试行）（国家发展改革委令第58号，2023年5月1日施行）"
UNCONFIRMED_58 = (
    "Amount carried over from the 2026 measures for cases started under 令第58号; "
    "confirm against the 2023 text before relying on it."
)

RULES = [
    # --- government contracts and SME payments -------------------------------------------
    dict(code="contract.register", title="政府合同签订后录入系统", amount=7, unit="working_days", kind="deadline",
         basis_document="地方政策：郑州市、郑东新区信用工作方案（7个工作日内报送信用平台）", local_policy=True,
         effective_from=D(2020, 1, 1), note="Local policy default; a city may change it."),
    dict(code="procurement.publish", title="政府采购合同公告", amount=2, unit="working_days", kind="deadline",
         basis_document="中华人民共和国政府采购法实施条例", basis_article="第五十条", effective_from=D(2015, 3, 1)),
    dict(code="procurement.file_copy", title="政府采购合同副本备案", amount=7, unit="working_days", kind="deadline",
         basis_document="中华人民共和国政府采购法", basis_article="第四十七条", effective_from=D(2003, 1, 1)),
    dict(code="sme.pay.government", title="机关、事业单位向中小企业支付款项", amount=30, ceiling=60,
         unit="calendar_days", kind="deadline", basis_document=SME_802, basis_article="第九条",
         effective_from=D(2025, 6, 1),
         note="30 days from delivery; a contract may agree a longer term but never more than 60 days."),
    dict(code="sme.pay.government", title="机关、事业单位向中小企业支付款项", amount=30, ceiling=60,
         unit="calendar_days", kind="deadline", basis_document=SME_728, basis_article="第八条",
         effective_from=D(2020, 9, 1), effective_to=D(2025, 5, 31), verified=False,
         note="Earlier regulation, for deliveries before 2025-06-01; confirm the article before relying on it."),
    dict(code="sme.pay.large_enterprise", title="大型企业向中小企业支付款项", amount=60, ceiling=60,
         unit="calendar_days", kind="deadline", basis_document=SME_802, basis_article="第九条",
         effective_from=D(2025, 6, 1)),
    dict(code="sme.pay.acceptance", title="以验收为付款条件的付款期限起算", unit="none", kind="start_rule",
         basis_document=SME_802, basis_article="第十条", effective_from=D(2025, 6, 1),
         note="The payment clock starts at acceptance; if acceptance is delayed beyond the agreed acceptance "
              "period, it starts when that period ends."),
    dict(code="sme.pay.settlement", title="分期结算的付款期限起算", unit="none", kind="start_rule",
         basis_document=SME_802, basis_article="第九条", effective_from=D(2025, 6, 1),
         note="Progress or periodic settlement: the clock starts when both sides confirm the amount."),
    dict(code="sme.receivable.confirm", title="应中小企业要求确认应收账款", amount=30, unit="calendar_days",
         kind="deadline", basis_document=SME_802, basis_article="第十六条", effective_from=D(2025, 6, 1)),
    dict(code="sme.late_interest", title="逾期付款利息", unit="none", kind="rate", rate="0.000500",
         basis_document=SME_802, basis_article="第十七条", effective_from=D(2025, 6, 1),
         note="Agreed rate, not below the one-year LPR on the signing date; with no agreed rate 0.05% a day."),
    dict(code="sme.overdue.publish", title="公开上一年度逾期未支付中小企业款项信息", amount=1, unit="annual_date",
         kind="deadline", params={"month": 3, "day": 31}, basis_document=SME_802, basis_article="第十八条",
         effective_from=D(2025, 6, 1), note="By 31 March each year, for the year before."),
    dict(code="complaint.transfer", title="投诉受理后转交有关部门", amount=10, unit="working_days", kind="deadline",
         basis_document=SME_802, basis_article="第二十五条", effective_from=D(2025, 6, 1)),
    dict(code="complaint.handle", title="投诉办理并书面答复", amount=30, ceiling=90, unit="calendar_days",
         kind="deadline", basis_document=SME_802, basis_article="第二十五条", effective_from=D(2025, 6, 1),
         note="30 days from receipt of the materials; with the department head's approval at most 90 days in all."),
    dict(code="complaint.accept", title="决定是否受理投诉", amount=10, unit="working_days", kind="deadline",
         basis_document="工业和信息化部中小企业款项支付投诉处理暂行办法（2021年）", verified=False,
         effective_from=D(2021, 12, 1), note="Unconfirmed; editable."),
    dict(code="contract.report.period", title="合同履约情况定期报告", amount=1, unit="months", kind="deadline",
         basis_document="地方政策（按合同类型可配置）", local_policy=True, effective_from=D(2020, 1, 1)),
    # --- credit information and repair ---------------------------------------------------
    dict(code="publicity.double", title="行政许可、行政处罚信息公示（双公示）", amount=7, unit="working_days",
         kind="deadline", basis_document="国办发〔2015〕51号；发改办财金〔2018〕424号", effective_from=D(2018, 5, 1),
         note="The Zhengdong 2022 work plan also allows '7 working days or 11 calendar days'."),
    dict(code="publicity.other", title="其他行政行为信息公示", amount=20, unit="working_days", kind="deadline",
         basis_document="地方政策（信阳市示范城市创建工作方案）", local_policy=True, effective_from=D(2020, 1, 1)),
]

for basis, start, end, verified, note in (
    (M58, D(2023, 5, 1), D(2026, 3, 31), False, UNCONFIRMED_58),
    (M36, D(2026, 4, 1), None, True, ""),
):
    common = dict(basis_document=basis, effective_from=start, effective_to=end, verified=verified, note=note)
    RULES += [
        dict(code="publication.minor.max", title="轻微失信信息公示期（原则上不公示，公示的最长）", amount=3,
             unit="months", kind="expiry", **common),
        dict(code="publication.general.min", title="一般失信信息最短公示期", amount=3, unit="months", kind="waiting",
             **common),
        dict(code="publication.general.max", title="一般失信信息最长公示期", amount=1, unit="years", kind="expiry",
             **common),
        dict(code="publication.serious.min", title="严重失信信息最短公示期", amount=1, unit="years", kind="waiting",
             **common),
        dict(code="publication.serious.max", title="严重失信信息最长公示期", amount=3, unit="years", kind="expiry",
             **common),
        dict(code="repair.accept", title="认定单位决定是否受理信用修复申请", amount=3, unit="working_days",
             kind="deadline", **common),
        dict(code="repair.feedback", title="向申请人反馈信用修复结果", amount=10, unit="working_days", kind="deadline",
             ceiling=20, **{**common, "verified": False,
                            "note": (common["note"] + " " if common["note"] else "")
                            + "Extension for complex cases allowed with the reason told to the applicant; "
                              "the ceiling of 20 working days in all is an unconfirmed default."}),
        dict(code="repair.sync", title="信用修复结果共享至相关系统", amount=3, unit="working_days", kind="deadline",
             **{**common, "verified": False,
                "note": "Practice under the 2023 measures (令第58号); editable."}),
    ]

RULES.append(
    dict(code="objection.handle", title="信用信息异议申诉处理", amount=10, unit="working_days", kind="deadline",
         basis_document="异议申诉处理（期限待确认）", verified=False, effective_from=D(2023, 5, 1),
         note="Unconfirmed; default 10 working days; editable.")
)


def seed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for row in RULES:
        row = dict(row)
        Rule.objects.update_or_create(code=row.pop("code"), effective_from=row.pop("effective_from"), defaults=row)


def unseed(apps, schema_editor):
    Rule = apps.get_model("workflow", "Rule")
    for row in RULES:
        Rule.objects.filter(code=row["code"], effective_from=row["effective_from"]).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

"""Demo complaints in every state, filed and worked through the complaint process, relative to today.

submitted (waiting for acceptance) · not accepted (with the written notice) · accepted (to transfer) ·
transferred (the agency is handling it) · handled · answered in writing (waiting for the complainant's
evaluation) · under supervisor review (not satisfied, with the reason) · closed (satisfied).
Each complainant's tracking digits are the last four of the mobile shown below.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count

from contracts.complaints.process import complaint_evaluate_by_complainant, complaint_submit, complaint_task
from contracts.models import Complaint
from workflow.models import Agency, User

MARK = "DEMO-TS-"

CASES = [
    # contract number, complainant (name, USCC, size), mobile, amount, facts, how far it goes
    (
        "submitted",
        ("X市明达软件科技有限公司", "91410105DD272HD1TJ", "micro"),
        "13700000001",
        "48000.00",
        "2026年8月交付的校园网络运维服务经验收合格，服务费4.8万元逾期未付。",
    ),
    (
        "rejected",
        ("X市青禾餐饮管理有限公司", "91410103M53JJL6B3F", "small"),
        "13700000002",
        "26000.00",
        "食堂食材配送款2.6万元未付，双方已就此提起仲裁。",
    ),
    (
        "accepted",
        ("X市安远物流有限公司", "91410104J3Y7LLJY1K", "medium"),
        "13700000003",
        "150000.00",
        "2026年7月完成的物资运输服务，运费15万元至今未结算。",
    ),
    (
        "transferred",
        ("X市恒信建材有限公司", "91410100AY4CL12THU", "small"),
        "13700000004",
        "180000.00",
        "2026年6月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    ),
    (
        "handled",
        ("X市明达软件科技有限公司", "91410105DD272HD1TJ", "micro"),
        "13700000005",
        "36000.00",
        "道路监控软件维护费3.6万元超过约定付款期限未付。",
    ),
    (
        "answered",
        ("X市青禾餐饮管理有限公司", "91410103M53JJL6B3F", "small"),
        "13700000006",
        "52000.00",
        "2026年5月至6月的会议餐饮服务费5.2万元逾期未付。",
    ),
    (
        "under_review",
        ("X市安远物流有限公司", "91410104J3Y7LLJY1K", "medium"),
        "13700000007",
        "90000.00",
        "应急物资仓储费9万元逾期未付，答复未明确付款时间。",
    ),
    (
        "closed",
        ("X市恒信建材有限公司", "91410100AY4CL12THU", "small"),
        "13700000008",
        "64000.00",
        "2026年4月交付的护栏材料货款6.4万元逾期未付。",
    ),
]
ORDER = ["submitted", "accepted", "transferred", "handled", "answered", "closed"]


def seed() -> str:
    if Complaint.objects.filter(contract_number__startswith=MARK).exists():
        return "demo complaints already present"
    users = {u.username: u for u in User.objects.filter(username__in=["complaint_officer", "agency_clerk"])}
    officer, clerk = users["complaint_officer"], users["agency_clerk"]
    agency = Agency.objects.get(code="XJTJ")
    with transaction.atomic():
        for i, (goal, (name, uscc, size), mobile, amount, facts) in enumerate(CASES, start=1):
            c = complaint_submit(
                data={
                    "complainant": {"name": name, "uscc": uscc, "size": size},
                    "contact": {"name": "联系人", "mobile": mobile},
                    "respondent": {"agency": "XJTJ"},
                    "contract": {"number": f"{MARK}{i:03d}", "signed_on": "2026-01-15"},
                    "amount_claimed": amount,
                    "facts": facts,
                    "declaration": True,
                }
            )
            if goal == "rejected":
                complaint_task(
                    complaint=c, step="reject", user=officer, reason="in_court", text="该纠纷已由X市仲裁委员会受理。"
                )
                continue
            reached = ORDER.index(goal) if goal in ORDER else ORDER.index("answered")
            if reached >= ORDER.index("accepted"):
                complaint_task(complaint=c, step="accept", user=officer)
            if reached >= ORDER.index("transferred"):
                complaint_task(complaint=c, step="transfer", user=officer, agency=agency)
            if reached >= ORDER.index("handled"):
                complaint_task(
                    complaint=c,
                    step="handle",
                    user=clerk,
                    findings="经核实，款项确未支付。",
                    amount_confirmed=amount,
                    disputed=False,
                    repayment_plan="本月底前一次付清。",
                )
            if reached >= ORDER.index("answered"):
                complaint_task(complaint=c, step="feedback", user=clerk, text="我局已核实欠款，将于本月底前付清。")
            if goal == "closed":
                complaint_evaluate_by_complainant(code=c.code, mobile_last4=mobile[-4:], satisfied=True)
            elif goal == "under_review":
                complaint_evaluate_by_complainant(
                    code=c.code, mobile_last4=mobile[-4:], satisfied=False, reason="答复未明确付款的具体日期。"
                )
    counts = Complaint.objects.filter(contract_number__startswith=MARK).values_list("status").annotate(n=Count("id"))
    return "demo complaints (" + ", ".join(f"{s} {n}" for s, n in counts.order_by("status")) + ")"

"""Demo contracts in every stage (sign → track → warn → dispose → publish → apply), relative to today.

Called by `manage.py seed_demo` (idempotent: skipped when the demo contracts exist). Everything goes
through the services, as a clerk would do it; only the registration date is set back to shortly
after signing, because a demo contract "signed" months ago was of course registered back then.
"""

import datetime as dt

from django.db import transaction
from django.db.models import Count

from contracts import services
from contracts.models import Contract
from workflow import clock
from workflow.errors import DomainError
from workflow.models import Agency, User

SMALL = {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"}
MICRO = {"name": "X市明达软件科技有限公司", "uscc": "91410105DD272HD1TJ", "size": "micro"}
MEDIUM = {"name": "X市安远物流有限公司", "uscc": "91410104J3Y7LLJY1K", "size": "medium"}
LARGE = {"name": "X市宏图工程建设集团有限公司", "uscc": "91410102JJC171HU49", "size": "large"}
CATERING = {"name": "X市青禾餐饮管理有限公司", "uscc": "91410103M53JJL6B3F", "size": "small"}


def seed(stdout=None):
    from contracts.complaints.demo import seed as complaints_seed

    return f"{_contracts_seed()}; {complaints_seed()}"


def _contracts_seed():
    if Contract.objects.filter(number__startswith="DEMO-").exists():
        return "demo contracts already present"
    today = clock.today()

    def ago(days):
        return today - dt.timedelta(days=days)

    users = {u.username: u for u in User.objects.filter(username__in=["agency_clerk", "agency_clerk2", "supervisor"])}
    clerk, clerk2, supervisor = users["agency_clerk"], users["agency_clerk2"], users["supervisor"]
    agencies = {a.code: a for a in Agency.objects.all()}

    def contract(agency, user, number, title, kind, cp, amount, signed, milestones, **extra):
        data = {
            "number": number,
            "title": title,
            "kind": kind,
            "procurement": extra.pop("procurement", False),
            "counterparty": cp,
            "amount": amount,
            "signed_on": ago(signed),
            "ends_on": extra.pop("ends_on", None),
            "payment_term_days": extra.pop("payment_term_days", None),
            "milestones": [
                {"kind": k, "title": t, "amount": a, "planned_on": ago(p), "payment_after_acceptance": False}
                for k, t, a, p in milestones
            ],
        }
        c = services.contract_register(agency=agencies[agency], data=data, acting_user=user)
        if not extra.pop("registered_today", False):
            Contract.objects.filter(pk=c.pk).update(registered_on=ago(signed - 2))
        return c

    def pay_ms(c, index=0):
        return c.milestones.filter(kind="payment").order_by("planned_on", "id")[index]

    def deliver(c, user, delivered, index=0):
        return services.milestone_record_delivery(
            milestone=pay_ms(c, index), delivered_on=ago(delivered), acting_user=user
        )

    def pay(c, user, amount, paid, index=0):
        return services.payment_record(
            contract=c, milestone=pay_ms(c, index), amount=amount, paid_on=ago(paid), acting_user=user
        )

    from workflow.sweeps import sweep_run

    with transaction.atomic():
        c1 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-001",
            "国道G107养护工程材料采购",
            "goods",
            SMALL,
            "860000.00",
            120,
            [("payment", "首批材料货款", "300000.00", 90), ("payment", "二批材料货款", "560000.00", -30)],
            procurement=True,
            ends_on=today + dt.timedelta(days=240),
        )
        deliver(c1, clerk, 95)
        pay(c1, clerk, "300000.00", 80)
        c2 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-002",
            "公路巡查信息系统运维服务",
            "services",
            MICRO,
            "240000.00",
            100,
            [("payment", "上半年运维费", "120000.00", 60), ("payment", "下半年运维费", "120000.00", 20)],
        )
        deliver(c2, clerk, 60)  # due 30 days ago, unpaid: arrears
        deliver(c2, clerk, 26, index=1)  # due in 4 days: "due soon"
        c3 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-003",
            "养护物资物流运输服务",
            "services",
            MEDIUM,
            "500000.00",
            150,
            [("payment", "运输服务费（一期）", "200000.00", 90)],
        )
        deliver(c3, clerk, 90)
        sweep_run(as_of=ago(55))  # the sweep of that day found it overdue and opened the arrears case
        pay(c3, clerk, "80000.00", 40)  # repaid in part later: in repayment
        c4 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-004",
            "跨河大桥定期检测",
            "works",
            LARGE,
            "1200000.00",
            130,
            [("payment", "检测费首付", "400000.00", 100)],
            payment_term_days=90,
        )
        deliver(c4, clerk, 100)  # overdue, but a large payee: warning, no arrears case
        c5 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-005",
            "办公设备采购",
            "goods",
            SMALL,
            "50000.00",
            200,
            [("payment", "设备款", "50000.00", 180)],
        )
        deliver(c5, clerk, 180)
        pay(c5, clerk, "50000.00", 170)
        services.contract_fulfil(contract=c5, acting_user=clerk, note="设备已验收，款项已结清")
        c6 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-006",
            "临时用工配餐服务",
            "services",
            CATERING,
            "36000.00",
            90,
            [("payment", "配餐费", "36000.00", 30)],
        )
        services.milestone_waive(milestone=pay_ms(c6), reason="合同解除，未发生服务", acting_user=clerk)
        services.contract_terminate(contract=c6, reason="双方协商一致解除", acting_user=clerk)
        contract(
            "XJTJ",
            clerk,
            "DEMO-JT-007",
            "城区路灯维修",
            "works",
            SMALL,
            "98000.00",
            30,
            [("payment", "维修费", "98000.00", -20)],
            registered_today=True,
        )  # registered late
        c8 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-008",
            "隧道照明改造工程",
            "works",
            SMALL,
            "420000.00",
            140,
            [("payment", "进度款", "210000.00", 80)],
        )
        deliver(c8, clerk, 80)
        c9 = contract(
            "XJTJ",
            clerk,
            "DEMO-JT-009",
            "养护站食堂服务",
            "services",
            CATERING,
            "180000.00",
            200,
            [("payment", "年度服务费", "180000.00", 120)],
        )
        deliver(c9, clerk, 120)
        c10 = contract(
            "XJYJ",
            clerk2,
            "DEMO-JY-001",
            "校园食堂食材配送",
            "services",
            CATERING,
            "320000.00",
            60,
            [("payment", "九月配送费", "80000.00", 40), ("payment", "十月配送费", "80000.00", 10)],
        )
        deliver(c10, clerk2, 40)
        pay(c10, clerk2, "80000.00", 20)
        contract(
            "XCTJT",
            None,
            "DEMO-CT-001",
            "安置房项目建材采购",
            "goods",
            SMALL,
            "2600000.00",
            110,
            [("payment", "建材款（一期）", "900000.00", 70)],
        )
        deliver(Contract.objects.get(number="DEMO-CT-001"), None, 70)  # a state enterprise: 60 days
        for c, user in ((c1, clerk), (c10, clerk2)):
            _file_reports(c, user, today)

    sweep_run(as_of=today)
    _dispose(c8, c9, supervisor, clerk, today)
    _publish(c1, c10, supervisor)
    demo = Contract.objects.filter(number__startswith="DEMO-")
    by_status = demo.values_list("status").annotate(n=Count("id")).order_by("status")
    stages = ", ".join(f"{status} {n}" for status, n in by_status)
    return f"{demo.count()} demo contracts ({stages})"


def _file_reports(contract, user, today):
    """The monthly performance reports a diligent clerk filed, period after period."""
    from workflow.deadlines import add_months

    start = contract.signed_on
    while add_months(start, contract.report_period_months) <= today:
        services.report_submit(
            contract=contract, period_start=start, acting_user=user, progress="按合同约定推进，本期无异常。"
        )
        start = add_months(start, contract.report_period_months)


def _dispose(pending, concluded, supervisor, clerk, today):
    from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
    from contracts.models import Warning

    for c in (pending, concluded):
        warning = Warning.objects.filter(contract=c, rule="payment.overdue").first()
        case = disposal_open(
            contract=c,
            warning=warning,
            acting_user=supervisor,
            grounds=f"{c.title}进度款逾期未支付，经预警提示仍未整改。",
        )
        if c is concluded:
            disposal_task_respond(case=case, response="资金尚未落实，申请延后支付。", user=clerk)
            disposal_task_review(
                case=case,
                outcome="dishonest",
                note="逾期时间长、金额大，整改不到位。",
                record_kind="arrears",
                user=supervisor,
            )


def _publish(c1, c10, supervisor):
    try:
        from contracts.publication import services as publication
    except ImportError:  # publication not installed in this build
        return
    for c, redacted in ((c1, []), (c10, ["amount"])):
        try:
            publication.publication_review(
                contract=c, redacted=redacted, note="已审查，无商业秘密和个人信息", acting_user=supervisor
            )
            publication.publication_publish(contract=c, acting_user=supervisor)
        except (DomainError, TypeError):
            return

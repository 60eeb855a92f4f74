"""Demo credit-repair cases in every state, made through the services, relative to today.

Dishonesty records: recorded (not yet published), published, repaired, publication ended, revoked.
Repair applications: not eligible (answered at once), accepted and under review, waiting for 补正,
awaiting the supervisor's approval (a serious-category record, filed at the window), repaired, not
repaired. Objections by the subjects: open, upheld (the record revoked), dismissed. Every decision date lies far
enough in the past for the minimum publication period the case needs to have passed.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from repair.models import DecidingUnitProfile, DishonestyRecord, Objection, RepairApplication
from repair.process import application_submit, application_task
from repair.services.applications import application_supplement
from repair.services.objections import objection_answer, objection_file
from repair.services.records import record_create, record_publish, record_serve_notices
from workflow import clock
from workflow.models import Agency, Enterprise, User

PREFIX = "X市监罚〔演示〕"
# A stand-in for the scanned 授权委托书 a window clerk uploads.
POWER_OF_ATTORNEY = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# code → (address, review body, court, how and where fines are paid)
UNIT_PROFILES = {
    "XSCJ": (
        "X市行政中心东区市场监管大楼（X市人民路88号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台（扫描本决定书所附缴款码）或者到中国工商银行X市分行各营业网点缴纳",
    ),
    "XFGW": (
        "X市行政中心1号楼（X市人民路1号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台或者到中国工商银行X市分行各营业网点缴纳",
    ),
    "XJTJ": (
        "X市交通大厦（X市建设路18号）",
        "X市人民政府",
        "X市东区人民法院",
        "通过X省非税收入缴款平台或者到中国建设银行X市分行各营业网点缴纳",
    ),
}


def unit_profiles_seed() -> int:
    """Create or update the demo units' profiles; returns how many exist for the demo units."""
    count = 0
    for code, (address, review_body, court, payment) in UNIT_PROFILES.items():
        unit = Agency.objects.filter(code=code).first()
        if unit is None:
            continue
        DecidingUnitProfile.objects.update_or_create(
            unit=unit,
            defaults={"address": address, "review_body": review_body, "court": court, "payment_method": payment},
        )
        count += 1
    return count


def seed(stdout=None) -> str:
    units = f"{unit_profiles_seed()} deciding units with remedies and payment details"
    return f"{units}; {_cases_seed()}"


def _cases_seed() -> str:
    if DishonestyRecord.objects.filter(decision_number__startswith=PREFIX).exists():
        return "demo repair cases already present"
    today = clock.today()
    users = {u.username: u for u in User.objects.filter(username__in=USERNAMES)}
    officer, supervisor, window = users["penalty_officer"], users["supervisor"], users["window_clerk"]
    companies = {e.uscc: e for e in Enterprise.objects.all()}

    def ago(days: int) -> str:
        return (clock.today() - dt.timedelta(days=days)).isoformat()

    def record(n, uscc, category, decided_days_ago, facts, *, fine="", paid=True, publish=True):
        data = {
            "subject": {"uscc": uscc, "name": companies[uscc].name},
            "subject_address": ADDRESSES[uscc],
            "evidence": "现场检查笔录、抽样检验报告、询问笔录及相关票据。",
            "type": "admin_penalty",
            "category": category,
            "publish": category == "minor",
            "decision_number": f"{PREFIX}{n}号",
            "decided_on": ago(decided_days_ago),
            "facts": facts,
            "basis": "《中华人民共和国产品质量法》第四十九条",
            "obligations": [{"kind": "fine", "amount": fine, "due_on": ago(decided_days_ago - 15)}] if fine else [],
        }
        r = record_create(data=data, acting_user=officer)
        decided = clock.today() - dt.timedelta(days=decided_days_ago)
        if publish:  # 双书同达: both documents served in one act, the day after the decision
            record_serve_notices(
                record=r,
                method="in_person",
                delivered_on=min(decided + dt.timedelta(days=1), clock.today()),
                recipient=f"{companies[uscc].name}（法定代表人签收）",
                receipt="送达回证已签收",
                acting_user=officer,
            )
        if paid:
            paid_on = clock.today() - dt.timedelta(days=max(decided_days_ago - 10, 0))
            r.obligations.update(fulfilled_on=paid_on, confirmed_by_unit=True)
        return record_publish(record=r, acting_user=officer) if publish else r

    def apply(records, user, *, channel=RepairApplication.Channel.ONLINE, signer="张伟"):
        window = {}
        if channel == RepairApplication.Channel.WINDOW:  # the agent and the power of attorney, as the page asks
            window = {
                "agent": {"name": signer, "id_number": "11010519491231002X", "relationship": "公司员工"},
                "power_of_attorney": SimpleUploadedFile("授权委托书.pdf", POWER_OF_ATTORNEY, "application/pdf"),
            }
        return application_submit(
            **window,
            enterprise=records[0].enterprise,
            record_ids=[r.pk for r in records],
            correction="已停止违法行为，召回并销毁不合格产品，罚款已按期缴清，并建立进货查验制度。",
            proof_held_by_unit=True,
            commitment={"signer_name": signer, "accepted": True},
            acting_user=user,
            channel=channel,
        )

    hengxin, mingda, anyuan, qinghe = (
        "91410100AY4CL12THU",
        "91410105DD272HD1TJ",
        "91410104J3Y7LLJY1K",
        "91410103M53JJL6B3F",
    )
    with transaction.atomic():
        # 恒信建材 (enterprise_user): one repaired, one too early, one waiting for 补正.
        repaired = record(1, hengxin, "general", 200, "销售不合格建材（钢筋）。", fine="50000.00")
        application_task(
            application=apply([repaired], users["enterprise_user"]),
            step="review",
            user=officer,
            approve=True,
            reason="罚款已缴清，违法行为已纠正，作出信用承诺，符合信用修复条件。",
        )
        too_early = record(2, hengxin, "general", 20, "未按规定标注产品质量检验合格证明。", fine="8000.00", paid=False)
        apply([too_early], users["enterprise_user"])  # answered at once: not eligible, with the earliest date
        waiting = record(3, hengxin, "general", 150, "以不合格水泥冒充合格水泥销售。", fine="30000.00")
        application_supplement(
            application=apply([waiting], users["enterprise_user"]),
            items="请补充整改后产品抽检合格的检验报告。",
            acting_user=officer,
        )
        # 明达软件 (enterprise_user2): one under review, one refused.
        record_under_review = record(4, mingda, "general", 160, "发布虚假宣传信息。", fine="20000.00")
        apply([record_under_review], users["enterprise_user2"], signer="黄丽")
        refused = record(5, mingda, "general", 170, "拒不配合监督检查。", fine="10000.00")
        application_task(
            application=apply([refused], users["enterprise_user2"], signer="黄丽"),
            step="review",
            user=officer,
            approve=False,
            reason="整改报告未说明配合检查的制度措施，整改不到位。",
        )
        # 安远物流: a serious-category record applied for at the window, awaiting the supervisor.
        serious = record(6, anyuan, "serious", 420, "运输过程中造成重大产品质量安全事故。", fine="200000.00")
        application_task(
            application=apply([serious], window, channel=RepairApplication.Channel.WINDOW, signer="吴强"),
            step="review",
            user=officer,
            approve=True,
            reason="罚款已缴清，事故整改经复查合格，建议准予修复，报请审核。",
        )
        # 青禾餐饮: a minor record whose publication has ended; one recorded, not yet published.
        if clock.can_travel():  # published 100 days ago, when it was decided; the sweep below ends it
            with clock.travelling(today - dt.timedelta(days=100)):
                record(7, qinghe, "minor", 0, "未按规定公示食品经营许可证。")
        record(8, qinghe, "general", 3, "使用超过保质期的食品原料。", fine="5000.00", paid=False, publish=False)
        # Objections by the subjects: one open, one upheld (the record revoked), one dismissed.
        contested = record(9, hengxin, "general", 60, "未按规定报送产品质量检测报告。", fine="15000.00")
        objection_file(
            record=contested,
            target="content",
            text="检测报告已按期报送，附系统回执截图。",
            acting_user=users["enterprise_user"],
        )
        wrong = record(10, mingda, "general", 90, "软件产品资料造假。", fine="40000.00")
        upheld = objection_file(
            record=wrong, target="content", text="该处罚决定已被复议机关撤销。", acting_user=users["enterprise_user2"]
        )
        objection_answer(
            objection=upheld,
            upheld=True,
            revoke=True,
            answer="经核实，原处罚决定已被撤销，撤销该失信信息。",
            acting_user=supervisor,
        )
        stands = record(11, mingda, "general", 80, "未按规定设置安全警示标志。", fine="12000.00")
        dismissed = objection_file(
            record=stands,
            target="period",
            text="认为公示期限计算有误，应当更短。",
            acting_user=users["enterprise_user2"],
        )
        objection_answer(
            objection=dismissed, upheld=False, answer="经核实，公示期限计算准确，异议不成立。", acting_user=supervisor
        )
    from workflow.sweeps import sweep_run

    sweep_run(as_of=today)  # ends the minor record's publication
    by_status = ", ".join(
        f"{s} {n}" for s, n in _counts(DishonestyRecord.objects.filter(decision_number__startswith=PREFIX))
    )
    applications = ", ".join(f"{s} {n}" for s, n in _counts(RepairApplication.objects.all()))
    objections = ", ".join(f"{s} {n}" for s, n in _counts(Objection.objects.all()))
    return f"demo records ({by_status}); applications ({applications}); objections ({objections})"


ADDRESSES = {
    "91410100AY4CL12THU": "X市东区建材大道66号",
    "91410105DD272HD1TJ": "X市高新区科技路9号",
    "91410104J3Y7LLJY1K": "X市西区物流园3号库",
    "91410103M53JJL6B3F": "X市东区美食街18号",
}
USERNAMES = ["penalty_officer", "supervisor", "window_clerk", "enterprise_user", "enterprise_user2"]


def _counts(queryset):
    from django.db.models import Count

    return queryset.values_list("status").annotate(n=Count("id")).order_by("status")

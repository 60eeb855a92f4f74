"""The written acts of credit repair: what the deciding unit serves on the party and what each must say.

- The penalty decision is the deciding unit's own act. Either the unit issues it here, as a complete
  行政处罚决定书 (行政处罚法 第五十九条: party and address, facts and evidence, kind and basis, how and by
  when to perform, the remedies with the named review body and court and their time limits, the unit and
  the decision date; for fines the 第七十二条 surcharge warning), bearing the decision's own number and
  date; or it attaches the PDF it issued itself (`record_decision_attach`). Nothing is re-dated or
  re-numbered.
- The 信用修复告知书 is served with it in one act, with one 送达回证 that lists both documents.
- Adverse acts on applications (不予受理, 不予信用修复) name the review body and the court of the deciding
  unit (DecidingUnitProfile) with the time limits of the rules `remedy.review` and `remedy.litigation`;
  approvals cite `repair.effect` (what a repair does). A decision carries only the decider's reasons.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from repair.models import DecidingUnitProfile, DishonestyRecord, PenaltyDecisionFile, RepairApplication
from workflow import clock
from workflow.audit import audit_record
from workflow.deadlines import due_for
from workflow.documents import document_issue
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Agency, Document
from workflow.money import rmb_capital, to_decimal
from workflow.rules import rule_in_force
from workflow.uploads import upload_check

DECISION_TITLES: dict[str, str] = {
    DishonestyRecord.Type.ADMIN_PENALTY: "行政处罚决定书",
    DishonestyRecord.Type.SERIOUS_LIST: "列入严重失信主体名单决定书",
    DishonestyRecord.Type.ABNORMAL_LIST: "列入经营异常名录决定书",
    DishonestyRecord.Type.OTHER: "失信行为认定决定书",
}
NOTICE_SERIES = "信修告"
NOT_ACCEPTED_SERIES = "信修不受"
DECISION_SERIES = "信修决"
# The documents' own words for the kinds of obligation (documents are in Chinese whatever the UI language).
KIND_TEXT = {"fine": "罚款", "confiscation": "没收违法所得", "correction": "责令改正", "other": "其他义务"}
CN_DIGITS = "零一二三四五六七八九"
# Why an application was not accepted, in the notice's words ({number}: the decision concerned).
REASON_TEXT = {
    "not_repairable": "{number}所涉失信信息已修复、已停止公示或者已撤销，不属于可以申请信用修复的信息",
    "too_early": "{number}所涉失信信息的最短公示期尚未届满",
    "obligations_open": "{number}确定的法定义务尚未显示履行完毕，且未提交履行证明材料，也未选择由认定单位核查",
    "pending_application": "{number}所涉失信信息已有正在办理的信用修复申请",
    "no_commitment": "未作出信用承诺",
}


def cn_number(n: int) -> str:
    """0..99 in Chinese numerals as statutes write them (3 → 三, 60 → 六十, 15 → 十五)."""
    if not 0 <= n < 100:
        raise ValueError(n)
    tens, units = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[units]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[units] if units else "")


def amount_texts(amount) -> dict:
    """{"figures": "50,000.00", "capital": "伍万元整"}: 罚款人民币50,000.00元（大写：伍万元整）."""
    value = to_decimal(amount)
    return {"figures": f"{value:,.2f}", "capital": rmb_capital(value)}


def _cite(rule, *, with_number: bool = False) -> str:
    """《中华人民共和国行政复议法》第二十条; with the issuing number:
    《信用修复管理办法》（国家发展改革委令第36号）第三条."""
    name, _sep, rest = rule.basis_document.rpartition("（")
    if not name:
        return f"《{rule.basis_document}》{rule.basis_article}"
    number = rest.split("，")[0].rstrip("）")
    return f"《{name}》（{number}）{rule.basis_article}" if with_number else f"《{name}》{rule.basis_article}"


def _profile(unit: Agency) -> DecidingUnitProfile | None:
    return DecidingUnitProfile.objects.filter(unit=unit).first()


def remedies_context(*, unit: Agency, on: dt.date) -> dict:
    """The remedies against an act of `unit` dated `on`: the named bodies and the time limits in force."""
    review = rule_in_force("remedy.review", on)
    litigation = rule_in_force("remedy.litigation", on)
    profile = _profile(unit)
    return {
        "review_body": profile.review_body if profile else "",
        "court": profile.court if profile else "",
        "review_days": review.amount,
        "review_basis": _cite(review),
        "litigation_months": litigation.amount,
        "litigation_basis": _cite(litigation),
        "unit_address": profile.address if profile else "",
    }


def _obligations(record: DishonestyRecord) -> list[dict]:
    out = []
    for ob in record.obligations.all():
        row = {
            "kind": KIND_TEXT.get(ob.kind, ob.kind),
            "kind_code": ob.kind,
            "amount": f"{ob.amount:.2f}" if ob.amount is not None else None,
            "due_on": ob.due_on.isoformat() if ob.due_on else None,
        }
        if ob.amount is not None:
            texts = amount_texts(ob.amount)
            row["amount_figures"], row["amount_capital"] = texts["figures"], texts["capital"]
        out.append(row)
    return out


def _surcharge(on: dt.date) -> dict:
    rule = rule_in_force("penalty.fine.surcharge", on)
    percent = (Decimal(rule.rate or 0) * 100).normalize()
    words = f"百分之{cn_number(int(percent))}" if percent == int(percent) else f"{percent}%"
    return {
        "surcharge_rate": words,
        "surcharge_basis": _cite(rule),
    }


def record_context(record: DishonestyRecord) -> dict:
    """What the documents of a record share (frozen into each)."""
    subject = record.subject_name
    return {
        "recipients": subject,
        "subject": subject,
        "uscc": record.enterprise.uscc if record.enterprise else "",
        "subject_address": record.subject_address,
        "decision_title": DECISION_TITLES[record.type],
        "decision_number": record.decision_number,
        "decided_on": record.decided_on.isoformat(),
        "category": record.get_category_display(),
        "category_code": record.category,
        "type": record.get_type_display(),
        "type_code": record.type,
        "facts": record.facts,
        "evidence": record.evidence,
        "basis": record.basis,
        "obligations": _obligations(record),
        "earliest_repair_on": record.earliest_repair_on.isoformat(),
        "publication_ends_on": record.publication_ends_on.isoformat() if record.publication_ends_on else None,
        "published": record.publishable,
        "unit": record.deciding_unit.name,
    }


def record_issue_notices(*, record: DishonestyRecord, acting_user) -> tuple[Document | None, Document]:
    """双书同达: the decision issued here (unless the unit attaches its own), the credit repair notice and
    the one service receipt listing both, in the caller's transaction (idempotent)."""
    common = record_context(record)
    decision = None
    if record.decision_source == DishonestyRecord.DecisionSource.ISSUED:
        profile = _profile(record.deciding_unit)
        decision = document_issue(
            case=record,
            doc_type="penalty_decision",
            title=DECISION_TITLES[record.type],
            template="documents/penalty_decision.html",
            issuer=record.deciding_unit,
            doc_number=record.decision_number,
            issued_on=record.decided_on,  # the decision's own date, never the day it was recorded
            acting_user=acting_user,
            context={
                **common,
                **remedies_context(unit=record.deciding_unit, on=record.decided_on),
                **_surcharge(record.decided_on),
                "payment_method": profile.payment_method if profile else "",
                "has_fine": any(ob["kind_code"] == "fine" for ob in common["obligations"]),
            },
        )
    rules_on = record.decided_on
    accept = rule_in_force("repair.accept", rules_on)
    notice = document_issue(
        case=record,
        doc_type="repair_notice",
        title="信用修复告知书",
        template="documents/repair_notice.html",
        issuer=record.deciding_unit,
        series=NOTICE_SERIES if record.deciding_unit.doc_prefix else "",
        acting_user=acting_user,
        context={
            **common,
            "periods_basis": record.periods_basis,
            "accept_basis": (accept.params or {}).get("cite") or accept.basis,
            "accept_days": due_for("repair.accept", rules_on).amount,
            "feedback_days": due_for("repair.feedback", rules_on).amount,
        },
    )
    document_issue(
        case=record,
        doc_type="service_receipt",
        title="送达回证",
        template="documents/service_receipt.html",
        issuer=record.deciding_unit,
        acting_user=acting_user,
        context={
            "subject": common["subject"],
            "subject_address": common["subject_address"],
            "served": [
                {"title": common["decision_title"], "number": record.decision_number},
                {"title": notice.title, "number": notice.doc_number},
            ],
        },
    )
    return decision, notice


@transaction.atomic
def record_decision_attach(*, record: DishonestyRecord, upload, acting_user) -> PenaltyDecisionFile:
    """Attach the deciding unit's own signed decision (a PDF), once, before the documents are served."""
    from repair.selectors import record_delivery

    if record.decision_source != DishonestyRecord.DecisionSource.ATTACHED:
        raise Conflict(_("This decision was issued here; there is nothing to attach."), "decision_issued_here")
    checked = upload_check(upload, field="decision_file")
    if checked.content_type != "application/pdf":
        raise ValidationFailed(_("Attach the decision as a PDF."), "invalid", field="decision_file")
    from workflow.transitions import locked

    record = locked(record)
    if PenaltyDecisionFile.objects.filter(record=record).exists():
        raise Conflict(_("The decision document is already attached."), "decision_attached")
    if record_delivery(record) is not None:
        raise Conflict(_("These documents have already been served."), "already_served")
    stored = PenaltyDecisionFile.store(checked, record=record, uploaded_by=acting_user)
    audit_record(
        action="record.decision_attached",
        obj=record,
        actor=acting_user,
        changes={"sha256": stored.sha256, "name": stored.original_name},
    )
    return stored


def _reasons_text(application: RepairApplication) -> list[str]:
    """The instant check's reasons in the notice's words, each naming the decision it concerns."""
    titles = {r.decision_number: DECISION_TITLES[r.type] for r in application.records.all()}
    out = []
    for reason in application.reasons or []:
        template = REASON_TEXT.get(reason.get("code"))
        number = reason.get("record")
        named = f"《{titles.get(number, DECISION_TITLES[DishonestyRecord.Type.OTHER])}》（{number}）" if number else ""
        if template and (named or "{number}" not in template):
            out.append(template.format(number=named))
        else:
            out.append(reason.get("message", ""))
    return out


def application_issue_not_accepted(*, application: RepairApplication, acting_user) -> Document:
    """不予受理告知书: the reasons, the earliest date the application could succeed, and the remedies."""
    unit = application.deciding_unit
    today = clock.today()
    return document_issue(
        case=application,
        doc_type="not_accepted_notice",
        title="信用修复申请不予受理告知书",
        template="documents/repair_not_accepted.html",
        issuer=unit,
        series=NOT_ACCEPTED_SERIES if unit.doc_prefix else "",
        acting_user=acting_user,
        context={
            "recipients": application.enterprise.name,
            "applied_on": application.applied_on.isoformat(),
            "numbers": list(application.records.values_list("decision_number", flat=True)),
            "reasons": _reasons_text(application),
            "earliest_date": application.earliest_date.isoformat() if application.earliest_date else None,
            **remedies_context(unit=unit, on=today),
        },
    )


def application_issue_decision(*, application: RepairApplication, approve: bool, reason: str, numbers, actor):
    """信用修复决定书 / 不予信用修复决定书, with the decider's own reasons only."""
    unit = application.deciding_unit
    today = clock.today()
    context: dict = {
        "recipients": application.enterprise.name,
        "approve": approve,
        "reason": reason,
        "applied_on": application.applied_on.isoformat(),
        "decided_on": today.isoformat(),
        "numbers": list(numbers),
    }
    if approve:
        effect = rule_in_force("repair.effect", application.applied_on)
        context["effect_basis"] = _cite(effect, with_number=True)
    else:
        context.update(remedies_context(unit=unit, on=today))
    return document_issue(
        case=application,
        doc_type="repair_decision",
        title="信用修复决定书" if approve else "不予信用修复决定书",
        template="documents/repair_decision.html",
        issuer=unit,
        series=DECISION_SERIES if unit.doc_prefix else "",
        acting_user=actor,
        context=context,
    )

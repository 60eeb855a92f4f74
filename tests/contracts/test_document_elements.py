"""Each contract-side and complaint-side act carries the elements it needs to stand up in review
(docs/documents.md, "Legally required elements"), read from the signed PDF that the real service issued."""

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest

from contracts.complaints.process import complaint_task
from contracts.complaints.supervision import supervision_notice_issue
from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
from contracts.models import ComplaintSupervisionNotice, Warning
from contracts.services import milestone_record_delivery
from tests.contracts.test_complaints import submit, u
from workflow.models import Agency, Document

D = dt.date
pytestmark = pytest.mark.django_db


def text_of(doc) -> str:
    """The PDF's text in reading order, without page numbers (— 1 —) and whitespace (table cells).

    With CAPTURE_DOCUMENT_SAMPLES=<dir> set, the frozen context is written as a sample for
    tests/workflow/document_samples/ and the PDF next to it (to look at: pdftoppm -r 60 -png)."""
    from tests.contracts.test_complaints import text_of as pdf_text

    text = pdf_text(doc)
    if os.environ.get("CAPTURE_DOCUMENT_SAMPLES"):
        _capture(doc, Path(os.environ["CAPTURE_DOCUMENT_SAMPLES"]))
    return re.sub(r"\s", "", re.sub(r"— \d+ —", "", text))


def _capture(doc, out: Path) -> None:
    doc_type = doc.doc_type.split(":")[0]
    issuer = doc.issuer and {"code": doc.issuer.code, "name": doc.issuer.name, "doc_prefix": doc.issuer.doc_prefix}
    sample = {
        "doc_type": doc_type,
        "template": doc.template,
        "title": doc.title,
        "doc_number": doc.doc_number,
        "series": doc.series,
        "issued_on": doc.issued_on.isoformat(),
        "context": doc.context,
        "issuer": issuer,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{doc_type}.json").write_text(json.dumps(sample, ensure_ascii=False, indent=1) + "\n")
    with doc.file.open("rb") as fh:
        (out / f"{doc_type}.pdf").write_bytes(fh.read())


@pytest.fixture
def case(make_contract, clerk, travel, sweep):
    """A payment of 100,000.00 delivered 09-02, due 10-08 (30 days, Golden Week), overdue; disposal 10-12."""
    c = make_contract()
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    travel("2026-10-12")
    warning = Warning.objects.get(rule="payment.overdue")
    return disposal_open(contract=c, warning=warning, grounds="经多次催告仍未支付。", acting_user=u("supervisor"))


def test_rectification_notice_elements(case):
    notice = Document.objects.get(doc_type="rectification_notice")
    text = text_of(notice)
    for element in (
        "整改通知书",
        "X发改信用整改〔2026〕1号",  # number
        "X市交通运输局：",  # addressee
        "X市恒信建材有限公司",  # the SME
        "《道路养护服务采购》（合同编号：HT-XJTJ-2026-08-03）",  # the contract
        "“第一期付款”款项人民币壹拾万元整（¥100,000.00）",  # facts: milestone and amount, 大写
        "已于2026年9月2日交付",
        "依照《保障中小企业款项支付条例》第九条应当于2026年10月8日前支付",  # the rule breached, cited
        "尚有人民币壹拾万元整（¥100,000.00）未支付，已逾期4日",
        "经多次催告仍未支付。",  # the supervisor's grounds
        "根据本市《政府合同履约信用监管工作方案》，",  # basis of the rectification period
        "自本通知印发之日起15日内，即于2026年10月27日前完成整改",  # what, by when
        "支付逾期款项并依法支付逾期利息",
        "政务失信行为",  # consequence
        "督办函",
        "X市发展和改革委员会",  # issuer
        "2026年10月12日",  # date
        "（电子印章）",  # seal position
    ):
        assert element in text, element


def test_supervision_letter_elements(case, travel):
    travel("2026-10-20")
    disposal_task_respond(case=case, response="资金正在筹措。", user=u("agency_clerk"))
    travel("2026-10-28")
    disposal_task_review(
        case=case, outcome="dishonest", note="逾期仍未支付。", record_kind="arrears", user=u("supervisor")
    )
    letter = Document.objects.get(doc_type="supervision_letter")
    text = text_of(letter)
    for element in (
        "督办函",
        "X发改信用督办〔2026〕1号",
        "X市交通运输局：",
        "《道路养护服务采购》（合同编号：HT-XJTJ-2026-08-03）",
        "“第一期付款”款项人民币壹拾万元整（¥100,000.00）依照《保障中小企业款项支付条例》第九条应当于2026年10月8日前支付",
        "截至2026年10月28日尚有人民币壹拾万元整（¥100,000.00）未支付，已逾期20日",  # overdue facts
        "《政府合同履约问题整改通知书》（X发改信用整改〔2026〕1号）",  # the earlier notice
        "于2026年10月27日前完成整改",
        "审核意见：逾期仍未支付。",
        "自2026年10月28日起将上述行为作为政务失信记录",
        "于2026年11月12日前纠正失信行为",  # 10-28 + 15 days: what is required by when
        "书面报送我委",  # the reporting obligation
        "2026年10月28日",
        "（电子印章）",
    ):
        assert element in text, element
    assert "十五日" not in text


def test_complaint_receipt_elements(demo, travel):
    c = submit(travel, day="2026-09-14")
    text = text_of(Document.objects.get(doc_type="complaint_receipt"))
    for element in (
        "投诉登记回执",
        "X市恒信建材有限公司：",
        f"投诉编号{c.code}",  # tracking code
        "于2026年9月14日通过政府违约失信投诉专栏提交的投诉已收到",  # received date
        "人民币壹拾捌万元整（¥180,000.00）",
        "于2026年9月28日前决定是否受理",  # 10 working days (rule complaint.accept)
        "（《保障中小企业款项支付投诉处理暂行办法》）",
        "投诉受理后10个工作日内转交",
        "30日内办结并书面答复",
        "最长不超过90日",
        "《保障中小企业款项支付条例》第二十五条",
        "投诉查询",  # how to track
    ):
        assert element in text, element


@pytest.mark.parametrize(
    ("reason", "remedy"),
    [
        ("in_court", "向人民法院或者仲裁机构依法主张权利"),
        ("duplicate", "可凭原投诉编号在市社会信用监管服务平台查询办理进度"),
        ("insufficient", "补充有关事实和证明材料后，可以重新提交投诉"),
        ("not_sme", "依法通过协商、调解、申请仲裁或者提起诉讼等途径维护自身合法权益"),
    ],
)
def test_complaint_rejection_states_reason_and_the_way_open_to_the_complainant(demo, travel, reason, remedy):
    c = submit(travel, day="2026-09-14")
    travel("2026-09-16")
    complaint_task(complaint=c, step="reject", user=u("complaint_officer"), reason=reason, text="经核查。")
    doc = Document.objects.get(doc_type="complaint_rejection")
    text = text_of(doc)
    label = {
        "in_court": "已进入诉讼或仲裁程序",
        "duplicate": "同一事项正在办理中",
        "insufficient": "事实不清或证据不足",
        "not_sme": "投诉人不属于中小企业",
    }[reason]
    assert doc.doc_number.endswith("〔2026〕1号") and doc.doc_number in text
    for element in (
        "投诉不予受理告知书",
        "X市恒信建材有限公司：",
        f"于2026年9月14日提交的对X市交通运输局的投诉（投诉编号：{c.code}）",
        f"该投诉不予受理，理由如下：{label}。经核查。",  # the reason, in the document's language
        remedy,
        "2026年9月16日",
    ):
        assert element in text, element


def test_complaint_feedback_elements(demo, travel, make_contract):
    from tests.contracts.test_complaint_interest import handle_and_reply

    contract = make_contract(signed_on="2026-08-03")
    travel("2026-09-02")
    milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=u("agency_clerk")
    )
    c = submit(travel, day="2026-10-12", contract={"id": contract.pk})
    c, _ = handle_and_reply(c, travel, on="2026-10-19", amount="100000.00")
    doc = Document.objects.get(doc_type__startswith="complaint_feedback")
    text = text_of(doc)
    for element in (
        "投诉办理情况答复函",
        doc.doc_number,
        "X市恒信建材有限公司：",
        f"于2026年10月12日提交的投诉（投诉编号：{c.code}）",
        "货款确未付清。",  # findings
        "确认应付未付款项人民币壹拾万元整（¥100,000.00）",  # amount confirmed
        "依照《保障中小企业款项支付条例》第十七条",  # interest basis
        "日利率0.05%",
        "截至2026年10月19日为人民币伍佰伍拾元整（¥550.00）",  # 11 days (10-09..10-19) at 0.05%
        "本金与利息合计人民币壹拾万零伍佰伍拾元整（¥100,550.00）",
        "我局将于10月底前付清本息。",  # the reply
        "作出评价",  # the right to disagree, and how
        "X市交通运输局",  # issuer
        "2026年10月19日",
        "（电子印章）",
    ):
        assert element in text, element


def test_complaint_supervision_notice_elements(demo, travel, sweep):
    c = submit(travel, day="2026-09-14")
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    sweep(D(2026, 10, 15))
    notice = ComplaintSupervisionNotice.objects.get()
    travel("2026-10-16")
    supervision_notice_issue(notice=notice, text=notice.text, acting_user=u("supervisor"))
    doc = Document.objects.get(doc_type="complaint_supervision_notice")
    text = text_of(doc)
    for element in (
        "督办书",
        "X发改投诉督办〔2026〕1号",
        "X市交通运输局：",
        f"投诉编号{c.code}",
        "投诉人X市恒信建材有限公司",
        "投诉登记日期2026年9月14日",
        "转交办理日期2026年9月14日",
        "办理期限届满日期2026年10月14日",  # the overdue facts
        "《保障中小企业款项支付条例》第二十五条",  # legal basis
        "30日内办结并书面答复",
        "最长不超过90日",
        "报送办理结果和书面答复",  # what is required, the reporting obligation
        "请于收到本督办书之日起5个工作日内办结并书面报告",  # the rule complaint.supervision.report
        "X市发展和改革委员会",
        "2026年10月16日",
        "（电子印章）",
    ):
        assert element in text, element


def test_evaluation_report_elements(q3):
    """Issued through the page (the view builds the row), for a closed quarter, with the method's weights."""
    from django.test import Client

    from workflow.documents import document_render

    xjtj = Agency.objects.get(code="XJTJ")
    sup = Client()
    sup.force_login(u("supervisor"))
    assert sup.post(f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3").status_code == 302
    doc = Document.objects.get(doc_type="evaluation_report:2026Q3")
    document_render(doc.pk)
    text = text_of(doc)
    for element in (
        "政务诚信评价报告",
        "X发改评价〔2026〕1号",  # number
        "X市交通运输局：",
        "2026年7月1日至2026年9月30日（2026Q3）",  # the closed period
        "综合得分48.89分",
        "在参评单位中排名第1位",
        "指标权重结果",  # scores per indicator, with their weights (migration 0003's defaults)
        "按时登记率10%50.0%",
        "按时付款率25%50.0%",
        "逾期未付中小企业账款15%50.0%",
        "拖欠账款化解率15%0.0%",
        "拖欠账款清偿率15%60.0%",
        "投诉按时办结率10%本期无数据",
        "政务失信记录10%100.0%",
        "评价方法：各项指标按上表权重加权计算综合得分",  # the method
        "本期无数据的指标不计入",
        "期末逾期未付中小企业款项1笔，金额人民币贰万元整（¥20,000.00）",
        "X市发展和改革委员会2026年11月1日（电子印章）",  # issuer, date, seal
    ):
        assert element in text, element


def test_credit_commitment_elements(demo, travel):
    """The enterprise's own commitment (令第36号: a public credit commitment is a condition of repair):
    who commits, for which record, what it promises, to whom, who signed when, and the text's digest."""
    from tests.repair.test_applications import apply, record

    r = record(u("penalty_officer"), travel)
    a = apply(travel, "2026-03-02", [r], proof_held_by_unit=True)
    doc = Document.objects.get(doc_type="credit_commitment")
    text = text_of(doc)
    assert doc.doc_number == "" and doc.issuer is None  # the enterprise's act, not a numbered act of a body
    for element in (
        "信用承诺书",
        "X市市场监督管理局：",  # to the deciding unit
        "本单位X市恒信建材有限公司（统一社会信用代码：91410100AY4CL12THU）",
        "就X市监罚〔2025〕118号所涉失信行为申请信用修复",
        "已纠正失信行为、履行法定义务",
        "所提交的材料真实、准确、完整",
        "愿意承担相应法律责任，并接受撤销信用修复决定等处理",
        "承诺人（签名）：张伟",
        "签署时间：2026-03-02",
        f"承诺书文本摘要（SHA-256）：{a.commitment_sha256}",
    ):
        assert element in text, element
    assert "（电子印章）" not in text  # no seal position: not a government act


def test_rectification_notice_without_an_overdue_payment_states_the_grounds_only(make_contract, travel):
    """A case opened on a breach the supervisor found (no payment warning): no invented payment facts."""
    c = make_contract()
    travel("2026-10-12")
    disposal_open(contract=c, grounds="未按合同约定报送履约情况报告。", acting_user=u("supervisor"))
    text = text_of(Document.objects.get(doc_type="rectification_notice"))
    assert "未按合同约定报送履约情况报告。" in text
    assert "于2026年10月27日前完成整改" in text
    assert "款项人民币" not in text and "逾期利息" not in text


def test_rectification_notice_for_a_large_payee_cites_the_contract_not_the_sme_regulation(
    make_contract, clerk, travel, sweep
):
    """A payee that is not an SME is paid on the contract's date ("contract.planned"): no statute is cited."""
    c = make_contract(counterparty={"name": "X市建工集团有限公司", "uscc": "91410100AY4CL12THU", "size": "large"})
    travel("2026-09-02")
    milestone_record_delivery(milestone=c.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=clerk)
    sweep(D(2026, 10, 9))
    travel("2026-10-12")
    warning = Warning.objects.get(rule="payment.overdue")
    disposal_open(contract=c, warning=warning, grounds="经多次催告仍未支付。", acting_user=u("supervisor"))
    text = text_of(Document.objects.get(doc_type="rectification_notice"))
    assert "依照合同约定应当于2026年10月1日前支付" in text
    assert "上述行为不符合合同约定。" in text
    assert "保障中小企业款项支付条例" not in text

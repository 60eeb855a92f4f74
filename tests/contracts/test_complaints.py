"""The SME complaint column on the statutory clocks (SME payment regulation Art. 25)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from pypdf import PdfReader

from contracts.complaints.process import complaint_evaluate_by_complainant, complaint_submit, complaint_task
from contracts.complaints.selectors import complaint_get_for_tracking, complaint_steps
from contracts.complaints.selectors import complaints_visible_to as complaints_for_user
from contracts.complaints.services import complaint_extend
from contracts.models import Complaint, ComplaintSupervisionNotice
from workflow.deadlines import deadlines_for
from workflow.errors import Conflict, NotFound, PermissionDenied, RateLimited, ValidationFailed
from workflow.models import Agency, Document, User

D = dt.date
pytestmark = pytest.mark.django_db

BODY = {
    "complainant": {"name": "X市恒信建材有限公司", "uscc": "91410100AY4CL12THU", "size": "small"},
    "contact": {"name": "张伟", "mobile": "13812345678"},
    "respondent": {"agency": "XJTJ"},
    "contract": {"number": "JT-2025-031", "signed_on": "2025-06-10"},
    "amount_claimed": "180000.00",
    "facts": "2025年9月交付的养护材料经验收合格，货款18万元至今未付，多次催要无果。",
    "declaration": True,
}


def u(name):
    return User.objects.get(username=name)


def text_of(doc):
    from workflow.documents import document_render

    document_render(doc.pk)
    doc.refresh_from_db()
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def submit(travel, day="2026-02-13", **over):
    travel(day)
    return complaint_submit(data={**BODY, **over}, ip="203.0.113.9")


def clock(complaint, purpose):
    return deadlines_for(complaint).get(purpose=purpose)


def test_clocks_across_the_spring_festival_and_an_extension(demo, travel):
    c = submit(travel)  # Friday before the Spring Festival week
    # 10 working days: Sat 02-14 (works), 02-24..27, Sat 02-28 (works), 03-02..05.
    assert clock(c, "accept").due_on == D(2026, 3, 5)
    travel("2026-03-02")
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    assert clock(c, "transfer").due_on == D(2026, 3, 16)
    assert clock(c, "accept").status == "met"
    travel("2026-03-10")
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    assert clock(c, "handle").due_on == D(2026, 4, 9)  # 30 days from receiving the materials
    with pytest.raises(PermissionDenied):
        complaint_extend(complaint=c, days=30, reason="需调取档案", approver=u("agency_clerk"))
    complaint_extend(complaint=c, days=60, reason="涉及多个标段，需调取档案核对", approver=u("agency_head"))
    assert clock(c, "handle").due_on == D(2026, 6, 8)  # 04-09 + 60 days: 90 days in all
    with pytest.raises(ValidationFailed) as exc:
        complaint_extend(complaint=c, days=1, reason="再延期", approver=u("agency_head"))
    assert exc.value.code == "above_legal_ceiling"


def test_the_whole_path_with_documents_tracking_and_reopening(demo, travel):
    c = submit(travel, day="2026-09-14")
    receipt = Document.objects.get(doc_type="complaint_receipt")
    text = text_of(receipt)
    assert c.code in text and "投诉登记回执" in text and "2026年9月28日" in text  # accept due
    assert [s["name"] for s in complaint_steps(c)][:2] == ["submitted", "acceptance"]
    # Tracking: code + last four digits; a wrong code and wrong digits answer the same.
    assert complaint_get_for_tracking(code=c.code.lower(), mobile_last4="5678") == c
    for code, digits in ((c.code, "0000"), ("TS20260914XXXXXX", "5678")):
        with pytest.raises(NotFound) as exc:
            complaint_get_for_tracking(code=code, mobile_last4=digits)
        assert exc.value.code == "not_found"
    # Only a complaint officer takes the acceptance step.
    with pytest.raises(Conflict):
        complaint_task(complaint=c, step="accept", user=u("agency_clerk"))
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    with pytest.raises(Conflict):  # another agency's clerk has nothing to do here
        complaint_task(
            complaint=c, step="handle", user=u("agency_clerk2"), findings="x", amount_confirmed=None, disputed=False
        )
    travel("2026-09-30")
    complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="经核实，货款确未支付。",
        amount_confirmed="180000.00",
        disputed=False,
        repayment_plan="2026年10月底前一次付清",
    )
    complaint_task(complaint=c, step="feedback", user=u("agency_clerk"), text="我局将于10月底前付清全部货款。")
    reply = Document.objects.get(doc_type__startswith="complaint_feedback")
    assert "壹拾捌万元整" in text_of(reply) and reply.doc_number.startswith("X交函〔2026〕")
    with pytest.raises(NotFound):
        complaint_evaluate_by_complainant(code=c.code, mobile_last4="1111", satisfied=False, reason="未说明付款时间")
    # Not satisfied without a reason is refused, and nothing changes.
    with pytest.raises(ValidationFailed) as refused:
        complaint_evaluate_by_complainant(code=c.code, mobile_last4="5678", satisfied=False, reason="  ")
    assert (refused.value.code, list(refused.value.errors)) == ("required", ["reason"])
    c.refresh_from_db()
    assert c.status == "answered" and c.evaluated_on is None
    c = complaint_evaluate_by_complainant(code=c.code, mobile_last4="5678", satisfied=False, reason="未说明付款时间")
    assert c.status == "under_review" and c.dissatisfaction_reason == "未说明付款时间"
    c = complaint_task(complaint=c, step="review", user=u("supervisor"), reopen=True, note="答复未明确付款时间")
    assert c.status == "transferred"
    assert clock(c, "handle2").due_on == D(2026, 10, 30)
    c = complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_head"),
        findings="已付清。",
        amount_confirmed="180000.00",
        disputed=False,
    )
    travel("2026-10-09")
    c = complaint_task(complaint=c, step="feedback", user=u("agency_head"), text="货款已于10月8日付清。")
    c = complaint_evaluate_by_complainant(code=c.code, mobile_last4="5678", satisfied=True)
    assert (c.status, c.closed_on) == ("closed", D(2026, 10, 9))
    # A satisfied evaluation ends the process: no stray review task for the supervisors.
    from contracts.complaints.selectors import complaint_process
    from workflow.selectors import tasks_for_user

    assert complaint_process(c).status == "DONE"
    assert tasks_for_user(u("supervisor")) == []


def test_rejection_sends_a_written_notice(demo, travel):
    c = submit(travel, day="2026-09-14")
    with pytest.raises(ValidationFailed):
        complaint_task(complaint=c, step="reject", user=u("complaint_officer"), reason="in_court", text=" ")
    c = complaint_task(
        complaint=c, step="reject", user=u("complaint_officer"), reason="in_court", text="该纠纷已由X市仲裁委员会受理。"
    )
    assert c.status == "rejected"
    notice = Document.objects.get(doc_type="complaint_rejection")
    assert notice.doc_number == "X发改投诉〔2026〕1号"
    assert "不予受理" in text_of(notice) and "仲裁委员会" in text_of(notice)
    assert [s["status"] for s in complaint_steps(c)] == ["done", "rejected"]


def test_bad_input_names_every_field_and_saves_nothing(demo, travel):
    travel("2026-09-14")
    bad = {
        **BODY,
        "complainant": {"name": "", "uscc": "123", "size": "large"},
        "contact": {"name": "张伟", "mobile": "12345"},
        "amount_claimed": "-5",
        "facts": "太短",
        "declaration": False,
    }
    with pytest.raises(ValidationFailed) as exc:
        complaint_submit(data=bad, ip="203.0.113.9")
    assert set(exc.value.errors) == {
        "complainant.name",
        "complainant.uscc",
        "complainant.size",
        "contact.mobile",
        "amount_claimed",
        "facts",
        "declaration",
    }
    assert Complaint.objects.count() == 0


@pytest.mark.parametrize("amount", ["Infinity", "inf", "NaN", "sNaN"])
def test_an_amount_that_is_not_a_number_is_a_field_error(demo, travel, amount):
    # "Infinity" passed the sign check and then compared its exponent ("F") with an int: a TypeError.
    travel("2026-09-14")
    with pytest.raises(ValidationFailed) as exc:
        complaint_submit(data={**BODY, "amount_claimed": amount}, ip="203.0.113.9")
    assert set(exc.value.errors) == {"amount_claimed"}
    assert Complaint.objects.count() == 0


def test_a_long_contract_number_or_body_name_is_refused_never_cut(demo, travel):
    travel("2026-09-14")
    long = {
        **BODY,
        "respondent": {"name": "X市" + "某" * 200 + "局"},
        "contract": {"number": "JT-" + "9" * 62, "signed_on": "2025-03-01"},
    }
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        complaint_submit(data=long, ip="203.0.113.9")
    assert exc.value.errors["contract.number"] == ["最多 64 个字符。"]
    assert exc.value.errors["respondent.name"] == ["最多 200 个字符。"]
    assert Complaint.objects.count() == 0


def test_abuse_controls(demo, travel, settings):
    submit(travel, day="2026-09-14")
    with pytest.raises(Conflict) as exc:  # the same enterprise, body and contract while open
        submit(travel, day="2026-09-14")
    assert exc.value.code == "duplicate_complaint"
    submit(travel, day="2026-09-14", contract={"number": "JT-2025-032"})
    with pytest.raises(RateLimited):  # three a day per mobile
        submit(travel, day="2026-09-14", contract={"number": "JT-2025-033"})
    travel("2026-09-15")
    settings.GOVCREDIT_COMPLAINT_LIMIT_PER_IP_HOUR = 1
    complaint_submit(
        data={**BODY, "contact": {"name": "李", "mobile": "13900000001"}, "contract": {"number": "A-1"}},
        ip="198.51.100.7",
    )
    with pytest.raises(RateLimited):
        complaint_submit(
            data={**BODY, "contact": {"name": "李", "mobile": "13900000002"}, "contract": {"number": "A-2"}},
            ip="198.51.100.7",
        )


def test_evidence_must_really_be_pdf_jpg_or_png(demo, travel):
    travel("2026-09-14")
    fake = SimpleUploadedFile("发票.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed) as exc:
        complaint_submit(data=BODY, evidence=[fake], ip="203.0.113.9")
    assert exc.value.errors.keys() == {"evidence"}
    good = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    c = complaint_submit(data=BODY, evidence=[good], ip="203.0.113.9")
    assert c.evidence.get().content_type == "application/pdf"


def test_an_overdue_handling_gets_one_draft_supervision_notice(demo, travel, sweep):
    c = submit(travel, day="2026-09-14")
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    assert clock(c, "handle").due_on == D(2026, 10, 14)
    sweep(D(2026, 10, 14))
    assert ComplaintSupervisionNotice.objects.count() == 0
    sweep(D(2026, 10, 15))
    sweep(D(2026, 10, 16))
    notice = ComplaintSupervisionNotice.objects.get()
    assert (notice.complaint, notice.due_on, notice.drafted_on) == (c, D(2026, 10, 14), D(2026, 10, 15))
    assert c.code in notice.text
    assert u("supervisor").notifications.filter(category="complaint.overdue").count() == 1


def test_who_sees_which_complaints(demo, travel):
    c = submit(travel, day="2026-09-14")
    assert list(complaints_for_user(u("agency_clerk"))) == [c]  # against its agency
    assert list(complaints_for_user(u("agency_clerk2"))) == []
    assert list(complaints_for_user(u("complaint_officer"))) == [c]
    assert list(complaints_for_user(u("enterprise_user"))) == [c]  # its own
    assert list(complaints_for_user(u("enterprise_user2"))) == []


def test_the_handling_time_is_a_viewflow_timer_fed_by_our_calendar(demo, travel, sweep):
    from contracts.complaints.selectors import complaint_current_step, complaint_process
    from workflow.tasks import fire_workflow_timers

    c = submit(travel, day="2026-09-14")
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    travel("2026-10-14")  # due today: nothing yet
    assert fire_workflow_timers()["timers"] == 0
    travel("2026-10-15")
    assert fire_workflow_timers()["timers"] == 1
    notice = ComplaintSupervisionNotice.objects.get()
    assert (notice.due_on, notice.drafted_on) == (D(2026, 10, 14), D(2026, 10, 15))
    assert "2026年10月14日" in notice.text
    # Non-interrupting: the handling body can still handle it; the sweep adds no second notice.
    assert complaint_current_step(complaint=c, user=u("agency_clerk")) == "handle"
    sweep(D(2026, 10, 16))
    assert ComplaintSupervisionNotice.objects.count() == 1
    complaint_task(
        complaint=c, step="handle", user=u("agency_clerk"), findings="已核实。", amount_confirmed=None, disputed=False
    )
    complaint_task(complaint=c, step="feedback", user=u("agency_clerk"), text="已答复。")
    complaint_evaluate_by_complainant(code=c.code, mobile_last4="5678", satisfied=True)
    assert complaint_process(c).status == "DONE"


def test_an_extended_handling_time_is_not_reported_early(demo, travel):
    from workflow.tasks import fire_workflow_timers

    c = submit(travel, day="2026-09-14")
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    complaint_extend(complaint=c, days=30, reason="需现场核查", approver=u("agency_head"))
    travel("2026-10-15")
    fire_workflow_timers()  # the timer set for the original date fires, but the clock was extended
    assert ComplaintSupervisionNotice.objects.count() == 0


def test_a_confirmed_amount_opens_the_arrears_case_the_sweep_has_not_yet_opened(demo, travel, make_contract):
    from contracts.models import ArrearsCase
    from contracts.services import milestone_record_delivery

    contract = make_contract(signed_on="2026-08-03")
    travel("2026-09-02")
    milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=u("agency_clerk")
    )  # due 2026-10-08; no sweep has run since
    c = submit(travel, day="2026-10-12", contract={"id": contract.pk})
    assert c.contract == contract
    complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
    complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=Agency.objects.get(code="XJTJ"))
    complaint_task(
        complaint=c,
        step="handle",
        user=u("agency_clerk"),
        findings="货款确未支付。",
        amount_confirmed="100000.00",
        disputed=False,
    )
    case = ArrearsCase.objects.get(contract=contract)
    assert (case.owed, case.due_on, case.identified_on, case.status) == (
        100000,
        D(2026, 10, 8),
        D(2026, 10, 12),
        "confirmed",  # opened by the complaint and confirmed at once: the handling body confirmed it
    )

"""Who downloads which formal document: role × owner × document type × route, exactly.

A document is visible to exactly who may see its case (workflow.documents.document_visible_to, which
asks the case's app scoping selector). Every document here is built through the services on the demo
data and rendered; each user then asks for each document on the page route (session) and on the API
route (token). The allowed set must be exactly the expected one; every denial is a 404 that looks the
same as for an id that does not exist, every allowed answer is the PDF.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contracts.complaints.process import complaint_submit, complaint_task
from contracts.complaints.supervision import supervision_notice_issue
from contracts.disposal.process import disposal_open, disposal_task_respond, disposal_task_review
from contracts.models import ComplaintSupervisionNotice, Warning
from contracts.services import contract_register, milestone_record_delivery
from repair.models import RepairApplication
from repair.process import application_submit, application_task
from repair.services.records import record_create
from tests.contracts.test_complaints import BODY as COMPLAINT
from workflow import roles
from workflow.documents import document_render
from workflow.models import Agency, Document, Enterprise, User
from workflow.sweeps import sweep_run

D = dt.date
PARTY = "91410100AY4CL12THU"  # X市恒信建材有限公司: the enterprise in every case below

# Who is who (demo users plus a few more): the cases belong to 交通运输局 (XJTJ: respondent, handling
# agency, contracting agency, evaluated agency), to 市场监管局 (XSCJ: the deciding unit of the record and
# the application) and to 恒信建材 (the party). 发改委 (XFGW) issues the complaint receipts and the
# supervision notice, so its clerk is "a clerk of the issuing agency" who is not a staff role of the case.
USERS = {
    "clerk_case_agency": "agency_clerk",  # XJTJ
    "clerk_other_agency": "agency_clerk2",  # XJYJ
    "clerk_issuer_xfgw": "clerk_xfgw",  # XFGW (created below)
    "head_case_agency": "agency_head",  # XJTJ
    "supervisor": "supervisor",
    "complaint_officer": "complaint_officer",
    "penalty_officer_unit": "penalty_officer",  # XSCJ
    "penalty_officer_other": "penalty_officer2",  # XJYJ (created below)
    "window_clerk_filed": "window_clerk",
    "window_clerk_other": "window_clerk2",  # XFGW (created below)
    "enterprise_party": "enterprise_user",
    "enterprise_other": "enterprise_user2",
    "anonymous": None,
}
COMPLAINT_STAFF = {"supervisor", "complaint_officer", "clerk_case_agency", "head_case_agency", "enterprise_party"}
DISPOSAL_STAFF = {"supervisor", "clerk_case_agency", "head_case_agency"}
RECORD_STAFF = {"supervisor", "penalty_officer_unit", "enterprise_party"}
APPLICATION_STAFF = {"supervisor", "penalty_officer_unit", "window_clerk_filed", "enterprise_party"}
EXPECTED = {
    "complaint_receipt": COMPLAINT_STAFF,
    "complaint_feedback": COMPLAINT_STAFF,
    "complaint_rejection": COMPLAINT_STAFF,
    "complaint_supervision_notice": COMPLAINT_STAFF,
    "rectification_notice": DISPOSAL_STAFF,
    "supervision_letter": DISPOSAL_STAFF,
    "penalty_decision": RECORD_STAFF,
    "repair_notice": RECORD_STAFF,
    "service_receipt": RECORD_STAFF,
    "credit_commitment": APPLICATION_STAFF,
    "acceptance_notice": APPLICATION_STAFF,
    "repair_decision": APPLICATION_STAFF,
    "evaluation_report": DISPOSAL_STAFF,  # the agency's clerks and heads, supervisors
}


def u(username):
    return User.objects.get(username=username)


def _user(username, role, agency_code):
    user = User.objects.create_user(username=username, password="x-password-123")
    user.agency = Agency.objects.get(code=agency_code)
    user.save(update_fields=["agency"])
    user.groups.add(Group.objects.get(name=role))
    return user


def _complaint(travel, day, n, ip):
    travel(day)
    body = {**COMPLAINT, "contract": {"number": f"JT-2025-03{n}", "signed_on": "2025-06-10"}}
    return complaint_submit(data={**body, "amount_claimed": f"18000{n}.00"}, ip=ip)


def _build(travel) -> dict[str, Document]:
    """Every document type, each issued through its service on one case of its own kind."""
    call_command("seed_demo", verbosity=0)
    _user("clerk_xfgw", roles.AGENCY_CLERK, "XFGW")
    _user("penalty_officer2", roles.PENALTY_OFFICER, "XJYJ")
    _user("window_clerk2", roles.WINDOW_CLERK, "XFGW")
    xjtj = Agency.objects.get(code="XJTJ")

    # A record (penalty decision + repair notice) and a window application on it (commitment + decision).
    travel("2025-12-01")
    record = record_create(
        data={
            "subject": {"uscc": PARTY, "name": "X市恒信建材有限公司"},
            "type": "admin_penalty",
            "category": "general",
            "publish": False,
            "decision_number": "X市监罚〔2025〕118号",
            "decided_on": "2025-11-30",
            "facts": "销售不合格建材。",
            "basis": "《产品质量法》第四十九条",
            "subject_address": "X市高新区科学大道100号",
            "evidence": "现场检查笔录、抽样检验报告。",
            "obligations": [{"kind": "fine", "amount": "50000.00", "due_on": "2025-12-15"}],
        },
        acting_user=u("penalty_officer"),
    )
    travel("2026-03-02")
    application = application_submit(
        enterprise=Enterprise.objects.get(uscc=PARTY),
        record_ids=[record.pk],
        correction="已停止销售并召回，罚款已缴清。",
        proof_held_by_unit=True,
        commitment={"signer_name": "张伟", "accepted": True},
        acting_user=u("window_clerk"),
        channel=RepairApplication.Channel.WINDOW,
    )
    assert application.filed_by == u("window_clerk")
    application_task(
        application=application, step="review", user=u("penalty_officer"), approve=False, reason="罚款尚未缴纳。"
    )

    # A contract of XJTJ paid late: warning, disposal (rectification notice), dishonest (supervision letter).
    travel("2026-08-04")
    contract = contract_register(
        agency=xjtj,
        data={
            "number": "HT-XJTJ-2026-08-03",
            "title": "道路养护服务采购",
            "kind": "services",
            "procurement": False,
            "counterparty": {"name": "X市恒信建材有限公司", "uscc": PARTY, "size": "small"},
            "amount": "300000.00",
            "signed_on": D(2026, 8, 3),
            "ends_on": D(2027, 8, 2),
            "payment_term_days": None,
            "milestones": [
                {"kind": "payment", "title": "第一期付款", "amount": "100000.00", "planned_on": D(2026, 10, 1)}
            ],
        },
        acting_user=u("agency_clerk"),
    )
    travel("2026-09-02")
    milestone_record_delivery(
        milestone=contract.milestones.get(kind="payment"), delivered_on=D(2026, 9, 2), acting_user=u("agency_clerk")
    )

    # Complaints against XJTJ: one answered (receipt, reply), one rejected, one overdue (supervision notice).
    answered = _complaint(travel, "2026-09-14", 1, "203.0.113.1")
    rejected = _complaint(travel, "2026-09-14", 2, "203.0.113.2")
    overdue = _complaint(travel, "2026-09-14", 3, "203.0.113.3")
    complaint_task(
        complaint=rejected, step="reject", user=u("complaint_officer"), reason="in_court", text="已由仲裁委受理。"
    )
    for c in (answered, overdue):
        complaint_task(complaint=c, step="accept", user=u("complaint_officer"))
        complaint_task(complaint=c, step="transfer", user=u("complaint_officer"), agency=xjtj)
    travel("2026-09-30")
    complaint_task(
        complaint=answered,
        step="handle",
        user=u("agency_clerk"),
        findings="经核实，货款确未支付。",
        amount_confirmed="180001.00",
        disputed=False,
        repayment_plan="2026年10月底前一次付清",
    )
    complaint_task(complaint=answered, step="feedback", user=u("agency_clerk"), text="我局将于10月底前付清。")

    travel("2026-10-09")
    sweep_run(as_of=D(2026, 10, 9))  # the payment is overdue: a warning
    travel("2026-10-12")
    case = disposal_open(
        contract=contract,
        warning=Warning.objects.get(rule="payment.overdue"),
        grounds="第一期货款100,000.00元逾期未付。",
        acting_user=u("supervisor"),
    )
    travel("2026-10-15")
    sweep_run(as_of=D(2026, 10, 15))  # the overdue complaint's handling was due 10-14: a draft notice
    notice = ComplaintSupervisionNotice.objects.get(complaint=overdue)
    travel("2026-10-16")
    supervision_notice_issue(notice=notice, text=notice.text, acting_user=u("supervisor"))
    travel("2026-10-20")
    disposal_task_respond(case=case, response="资金正在筹措。", user=u("agency_clerk"))
    travel("2026-10-28")
    disposal_task_review(
        case=case, outcome="dishonest", note="整改期满仍未支付。", record_kind="arrears", user=u("supervisor")
    )

    # The evaluation report of XJTJ, issued by a supervisor's POST from its page (the only way it is issued).
    client = APIClient()
    client.force_login(u("supervisor"))
    response = client.post(f"/staff/contracts/evaluation/report/{xjtj.pk}/?period=2026Q3")
    assert response.status_code == 302, response

    documents = {}
    for document in Document.objects.all():
        document_render(document.pk)
        document.refresh_from_db()
        assert document.status == Document.Status.RENDERED and document.file, document.last_error
        documents[document.doc_type.split(":")[0]] = document
    return documents


def _client(username, route):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if username is None:
        return client
    user = u(username)
    if route == "page":
        client.force_login(user)
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


URLS = {
    "page": "/documents/{pk}/download",
    "api": "/api/v1/documents/{pk}/download",
    "repair_page": "/staff/repair/documents/{pk}",  # repair's own route: its documents only, same rule
}
REPAIR_DOCUMENTS = {
    "penalty_decision",
    "repair_notice",
    "service_receipt",
    "credit_commitment",
    "acceptance_notice",
    "repair_decision",
}


def _url(route, pk):
    return URLS[route].format(pk=pk)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ["page", "api", "repair_page"])
def test_each_document_is_visible_to_exactly_who_may_see_its_case(travel, route):
    documents = _build(travel)
    assert sorted(documents) == sorted(EXPECTED)
    missing = max(d.pk for d in documents.values()) + 1000
    allowed: dict[str, set[str]] = {doc_type: set() for doc_type in documents}
    for who, username in USERS.items():
        client = _client(username, "api" if route == "api" else "page")
        never = client.get(_url(route, missing))  # how "there is no such document" looks to this user
        for doc_type, document in documents.items():
            response = client.get(_url(route, document.pk))
            if response.status_code == 200:
                allowed[doc_type].add(who)
                assert response["Content-Type"] == "application/pdf"
                body = b"".join(response.streaming_content)
                assert body.startswith(b"%PDF") and len(body) == document.size_bytes
                continue
            # A denial is indistinguishable from a missing id: same status, same body.
            assert response.status_code == never.status_code, (who, doc_type, response.status_code)
            assert response.content == never.content, (who, doc_type)
            if username is None:  # not logged in: the login page, or the API's 401
                expected = 401 if route == "api" else 302
                assert response.status_code == expected
            else:
                assert response.status_code == 404, (who, doc_type)
                if route == "api":
                    assert response.json()["code"] == "document_not_found"
    if route == "repair_page":
        assert allowed == {t: (who if t in REPAIR_DOCUMENTS else set()) for t, who in EXPECTED.items()}
    else:
        assert allowed == EXPECTED
